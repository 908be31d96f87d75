// Hono glue shared by the simulator's route files: the env type, JSON body reading,
// error answers and empty 204s. The only simulator files that import hono are this,
// app.ts and the *-routes.ts files.
import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ApiFailure, invalid } from './errors.js';
import type { Simulator } from './simulator.js';
import { type PageQuery, pageQuery } from './validate.js';

/** `incoming` is present when served by @hono/node-server (needed to drop connections). */
export interface SimEnv {
  Bindings: { incoming?: IncomingMessage };
}

export type SimContext = Context<SimEnv>;

export type RouteDeps = { sim: Simulator };

/** The parsed JSON body; 400 when it is not JSON. An empty body reads as undefined. */
export async function readJson(c: SimContext): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw invalid('request body is not valid JSON');
  }
}

export function failureResponse(c: SimContext, failure: ApiFailure): Response {
  return c.json(failure.body(), failure.status as ContentfulStatusCode, failure.headers);
}

export const noContent = (c: SimContext): Response => c.body(null, 204);

export const pageOf = (c: SimContext): PageQuery => pageQuery((name) => c.req.query(name));

export function unexpected(err: unknown): ApiFailure {
  if (err instanceof ApiFailure) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new ApiFailure(500, '05000', `internal simulator error: ${message}`);
}
