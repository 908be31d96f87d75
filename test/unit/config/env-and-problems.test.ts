// Settings from the environment (GCFLOW_<SECTION>_<KEY> for every one), every
// problem reported at once with where it came from and a did-you-mean, and durations
// parsed once into milliseconds.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/load.js';
import { settings } from '../../../src/config/settings.js';
import { DEFAULTS } from '../../../src/config/schema.js';

function configFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'gcflow-config-')), 'c.yaml');
  writeFileSync(file, text);
  return file;
}

function problemsOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('settings from the environment', () => {
  it('sets any setting as GCFLOW_<SECTION>_<KEY>, numbers and durations included', () => {
    const { config } = loadConfig({
      configFile: '/dev/null',
      env: {
        GCFLOW_WORKER_CONCURRENCY: '7',
        GCFLOW_ENGINE_POLL_INTERVAL: '3s',
        GCFLOW_GENESIS_RATE_LIMIT_PER_S: '2.5',
        GCFLOW_SCHEDULER_WATCHDOG_GRACE: '90s',
        GCFLOW_HTTP_LISTEN: '127.0.0.1:9999',
        GCFLOW_REDIS_CLUSTER: '{nodes: [{host: 10.0.0.1, port: 6379}]}',
        GCFLOW_HTTP_ALLOWED_HOSTS: 'gcflow.internal, ops.example',
        GCFLOW_HTTP_ALLOWED_ORIGINS: '[https://ops.example]',
        GCFLOW_PUBLIC_URL: 'https://gcflow.example',
      },
    });
    expect(config.http.allowed_hosts).toEqual(['gcflow.internal', 'ops.example']);
    expect(config.http.allowed_origins).toEqual(['https://ops.example']);
    expect(config.http.public_url).toBe('https://gcflow.example');
    expect(config.worker.concurrency).toBe(7);
    expect(config.engine.poll_interval_ms).toBe(3_000);
    expect(config.genesis.rate_limit_per_s).toBe(2.5);
    expect(config.scheduler.watchdog_grace_ms).toBe(90_000);
    expect(config.http.listen).toBe('127.0.0.1:9999');
    expect(config.redis.cluster).toEqual({ nodes: [{ host: '10.0.0.1', port: 6379 }] });
  });

  it('has a variable for every setting in config/default.yaml', () => {
    const names = settings().map((s) => s.env);
    const leaves = Object.entries(DEFAULTS).flatMap(([section, value]) =>
      typeof value === 'object'
        ? Object.keys(value).map((k) => `GCFLOW_${section}_${k}`.toUpperCase())
        : [`GCFLOW_${section}`.toUpperCase()],
    );
    for (const leaf of leaves) expect(names).toContain(leaf);
    expect(names).toContain('GCFLOW_REDIS_SENTINEL');
  });

  it('still reads the documented names; the generic name wins when both are set', () => {
    const env = {
      REDIS_URL: 'redis://named:1',
      GENESISCLOUD_API_URL: 'http://127.0.0.1:1/compute/v1',
      GCFLOW_HTTP: '127.0.0.1:1',
      GCFLOW_WORKFLOWS: '/wf',
      GCFLOW_REDIS_PREFIX: 'p',
      GCFLOW_LOG_LEVEL: 'debug',
    };
    const { config } = loadConfig({ configFile: '/dev/null', env });
    expect(config.redis.url).toBe('redis://named:1');
    expect(config.genesis.api_url).toBe('http://127.0.0.1:1/compute/v1');
    expect(config.http.listen).toBe('127.0.0.1:1');
    expect(config.workflows).toBe('/wf');
    expect(config.redis.prefix).toBe('p');
    expect(config.log.level).toBe('debug');
    const both = loadConfig({
      configFile: '/dev/null',
      env: { ...env, GCFLOW_REDIS_URL: 'redis://generic:2' },
    });
    expect(both.config.redis.url).toBe('redis://generic:2');
  });

  it('ignores GCFLOW_ variables that are not settings and do not look like one', () => {
    expect(() =>
      loadConfig({
        configFile: '/dev/null',
        env: { GCFLOW_SECRET_X: 's', GCFLOW_API_TOKEN: 't', GCFLOW_FAULTPOINT: 'x', GCFLOW_SOMETHING: '1' },
      }),
    ).not.toThrow();
  });
});

describe('durations are parsed once', () => {
  it('hands the rest of gcflow milliseconds, never duration text', () => {
    const { config } = loadConfig({ configFile: '/dev/null', env: {} });
    expect(config.engine).toEqual({
      poll_interval_ms: 10_000,
      wait_timeout_ms: 1_200_000,
      list_poll_threshold: 5,
      history_retention_ms: 30 * 86_400_000,
      late_answer_window_ms: 120_000,
      for_each_max_items: 10_000,
    });
    expect(config.worker.shutdown_grace_ms).toBe(25_000);
    expect(config.genesis.request_timeout_ms).toBe(30_000);
    expect(JSON.stringify(config)).not.toMatch(/"\d+[smhd]"/);
  });

  it('refuses a duration without a unit, naming the setting and its source', () => {
    const err = problemsOf(() =>
      loadConfig({ configFile: '/dev/null', env: { GCFLOW_WORKER_LOCK_DURATION: '30' } }),
    );
    expect(err.problems).toEqual([
      expect.objectContaining({ setting: 'worker.lock_duration', source: 'GCFLOW_WORKER_LOCK_DURATION' }),
    ]);
    expect(err.message).toMatch(/not a duration/);
  });
});

describe('every problem at once', () => {
  it('reports unknown keys in the file, bad values and look-alike variables together, each with a did-you-mean', () => {
    const file = configFile(
      [
        'engine:',
        '  pol_interval: 5s',
        'worker:',
        '  concurrency: 0',
        'log:',
        '  level: wran',
        'scheduler:',
        '  watchdog_grace: soon',
      ].join('\n'),
    );
    const err = problemsOf(() =>
      loadConfig({
        configFile: file,
        env: { GCFLOW_WORKER_CONCURENCY: '5', GCFLOW_ENGINE_BOGUS: 'x', GCFLOW_REDIS_URL: 'redis://x:1' },
      }),
    );
    const bySetting = new Map(err.problems.map((p) => [p.setting, p]));
    expect([...bySetting.keys()].sort()).toEqual(
      [
        'GCFLOW_ENGINE_BOGUS',
        'GCFLOW_WORKER_CONCURENCY',
        'engine.pol_interval',
        'log.level',
        'scheduler.watchdog_grace',
        'worker.concurrency',
      ].sort(),
    );
    expect(bySetting.get('engine.pol_interval')!.message).toMatch(/did you mean engine\.poll_interval\?/);
    expect(bySetting.get('engine.pol_interval')!.source).toBe(file);
    expect(bySetting.get('log.level')!.message).toMatch(/did you mean warn\?/);
    expect(bySetting.get('worker.concurrency')!.message).toMatch(/at least 1, got 0/);
    expect(bySetting.get('GCFLOW_WORKER_CONCURENCY')!.message).toMatch(
      /did you mean GCFLOW_WORKER_CONCURRENCY\?/,
    );
    expect(bySetting.get('GCFLOW_ENGINE_BOGUS')!.message).toMatch(/GCFLOW_ENGINE_POLL_INTERVAL/);
    expect(err.message).toMatch(/^6 problems in the configuration:/);
    expect(err.exitCode).toBe(2);
  });

  it('names a flag as the source of a bad flag value', () => {
    const err = problemsOf(() =>
      loadConfig({ configFile: '/dev/null', env: {}, flags: { worker: { concurrency: -1 } } }),
    );
    expect(err.problems[0]).toMatchObject({ setting: 'worker.concurrency', source: 'command-line flags' });
  });
});
