// Serving the simulator over HTTP with @hono/node-server: start on a port (0 = a free
// one) and close promptly, keep-alive sockets included.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Clock } from '../shared/clock.js';
import { API_PREFIX, createSimulatorApp } from './app.js';
import type { SimulatorSettings } from './settings.js';
import { Simulator } from './simulator.js';

export interface StartSimulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  settings?: Partial<SimulatorSettings>;
  /** When set only this token is accepted, else any non-empty one. */
  token?: string;
  clock?: Clock;
}

export interface RunningSimulator {
  /** `http://HOST:PORT` */
  url: string;
  /** `url + '/compute/v1'` */
  apiUrl: string;
  simulator: Simulator;
  /**
   * The same API answered in-process by the app's fetch handler, no sockets: for
   * benchmarks that measure the engine rather than the loopback TCP stack. The
   * `drop` fault needs a real connection and answers 502 here.
   */
  fetch(url: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

const urlHost = (host: string): string => (host.includes(':') ? `[${host}]` : host);

export function startSimulator(options: StartSimulatorOptions = {}): Promise<RunningSimulator> {
  const host = options.host ?? '127.0.0.1';
  const simulator = new Simulator({
    ...(options.settings ? { settings: options.settings } : {}),
    ...(options.token !== undefined ? { token: options.token } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const app = createSimulatorApp(simulator);
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: host }) as Server;
    server.once('error', reject);
    server.once('listening', () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      const url = `http://${urlHost(host)}:${port}`;
      let closing: Promise<void> | undefined;
      const close = (): Promise<void> => {
        closing ??= new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections();
        });
        return closing;
      };
      const fetch = async (target: string, init?: RequestInit) => app.fetch(new Request(target, init));
      resolve({ url, apiUrl: `${url}${API_PREFIX}`, simulator, fetch, close });
    });
  });
}
