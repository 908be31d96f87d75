// Crash injection for fault tests: when GCFLOW_FAULTPOINT names a point, the
// process kills itself with SIGKILL there, exactly like a machine dying at that
// instant. Inert unless the variable is set; the names are listed in
// ARCHITECTURE.md ("Fault points").
export function faultPoint(name: string): void {
  const wanted = process.env['GCFLOW_FAULTPOINT'];
  if (wanted === undefined || wanted !== name) return;
  process.kill(process.pid, 'SIGKILL');
}
