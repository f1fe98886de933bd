// The browser client's pure modules (no DOM, no imports), loaded straight from web/ in Node:
// reconnection backoff, SDP msid labels, error texts, the stats arithmetic and chat framing.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { kRepoRoot } from '../lib/rrtc_server.js';

async function load(file) {
  const source = readFileSync(path.join(kRepoRoot, 'web', file), 'utf8');
  return import(`data:text/javascript;base64,${Buffer.from(source).toString('base64')}`);
}

const { Backoff } = await load('backoff.js');
const { parse_media_sections, server_sends, track_type } = await load('sdp_labels.js');
const { describe_error, is_fatal_join_error } = await load('errors.js');
const { StatsSampler, format_bitrate, format_rtt } = await load('stats.js');
const { clamp_utf8, kMaxChatBytes, outgoing_text, parse_relayed } = await load('chat.js');

describe('Backoff', () => {
  it('doubles from 1 s to a 30 s ceiling without jitter', () => {
    const backoff = new Backoff({ jitter: 0 });
    const delays = Array.from({ length: 8 }, () => backoff.next_delay_ms());
    assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    backoff.reset();
    assert.equal(backoff.next_delay_ms(), 1000);
  });

  it('spreads each delay by at most ±20 % and never past the ceiling', () => {
    for (const random of [() => 0, () => 0.999999]) {
      const backoff = new Backoff({ random });
      const delays = Array.from({ length: 7 }, () => backoff.next_delay_ms());
      const low = random() < 0.5;
      assert.deepEqual(delays, low ? [800, 1600, 3200, 6400, 12800, 24000, 24000]
                                   : [1200, 2400, 4800, 9600, 19200, 30000, 30000]);
    }
  });
});

describe('SDP labels', () => {
  const sdp = [
    'v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0 1 2 3',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=mid:0', 'a=recvonly',
    'm=video 9 UDP/TLS/RTP/SAVPF 96', 'a=mid:1', 'a=sendonly', 'a=msid:p-7 p-7-camera',
    'm=video 9 UDP/TLS/RTP/SAVPF 96', 'a=mid:2', 'a=sendonly', 'a=msid:p-7 p-7-screen-2',
    'm=audio 0 UDP/TLS/RTP/SAVPF 111', 'a=mid:3', 'a=sendonly', 'a=msid:q q-audio',
    '',
  ].join('\r\n');

  it('reads mid, direction, port and msid per m-section', () => {
    const sections = parse_media_sections(sdp);
    assert.equal(sections.length, 4);
    assert.deepEqual(sections[1], { kind: 'video', port: 9, mid: '1', direction: 'sendonly',
                                    stream_id: 'p-7', track_id: 'p-7-camera' });
    assert.equal(sections[0].stream_id, null);
    assert.deepEqual(sections.map(server_sends), [false, true, true, false]);
  });

  it('takes the type from <participant>-<type>[-n] only', () => {
    assert.equal(track_type('p-7', 'p-7-camera'), 'camera');
    assert.equal(track_type('p-7', 'p-7-screen-2'), 'screen');
    assert.equal(track_type('q', 'q-audio'), 'audio');
    assert.equal(track_type('q', 'q-banana'), null);
    assert.equal(track_type('q', 'other-audio'), null);
    assert.equal(track_type(null, 'q-audio'), null);
  });

  it('survives garbage', () => {
    assert.deepEqual(parse_media_sections(''), []);
    assert.deepEqual(parse_media_sections('m=\r\na=msid:\r\na=mid:'), [
      { kind: '', port: NaN, mid: '', direction: 'sendrecv', stream_id: '', track_id: null }]);
  });
});

describe('error texts', () => {
  it('has a clear message for every protocol code', () => {
    const expected = { 400: /bad request/, 401: /token/, 403: /room is full/, 409: /already in this room/,
                       413: /too large/, 429: /too many messages/i, 500: /internal error/ };
    for (const [code, pattern] of Object.entries(expected)) assert.match(describe_error(Number(code), 'x'), pattern);
    assert.equal(describe_error(418, 'teapot'), 'Server error 418: teapot');
  });

  it('stops reconnecting only for refusals of the join itself', () => {
    assert.deepEqual([400, 401, 403, 409, 413, 429, 500].filter(is_fatal_join_error), [400, 401, 403, 409]);
  });
});

describe('StatsSampler', () => {
  const report = (entries) => new Map(entries.map((entry) => [entry.id, entry]));
  it('turns byte counters into bitrates per participant and reads the selected pair RTT', () => {
    const sampler = new StatsSampler();
    const owners = { by_mid: new Map([['3', 'alice'], ['4', 'alice']]), by_track: new Map([['t5', 'bob']]) };
    const at = (ms, bytes) => report([
      { id: 'T', type: 'transport', selectedCandidatePairId: 'CP1' },
      { id: 'CP0', type: 'candidate-pair', currentRoundTripTime: 0.5 },
      { id: 'CP1', type: 'candidate-pair', currentRoundTripTime: 0.012 },
      { id: 'I3', type: 'inbound-rtp', mid: '3', bytesReceived: bytes, packetsLost: 2, timestamp: ms },
      { id: 'I4', type: 'inbound-rtp', mid: '4', bytesReceived: bytes * 2, packetsLost: 1, timestamp: ms },
      { id: 'I5', type: 'inbound-rtp', trackIdentifier: 't5', bytesReceived: bytes, packetsLost: -1, timestamp: ms },
      { id: 'O1', type: 'outbound-rtp', bytesSent: bytes, timestamp: ms },
      { id: 'R1', type: 'remote-inbound-rtp', packetsLost: 7 },
    ]);
    const first = sampler.sample(at(1000, 1000), owners);
    assert.equal(first.get('alice').bitrate_bps, 0);
    const second = sampler.sample(at(2000, 126000), owners);
    assert.deepEqual(second.get('alice'), { bitrate_bps: 3000000, packets_lost: 3, rtt_s: 0.012 });
    assert.deepEqual(second.get('bob'), { bitrate_bps: 1000000, packets_lost: 0, rtt_s: 0.012 });
    assert.deepEqual(second.get('local'), { bitrate_bps: 1000000, packets_lost: 7, rtt_s: 0.012 });
    // A counter that went backwards (a new stream on a reused id) gives no bogus rate.
    assert.equal(sampler.sample(at(3000, 10), owners).get('bob').bitrate_bps, 0);
  });

  it('formats for the panel', () => {
    assert.equal(format_bitrate(0), '0 kbit/s');
    assert.equal(format_bitrate(640000), '640 kbit/s');
    assert.equal(format_bitrate(2500000), '2.50 Mbit/s');
    assert.equal(format_rtt(0.0123), '12 ms');
    assert.equal(format_rtt(null), '–');
  });
});

describe('chat framing', () => {
  it('reads the server relay of a text message', () => {
    assert.deepEqual(parse_relayed('{"from":"p-1","data":"hi \\"there\\" <b>"}'), { from: 'p-1', text: 'hi "there" <b>' });
    assert.deepEqual(parse_relayed('{"from":"p","data":""}'), { from: 'p', text: '' });
  });

  it('drops what is not a relayed text', () => {
    for (const bad of ['', 'plain text', '[]', 'null', '{"from":"p"}', '{"from":1,"data":"x"}',
                       '{"from":"","data":"x"}', `{"from":"${'x'.repeat(256)}","data":"x"}`,
                       new ArrayBuffer(4), `{"from":"p","data":"${'x'.repeat(8 * kMaxChatBytes)}"}`]) {
      assert.equal(parse_relayed(bad), null, String(bad).slice(0, 40));
    }
  });

  it('bounds text to 4 KiB of UTF-8 without splitting a character', () => {
    assert.equal(kMaxChatBytes, 4096);
    assert.equal(clamp_utf8('abc'), 'abc');
    assert.equal(clamp_utf8('a'.repeat(5000)).length, 4096);
    assert.equal(clamp_utf8('é'.repeat(3000)), 'é'.repeat(2048));
    assert.equal(clamp_utf8(`a${'€'.repeat(2000)}`), `a${'€'.repeat(1365)}`);  // 1 + 3 * 1365 = 4096
    assert.equal(clamp_utf8('😀😀', 7), '😀');
    const relayed = parse_relayed(JSON.stringify({ from: 'p', data: 'é'.repeat(3000) }));
    assert.equal(relayed.text, 'é'.repeat(2048));
  });

  it('sends trimmed text and nothing for blanks', () => {
    assert.equal(outgoing_text('  hi\n'), 'hi');
    assert.equal(outgoing_text(' \n\t '), null);
    assert.equal(outgoing_text(undefined), null);
  });
});
