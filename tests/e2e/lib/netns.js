// A browser spec in a network namespace of its own (DESIGN.md, "Network shaping in tests"): the
// spec file runs itself again inside a fresh namespace whose only interface is lo, so the rrtc
// it starts, the Chromiums it drives and the qdiscs it puts on lo touch nothing of the machine.
//
//   const netns = await own_netns('rrtc-e2e-simulcast');   // at the top of the spec, before describe()
//   describe('...', { skip: netns.skip }, () => { ... });
//
// The outer process (no RRTC_E2E_NETNS in its environment) makes the namespace (deleting a stale
// one of that name first), runs `ip netns exec NS node <this spec>` with its own standard output,
// so Node's test runner reads the inner run's results as this file's, deletes the namespace and
// exits with the inner exit status; it never returns. The inner process checks that the kernel
// puts it in that namespace before it returns { inside: true }. Without root or `ip` / `tc` there
// is no namespace: { skip: reason } (the spec's tests are reported as skipped, with the reason).

import { spawn, spawnSync } from 'node:child_process';
import process from 'node:process';

const kInnerDeadlineMs = 600000;

function run(argv, what) {
  const done = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8' });
  if (done.status !== 0) {
    throw new Error(`${what}: \`${argv.join(' ')}\` exited ${done.status}: ${(done.stderr || done.error?.message || '').trim()}`);
  }
  return done.stdout;
}

function has(tool) {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).status === 0;
}

function missing_requirement() {
  if (typeof process.geteuid === 'function' && process.geteuid() !== 0) return 'network namespaces and qdiscs need root';
  for (const [tool, pkg] of [['ip', 'iproute2'], ['tc', 'iproute2']]) {
    if (!has(tool)) return `\`${tool}\` is not installed (Debian package ${pkg}: scripts/install-deps.sh --test)`;
  }
  return null;
}

function exists(name) {
  const listed = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  return (listed.stdout || '').split('\n').some((line) => line.split(' ')[0] === name);
}

export async function own_netns(name) {
  const inside = process.env.RRTC_E2E_NETNS;
  if (inside) {
    const identified = run(['ip', 'netns', 'identify', String(process.pid)], 'identifying the namespace').trim();
    if (identified !== inside || inside !== name) {
      throw new Error(`expected to run in network namespace ${name}, the kernel says "${identified}"`);
    }
    return { inside: true, name, skip: false };
  }
  const reason = missing_requirement();
  if (reason) return { inside: false, name, skip: `no network namespace: ${reason}` };

  if (exists(name)) run(['ip', 'netns', 'delete', name], 'deleting a stale namespace');
  const added = spawnSync('ip', ['netns', 'add', name], { encoding: 'utf8' });
  if (added.status !== 0) return { inside: false, name, skip: `\`ip netns add\` failed: ${added.stderr.trim()}` };
  let status = 1;
  try {
    run(['ip', '-n', name, 'link', 'set', 'lo', 'up'], 'bringing lo up');
    const child = spawn('ip', ['netns', 'exec', name, process.execPath, ...process.execArgv, process.argv[1],
                               ...process.argv.slice(2)],
                        { stdio: 'inherit', env: { ...process.env, RRTC_E2E_NETNS: name } });
    const forward = (signal) => child.kill(signal);
    process.on('SIGTERM', forward);
    process.on('SIGINT', forward);
    const deadline = setTimeout(() => child.kill('SIGKILL'), kInnerDeadlineMs);
    status = await new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ? 1 : code)));
    clearTimeout(deadline);
  } finally {
    spawnSync('ip', ['netns', 'delete', name]);
  }
  process.exit(status);
  return null;  // not reached
}
