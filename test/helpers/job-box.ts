// Playing a batch job's box: the simulator cannot run startup scripts, so tests read the
// report URL out of the script it was given (its admin state shows it) and POST the
// reports the script would send.
import type { RunningSimulator } from '../../src/simulator/index.js';
import { eventually } from './processes.js';

/** The report URL a startup script holds (gpu-batch sets REPORT_URL='...'). */
export function reportUrlIn(script: string | null | undefined): string | undefined {
  return /https?:\/\/[^\s'"]+\/report\/[^\s'"]+/.exec(script ?? '')?.[0];
}

/** The box whose name starts with `prefix` and the report URL in its startup script, once it exists. */
export async function jobBox(
  sim: RunningSimulator,
  prefix: string,
  timeoutMs = 60_000,
  /** Ids of boxes earlier tests played (they may still be there, being deleted). */
  exclude: ReadonlySet<string> = new Set(),
): Promise<{ id: string; name: string; url: string }> {
  return eventually(
    async () => {
      const box = sim.simulator
        .state()
        .instances.find((i) => i.name.startsWith(prefix) && !exclude.has(i.id) && i.status !== 'deleting');
      const url = reportUrlIn(box?.startup_script);
      return box && url ? { id: box.id, name: box.name, url } : undefined;
    },
    timeoutMs,
    `a box named ${prefix}* with a report URL in its startup script`,
  );
}

/** POSTs one report as the box's curl would. */
export async function report(
  url: string,
  body: { status: string; exit_code?: number; output?: string } | string,
): Promise<{ status: number; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}
