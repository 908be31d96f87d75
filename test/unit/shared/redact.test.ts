import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/shared/logger.js';
import { REDACTED, Redactor } from '../../../src/shared/redact.js';

const TOKEN = 'gc_live_7f3a9c1e5b2d4f60';

describe('Redactor', () => {
  it('masks a secret inside strings, arrays, nested objects and errors', () => {
    const r = new Redactor([TOKEN]);
    const out = r.scrub({ msg: `Bearer ${TOKEN}`, list: [TOKEN], deep: { e: new Error(`bad ${TOKEN}`) } });
    expect(JSON.stringify(out)).not.toContain(TOKEN);
    expect(out.msg).toBe(`Bearer ${REDACTED}`);
  });

  it('masks keys that name a secret whatever their value', () => {
    const out = new Redactor().scrub({
      headers: { Authorization: 'Bearer x' },
      password: 'hunter2hunter2',
      name: 'box',
    });
    expect(out).toEqual({ headers: { Authorization: REDACTED }, password: REDACTED, name: 'box' });
  });
});

describe('logger', () => {
  it('never writes the token, whether in the message, an object or an error', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = createLogger({ destination, pretty: false, redactor: new Redactor([TOKEN]), level: 'trace' });
    log.info(`calling with ${TOKEN}`);
    log.warn({ request: { url: `https://x/?t=${TOKEN}` } }, 'retrying');
    log.error({ err: new Error(`401 for token ${TOKEN}`) }, 'failed');
    log.child({ token: TOKEN }).info('child');
    const text = lines.join('');
    expect(lines).toHaveLength(4);
    expect(text).not.toContain(TOKEN);
    expect(text).toContain(REDACTED);
  });
});
