// Instances made in a simulator through its public API, waited until active:
// the boxes a scenario acts on.
import { createGenesisClient, createRateLimiter, type Instance } from '../../src/genesis/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { eventually } from './processes.js';

export async function activeBoxes(sim: RunningSimulator, names: string[]): Promise<Instance[]> {
  const client = createGenesisClient({
    baseUrl: sim.apiUrl,
    token: 'seed-token',
    rateLimiter: createRateLimiter({ ratePerSecond: 1000, burst: 1000 }),
  });
  const [key] = await client.sshKeys.list();
  const made = await Promise.all(
    names.map((name) =>
      client.instances.create({
        name,
        hostname: name,
        type: 'vcpu-2_memory-4g',
        region: 'NORD-NO-KRS-1',
        image: 'ubuntu-22.04',
        ssh_keys: [key!.id],
      }),
    ),
  );
  return eventually(
    async () => {
      const all = await client.instances.listAll();
      const now = made.map((m) => all.find((i) => i.id === m.id)!);
      return now.every((i) => i.status === 'active') ? now : undefined;
    },
    20_000,
    `boxes ${names.join(', ')} to become active`,
  );
}

/**
 * A workflow step (YAML, as an item of `steps:`) creating one GPU box named
 * `<prefix>-<run id>` with the seeded `ops-laptop` key.
 */
export function createBoxStep(prefix: string, image = 'ubuntu-ml-nvidia-pytorch'): string {
  return [
    '  - id: box',
    '    uses: instance.create',
    '    with:',
    `      name: ${prefix}-\${{ run.id }}`,
    '      type: vcpu-4_memory-12g_nvidia-rtx-3080-1',
    '      region: NORD-NO-KRS-1',
    `      image: ${image}`,
    '      ssh_keys: [ops-laptop]',
  ].join('\n');
}
