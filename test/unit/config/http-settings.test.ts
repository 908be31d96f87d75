// The browser-safety settings of config `http`: defaults, GCFLOW_PUBLIC_URL, and
// what is refused (a public URL or origin that is not http(s), a bad access mode).
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { browserPolicy, publicUrl } from '../../../src/daemon/http/index.js';

const load = (env: Record<string, string>, flags = {}) =>
  loadConfig({ env: { GCFLOW_CONFIG: 'config/default.yaml', ...env }, flags }).config;

describe('config http: public_url, allowed_hosts, allowed_origins, metrics_access', () => {
  it('defaults to the listen URL, no extra hosts or origins, and /metrics open on loopback', () => {
    const { http } = load({});
    expect(http).toEqual({
      listen: '127.0.0.1:8080',
      public_url: '',
      allowed_hosts: [],
      allowed_origins: [],
      metrics_access: 'loopback',
    });
    expect(publicUrl(http, 'http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
    expect(browserPolicy(http)).toEqual({
      listenHost: '127.0.0.1',
      publicUrl: '',
      allowedHosts: [],
      allowedOrigins: [],
    });
  });

  it('takes the public URL from GCFLOW_PUBLIC_URL, and its host joins the allowed ones', () => {
    const { http } = load({ GCFLOW_PUBLIC_URL: 'https://gcflow.example.com/', GCFLOW_HTTP: '0.0.0.0:9000' });
    expect(http.public_url).toBe('https://gcflow.example.com/');
    expect(http.listen).toBe('0.0.0.0:9000');
    expect(publicUrl(http, 'http://0.0.0.0:9000')).toBe('https://gcflow.example.com');
  });

  it('refuses a public URL or an origin that is not http(s), and an unknown access mode', () => {
    expect(() => load({ GCFLOW_PUBLIC_URL: 'ftp://gcflow.example.com' })).toThrow(/http\.public_url/);
    expect(() => load({}, { http: { allowed_origins: ['gcflow.example.com'] } })).toThrow(
      /http\.allowed_origins/,
    );
    expect(() => load({}, { http: { metrics_access: 'everyone' } })).toThrow(/http\.metrics_access/);
  });
});
