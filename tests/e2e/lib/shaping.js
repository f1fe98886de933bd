// A bandwidth limit on the UDP packets to one port of lo, for browser specs running in their
// own network namespace (lib/netns.js): an htb qdisc on lo whose default class is unlimited and
// whose one shaped class takes what a u32 filter matches (IPv4, UDP, that destination port).
// Its queue is a byte fifo of about 300 ms at the rate (at least 6000 bytes), as a real
// bottleneck's would be, so overload shows as loss and delay the server can see, not as an
// ever-growing queue.

import { spawnSync } from 'node:child_process';

function tc(args) {
  const done = spawnSync('tc', args, { encoding: 'utf8' });
  if (done.status !== 0) throw new Error(`tc ${args.join(' ')} exited ${done.status}: ${(done.stderr || '').trim()}`);
  return done.stdout;
}

function queue_bytes(rate_bps) {
  return Math.max(6000, Math.round((rate_bps / 8) * 0.3));
}

export class PortShaper {
  // Refuses to work outside the namespace lib/netns.js made: lo there is the spec's own.
  constructor() {
    if (!process.env.RRTC_E2E_NETNS) throw new Error('PortShaper shapes lo only inside the spec\'s own network namespace');
    this.port_ = null;
  }

  // Limits the UDP packets sent to `port` on lo to `rate_bps`; a later call changes the rate.
  // `match` 'sport' limits those sent from `port` instead: the server's port for one
  // PeerConnection (libnice has a socket per agent) carries everything it sends that peer, even
  // when the browser and libnice each use a different one of the browser's candidates.
  limit(port, rate_bps, match = 'dport') {
    if (this.port_ !== null && this.port_ !== port) throw new Error('PortShaper: one port at a time');
    const rate = `${Math.round(rate_bps / 1000)}kbit`;
    const limit = String(queue_bytes(rate_bps));
    if (this.port_ === null) {
      tc(['qdisc', 'replace', 'dev', 'lo', 'root', 'handle', '1:', 'htb', 'default', '1']);
      tc(['class', 'add', 'dev', 'lo', 'parent', '1:', 'classid', '1:1', 'htb', 'rate', '10gbit', 'quantum', '65536']);
      tc(['class', 'add', 'dev', 'lo', 'parent', '1:', 'classid', '1:2', 'htb', 'rate', rate, 'ceil', rate,
          'quantum', '1514']);
      tc(['qdisc', 'add', 'dev', 'lo', 'parent', '1:2', 'handle', '20:', 'bfifo', 'limit', limit]);
      tc(['filter', 'add', 'dev', 'lo', 'parent', '1:', 'protocol', 'ip', 'prio', '1', 'u32',
          'match', 'ip', 'protocol', '17', '0xff', 'match', 'ip', match, String(port), '0xffff', 'flowid', '1:2']);
      this.port_ = port;
    } else {
      tc(['class', 'change', 'dev', 'lo', 'parent', '1:', 'classid', '1:2', 'htb', 'rate', rate, 'ceil', rate,
          'quantum', '1514']);
      tc(['qdisc', 'change', 'dev', 'lo', 'parent', '1:2', 'handle', '20:', 'bfifo', 'limit', limit]);
    }
  }

  // { sent_bytes, sent_packets, dropped } of the shaped class (the filter matched what it counts).
  stats() {
    const text = tc(['-s', 'class', 'show', 'dev', 'lo', 'classid', '1:2']);
    const match = /Sent (\d+) bytes (\d+) pkt \(dropped (\d+)/.exec(text);
    return match ? { sent_bytes: Number(match[1]), sent_packets: Number(match[2]), dropped: Number(match[3]) } : null;
  }

  // Removes the qdisc: lo unlimited again.
  clear() {
    if (this.port_ === null) return;
    this.port_ = null;
    tc(['qdisc', 'del', 'dev', 'lo', 'root']);
  }
}
