import { describe, expect, it } from 'vitest';
import {
  type BrowserPolicy,
  hostName,
  isAllowedHost,
  isAllowedOrigin,
} from '../../../src/daemon/http/browser-safety.js';
import { isRunId, manualRunId, scheduledRunId } from '../../../src/shared/ids.js';

const policy = (over: Partial<BrowserPolicy> = {}): BrowserPolicy => ({
  listenHost: '127.0.0.1',
  publicUrl: '',
  allowedHosts: [],
  allowedOrigins: [],
  ...over,
});

describe('Host rule (DNS rebinding)', () => {
  it('reads the host name of a Host header, IPv6 and ports included', () => {
    expect(hostName('LocalHost:8080')).toBe('localhost');
    expect(hostName('[::1]:8080')).toBe('::1');
    expect(hostName('gcflow.example.com.')).toBe('gcflow.example.com');
    expect(hostName('a b')).toBeUndefined();
    expect(hostName('')).toBeUndefined();
  });

  it('answers localhost, IP addresses and the listen host, and refuses other names', () => {
    for (const host of ['localhost:8080', '127.0.0.1:8080', '[::1]:8080', '10.1.2.3', '[fe80::1]'])
      expect(isAllowedHost(host, policy()), host).toBe(true);
    expect(isAllowedHost('gcflow.internal:8080', policy({ listenHost: 'gcflow.internal' }))).toBe(true);
    for (const host of ['attacker.example', 'attacker.example:8080', 'localhost.attacker.example', '', 'x y'])
      expect(isAllowedHost(host, policy()), host).toBe(false);
  });

  it('answers public_url’s host and allowed_hosts, with .domain for subdomains and * for any', () => {
    const p = policy({
      publicUrl: 'https://gcflow.example.com/base',
      allowedHosts: ['ops.example.org', '.corp.example'],
    });
    expect(isAllowedHost('gcflow.example.com', p)).toBe(true);
    expect(isAllowedHost('OPS.example.org:8080', p)).toBe(true);
    expect(isAllowedHost('corp.example', p)).toBe(true);
    expect(isAllowedHost('a.b.corp.example', p)).toBe(true);
    expect(isAllowedHost('evilcorp.example', p)).toBe(false);
    expect(isAllowedHost('example.com', p)).toBe(false);
    expect(isAllowedHost('anything.example', policy({ allowedHosts: ['*'] }))).toBe(true);
  });
});

describe('Origin rule (cross-site requests)', () => {
  it('accepts the origin of the host the request was sent to, with either scheme', () => {
    expect(isAllowedOrigin('http://127.0.0.1:8080', '127.0.0.1:8080', policy())).toBe(true);
    expect(isAllowedOrigin('http://localhost:8080', 'localhost:8080', policy())).toBe(true);
    expect(isAllowedOrigin('https://gcflow.example.com', 'gcflow.example.com', policy())).toBe(true);
    expect(isAllowedOrigin('https://gcflow.example.com', 'gcflow.example.com:443', policy())).toBe(true);
  });

  it('refuses other origins, another port of the same host, null and garbage', () => {
    expect(isAllowedOrigin('http://evil.example', '127.0.0.1:8080', policy())).toBe(false);
    expect(isAllowedOrigin('http://127.0.0.1:9999', '127.0.0.1:8080', policy())).toBe(false);
    expect(isAllowedOrigin('null', '127.0.0.1:8080', policy())).toBe(false);
    expect(isAllowedOrigin('not a url', '127.0.0.1:8080', policy())).toBe(false);
    expect(isAllowedOrigin('file://', '127.0.0.1:8080', policy())).toBe(false);
  });

  it('accepts public_url’s origin and allowed_origins exactly', () => {
    const p = policy({
      publicUrl: 'https://gcflow.example.com/x',
      allowedOrigins: ['https://ops.example.org'],
    });
    expect(isAllowedOrigin('https://gcflow.example.com', '127.0.0.1:8080', p)).toBe(true);
    expect(isAllowedOrigin('https://ops.example.org', '127.0.0.1:8080', p)).toBe(true);
    expect(isAllowedOrigin('http://ops.example.org', '127.0.0.1:8080', p)).toBe(false);
    expect(isAllowedOrigin('https://ops.example.org:8443', '127.0.0.1:8080', p)).toBe(false);
  });
});

describe('run id grammar', () => {
  it('accepts every id gcflow makes', () => {
    const long = 'w'.repeat(63);
    for (const id of [
      manualRunId('nightly-snapshots', Date.UTC(2026, 0, 1)),
      manualRunId(long, Date.UTC(2999, 11, 31)),
      scheduledRunId('office-hours', 1, Date.UTC(2026, 2, 29, 1)),
      scheduledRunId(long, 99, Date.UTC(2999, 11, 31, 23, 59, 59)),
    ])
      expect(isRunId(id), id).toBe(true);
  });

  it('refuses what could reach another Redis key or is not an id', () => {
    for (const id of [
      'x:events',
      'x:cancel',
      '*',
      'a b',
      '../x',
      'X-Upper',
      '-lead',
      '',
      'a'.repeat(129),
      'ü',
    ])
      expect(isRunId(id), id).toBe(false);
  });
});
