import { describe, expect, it } from 'vitest';
import { isGuarded, presentedToken, tokenMatches } from '../../../src/daemon/http/auth.js';

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('HTTP token guard', () => {
  it('reads the token from Bearer and from the password of Basic', () => {
    expect(presentedToken('Bearer s3cr3t-token')).toBe('s3cr3t-token');
    expect(presentedToken('bearer   s3cr3t-token  ')).toBe('s3cr3t-token');
    expect(presentedToken(basic('anyone', 'tok:with:colons'))).toBe('tok:with:colons');
    expect(presentedToken(basic('', 'tok'))).toBe('tok');
  });

  it('finds no token in a missing, foreign or malformed header', () => {
    expect(presentedToken(undefined)).toBeUndefined();
    expect(presentedToken('')).toBeUndefined();
    expect(presentedToken('Bearer')).toBeUndefined();
    expect(presentedToken('Digest username="x"')).toBeUndefined();
    expect(presentedToken(`Basic ${Buffer.from('no-colon').toString('base64')}`)).toBeUndefined();
  });

  it('matches only the exact token', () => {
    expect(tokenMatches('abc-123', 'abc-123')).toBe(true);
    expect(tokenMatches('abc-12', 'abc-123')).toBe(false);
    expect(tokenMatches('abc-1234', 'abc-123')).toBe(false);
    expect(tokenMatches('', 'abc-123')).toBe(false);
  });

  it('guards /api and /ui and everything below them, nothing else', () => {
    for (const path of ['/api', '/api/', '/api/runs', '/ui', '/ui/', '/ui/static/x.js', '/ui/api/queues']) {
      expect(isGuarded(path), path).toBe(true);
    }
    for (const path of ['/healthz', '/metrics', '/', '/apix', '/uix/y', '/nope']) {
      expect(isGuarded(path), path).toBe(false);
    }
  });
});
