// Walks the pages of any Genesis list route (`?page=P&per_page=K`, `total_count`) and
// returns every item once. Transport-agnostic: the page fetcher is a parameter.
import { GcflowError } from '../shared/errors.js';

/** The API's largest page. */
export const MAX_PER_PAGE = 100;
/** A runaway guard: 10 000 pages of 100 is far beyond any account. */
const MAX_PAGES = 10_000;

export interface Page<T> {
  items: readonly T[];
  total_count: number;
}

export interface PageRequest {
  page: number;
  per_page: number;
}

export interface PaginateOptions {
  /** 1..100; default 100. */
  perPage?: number;
  signal?: AbortSignal;
}

/**
 * Fetches pages 1, 2, ... until `total_count` distinct items are read, a page comes back
 * short or empty. Items that carry an `id` are returned once even if a concurrent create
 * or delete shifted them from one page onto the next.
 */
export async function paginate<T>(
  fetchPage: (request: PageRequest) => Promise<Page<T>>,
  options: PaginateOptions = {},
): Promise<T[]> {
  const perPage = Math.min(MAX_PER_PAGE, Math.max(1, Math.floor(options.perPage ?? MAX_PER_PAGE)));
  const items: T[] = [];
  const seen = new Set<string>();
  for (let page = 1; page <= MAX_PAGES; page++) {
    options.signal?.throwIfAborted();
    const result = await fetchPage({ page, per_page: perPage });
    for (const item of result.items) {
      const id = idOf(item);
      if (id !== undefined) {
        if (seen.has(id)) continue;
        seen.add(id);
      }
      items.push(item);
    }
    if (result.items.length === 0 || result.items.length < perPage || items.length >= result.total_count) {
      return items;
    }
  }
  throw new GcflowError('E_API_PAGINATION', `list did not end after ${MAX_PAGES} pages`, {
    hint: 'The API kept returning full pages; report this with the route name.',
  });
}

/** `{instances: [...], total_count}` → a Page, for `paginate`. */
export function pageOf<T>(envelope: Record<string, unknown>, key: string): Page<T> {
  const items = envelope[key];
  const total = envelope['total_count'];
  return {
    items: Array.isArray(items) ? (items as T[]) : [],
    total_count: typeof total === 'number' ? total : Number.POSITIVE_INFINITY,
  };
}

function idOf(item: unknown): string | undefined {
  if (item && typeof item === 'object') {
    const id = (item as { id?: unknown }).id;
    if (typeof id === 'string') return id;
  }
  return undefined;
}
