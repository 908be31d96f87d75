// Records gcflow writes to Redis: JSON carrying a version `v`, decoded with a schema on
// every read. Runs park for hours and records live for weeks, so a record may be read
// by a newer gcflow than the one that wrote it: an older version is migrated step by
// step, a newer or malformed one is refused with an error that names the key.
// Imports only zod and shared/errors.
import type { z } from 'zod';
import { GcflowError } from './errors.js';

export class RecordError extends GcflowError {
  override readonly name = 'RecordError';
  constructor(code: 'E_RECORD_INVALID' | 'E_RECORD_VERSION', key: string, message: string, hint: string) {
    super(code, `${key}: ${message}`, { hint });
  }
}

export interface RecordCodec<T> {
  readonly kind: string;
  readonly version: number;
  encode(value: T): string;
  /** Parses, migrates and checks a stored record; `key` names it in errors. */
  decode(json: string, key: string): T;
}

export interface RecordSpec<S extends z.ZodType> {
  /** What the record is, for error messages ("run state"). */
  kind: string;
  version: number;
  schema: S;
  /**
   * `migrations[n]` turns a version-n record (without `v`) into version n+1. Records
   * written before versions existed are version 0.
   */
  migrations?: Record<number, (old: Record<string, unknown>) => Record<string, unknown>>;
}

export function defineRecord<S extends z.ZodType>(spec: RecordSpec<S>): RecordCodec<z.output<S>> {
  const { kind, version, schema } = spec;
  const refuse = (
    key: string,
    message: string,
    hint: string,
    code: 'E_RECORD_INVALID' | 'E_RECORD_VERSION',
  ) => new RecordError(code, key, `${kind} ${message}`, hint);
  return {
    kind,
    version,
    encode(value) {
      const json = JSON.stringify(value);
      // `{"v":N,` + the rest: no copy of the value just to add one key.
      return json === '{}' ? `{"v":${version}}` : `{"v":${version},${json.slice(1)}`;
    },
    decode(json, key) {
      let raw: unknown;
      try {
        raw = JSON.parse(json);
      } catch (err) {
        throw refuse(
          key,
          `is not JSON (${(err as Error).message})`,
          'the key was written by something else than gcflow, or cut short',
          'E_RECORD_INVALID',
        );
      }
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
        throw refuse(
          key,
          'is not a JSON object',
          'the key was written by something else than gcflow',
          'E_RECORD_INVALID',
        );
      let { v = 0, ...body } = raw as Record<string, unknown>;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
        throw refuse(
          key,
          `has an invalid version ${JSON.stringify(v)}`,
          'the key was not written by gcflow',
          'E_RECORD_INVALID',
        );
      if (v > version)
        throw refuse(
          key,
          `was written by a newer gcflow (version ${v}; this one reads up to ${version})`,
          'upgrade this gcflow replica: replicas sharing a Redis must run the same release',
          'E_RECORD_VERSION',
        );
      for (; v < version; v++) {
        const migrate = spec.migrations?.[v];
        if (!migrate)
          throw refuse(
            key,
            `has version ${v}, which this gcflow can no longer read (it reads ${version})`,
            'finish or cancel runs with an intermediate release before upgrading across it',
            'E_RECORD_VERSION',
          );
        body = migrate(body);
      }
      const checked = schema.safeParse(body);
      if (!checked.success) {
        const issue = checked.error.issues[0]!;
        const where = issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
        throw refuse(
          key,
          `does not have the expected shape${where}: ${issue.message}`,
          'the key was changed outside gcflow, or by an incompatible release',
          'E_RECORD_INVALID',
        );
      }
      return checked.data;
    },
  };
}
