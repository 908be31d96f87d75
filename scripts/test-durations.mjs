// Writes test/durations.json from a vitest JSON report: how long each test file took
// (seconds), for the files of 5 s or more. test/helpers/sequencer.ts starts those files
// first, longest first. Run after a full suite run:
//   npx vitest run --reporter=default --reporter=json --outputFile=/tmp/report.json
//   node scripts/test-durations.mjs /tmp/report.json
import { readFileSync, writeFileSync } from 'node:fs';

const [report] = process.argv.slice(2);
if (!report) {
  console.error('usage: node scripts/test-durations.mjs REPORT.json (a vitest --reporter=json output file)');
  process.exit(2);
}
const { testResults } = JSON.parse(readFileSync(report, 'utf8'));
const durations = Object.fromEntries(
  testResults
    .map((file) => {
      // The report names files by absolute path: keep the part from test/ on.
      const path = file.name.slice(file.name.lastIndexOf('/test/') + 1);
      return [path, Math.round((file.endTime - file.startTime) / 1000)];
    })
    .filter(([, seconds]) => seconds >= 5)
    .sort((a, b) => b[1] - a[1]),
);
writeFileSync('test/durations.json', `${JSON.stringify(durations, null, 2)}\n`);
console.log(`test/durations.json: ${Object.keys(durations).length} files of 5 s or more`);
