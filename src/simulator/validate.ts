// Small checks of request bodies and query strings that answer 400 `{code, message}`
// naming the field. Imports no HTTP.
import { invalid } from './errors.js';

export type Body = Record<string, unknown>;

export function asObject(value: unknown, what = 'request body'): Body {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(`${what} must be a JSON object`);
  }
  return value as Body;
}

/** All missing (absent, null or empty-string) required fields named in one message. */
export function requireFields(body: Body, fields: readonly string[]): void {
  const missing = fields.filter((f) => body[f] === undefined || body[f] === null || body[f] === '');
  if (missing.length === 1) throw invalid(`missing required field: ${missing[0]}`);
  if (missing.length > 1) throw invalid(`missing required fields: ${missing.join(', ')}`);
}

export function str(body: Body, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalid(`${field} must be a string`);
  return value;
}

export function bool(body: Body, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalid(`${field} must be a boolean`);
  return value;
}

export function int(body: Body, field: string): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw invalid(`${field} must be an integer`);
  return value;
}

export function stringList(body: Body, field: string): string[] | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw invalid(`${field} must be an array of ids`);
  }
  return value as string[];
}

/** A PATCH list field: a full list of ids, or `{"attach": id}` / `{"detach": id}`. */
export type ListUpdate = { list: string[] } | { attach: string } | { detach: string };

export function listUpdate(body: Body, field: string): ListUpdate | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return { list: stringList(body, field) ?? [] };
  if (typeof value === 'object') {
    const op = value as Body;
    const keys = Object.keys(op);
    if (keys.length === 1 && typeof op['attach'] === 'string') return { attach: op['attach'] };
    if (keys.length === 1 && typeof op['detach'] === 'string') return { detach: op['detach'] };
  }
  throw invalid(`${field} must be an array of ids, {"attach": id} or {"detach": id}`);
}

export interface PageQuery {
  page: number;
  per_page: number;
}

/** `page` (from 1, default 1) and `per_page` (1..100, default 50). */
export function pageQuery(query: (name: string) => string | undefined): PageQuery {
  const read = (name: string, fallback: number, max: number): number => {
    const raw = query(name);
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < 1 || n > max) {
      const range =
        max === Number.MAX_SAFE_INTEGER ? 'a positive integer' : `an integer between 1 and ${max}`;
      throw invalid(`${name} must be ${range}, got "${raw}"`);
    }
    return n;
  };
  return { page: read('page', 1, Number.MAX_SAFE_INTEGER), per_page: read('per_page', 50, 100) };
}

/** The envelope every list answers with: `{<key>: [...], total_count, page, per_page}`. */
export function paginate<T, V>(key: string, items: T[], q: PageQuery, view: (item: T) => V) {
  const start = (q.page - 1) * q.per_page;
  return {
    [key]: items.slice(start, start + q.per_page).map(view),
    total_count: items.length,
    page: q.page,
    per_page: q.per_page,
  };
}
