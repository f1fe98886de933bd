// Issue 19 (docs/cluster.md): two Chromium pages of the web client, each loaded from and
// connected to a different rrtc node of one cluster (a real redis-server on a free port, no
// persistence), see and hear each other. One of them is relayed: its node passes its signaling
// to the room's node over Redis, and its media goes straight to the room's node.
// Skipped when redis-server is not installed.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Participant, launch_chromium } from '../lib/browser.js';
import { media_connected } from '../lib/call.js';
import { expect_sees_and_hears } from '../lib/media.js';
import { RrtcServer, free_port, wait_until } from '../lib/rrtc_server.js';

const kTestTimeout = { timeout: 180000 };
const kHasRedis = spawnSync('redis-server', ['--version']).status === 0;

// One RESP command on a fresh connection; resolves with the raw reply text.
function redis_command(port, ...args) {
  const request = `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(String(a))}\r\n${a}\r\n`).join('')}`;
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => socket.write(request));
    let reply = '';
    socket.on('data', (data) => {
      reply += data.toString();
      if (reply.endsWith('\r\n')) {
        socket.end();
        resolve(reply);
      }
    });
    socket.on('error', reject);
  });
}

// "$5\r\nnode1\r\n" -> "node1"; "$-1\r\n" -> null.
function bulk_string(reply) {
  const match = /^\$(-?\d+)\r\n(.*)\r\n$/s.exec(reply);
  assert.ok(match, `not a RESP bulk string: ${JSON.stringify(reply)}`);
  return match[1] === '-1' ? null : match[2];
}

async function start_redis() {
  const port = await free_port();
  const dir = mkdtempSync(path.join(tmpdir(), 'rrtc-e2e-redis-'));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '',
                                       '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  await wait_until(async () => (await redis_command(port, 'PING')).startsWith('+PONG'),
                   { timeout_ms: 10000, what: 'redis-server' });
  return {
    port,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// A cluster node: RrtcServer on a port chosen first, so its node_signaling_url can name it.
async function start_node(redis_port, node_id) {
  const port = await free_port();
  const server = new RrtcServer({
    redis_url: `redis://127.0.0.1:${redis_port}`, node_id,
    node_signaling_url: `ws://127.0.0.1:${port}/ws`, drain_timeout_seconds: 5,
  }, { name: `cluster-${node_id}` });
  server.port = port;
  await server.start();
  return server;
}

describe('a cluster of rrtc nodes', { skip: !kHasRedis && 'redis-server is not installed' }, () => {
  let browser;
  let redis;
  const nodes = [];
  before(async () => {
    browser = await launch_chromium();
    redis = await start_redis();
    for (const id of ['node1', 'node2']) nodes.push(await start_node(redis.port, id));
  });
  after(async () => {
    await browser?.close();
    for (const node of nodes) await node.dispose();
    await redis?.stop();
  });

  it('two pages on two nodes see and hear each other', kTestTimeout, async (t) => {
    const people = [];
    t.after(async () => { for (const person of people) await person.close().catch(() => {}); });
    const ada = await Participant.join(browser, nodes[0].base_url, { room: 'cluster', name: 'Ada' });
    people.push(ada);
    const placed = bulk_string(await redis_command(redis.port, 'GET', 'rrtc:room:cluster'));
    assert.ok(['node1', 'node2'].includes(placed), `room placed on ${placed}`);
    const bob = await Participant.join(browser, nodes[1].base_url, { room: 'cluster', name: 'Bob' });
    people.push(bob);
    await ada.wait_remote_names(['Bob']);
    await bob.wait_remote_names(['Ada']);
    for (const person of people) await media_connected(person, 30000);
    await expect_sees_and_hears(ada, bob);
    await expect_sees_and_hears(bob, ada);
    // Both PeerConnections are on the room's node; the other node relays signaling only.
    const room_node = nodes[placed === 'node1' ? 0 : 1];
    const other_node = nodes[placed === 'node1' ? 1 : 0];
    const peers = async (node) => {
      const text = await (await fetch(`${node.base_url}/metrics`)).text();
      return Number(/^rrtc_media_peers (\S+)$/m.exec(text)[1]);
    };
    assert.equal(await peers(room_node), 2);
    assert.equal(await peers(other_node), 0);
    for (const person of people) {
      const errors = person.console.filter((line) => line.startsWith('pageerror'));
      assert.deepEqual(errors, [], `${person.name}'s page threw`);
    }
  });
});
