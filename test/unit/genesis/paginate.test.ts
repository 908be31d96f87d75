import { describe, expect, it } from 'vitest';
import { type PageRequest, pageOf, paginate } from '../../../src/genesis/paginate.js';

function server(total: number) {
  const rows = Array.from({ length: total }, (_, i) => ({ id: `id-${i}` }));
  const requests: PageRequest[] = [];
  const fetchPage = async (request: PageRequest) => {
    requests.push(request);
    const start = (request.page - 1) * request.per_page;
    return { items: rows.slice(start, start + request.per_page), total_count: rows.length };
  };
  return { rows, requests, fetchPage };
}

describe('paginate', () => {
  it('walks per_page=100 pages until total_count items are read', async () => {
    const s = server(250);
    const items = await paginate(s.fetchPage);
    expect(items.map((i) => i.id)).toEqual(s.rows.map((r) => r.id));
    expect(s.requests).toEqual([
      { page: 1, per_page: 100 },
      { page: 2, per_page: 100 },
      { page: 3, per_page: 100 },
    ]);
  });

  it('stops after an exact multiple without asking for an empty page', async () => {
    const s = server(200);
    expect(await paginate(s.fetchPage)).toHaveLength(200);
    expect(s.requests).toHaveLength(2);
  });

  it('stops on an empty first page', async () => {
    const s = server(0);
    expect(await paginate(s.fetchPage)).toEqual([]);
    expect(s.requests).toHaveLength(1);
  });

  it('returns an item once when a concurrent create shifts it onto the next page', async () => {
    let calls = 0;
    const items = await paginate(
      async ({ page }) => {
        calls++;
        if (page === 1) return { items: [{ id: 'a' }, { id: 'b' }], total_count: 3 };
        return { items: [{ id: 'b' }, { id: 'c' }], total_count: 3 };
      },
      { perPage: 2 },
    );
    expect(items).toEqual([{ id: 'a' }, { id: 'b' }, { id: 'c' }]);
    expect(calls).toBe(2);
  });

  it('clamps per_page to the API range', async () => {
    const s = server(5);
    await paginate(s.fetchPage, { perPage: 500 });
    await paginate(s.fetchPage, { perPage: 0 });
    expect(s.requests.map((r) => r.per_page)).toEqual([100, 1, 1, 1, 1, 1]);
  });

  it('stops when the caller aborts between pages', async () => {
    const controller = new AbortController();
    const s = server(300);
    const walk = paginate(
      async (request) => {
        const page = await s.fetchPage(request);
        controller.abort(new Error('cancelled'));
        return page;
      },
      { signal: controller.signal },
    );
    await expect(walk).rejects.toThrow('cancelled');
    expect(s.requests).toHaveLength(1);
  });

  it('pageOf reads any list envelope', () => {
    expect(pageOf({ snapshots: [{ id: 'x' }], total_count: 9, page: 1, per_page: 50 }, 'snapshots')).toEqual({
      items: [{ id: 'x' }],
      total_count: 9,
    });
  });
});
