// instance.create's adoption logic against a fake cloud (no HTTP, virtual time): a
// lost answer is looked for before creating again, a box is never adopted from another
// task or from before the intent, and a second box of the run's name is deleted.
import { describe, expect, it } from 'vitest';
import { createExecutor } from '../../../src/actions/index.js';
import { AmbiguousCreateError, type GenesisClient, type Instance } from '../../../src/genesis/index.js';
import { liveActionDeps } from '../../helpers/tasks.js';
import { drive, start, step, virtual, workflow } from '../engine/build.js';

const NAME = 'batch-wf-run1';

/** A cloud of instances; `create` can lose its answer (and land the box now or later). */
function fakeCloud() {
  const instances: Instance[] = [];
  let n = 0;
  const cloud = {
    instances,
    posts: 0,
    deleted: [] as string[],
    /**
     * What the next POSTs do: 'ok'; 'lost' (created, answer lost); 'late' (answer lost,
     * the box lands when the next POST is answered); 'double' (two boxes, answer lost);
     * 'dropped' (answer lost, no box).
     */
    script: [] as Array<'ok' | 'lost' | 'late' | 'double' | 'dropped'>,
    late: [] as Array<() => void>,
    add(name: string, at = virtual.now, status = 'active'): Instance {
      const instance = { id: `i-${++n}`, name, status, created_at: new Date(at).toISOString() } as Instance;
      instances.push(instance);
      return instance;
    },
  };
  const client = {
    instances: {
      listAll: async () => instances.filter((i) => !cloud.deleted.includes(i.id)),
      get: async (id: string) => instances.find((i) => i.id === id)!,
      delete: async (id: string) => {
        cloud.deleted.push(id);
      },
      create: async (body: { name: string }) => {
        cloud.posts += 1;
        const what = cloud.script.shift() ?? 'ok';
        if (what === 'ok') {
          const made = cloud.add(body.name);
          for (const land of cloud.late.splice(0)) land();
          return made;
        }
        if (what === 'lost') cloud.add(body.name);
        if (what === 'double') cloud.add(body.name) && cloud.add(body.name);
        if (what === 'late') cloud.late.push(() => cloud.add(body.name));
        throw new AmbiguousCreateError({
          method: 'POST',
          path: '/instances',
          route: '/instances',
          kind: 'timeout',
        });
      },
    },
  } as unknown as GenesisClient;
  return { cloud, client };
}

async function runCreate(client: GenesisClient, othersOwn: string[] = []) {
  const def = workflow({
    steps: [
      step('box', 'instance.create', {
        with: { name: NAME, type: 't', region: 'r', image: 'i', password: 'p' },
      }),
    ],
    auto_cleanup: false,
  });
  const state = start(def);
  await drive(def, state, () => ({ type: 'done', outputs: {} }), {
    executor: createExecutor(liveActionDeps(client, () => virtual.now, othersOwn)),
    waitDefaults: { pollMs: 1_000, timeoutMs: 60_000, lateAnswerMs: 120_000 },
  });
  return state;
}

describe('instance.create adopts instead of creating twice', () => {
  it('adopts the box whose create answer was lost: one POST', async () => {
    const { cloud, client } = fakeCloud();
    cloud.script = ['lost'];
    const state = await runCreate(client);
    expect(state.status).toBe('succeeded');
    expect(cloud.posts).toBe(1);
    expect(state.steps['box']!.outputs).toMatchObject({ adopted: true, instance: { name: NAME } });
  });

  it('creates again when nothing appears, and deletes the late box of the first call', async () => {
    const { cloud, client } = fakeCloud();
    cloud.script = ['late', 'ok'];
    const state = await runCreate(client);
    expect(state.status).toBe('succeeded');
    expect(cloud.posts).toBe(2);
    const kept = (state.steps['box']!.outputs['instance'] as Instance).id;
    const alive = cloud.instances.filter((i) => !cloud.deleted.includes(i.id)).map((i) => i.id);
    expect(alive).toEqual([kept]);
    expect(cloud.deleted).toHaveLength(1);
  });

  it('of two boxes of its name, adopts the oldest and deletes the other', async () => {
    const { cloud, client } = fakeCloud();
    cloud.script = ['double'];
    const state = await runCreate(client);
    expect(state.status).toBe('succeeded');
    expect(cloud.posts).toBe(1);
    expect((state.steps['box']!.outputs['instance'] as Instance).id).toBe('i-1');
    expect(cloud.deleted).toEqual(['i-2']);
  });

  it('never adopts a box another task owns, nor one from long before its intent', async () => {
    const { cloud, client } = fakeCloud();
    const theirs = cloud.add(NAME, 1_000_000);
    cloud.add(NAME, 1_000_000 - 60 * 60_000); // an hour before the run: not ours
    cloud.script = ['dropped'];
    const state = await runCreate(client, [theirs.id]);
    expect(state.status).toBe('succeeded');
    expect(cloud.posts).toBe(2);
    expect(state.steps['box']!.outputs['adopted']).toBe(false);
    expect(cloud.deleted).toEqual([]);
  });
});
