// `gcflow dev` only: the simulator cannot run startup scripts, so a batch job's box never
// POSTs its result to run.report_url. This stand-in does what gpu-batch's wrapper script
// would: when a box whose startup script holds a report URL has booted, it reports
// success once (before the simulator powers the box off), so the README tour works
// with no account. Tests start the simulator without it and play the box themselves.
import type { Logger } from '../shared/logger.js';
import type { RunningSimulator } from '../simulator/index.js';

const REPORT_URL = /https?:\/\/[^\s'"]+\/report\/[^\s'"]+/;
const LOOK_EVERY_MS = 500;

export interface BoxPlayer {
  stop(): void;
}

export function playBoxes(sim: RunningSimulator, logger: Logger): BoxPlayer {
  const reported = new Set<string>();
  let busy = false;
  const look = async () => {
    if (busy) return;
    busy = true;
    try {
      for (const box of sim.simulator.state().instances) {
        if (box.status !== 'active' || reported.has(box.id)) continue;
        const url = REPORT_URL.exec(box.startup_script ?? '')?.[0];
        if (!url) continue;
        reported.add(box.id);
        const output = `gcflow dev: the simulator does not run startup scripts; this report stands in for ${box.name}'s\n`;
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ status: 'succeeded', exit_code: 0, output }),
        }).catch((err: Error) => ({ status: 0, statusText: err.message }));
        logger.info(
          { event: 'dev.job_reported', instance: box.id, status: res.status },
          `gcflow dev reported success for the job on ${box.name} (the simulator runs no scripts)`,
        );
      }
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void look().catch(() => undefined), LOOK_EVERY_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
