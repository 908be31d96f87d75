import { describe, expect, it } from 'vitest';
import { wireScrubber } from '../../../src/daemon/http/redaction.js';
import { h } from '../../../src/daemon/http/ui/html.js';
import { Redactor } from '../../../src/shared/redact.js';

describe('response scrubber', () => {
  const secrets = {
    apiToken: 'api-token-123',
    httpToken: 'http-token-456',
    workflowSecrets: { hook: 'https://hooks.example/a"b\\c', short: 'ab' },
  };

  it('scrubs each secret as written and as escaped inside JSON', () => {
    const scrub = wireScrubber(secrets, new Redactor());
    const body = JSON.stringify({
      a: 'x api-token-123 y',
      b: ['http-token-456'],
      c: secrets.workflowSecrets.hook,
    });
    const clean = scrub.scrubString(body);
    expect(clean).not.toContain('api-token-123');
    expect(clean).not.toContain('http-token-456');
    expect(clean).not.toContain(JSON.stringify(secrets.workflowSecrets.hook).slice(1, -1));
    expect(JSON.parse(clean)).toEqual({ a: 'x [REDACTED] y', b: ['[REDACTED]'], c: '[REDACTED]' });
  });

  it('scrubs each secret as the dashboard escapes it in HTML', () => {
    const scrub = wireScrubber(
      { apiToken: undefined, httpToken: undefined, workflowSecrets: { pw: `p&ss<w>rd"'9` } },
      new Redactor(),
    );
    const page = String(h`<td>${'x p&ss<w>rd"\'9 y'}</td><td title="${`p&ss<w>rd"'9`}">`);
    expect(page).toContain('p&amp;ss&lt;w&gt;rd&quot;&#39;9');
    expect(scrub.scrubString(page)).toBe('<td>x [REDACTED] y</td><td title="[REDACTED]">');
  });

  it('also applies the process redactor, which may know more secrets', () => {
    const scrub = wireScrubber(
      { apiToken: undefined, httpToken: undefined, workflowSecrets: {} },
      new Redactor(['late-secret-9']),
    );
    expect(scrub.scrubString('has late-secret-9 inside')).toBe('has [REDACTED] inside');
  });
});
