// The outage tracker: a storm of connection errors from many components is one warn
// line, Redis back is one info line with the outage's length, and late errors of a
// connection still reconnecting while the main one answers start no new outage.
import { describe, expect, it } from 'vitest';
import {
  createOutageTracker,
  isConnectionError,
  isRedisUnavailable,
  outageLength,
} from '../../../src/queue/outage.js';
import { createLogger } from '../../../src/shared/logger.js';

function setup(primaryReady = () => false) {
  const lines: Array<{ level: number; msg: string; outage_ms?: number }> = [];
  const logger = createLogger({
    level: 'info',
    pretty: false,
    destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
  });
  let t = 1_000_000;
  const tracker = createOutageTracker({
    address: 'redis://127.0.0.1:6390',
    logger,
    now: () => t,
    primaryReady,
  });
  return { lines, tracker, advance: (ms: number) => (t += ms) };
}

const refused = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6390'), { code: 'ECONNREFUSED' });

describe('Redis outage tracker', () => {
  it('logs one warn line for hundreds of connection errors and one info line with the length when back', () => {
    const { lines, tracker, advance } = setup();
    for (let i = 0; i < 300; i++) {
      tracker.error(refused(), i % 2 ? 'run worker' : 'gcflow');
      advance(50);
    }
    tracker.error(new Error('Connection is closed.'), 'trigger queue');
    tracker.ready('gcflow');
    tracker.ready('gcflow-worker');
    expect(lines.map((l) => [l.level, l.msg.split(' (')[0]])).toEqual([
      [40, 'Redis unreachable at redis://127.0.0.1:6390'],
      [30, 'Redis reachable again at redis://127.0.0.1:6390 after 15.0 s'],
    ]);
    expect(lines[1]!.outage_ms).toBe(15_000);
    expect(tracker.down).toBe(false);
  });

  it('starts no outage for a connection still reconnecting while the main one answers', () => {
    const { lines, tracker } = setup(() => true);
    tracker.error(refused(), 'gcflow-cancels');
    expect(lines).toEqual([]);
    expect(tracker.down).toBe(false);
  });

  it('reports other errors once per source and message a minute', () => {
    const { lines, tracker, advance } = setup();
    tracker.error(new Error('NOSCRIPT No matching script'), 'run worker');
    tracker.error(new Error('NOSCRIPT No matching script'), 'run worker');
    advance(61_000);
    tracker.error(new Error('NOSCRIPT No matching script'), 'run worker');
    expect(lines.map((l) => l.msg)).toEqual(['run worker error', 'run worker error']);
  });

  it('tells connection errors from refused commands, and HTTP refusals from Redis ones', () => {
    expect(isConnectionError(refused())).toBe(true);
    expect(isConnectionError(new Error('ERR unknown command'))).toBe(false);
    const maxRetries = Object.assign(new Error('Reached the max retries per request limit (which is 2).'), {
      name: 'MaxRetriesPerRequestError',
    });
    expect(isRedisUnavailable(maxRetries)).toBe(true);
    expect(
      isRedisUnavailable(
        Object.assign(new Error("READONLY You can't write against a read only replica."), {
          name: 'ReplyError',
        }),
      ),
    ).toBe(true);
    // A webhook's refused connection is the step's failure, not Redis'.
    expect(isRedisUnavailable(refused())).toBe(false);
    expect(outageLength(850)).toBe('850 ms');
    expect(outageLength(125_000)).toBe('2 min 5 s');
  });
});
