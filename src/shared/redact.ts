// Keeps secrets out of everything gcflow writes: logs, Redis, HTTP responses,
// error messages. Values are scrubbed wherever they appear; keys that name a
// secret are masked whatever their value. Pure: no I/O.

export const REDACTED = '[REDACTED]';

/** Keys whose values are always masked, at any depth (compared lower-cased). */
const SECRET_KEYS = new Set([
  'token',
  'authorization',
  'x-auth-token',
  'password',
  'api_token',
  'secret',
  'secrets',
]);

/**
 * Report tokens (src/runs/reports.ts) are per run, so no list could hold them all: they
 * carry this prefix and are masked by their shape wherever they appear.
 */
export const REPORT_TOKEN_PREFIX = 'gcr_';
const REPORT_TOKEN = /gcr_[A-Za-z0-9_-]{16,}/g;

/** Shorter values are not scrubbed by value: they would mask ordinary words. */
const MIN_SECRET_LENGTH = 4;

export class Redactor {
  private readonly secrets = new Set<string>();
  private pattern: RegExp | undefined;

  constructor(secrets: Iterable<string | undefined> = []) {
    for (const s of secrets) this.add(s);
  }

  add(secret: string | undefined): this {
    if (secret && secret.length >= MIN_SECRET_LENGTH && !this.secrets.has(secret)) {
      this.secrets.add(secret);
      // Longest first, so a secret that contains another is masked whole.
      const alternatives = [...this.secrets].sort((a, b) => b.length - a.length).map(escapeRegExp);
      this.pattern = new RegExp(alternatives.join('|'), 'g');
    }
    return this;
  }

  get size(): number {
    return this.secrets.size;
  }

  /** The string with every known secret replaced by [REDACTED]. */
  scrubString(text: string): string {
    const masked = text.includes(REPORT_TOKEN_PREFIX) ? text.replace(REPORT_TOKEN, REDACTED) : text;
    return this.pattern ? masked.replace(this.pattern, REDACTED) : masked;
  }

  /** A deep copy of `value` with secret values scrubbed and secret-named keys masked. */
  scrub<T>(value: T): T {
    return this.walk(value, 0) as T;
  }

  private walk(value: unknown, depth: number): unknown {
    if (typeof value === 'string') return this.scrubString(value);
    if (value === null || typeof value !== 'object' || depth > 32) return value;
    if (value instanceof Error) {
      const code = (value as { code?: unknown }).code;
      return {
        type: value.name,
        message: this.scrubString(value.message),
        ...(code === undefined ? {} : { code }),
      };
    }
    if (Array.isArray(value)) return value.map((v) => this.walk(v, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      out[key] =
        SECRET_KEYS.has(key.toLowerCase()) && v !== null && v !== undefined && v !== ''
          ? REDACTED
          : this.walk(v, depth + 1);
    }
    return out;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
