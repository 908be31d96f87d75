import { describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { InsecureListenError, serveHttp } from '../../../src/daemon/http/index.js';
import { silentLogger } from '../../../src/shared/logger.js';

const app = () => new Hono().get('/ping', (c) => c.text('pong'));

describe('serveHttp', () => {
  it('refuses 0.0.0.0 without a token, naming GCFLOW_API_TOKEN', async () => {
    const refused = serveHttp(app(), { listen: '0.0.0.0:0', token: undefined, logger: silentLogger() });
    await expect(refused).rejects.toBeInstanceOf(InsecureListenError);
    await expect(refused).rejects.toMatchObject({
      code: 'E_HTTP_INSECURE',
      hint: expect.stringMatching(/GCFLOW_API_TOKEN/),
    });
    await expect(
      serveHttp(app(), { listen: ':0', token: undefined, logger: silentLogger() }),
    ).rejects.toMatchObject({
      code: 'E_HTTP_INSECURE',
    });
  });

  it('listens on 0.0.0.0 with a token and reports the address it bound', async () => {
    const server = await serveHttp(app(), {
      listen: '0.0.0.0:0',
      token: 'a-long-token-42',
      logger: silentLogger(),
    });
    try {
      expect(server.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
      const port = new URL(server.url).port;
      expect(Number(port)).toBeGreaterThan(0);
      const reply = await fetch(`http://127.0.0.1:${port}/ping`);
      expect(await reply.text()).toBe('pong');
    } finally {
      await server.close();
    }
  });

  it('listens on loopback without a token', async () => {
    for (const listen of ['127.0.0.1:0', 'localhost:0']) {
      const server = await serveHttp(app(), { listen, token: undefined, logger: silentLogger() });
      try {
        expect(await (await fetch(`${server.url}/ping`)).text()).toBe('pong');
      } finally {
        await server.close();
      }
    }
  });

  it('stops answering once closed', async () => {
    const server = await serveHttp(app(), {
      listen: '127.0.0.1:0',
      token: undefined,
      logger: silentLogger(),
    });
    await server.close();
    await expect(fetch(`${server.url}/ping`)).rejects.toThrow();
  });

  it('names the address when the port is taken', async () => {
    const first = await serveHttp(app(), { listen: '127.0.0.1:0', token: undefined, logger: silentLogger() });
    try {
      const port = new URL(first.url).port;
      await expect(
        serveHttp(app(), { listen: `127.0.0.1:${port}`, token: undefined, logger: silentLogger() }),
      ).rejects.toMatchObject({ code: 'E_HTTP_LISTEN', message: expect.stringMatching(/EADDRINUSE/) });
    } finally {
      await first.close();
    }
  });
});
