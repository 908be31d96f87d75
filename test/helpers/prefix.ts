// A fresh key prefix per test, so tests sharing one Redis never see each other's keys.
import { randomBytes } from 'node:crypto';

export function testPrefix(label = 't'): string {
  return `gcflowtest-${label}-${randomBytes(4).toString('hex')}`;
}
