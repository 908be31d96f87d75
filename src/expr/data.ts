// Plain JSON-like values <-> the expression library's typed data. Objects are wrapped
// lazily, so a context holding large step outputs costs only what an expression reads.
// Pure.
import { data } from '@actions/expressions';
import type { Pair } from '@actions/expressions/data/expressiondata';

type Data = data.ExpressionData;

/** A dictionary over a plain object that converts a member only when it is read. */
class LazyDictionary extends data.Dictionary {
  readonly #source: Record<string, unknown>;
  readonly #seen: WeakSet<object>;
  #lower: Map<string, string> | undefined;
  readonly #converted = new Map<string, Data>();

  constructor(source: Record<string, unknown>, seen: WeakSet<object>) {
    super();
    this.#source = source;
    this.#seen = seen;
  }

  override get(key: string): Data | undefined {
    const actual = Object.hasOwn(this.#source, key) ? key : this.#lowerIndex().get(key.toLowerCase());
    if (actual === undefined || this.#source[actual] === undefined) return undefined;
    let value = this.#converted.get(actual);
    if (value === undefined) {
      value = convert(this.#source[actual], this.#seen);
      this.#converted.set(actual, value);
    }
    return value;
  }

  override values(): Data[] {
    return this.pairs().map((p) => p.value);
  }

  override pairs(): Pair[] {
    const out: Pair[] = [];
    for (const key of Object.keys(this.#source)) {
      const value = this.get(key);
      if (value !== undefined) out.push({ key, value });
    }
    return out;
  }

  #lowerIndex(): Map<string, string> {
    if (!this.#lower) {
      this.#lower = new Map();
      for (const key of Object.keys(this.#source)) {
        if (!this.#lower.has(key.toLowerCase())) this.#lower.set(key.toLowerCase(), key);
      }
    }
    return this.#lower;
  }
}

/** A plain value as expression data: null/undefined -> null, objects case-insensitive. */
export function toData(value: unknown): Data {
  return convert(value, new WeakSet());
}

function convert(value: unknown, seen: WeakSet<object>): Data {
  if (value === null || value === undefined) return new data.Null();
  switch (typeof value) {
    case 'string':
      return new data.StringData(value);
    case 'number':
      return new data.NumberData(value);
    case 'bigint':
      return new data.NumberData(Number(value));
    case 'boolean':
      return new data.BooleanData(value);
    case 'object':
      break;
    default:
      return new data.Null();
  }
  if (value instanceof Date) return new data.StringData(value.toISOString());
  const obj = value as object;
  if (seen.has(obj)) return new data.Null(); // a cycle: cut it
  if (Array.isArray(obj)) {
    seen.add(obj);
    const out = new data.Array(...obj.map((v) => convert(v, seen)));
    seen.delete(obj);
    return out;
  }
  return new LazyDictionary(obj as Record<string, unknown>, seen);
}

/** Expression data back to a plain JSON value. */
export function fromData(value: Data): unknown {
  switch (value.kind) {
    case data.Kind.Null:
      return null;
    case data.Kind.String:
    case data.Kind.Boolean:
    case data.Kind.Number:
      return (value as data.StringData | data.BooleanData | data.NumberData).value;
    case data.Kind.Array:
      return (value as data.Array).values().map(fromData);
    default: {
      const out: Record<string, unknown> = {};
      for (const { key, value: v } of (value as data.Dictionary).pairs()) out[key] = fromData(v);
      return out;
    }
  }
}

/** How a value reads inside text: null -> '', numbers without float noise, objects as GitHub does. */
export function toText(value: Data): string {
  return value.coerceString();
}
