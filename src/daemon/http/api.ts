// The /api routes: workflows, runs (start, list, inspect, cancel), schedules and holds, over
// RunService and the workflow registry. JSON in and out; every run view is scrubbed of
// secrets. Imports hono, runs/service and shared; no bullmq, no engine internals.
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { WORKFLOW_NAME_RE } from '../../dsl/schema.js';
import type { WorkflowDefinition } from '../../dsl/types.js';
import type { HoldService } from '../../holds/service.js';
import { RUN_STATUSES, type RunStatus } from '../../engine/state.js';
import type { RunView } from '../../runs/service.js';
import type { ScheduleView } from '../../scheduler/index.js';
import { isRunId } from '../../shared/ids.js';
import type { WorkflowRegistry } from '../registry.js';
import type { Services } from '../services.js';
import { errorResponse, HttpApiError } from './errors.js';
import { holdRoutes } from './holds.js';

/** What the API reads from the workflow registry (a narrow view, so tests may pass a stand-in). */
export type WorkflowCatalog = Pick<WorkflowRegistry, 'get' | 'all' | 'diagnostics'>;

export interface ApiDeps {
  services: Services;
  registry: WorkflowCatalog;
  /** The schedules with their next fire times (the scheduler's view). */
  schedules: () => Promise<ScheduleView[]>;
  /** Holds on instances (/api/holds). */
  holds: HoldService;
}

/** One workflow as GET /api/workflows lists it. */
export interface WorkflowSummary {
  name: string;
  description: string | null;
  inputs: WorkflowDefinition['inputs'];
  triggers: WorkflowDefinition['triggers'];
  file: string | null;
}

export const MAX_BODY_BYTES = 1024 * 1024;
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 1000;

export function summarize(def: WorkflowDefinition): WorkflowSummary {
  return {
    name: def.name,
    description: def.description ?? null,
    inputs: def.inputs,
    triggers: def.triggers,
    file: def.source?.file ?? null,
  };
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The inputs of POST /api/workflows/{name}/runs. The body is either the inputs
 * themselves (`{"script": "..."}`) or wrapped (`{"inputs": {"script": "..."}}`).
 * When an `inputs` object is present (and the workflow declares no input named
 * `inputs`), its values win over top-level keys of the same name; other top-level
 * keys are inputs too, so a stray one is reported as an unknown input. An empty body is `{}`.
 */
export function inputsFromBody(body: unknown, def: WorkflowDefinition): Record<string, unknown> {
  if (body === undefined) return {};
  if (!isPlainObject(body)) {
    throw new HttpApiError(
      'E_HTTP_BAD_REQUEST',
      `the body of POST /api/workflows/${def.name}/runs must be a JSON object of inputs`,
      'send {"name": value, ...} or {"inputs": {"name": value, ...}}',
    );
  }
  const wrapped = body['inputs'];
  if (Object.hasOwn(def.inputs, 'inputs') || !isPlainObject(wrapped)) return body;
  const { inputs: _, ...bare } = body;
  return { ...bare, ...wrapped };
}

/** A run id from a path, checked against the id grammar before it comes near a Redis key. */
export function runIdOf(text: string): string {
  if (isRunId(text)) return text;
  throw new HttpApiError(
    'E_RUN_ID_INVALID',
    `${JSON.stringify(text.slice(0, 200))} is not a run id`,
    'run ids are lower-case letters, digits and hyphens, e.g. nightly-snapshots-m9x2k1c7a3f09b1e; GET /api/runs lists them',
  );
}

/** The `workflow` filter of a run listing: a workflow name, else 400. */
export function parseWorkflow(text: string | undefined): string | undefined {
  if (text === undefined || text === '') return undefined;
  if (WORKFLOW_NAME_RE.test(text)) return text;
  throw new HttpApiError(
    'E_HTTP_BAD_REQUEST',
    `workflow=${text.slice(0, 200)} is not a workflow name`,
    'workflow names are lower-case letters, digits and hyphens; GET /api/workflows lists them',
  );
}

export function parseLimit(text: string | undefined): number {
  if (text === undefined || text === '') return DEFAULT_LIMIT;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT) {
    throw new HttpApiError(
      'E_HTTP_BAD_REQUEST',
      `limit=${text} is not a whole number from 1 to ${MAX_LIMIT}`,
      `omit limit for the newest ${DEFAULT_LIMIT} runs`,
    );
  }
  return n;
}

export function parseStatus(text: string | undefined): RunStatus | undefined {
  if (text === undefined || text === '') return undefined;
  if ((RUN_STATUSES as readonly string[]).includes(text)) return text as RunStatus;
  throw new HttpApiError(
    'E_HTTP_BAD_REQUEST',
    `status=${text} is not a run status`,
    `use one of ${RUN_STATUSES.join(', ')}`,
  );
}

export function apiRoutes(deps: ApiDeps): Hono {
  const { services, registry } = deps;
  const view = (v: RunView): RunView => services.redactor.scrub(v);
  const api = new Hono();

  api.use('*', async (c, next) => {
    await next();
    c.header('Cache-Control', 'no-store');
  });
  api.use(
    '*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => {
        // Answered before the body was read: the connection cannot carry another request.
        c.header('Connection', 'close');
        return errorResponse(
          c,
          new HttpApiError(
            'E_HTTP_BODY_TOO_LARGE',
            `the request body is larger than ${MAX_BODY_BYTES} bytes`,
            'send a smaller JSON body',
          ),
        );
      },
    }),
  );

  api.get('/workflows', (c) =>
    c.json({
      workflows: [...registry.all()].map(summarize).sort((a, b) => a.name.localeCompare(b.name)),
      diagnostics: [...registry.diagnostics()],
    }),
  );

  api.post('/workflows/:name/runs', async (c) => {
    const name = c.req.param('name');
    const def = registry.get(name);
    if (!def) {
      throw new HttpApiError(
        'E_WORKFLOW_NOT_FOUND',
        `no workflow named ${name}`,
        'GET /api/workflows lists the workflows and the files that failed to load',
      );
    }
    const text = await c.req.text();
    let body: unknown;
    try {
      body = text.trim() === '' ? undefined : JSON.parse(text);
    } catch (err) {
      throw new HttpApiError(
        'E_HTTP_BAD_REQUEST',
        `the body of POST /api/workflows/${name}/runs is not JSON: ${(err as Error).message}`,
        'send a JSON object of inputs, e.g. {"region": "NORD-NO-KRS-1"}',
      );
    }
    const { runId } = await services.runs.start({ def, inputs: inputsFromBody(body, def), trigger: 'api' });
    c.header('Location', `/api/runs/${encodeURIComponent(runId)}`);
    return c.json({ run_id: runId }, 202);
  });

  api.get('/runs', async (c) => {
    const workflow = parseWorkflow(c.req.query('workflow'));
    const status = parseStatus(c.req.query('status'));
    const limit = parseLimit(c.req.query('limit'));
    const runs = await services.runs.list({
      limit,
      ...(workflow ? { workflow } : {}),
      ...(status ? { status } : {}),
    });
    return c.json(runs.map(view));
  });

  api.get('/runs/:id', async (c) => c.json(view(await services.runs.get(runIdOf(c.req.param('id'))))));

  api.post('/runs/:id/cancel', async (c) => {
    const id = runIdOf(c.req.param('id'));
    if (await services.runs.cancel(id, 'cancelled through the HTTP API')) {
      return c.json({ run_id: id, cancelling: true }, 202);
    }
    const { status } = await services.runs.get(id);
    throw new HttpApiError(
      'E_RUN_ENDED',
      `run ${id} already ended (${status}); there is nothing to cancel`,
      `GET /api/runs/${id} shows how it ended`,
    );
  });

  api.get('/schedules', async (c) => c.json(await deps.schedules()));

  api.route('/holds', holdRoutes(deps.holds));

  return api;
}
