// Runs every spec file under specs/ one after the other, each in its own `node --test` process
// with the spec reporter, and ends with one line "N passed, N failed" (files). One file at a
// time because each drives a Chromium that takes the machine's cores; spawning each file
// ourselves rather than passing --test-concurrency=1 keeps this working on Debian 12's
// Node.js 18 (that option came in Node 20.10), and names files explicitly because Node 21+
// no longer takes a directory argument.
//
// What a failing file printed from its "failing tests" summary on (the assertion, the test's
// diagnostics) also goes to artifacts/failures.txt, which `make test` prints last: a CI log
// that keeps only its head and tail then still says why.
//
//
// A file that fails is run once more (RRTC_E2E_ATTEMPTS, default 2, sets how many runs a file
// gets): three Chromiums on a shared two-core machine make timing-bound specs sensitive to
// whatever else runs there (README.md). A file that passes only on its second run is named on a
// line "flaky: ..." and in
// artifacts/flaky.txt, and its first run's reasons stay in the output; one that fails every run
// fails.
//
// Usage: node run.mjs [spec file ...]   (default: every specs/*.test.js, sorted)

import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const files = process.argv.length > 2
  ? process.argv.slice(2)
  : readdirSync(join(here, 'specs')).filter((f) => f.endsWith('.test.js')).sort()
      .map((f) => join('specs', f));

// Runs one file, its output passed through as it comes; resolves to its exit and its output.
function run_file(file) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--test', '--test-reporter=spec', file],
                        { cwd: here, stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    const chunks = [];
    for (const stream of [child.stdout, child.stderr]) {
      stream.on('data', (chunk) => {
        chunks.push(chunk);
        (stream === child.stdout ? process.stdout : process.stderr).write(chunk);
      });
    }
    child.on('close', (status, signal) => resolve({ status, signal, output: Buffer.concat(chunks).toString() }));
  });
}

// What says why a file failed: its tests' diagnostics (the ℹ lines, not the closing counts),
// then its "failing tests" summary without stack frames; or its last 40 lines when it ended
// without one (a crash, a timeout).
function why(output) {
  const at = output.lastIndexOf('failing tests:');
  if (at < 0) return output.split('\n').slice(-40).join('\n');
  const counts = /^ℹ (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) /;
  const diagnostics = output.slice(0, at).split('\n')
    .filter((line) => line.trimStart().startsWith('ℹ ') && !counts.test(line.trimStart()));
  const summary = output.slice(at).split('\n').filter((line) => !/^\s+at /.test(line));
  return [...diagnostics, ...summary].join('\n');
}

const failures_file = join(here, 'artifacts', 'failures.txt');
const flaky_file = join(here, 'artifacts', 'flaky.txt');
for (const stale of [failures_file, flaky_file]) rmSync(stale, { force: true });
const attempts = Math.max(1, Number.parseInt(process.env.RRTC_E2E_ATTEMPTS ?? '2', 10) || 1);
let passed = 0;
const failed = [];
const flaky = [];
const reasons = [];
for (const file of files) {
  const run_reasons = [];
  let ok = false;
  for (let attempt = 1; attempt <= attempts && !ok; attempt += 1) {
    if (attempt > 1) console.log(`${file} failed; running it again (attempt ${attempt} of ${attempts})`);
    const run = await run_file(file);
    ok = run.status === 0;
    if (!ok) run_reasons.push(`== ${file}, attempt ${attempt} (${run.signal ?? `exit ${run.status}`})\n${why(run.output)}`);
  }
  if (ok) {
    passed += 1;
    if (run_reasons.length > 0) flaky.push({ file, reasons: run_reasons });
  } else {
    failed.push(file);
    reasons.push(...run_reasons);
  }
}
mkdirSync(dirname(failures_file), { recursive: true });
if (flaky.length > 0) {
  console.log(`flaky (passed only on a later attempt): ${flaky.map((f) => f.file).join(', ')}`);
  writeFileSync(flaky_file, `${flaky.flatMap((f) => f.reasons).join('\n')}\n`);
}
if (failed.length > 0) {
  console.log(`failed: ${failed.join(', ')}`);
  writeFileSync(failures_file, `${reasons.join('\n')}\n`);
}
console.log(`${passed} passed, ${failed.length} failed`);
process.exit(failed.length > 0 ? 1 : 0);
