// Runs every spec file under specs/ one after the other, each in its own `node --test` process
// with the spec reporter, and ends with one line "N passed, N failed" (files). One file at a
// time because each drives a Chromium that takes the machine's cores; spawning each file
// ourselves rather than passing --test-concurrency=1 keeps this working on Debian 12's
// Node.js 18 (that option came in Node 20.10), and names files explicitly because Node 21+
// no longer takes a directory argument.
//
// Usage: node run.mjs [spec file ...]   (default: every specs/*.test.js, sorted)

import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const files = process.argv.length > 2
  ? process.argv.slice(2)
  : readdirSync(join(here, 'specs')).filter((f) => f.endsWith('.test.js')).sort()
      .map((f) => join('specs', f));

let passed = 0;
const failed = [];
for (const file of files) {
  const run = spawnSync(process.execPath, ['--test', '--test-reporter=spec', file],
                        { cwd: here, stdio: 'inherit', env: process.env });
  if (run.status === 0) {
    passed += 1;
  } else {
    failed.push(`${file} (${run.signal ?? `exit ${run.status}`})`);
  }
}
if (failed.length > 0) console.log(`failed: ${failed.join(', ')}`);
console.log(`${passed} passed, ${failed.length} failed`);
process.exit(failed.length > 0 ? 1 : 0);
