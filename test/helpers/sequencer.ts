// The order test files start in: the longest first. Files run three at a time, and a
// long file started late ends the suite late (the 63-s Sentinel file started at 354 s of
// a 463-s run, when the total work over three workers was ~400 s). How long each file
// took comes from test/durations.json (written by scripts/test-durations.mjs from a
// full run's report); files not listed there (under 5 s, or new) follow, in vitest's
// own order (its timing cache, else the largest first). Only the order changes: every
// file still runs.
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

export class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const known = JSON.parse(readFileSync(join(root, 'test/durations.json'), 'utf8')) as Record<
      string,
      number
    >;
    const seconds = (file: TestSpecification) => known[relative(root, file.moduleId)] ?? 0;
    const base = await super.sort(files);
    // Array.prototype.sort is stable: equal (unknown) files keep vitest's order.
    return base.sort((a, b) => seconds(b) - seconds(a));
  }
}
