// The three example workflows, unmodified, run to success against the simulator
// (the suite: examples-suite.ts), on the suite's Redis.
import { afterAll, beforeAll } from 'vitest';
import { type Stack, startStack } from '../../helpers/stack.js';
import { exampleSuite } from './examples-suite.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ concurrency: 20 });
});
afterAll(async () => stack?.close());

exampleSuite(() => stack);
