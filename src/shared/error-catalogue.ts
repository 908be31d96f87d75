// Every runtime error code gcflow raises, in one table: what it means, what to do
// (the default hint when the thrower gives none), the CLI exit code and the HTTP
// status the daemon answers with. The workflow validator's codes live in their own
// catalogue (src/dsl/diagnostics.ts). A test scans src/ so that every code raised is
// here and nothing here is unused. Imports nothing but the exit codes.
import { ExitCode } from './exit-codes.js';

export interface CatalogueEntry {
  /** What the error means; the message says the particulars. */
  summary: string;
  /** What to do, when the code alone says it (the thrower's hint wins). */
  hint?: string;
  exit: ExitCode;
  /** The status of an HTTP API answer carrying this error. */
  http: number;
}

const { failed, usage, unreachable } = ExitCode;

/** A failed step: the run fails (exit 1); the daemon never answers a request with it. */
const step = (summary: string, hint?: string): CatalogueEntry => ({
  summary,
  ...(hint ? { hint } : {}),
  exit: failed,
  http: 500,
});

export const ERROR_CATALOGUE = {
  // The command line and configuration
  E_USAGE: { summary: 'bad flags or arguments', hint: 'run gcflow --help', exit: usage, http: 400 },
  E_CONFIG_INVALID: {
    summary: 'the configuration (file, environment or flags) has problems; all are listed',
    hint: 'see config/default.yaml for every setting',
    exit: usage,
    http: 500,
  },
  E_UNREACHABLE: { summary: 'Redis, the API or the daemon cannot be reached', exit: unreachable, http: 503 },
  E_NO_API_TOKEN: {
    summary: 'no Genesis Cloud API token is set',
    hint: 'export GENESISCLOUD_TOKEN=... (a token from the Genesis Cloud console), or try gcflow dev',
    exit: usage,
    http: 500,
  },
  E_DEV_NO_REDIS: {
    summary: 'gcflow dev found no Redis and could not start redis-server',
    hint: 'install redis-server or set REDIS_URL',
    exit: unreachable,
    http: 500,
  },
  E_DEV_RUNNING: {
    summary: 'a gcflow dev is already running in this directory',
    hint: 'use it (its settings are in .gcflow/dev.env), or stop it first',
    exit: usage,
    http: 500,
  },
  E_INJECTED_FAULT: { summary: 'a fault injected for tests (GCFLOW_FAULT_THROW)', exit: failed, http: 500 },

  // Workflows
  E_WORKFLOWS_DIR: { summary: 'the workflows directory cannot be read', exit: usage, http: 500 },
  E_WORKFLOW_NOT_FOUND: {
    summary: 'no workflow of that name (or no such file)',
    hint: 'gcflow validate lists the workflows it finds',
    exit: usage,
    http: 404,
  },
  E_WORKFLOW_INVALID: {
    summary: 'the workflow file has errors',
    hint: 'gcflow validate FILE shows each with file:line:col',
    exit: failed,
    http: 400,
  },

  // Runs
  E_INPUT_INVALID: { summary: "inputs do not match the workflow's declarations", exit: usage, http: 400 },
  E_RUN_NOT_FOUND: {
    summary: 'no run with that id (or its record expired)',
    hint: 'gcflow runs lists recent runs',
    exit: usage,
    http: 404,
  },
  E_RUN_ENDED: { summary: 'the run has already ended', exit: usage, http: 409 },
  E_RUN_ID_TAKEN: { summary: 'fresh run ids kept colliding', exit: failed, http: 500 },
  E_LOCK_LOST: {
    summary: "a worker lost its lock on a run; another worker carries it on (not the run's failure)",
    exit: failed,
    http: 500,
  },
  E_DEFINITION_MISSING: {
    summary: "a run's workflow definition is missing from Redis",
    exit: failed,
    http: 500,
  },
  E_PLAN_RUNAWAY: { summary: 'planning did not end (a loop in the engine)', exit: failed, http: 500 },
  E_GAVE_UP: step('a step not run because gcflow gave up on the run (its turns kept failing)'),
  E_RECORD_INVALID: {
    summary: 'a record read from Redis does not have the shape this gcflow expects',
    exit: failed,
    http: 500,
  },
  E_RECORD_VERSION: {
    summary: 'a record in Redis was written by a gcflow version this one cannot read',
    hint: 'run the gcflow version that wrote it until its runs end, or upgrade this one',
    exit: failed,
    http: 500,
  },

  // Steps
  E_STEP_INPUT: step("a step's parameters are invalid after evaluating its expressions"),
  E_DURATION_INVALID: step(
    'a duration read at run time (from an expression or a stored run) is not a duration',
  ),
  E_STEP_INTERNAL: step('a step failed with an unexpected error (a bug): see the daemon log'),
  E_ABORTED: step('the step was interrupted (cancel, timeout or shutdown)'),
  E_WAIT_TIMEOUT: step(
    'a wait for a status did not end in time',
    'raise the wait timeout or check the resource',
  ),
  E_ACTION_NOT_ALLOWED: step('the instance is in a status that does not allow this action'),
  E_INSTANCE_NOT_FOUND: step('no instance with that id or name'),
  E_INSTANCE_AMBIGUOUS: step('several instances have that name', 'refer to the instance by id'),
  E_INSTANCE_GONE: step('the instance disappeared (404) while a step waited for it'),
  E_JOB_FAILED: step('the batch job reported failed (exit code and output tail in the step)'),
  E_JOB_NO_RESULT: step("the job's box stopped without reporting a result"),
  E_JOB_SILENT: step('the batch job sent no report for longer than heartbeat_timeout'),
  E_JOB_TIMEOUT: step('the batch job reported no result within the job.wait timeout'),
  E_INSTANCE_ERROR: step('the instance went to status error'),
  E_STATUS_UNREACHABLE: step(
    'the instance can no longer reach the awaited status (e.g. it is being deleted)',
  ),
  E_CURSOR_INVALID: step(
    "a step's saved progress has a shape this gcflow does not read (changed by an upgrade)",
  ),
  E_INSTANCE_PROTECTED: step('the instance is protected from deletion', 'set unprotect: true on the step'),
  E_DISK_SHRINK: step('a disk cannot be made smaller'),
  E_NO_CAPACITY: step('no capacity for the instance type in any region tried', 'add fallback entries'),
  E_SSH_KEY_NOT_FOUND: step('no SSH key with that id or name'),
  E_SECURITY_GROUP_NOT_FOUND: step('no security group with that id or name'),
  E_SNAPSHOT_NOT_FOUND: step('no snapshot with that id or name'),
  E_SNAPSHOT_ERROR: step('the snapshot went to status error'),
  E_WEBHOOK_UNREACHABLE: step('the webhook could not be reached (retried under the step policy)'),
  E_WEBHOOK_FAILED: step('the webhook answered 5xx or 429 (retried under the step policy)'),
  E_WEBHOOK_REJECTED: step('the webhook answered 4xx: not retried'),

  // Expressions at run time (the validator reports the same problems as diagnostics)
  E_EXPR_SYNTAX: step('an expression does not parse'),
  E_EXPR_UNKNOWN_CONTEXT: step('an expression names an unknown context'),
  E_EXPR_UNKNOWN_FUNCTION: step('an expression calls an unknown function'),
  E_EXPR_EVAL: step('an expression cannot be evaluated with the run data'),

  // The Genesis Cloud API client
  'E_API_{status}': {
    summary: 'the API answered with this HTTP status (E_API_404, E_API_429, ...; E_API_UNKNOWN without one)',
    exit: failed,
    http: 502,
  },
  E_API_TIMEOUT: { summary: 'the API did not answer in time', exit: unreachable, http: 504 },
  E_API_TRANSPORT: {
    summary: 'the connection to the API was refused or dropped',
    exit: unreachable,
    http: 502,
  },
  E_API_INVALID_RESPONSE: { summary: 'the API answered with an unexpected body', exit: failed, http: 502 },
  E_API_ABORTED: { summary: 'the API call was cancelled by its caller', exit: failed, http: 500 },
  E_API_AMBIGUOUS_WRITE: {
    summary: 'a write may or may not have taken effect; it was not retried',
    exit: failed,
    http: 502,
  },
  E_API_AMBIGUOUS_CREATE: {
    summary: 'a create may or may not have created the resource',
    exit: failed,
    http: 502,
  },
  E_API_UNREACHABLE: { summary: 'the API cannot be reached', exit: unreachable, http: 503 },
  E_API_AUTH: {
    summary: 'the API refused the token',
    hint: 'check GENESISCLOUD_TOKEN',
    exit: usage,
    http: 502,
  },
  E_API_BASE_URL: { summary: 'the API URL is not an http(s) URL', exit: usage, http: 500 },
  E_API_ARGUMENT: {
    summary: 'an API route was called without a path parameter (a bug)',
    exit: failed,
    http: 500,
  },
  E_API_PAGINATION: { summary: 'a list did not end after the page limit', exit: failed, http: 502 },
  E_RATE_LIMIT_INVALID: {
    summary: 'the client rate limit settings are not positive',
    exit: usage,
    http: 500,
  },

  // Holds (gcflow hold / holds / unhold, /api/holds)
  E_HOLD_INVALID: {
    summary: 'the hold request is malformed (until, for or reason)',
    hint: 'give --until an ISO time in the future (2026-12-01T07:00:00Z) or --for a duration (8h)',
    exit: usage,
    http: 400,
  },
  E_HOLD_NOT_FOUND: {
    summary: 'the instance has no hold in force',
    hint: 'gcflow holds (GET /api/holds) lists the holds in force',
    exit: usage,
    http: 404,
  },
  E_HOLD_INSTANCE_NOT_FOUND: {
    summary: 'no instance with that id or name to hold',
    hint: 'check the id or name in the Genesis Cloud console',
    exit: usage,
    http: 404,
  },
  E_HOLD_INSTANCE_AMBIGUOUS: {
    summary: 'several instances have that name',
    hint: 'refer to the instance by id',
    exit: usage,
    http: 409,
  },

  // The daemon's HTTP API
  E_HTTP_BAD_REQUEST: { summary: 'the request is malformed', exit: usage, http: 400 },
  E_HTTP_UNAUTHORIZED: {
    summary: 'missing or wrong bearer token',
    hint: 'send Authorization: Bearer $GCFLOW_API_TOKEN',
    exit: usage,
    http: 401,
  },
  E_HTTP_BODY_TOO_LARGE: {
    summary: 'the request body is too large (1 MiB for the API, 256 KiB for a job report)',
    exit: usage,
    http: 413,
  },
  E_REPORT_NOT_FOUND: {
    summary: 'no run takes job reports at this URL (wrong token, or the run has ended)',
    exit: usage,
    http: 404,
  },
  E_REPORT_INVALID: { summary: 'a job report that is not the expected JSON', exit: usage, http: 400 },
  E_REPORT_RATE_LIMITED: { summary: 'a run sent job reports too fast', exit: usage, http: 429 },
  E_RUN_ID_INVALID: { summary: 'the path names something that is not a run id', exit: usage, http: 400 },
  E_HTTP_FORBIDDEN: {
    summary: 'the route is not open to this client (e.g. /metrics through a proxy)',
    exit: usage,
    http: 403,
  },
  E_HTTP_FOREIGN_ORIGIN: {
    summary:
      "a browser page of another origin sent the request (not the daemon's own, not in http.allowed_origins)",
    exit: usage,
    http: 403,
  },
  E_HTTP_READ_ONLY: { summary: 'the queue dashboard does not change anything', exit: usage, http: 403 },
  E_HTTP_UNSUPPORTED_MEDIA_TYPE: { summary: 'a POST without a JSON Content-Type', exit: usage, http: 415 },
  E_HTTP_FOREIGN_HOST: {
    summary: 'the Host header names neither this daemon nor an entry of http.allowed_hosts',
    exit: usage,
    http: 421,
  },
  E_HTTP_INSECURE: {
    summary: 'the daemon would listen beyond loopback without GCFLOW_API_TOKEN',
    exit: usage,
    http: 500,
  },
  E_HTTP_LISTEN: { summary: 'the HTTP listen address is unusable or taken', exit: usage, http: 500 },
  E_NOT_FOUND: { summary: 'no such route', exit: usage, http: 404 },
  E_INTERNAL: { summary: 'an unexpected error (a bug): see the daemon log', exit: failed, http: 500 },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

const FAMILIES: Array<[RegExp, ErrorCode]> = [[/^E_API_(\d{3}|UNKNOWN)$/, 'E_API_{status}']];

/** The entry for a code, families (`E_API_404`) included. */
export function catalogueEntry(code: string): CatalogueEntry | undefined {
  const entries: Record<string, CatalogueEntry> = ERROR_CATALOGUE;
  if (Object.hasOwn(entries, code)) return entries[code];
  const family = FAMILIES.find(([re]) => re.test(code));
  return family ? entries[family[1]] : undefined;
}
