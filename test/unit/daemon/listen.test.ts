import { describe, expect, it } from 'vitest';
import { isLoopback, ListenAddressError, parseListen } from '../../../src/daemon/http/serve.js';

describe('HTTP listen address', () => {
  it('parses host:port, bracketed IPv6 and an empty host as every interface', () => {
    expect(parseListen('127.0.0.1:8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseListen('localhost:0')).toEqual({ host: 'localhost', port: 0 });
    expect(parseListen('[::1]:9000')).toEqual({ host: '::1', port: 9000 });
    expect(parseListen(':8080')).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(parseListen('gcflow.internal:80')).toEqual({ host: 'gcflow.internal', port: 80 });
  });

  it('rejects what is not host:port with a hint', () => {
    for (const bad of ['8080', '127.0.0.1', '::1:8080', '[nothex]:80', 'host:70000', 'host:port']) {
      expect(() => parseListen(bad), bad).toThrow(ListenAddressError);
    }
    try {
      parseListen('8080');
    } catch (err) {
      expect((err as ListenAddressError).code).toBe('E_HTTP_LISTEN');
      expect((err as ListenAddressError).hint).toMatch(/127\.0\.0\.1:8080/);
    }
  });

  it('treats only 127.0.0.0/8, ::1 and localhost as loopback', () => {
    for (const host of [
      '127.0.0.1',
      '127.8.9.10',
      '::1',
      '0:0:0:0:0:0:0:1',
      '::ffff:127.0.0.1',
      'localhost',
      'LOCALHOST',
    ]) {
      expect(isLoopback(host), host).toBe(true);
    }
    for (const host of [
      '0.0.0.0',
      '::',
      '10.0.0.1',
      '128.0.0.1',
      '::ffff:10.0.0.1',
      'example.com',
      'localhost.evil.com',
    ]) {
      expect(isLoopback(host), host).toBe(false);
    }
  });
});
