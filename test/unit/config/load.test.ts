import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigError, loadConfig } from '../../../src/config/load.js';
import { DEFAULTS } from '../../../src/config/schema.js';

describe('configuration', () => {
  it('config/default.yaml documents exactly the embedded defaults', () => {
    expect(parse(readFileSync('config/default.yaml', 'utf8'))).toEqual(DEFAULTS);
  });

  it('layers defaults < file < environment < flags', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gcflow-config-'));
    const file = join(dir, 'c.yaml');
    writeFileSync(
      file,
      'redis: { url: redis://file:1 }\nworkflows: /from/file\nhttp: { listen: "0.0.0.0:1" }\n',
    );
    const { config } = loadConfig({
      configFile: file,
      env: { REDIS_URL: 'redis://env:2', GCFLOW_HTTP: '127.0.0.1:9' },
      flags: { http: { listen: '127.0.0.1:7' } },
    });
    expect(config.workflows).toBe('/from/file');
    expect(config.redis.url).toBe('redis://env:2');
    expect(config.redis.prefix).toBe('gcflow');
    expect(config.http.listen).toBe('127.0.0.1:7');
  });

  it('names the bad setting and the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gcflow-config-'));
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'worker: { concurrency: 0 }\n');
    expect(() => loadConfig({ configFile: file, env: {} })).toThrow(/worker\.concurrency.*c\.yaml/);
    expect(() => loadConfig({ configFile: join(dir, 'missing.yaml'), env: {} })).toThrow(ConfigError);
  });

  it('reads secrets only from the environment, lower-casing workflow secret names', () => {
    const { secrets } = loadConfig({
      env: {
        GENESIS_CLOUD_TOKEN: 'tok-abc',
        GCFLOW_SECRET_SLACK_WEBHOOK: 'https://hooks/x',
        GCFLOW_API_TOKEN: 'h',
      },
    });
    expect(secrets.apiToken).toBe('tok-abc');
    expect(secrets.httpToken).toBe('h');
    expect(secrets.workflowSecrets).toEqual({ slack_webhook: 'https://hooks/x' });
  });
});
