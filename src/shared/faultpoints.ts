// Fault injection for fault tests, inert unless its variable is set; the names are
// listed in ARCHITECTURE.md ("Fault points"). GCFLOW_FAULTPOINT: the process kills
// itself with SIGKILL at that point, exactly like a machine dying at that instant.
// GCFLOW_FAULT_THROW: the point throws, like a bug or a failing dependency there.
import { GcflowError } from './errors.js';

export function faultPoint(name: string): void {
  const wanted = process.env['GCFLOW_FAULTPOINT'];
  if (wanted === undefined || wanted !== name) return;
  process.kill(process.pid, 'SIGKILL');
}

export class InjectedFault extends GcflowError {
  override readonly name = 'InjectedFault';
  constructor(point: string) {
    super('E_INJECTED_FAULT', `injected fault at ${point}`, {
      hint: 'GCFLOW_FAULT_THROW is for fault tests: unset it',
    });
  }
}

export function faultThrow(name: string): void {
  if (process.env['GCFLOW_FAULT_THROW'] === name) throw new InjectedFault(name);
}
