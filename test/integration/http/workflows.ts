// Workflow files the HTTP tests serve.

/** Sleeps an hour: a run that stays parked until cancelled. */
export const NAPPER = `
name: napper
description: Naps for an hour.
inputs:
  who: { type: string, default: world }
  count: { type: integer, default: 1, description: how many naps }
triggers:
  - cron: "0 2 * * *"
    timezone: Europe/Berlin
steps:
  - id: nap
    uses: sleep
    with: { duration: 1h }
`;

/** Lists instances on the simulator, then ends. */
export const LISTER = `
name: lister
inputs:
  note: { type: string, default: "" }
steps:
  - id: look
    uses: instances.list
    with: {}
  - id: rest
    uses: sleep
    with: { duration: 10ms }
`;

/** Fails at its first step: it looks up a box that is not there. */
export const FAILER = `
name: failer
description: Looks for a box that is not there.
steps:
  - id: look
    name: Look for the box
    uses: instance.get
    with: { instance: no-such-box }
  - id: after
    uses: sleep
    with: { duration: 10ms }
`;
