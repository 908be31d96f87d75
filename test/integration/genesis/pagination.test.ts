// Acceptance: listAll returns every one of 250 instances created through the API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBody, type Sim, startSim } from './sim.js';

let sim: Sim;

beforeAll(async () => {
  sim = await startSim({ transition_ms: 10 });
});

afterAll(async () => {
  await sim?.close();
});

describe('pagination against the simulator', () => {
  it('returns all of 250 instances, reading per_page=100 pages', async () => {
    const setup = sim.client();
    const body = await createBody(setup, 'page-0');
    await sim.config({ capacity: { [`${body.region}/${body.type}`]: 1000 } });
    const created = new Set<string>();
    for (let batch = 0; batch < 250; batch += 25) {
      const made = await Promise.all(
        Array.from({ length: 25 }, (_, i) => {
          const name = `page-${batch + i}`;
          return setup.instances.create({ ...body, name, hostname: name });
        }),
      );
      for (const instance of made) created.add(instance.id);
    }
    expect(created.size).toBe(250);

    // Observe the URLs the client asks for; the transport itself is the real fetch.
    const urls: string[] = [];
    const client = sim.client({
      fetch: (input, init) => {
        urls.push(String(input));
        return fetch(input, init);
      },
    });
    const all = await client.instances.listAll();
    expect(all).toHaveLength(250);
    expect(new Set(all.map((i) => i.id))).toEqual(created);
    expect(urls.map((u) => new URL(u).search)).toEqual([
      '?page=1&per_page=100',
      '?page=2&per_page=100',
      '?page=3&per_page=100',
    ]);

    const first = await client.instances.list({ page: 3, per_page: 100 });
    expect(first.total_count).toBe(250);
    expect(first.page).toBe(3);
    expect(first.per_page).toBe(100);
    expect(first.instances).toHaveLength(50);
  }, 60_000);
});
