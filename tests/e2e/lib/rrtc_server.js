// Starts the rrtc binary for a test: on 127.0.0.1, a free port, a temporary TOML config and a
// temporary working directory (so no stray .env is read), serving web/ straight from the source
// tree. Waits until /healthz answers; stop() ends it and waits for the exit.

import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const kRepoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const kArtifacts = path.join(kRepoRoot, 'tests/e2e/artifacts');

export function rrtc_binary() {
  const binary = process.env.RRTC_BINARY || path.join(kRepoRoot, 'build/test/rrtc');
  if (!existsSync(binary)) throw new Error(`rrtc binary not found at ${binary} (set RRTC_BINARY)`);
  return binary;
}

export async function free_port() {
  const server = createServer();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// Polls `check` (async, returns truthy when done) until it holds or `timeout_ms` passes.
export async function wait_until(check, { timeout_ms = 15000, interval_ms = 50, what = 'condition' } = {}) {
  const deadline = Date.now() + timeout_ms;
  let last_error = null;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last_error = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeout_ms} ms waiting for ${what}${last_error ? `: ${last_error.message}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, interval_ms));
  }
}

function toml_value(value) {
  if (Array.isArray(value)) return `[${value.map(toml_value).join(', ')}]`;
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}

export class RrtcServer {
  // settings: extra TOML keys, e.g. { max_participants_per_room: 3 }. RRTC_E2E_LOG_LEVEL in the
  // environment sets log_level (e.g. debug: each subscriber's bandwidth estimate in the artifact).
  constructor(settings = {}, { name = 'rrtc' } = {}) {
    // Media on loopback only: rrtc gathers no 127.0.0.1 candidate unless told to.
    const log_level = process.env.RRTC_E2E_LOG_LEVEL ? { log_level: process.env.RRTC_E2E_LOG_LEVEL } : {};
    this.settings_ = { empty_room_grace_seconds: 0, web_root: path.join(kRepoRoot, 'web'),
                       interfaces: ['127.0.0.1'], ...log_level, ...settings };
    this.name_ = name;
    this.dir_ = mkdtempSync(path.join(tmpdir(), 'rrtc-e2e-'));
    this.config_path_ = path.join(this.dir_, 'rrtc.toml');
    writeFileSync(this.config_path_, Object.entries(this.settings_)
      .map(([key, value]) => `${key} = ${toml_value(value)}\n`).join(''));
    this.port = 0;
    this.child_ = null;
    this.exited_ = null;
    this.starts_ = 0;
  }

  get base_url() { return `http://127.0.0.1:${this.port}`; }

  // Starts the server (again on the same port when restarting).
  async start() {
    if (!this.port) this.port = await free_port();
    mkdirSync(kArtifacts, { recursive: true });
    this.starts_ += 1;
    const log = createWriteStream(path.join(kArtifacts, `${this.name_}-${this.starts_}.log`));
    const env = { PATH: process.env.PATH, HOME: this.dir_,
                  ASAN_OPTIONS: process.env.ASAN_OPTIONS ?? 'detect_leaks=1',
                  UBSAN_OPTIONS: process.env.UBSAN_OPTIONS ?? 'print_stacktrace=1' };
    // RRTC_LOG=room=debug and the like reach the server, for investigating a failure.
    if (process.env.RRTC_LOG) env.RRTC_LOG = process.env.RRTC_LOG;
    const child = spawn(rrtc_binary(), ['--port', String(this.port), '--listen', '127.0.0.1', this.config_path_],
                        { cwd: this.dir_, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    this.child_ = child;
    this.exited_ = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    let exited = false;
    this.exited_.then(() => { exited = true; });
    await wait_until(async () => {
      if (exited) throw new Error(`rrtc exited during start-up (see artifacts/${this.name_}-${this.starts_}.log)`);
      const response = await fetch(`${this.base_url}/healthz`);
      return response.ok;
    }, { timeout_ms: 20000, what: 'rrtc /healthz' });
  }

  // Stops the server; `signal` SIGKILL simulates a crash (no goodbye to the clients).
  async stop(signal = 'SIGTERM') {
    if (!this.child_) return null;
    const child = this.child_;
    this.child_ = null;
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
    const result = await this.exited_;
    clearTimeout(timer);
    return result;
  }

  async healthz() {
    const response = await fetch(`${this.base_url}/healthz`);
    const text = await response.text();
    try {
      return JSON.parse(text);
    } catch {
      return { raw: text };
    }
  }

  // Whether /healthz still lists or counts `room`. The test servers hold one room at a time,
  // so a count of rooms answers it when the server does not list them by name.
  async has_room(room) {
    const health = await this.healthz();
    const rooms = health.rooms;
    if (Array.isArray(rooms)) return rooms.some((entry) => entry === room || entry?.name === room || entry?.id === room);
    if (rooms && typeof rooms === 'object') return Object.hasOwn(rooms, room);
    if (typeof rooms === 'number') return rooms > 0;
    throw new Error(`/healthz says nothing about rooms: ${JSON.stringify(health)}`);
  }

  async dispose() {
    await this.stop();
    rmSync(this.dir_, { recursive: true, force: true });
  }
}
