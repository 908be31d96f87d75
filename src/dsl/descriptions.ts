// What every key of a workflow file and every `with` parameter means, in words an
// editor shows on hover. Applied to the JSON Schema by json-schema.ts (by path), so
// the schemas in schema.ts and step-params.ts stay free of prose. Keys are paths:
// `retry.attempts`, `triggers[].cron`, `inputs.*.type`, `fallback[].region`.
// Pure data.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${{ }} is the workflow expression syntax, not a JS template
import type { StepKind } from './types.js';

/** The workflow's own keys, from its top level. */
export const WORKFLOW_DESCRIPTIONS: Record<string, string> = {
  name: 'Unique name of the workflow: lower-case letters, digits and dashes (^[a-z0-9][a-z0-9-]{0,62}$).',
  description: 'What the workflow does, for people; shown in listings.',
  inputs: 'Typed parameters of a run, set with gcflow run -i name=value, the HTTP API or a trigger.',
  'inputs.*': 'One input: its type, and optionally a default, required, a description and an enum.',
  'inputs.*.type': 'string, integer, number, boolean, duration, list or object.',
  'inputs.*.default': 'Used when a run does not set the input; must fit the type and the enum.',
  'inputs.*.required': 'A run must set it unless it has a default; default false.',
  'inputs.*.description': 'What the input is for, for people.',
  'inputs.*.enum': 'The only values allowed.',
  triggers: 'Schedules that start runs; manual and API runs are always allowed.',
  'triggers[].cron':
    "5 fields (minute hour day-of-month month weekday) or 6 (seconds first), e.g. '0 2 * * *' or '0 19 * * 1-5'.",
  'triggers[].timezone': 'IANA timezone the cron is read in, e.g. Europe/Berlin; default UTC.',
  'triggers[].inputs': 'Literal input values for the runs this trigger starts (no expressions).',
  'triggers[].catch_up':
    'After downtime: last = run the most recent missed fire (within catch_up_window), none = skip missed fires; default last.',
  'triggers[].catch_up_window': 'How old a missed fire may be and still run with catch_up: last; default 1h.',
  concurrency: 'How runs of this workflow (or its group) overlap.',
  'concurrency.group': 'Runs in one group obey overlap together; default the workflow name.',
  'concurrency.overlap':
    'When a run starts while one of the group is active: skip (default), queue, cancel_running or allow.',
  'concurrency.limit':
    'How many runs of the group run at once (default 1); the others wait their turn in arrival order, holding no worker. Implies overlap: queue; contradicts skip, cancel_running and allow.',
  timeout:
    'Duration for the whole run (30s, 15m, 6h, 1h30m); on expiry the run is cancelled, then finally steps run.',
  auto_cleanup:
    'Default true: after finally, gcflow deletes any instance this run created that is neither kept (keep: true) nor deleted.',
  steps: 'The steps, run in order; at least one.',
  finally: 'Steps that always run last, in order: after success, failure, cancel and timeout.',
  on_failure: 'Steps that run when the run failed, before finally.',
};

/** The keys of a step (in steps, finally and on_failure). */
export const STEP_DESCRIPTIONS: Record<string, string> = {
  id: 'Unique in the file (^[a-z][a-z0-9_-]*$); other steps read its outputs as steps.<id>.outputs.',
  name: 'Shown in gcflow status and logs.',
  uses: 'The step kind: instance.create, instance.wait, snapshots.prune, notify.webhook, sleep, ...',
  with: "The step kind's parameters; any of them may be a ${{ }} expression.",
  if: 'Run the step only when this expression is truthy (with or without ${{ }}); otherwise it is skipped.',
  for_each:
    'Run the step once per item of this list (an expression or a literal list); item and index in with/wait.',
  max_parallel: 'With for_each: items at once, 1-100; default 1.',
  retry: 'Try a failed step again: attempts, backoff, delay, max_delay, jitter.',
  'retry.attempts': 'Tries in total, 1-100; default 3.',
  'retry.backoff': 'fixed or exponential (default).',
  'retry.delay': 'The first delay between tries; default 10s.',
  'retry.max_delay': 'The longest delay between tries; default 5m.',
  'retry.jitter': 'Fraction of each delay that is randomised, 0-1; default 0.2.',
  timeout: 'Duration for the step, waits and retries included.',
  continue_on_error: 'A failure of this step does not fail the run; the next steps run.',
  wait: 'Wait for a status after the action: true, false, a status (or list), or {status, timeout, poll}; on by default for mutating instance steps.',
  'wait.status':
    'The status (or list) to wait for, e.g. active, stopped, deleted (gone), created (snapshots).',
  'wait.timeout': 'Longest wait; default engine.wait_timeout (20m).',
  'wait.poll': 'Time between status checks; default engine.poll_interval (10s).',
  keep: 'instance.create only: the box is meant to outlive the run, so the janitor leaves it alone.',
};

const INSTANCE = 'The instance: its id or its name.';
const GLOB = 'Glob on the name, e.g. dev-* (optional).';

/** What each step kind does (shown on `with`), and each of its parameters. */
export const PARAM_DESCRIPTIONS: Partial<Record<StepKind, { kind: string; params: Record<string, string> }>> =
  {
    'instances.list': {
      kind: 'Select instances; read-only. Outputs: instances, count, held (the matching instances left out because of a hold).',
      params: {
        name: GLOB,
        status: 'Only instances in this status, or in one of a list.',
        region: 'Only instances in this region, e.g. NORD-NO-KRS-1.',
        type: 'Only instances of this type.',
        ids: 'Only these instance ids.',
        include_held:
          'Also select instances under a hold (gcflow hold); default false: held instances are left out.',
      },
    },
    'instance.get': {
      kind: 'One instance by id or name; read-only. Outputs: instance.',
      params: { instance: INSTANCE },
    },
    'instance.create': {
      kind: 'Create an instance and wait for active; never a duplicate (adopts its own after a crash). Outputs: instance, adopted, type, region.',
      params: {
        name: 'Instance name; make it unique to the run: put ${{ run.id }} in it.',
        hostname: 'Hostname; default the name.',
        type: 'Instance type, e.g. vcpu-8_memory-48g_nvidia-rtx-3090-2.',
        region: 'Region, e.g. NORD-NO-KRS-1.',
        image: 'Image id, slug, slug:version or snapshot id.',
        ssh_keys: 'SSH key ids or names; give ssh_keys or password, not both.',
        password: 'Login password (16+ characters) instead of ssh_keys; use a secret.',
        startup_script: 'Script run after the first boot (bash or cloud-config, at most 64 KiB).',
        user_data: 'cloud-init parts: a list of {type, filename?, content}.',
        'user_data[].type': 'The part type, e.g. cloud-config or x-shellscript.',
        'user_data[].filename': 'The file name of the part (optional).',
        'user_data[].content': 'The content of the part.',
        metadata:
          'Instance metadata (a mapping); startup_script and user_data are shorthands for parts of it.',
        placement_option: 'Placement option, e.g. AUTO.',
        floating_ip: 'Floating IP id to attach.',
        volumes: 'Volume ids or names to attach.',
        security_groups: 'Security group ids or names; [] for none.',
        is_protected: 'Protect from deletion.',
        disk_size: 'Disk size in GiB, at least 80.',
        destroy_on_shutdown: 'Delete the instance when it shuts itself down.',
        billing_type: 'Billing type, passed to the API as given (e.g. on-demand).',
        reservation_id: 'Reservation id, passed to the API as given.',
        public_ipv6: 'Give the instance a public IPv6 address.',
        fallback: 'Alternatives tried in order on capacity or quota errors: a list of {type?, region?}.',
        capacity:
          'When no choice (type/region and fallback) has capacity or quota: fail (default) fails at once naming them; wait parks and looks again (poll interval, doubling to 1m) until one has room or the wait timeout passes.',
        'fallback[].type': 'The instance type to try instead.',
        'fallback[].region': 'The region to try instead.',
      },
    },
    'instance.start': {
      kind: 'Start the instance (a no-op when active) and wait for active; a held instance is skipped. Outputs: instance, changed (skipped: held, reason, until when held).',
      params: { instance: INSTANCE },
    },
    'instance.stop': {
      kind: 'Stop the instance (a no-op when stopped) and wait for stopped; a held instance is skipped. Outputs: instance, changed (skipped: held, reason, until when held).',
      params: { instance: INSTANCE },
    },
    'instance.reset': {
      kind: 'Reset (reboot) the instance and wait for active; a held instance is skipped. Outputs: instance, changed (skipped: held, reason, until when held).',
      params: { instance: INSTANCE },
    },
    'instance.delete': {
      kind: 'Delete the instance and wait until it is gone (404 counts as done). Outputs: deleted.',
      params: {
        instance: INSTANCE,
        unprotect: 'Delete even a protected instance (turns protection off first).',
      },
    },
    'instance.update': {
      kind: 'Change name, protection, disk size, security groups or volumes; only what differs. Outputs: instance, changed.',
      params: {
        instance: INSTANCE,
        name: 'New name.',
        is_protected: 'Protect from deletion, or not.',
        disk_size: 'New disk size in GiB (disks only grow).',
        security_groups: 'The full list of security groups, or {attach: id} or {detach: id}.',
        'security_groups.attach': 'Security group id or name to attach.',
        'security_groups.detach': 'Security group id or name to detach.',
        volumes: 'The full list of volumes, or {attach: id} or {detach: id}.',
        'volumes.attach': 'Volume id or name to attach.',
        'volumes.detach': 'Volume id or name to detach.',
      },
    },
    'instance.wait': {
      kind: 'Wait until the instance has a status; error fails at once unless listed; holds no worker. Outputs: instance.',
      params: {
        instance: INSTANCE,
        status: 'The status to wait for, or a list; deleted waits until the instance is gone.',
        timeout: 'Longest wait; default engine.wait_timeout (20m).',
        poll: 'Time between checks; default engine.poll_interval (10s).',
      },
    },
    'job.wait': {
      kind: 'Wait for the batch job on the instance to report how it ended (POST to ${{ run.report_url }}); a failed report, a box that stops without a final report, or silence past heartbeat_timeout fails the step; holds no worker. Outputs: status, exit_code, output.',
      params: {
        instance: INSTANCE,
        heartbeat_timeout:
          'Fail when no report (a running heartbeat or the final one) arrives for this long, counted from the step start; default: no limit.',
        timeout: 'Longest wait for the final report; default: none (the step and run timeouts still apply).',
        poll: "Time between looks at the box's status; default engine.poll_interval (10s). Reports wake the step at once.",
      },
    },
    'instance.snapshot': {
      kind: 'Snapshot the instance and wait for created; idempotent by name. Outputs: snapshot.',
      params: {
        instance: INSTANCE,
        name: 'Snapshot name; make it unique to the run (and item): ${{ run.id }} or ${{ run.scheduled_at }}.',
        replicated_region: 'Also keep a copy in this region.',
      },
    },
    'snapshots.list': {
      kind: 'Select snapshots; read-only. Outputs: snapshots, count.',
      params: {
        instance: 'Only snapshots of this instance (id or name).',
        name: GLOB,
        status: 'Only snapshots in this status, or in one of a list.',
        region: 'Only snapshots in this region.',
      },
    },
    'snapshot.delete': {
      kind: 'Delete a snapshot (already gone counts as done). Outputs: deleted.',
      params: { snapshot: 'The snapshot id.' },
    },
    'snapshot.clone': {
      kind: 'Copy a snapshot to another region; idempotent by name. Outputs: snapshot, adopted.',
      params: { snapshot: 'The snapshot id.', name: 'Name of the copy.', region: 'Region of the copy.' },
    },
    'snapshots.prune': {
      kind: 'Retention as restic forget: per source instance, a backup (a snapshot and its replicas) is kept when ANY keep rule keeps it, the rest that match are deleted; only created (legacy: active) snapshots count, others are never deleted; the newest is always kept. Outputs: kept (each with kept_by), deleted.',
      params: {
        instance:
          'Only snapshots of this instance (id or name); the step fails when it does not exist. Without it, every instance, each on its own.',
        match: 'Only snapshots whose name matches this glob.',
        keep_last: 'Keep the newest N backups.',
        keep_within:
          'Keep backups taken within this duration of the newest one (e.g. 14d), as restic --keep-within.',
        max_age: 'Another name for keep_within.',
        keep_hourly: 'For the newest N hours that have backups, keep the newest backup of each.',
        keep_daily: 'For the newest N days that have backups, keep the newest backup of each.',
        keep_weekly:
          'For the newest N ISO weeks (Monday to Sunday) that have backups, keep the newest of each.',
        keep_monthly: 'For the newest N months that have backups, keep the newest backup of each.',
        keep_yearly: 'For the newest N years that have backups, keep the newest backup of each.',
        timezone: 'IANA timezone the hours, days, weeks, months and years are cut in; default UTC.',
      },
    },
    'availability.check': {
      kind: 'Whether a region has capacity (for a type). Outputs: available, count, instance_types.',
      params: { region: 'The region, e.g. NORD-NO-KRS-1.', type: 'The instance type (optional: any type).' },
    },
    'notify.webhook': {
      kind: 'POST JSON to a URL (Slack-compatible: text becomes {"text": ...}); at-least-once. Outputs: status.',
      params: {
        url: 'The URL; keep it in a secret: ${{ secrets.slack_webhook }}.',
        text: 'Message text, sent as the text field.',
        body: 'JSON object to send (text is merged into it).',
        headers: 'Extra HTTP headers.',
      },
    },
    sleep: {
      kind: 'A durable pause: the run parks in Redis and holds no worker.',
      params: { duration: 'How long, e.g. 10m or 1h30m.' },
    },
  };
