// The browser client's pure modules (no DOM, no imports), loaded straight from web/ in Node:
// reconnection backoff, SDP msid labels, error texts, the stats arithmetic, chat framing and the
// active speaker highlights, simulcast publishing and track_settings.

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
const { StatsSampler, format_bitrate, format_layer, format_rtt, format_stream_state } = await load('stats.js');
const { clamp_utf8, kMaxChatBytes, outgoing_text, parse_relayed } = await load('chat.js');
const { SpeakerHighlights, parse_active_speakers } = await load('speakers.js');
const { answer_accepts_simulcast, apply_active_layers, camera_send_encodings, parse_publish_layers,
        restore_single_encoding, simulcast_possible } = await load('simulcast.js');
const { TrackSettingsReporter, settings_for, track_settings_error } = await load('track_settings.js');

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

  it('reads the decoded frame size of each remote camera as its layer', () => {
    const sampler = new StatsSampler();
    const owners = { by_mid: new Map([['1', 'ada'], ['2', 'ada'], ['3', 'ada']]), by_track: new Map(),
                     types: new Map([['1', 'audio'], ['2', 'camera'], ['3', 'screen']]) };
    const result = sampler.sample(report([
      { id: 'A', type: 'inbound-rtp', kind: 'audio', mid: '1', bytesReceived: 1, timestamp: 1 },
      { id: 'C', type: 'inbound-rtp', kind: 'video', mid: '2', bytesReceived: 1, timestamp: 1, frameWidth: 640, frameHeight: 360 },
      { id: 'S', type: 'inbound-rtp', kind: 'video', mid: '3', bytesReceived: 1, timestamp: 1, frameWidth: 1920, frameHeight: 1080 },
    ]), owners);
    assert.deepEqual(result.get('ada').layer, { width: 640, height: 360 });
    // Before the first decoded frame there is no layer.
    const early = new StatsSampler().sample(report([
      { id: 'C', type: 'inbound-rtp', kind: 'video', mid: '2', bytesReceived: 1, timestamp: 1 }]), owners);
    assert.equal(Object.hasOwn(early.get('ada'), 'layer'), false);
  });

  it('formats for the panel', () => {
    assert.equal(format_layer({ width: 320, height: 180 }), '320x180');
    assert.equal(format_layer(undefined), '–');
    assert.equal(format_stream_state({ state: 'paused', reason: 'bandwidth' }), 'paused (bandwidth)');
    assert.equal(format_stream_state({ state: 'active', reason: null }), 'active');
    assert.equal(format_stream_state(null), '–');
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

describe('active speakers', () => {
  it('reads the server message in its order, dropping malformed and repeated entries', () => {
    assert.deepEqual(parse_active_speakers({ type: 'active_speakers', speakers: [
      { participant_id: 'b', level: 0.8 }, { participant_id: 'a', level: 0.25 },
      { participant_id: 'b', level: 0.1 }, { participant_id: '', level: 1 }, { level: 0.5 }, null,
      { participant_id: 7, level: 0.5 }, { participant_id: 'c', level: 3 }, { participant_id: 'd' },
      { participant_id: 'e', level: -1 }, { participant_id: 'f', level: 'loud' }] }), [
      { participant_id: 'b', level: 0.8 }, { participant_id: 'a', level: 0.25 },
      { participant_id: 'c', level: 1 }, { participant_id: 'd', level: 0 }, { participant_id: 'e', level: 0 },
      { participant_id: 'f', level: 0 }]);
    assert.deepEqual(parse_active_speakers({ type: 'active_speakers', speakers: [] }), []);
    for (const bad of [null, {}, { speakers: 'a' }, { speakers: { a: 1 } }]) assert.equal(parse_active_speakers(bad), null);
  });

  // The tiles as a map id -> highlight, with the calls made, from a sequence of messages.
  function harness(remote) {
    const tiles = new Map();
    const calls = [];
    const highlights = new SpeakerHighlights((id, value) => {
      calls.push([id, value.speaking, value.rank]);
      tiles.set(id, value);
    });
    const shows = (id) => remote.has(id);
    const receive = (...pairs) => {
      calls.length = 0;
      const speakers = parse_active_speakers({ speakers: pairs.map(([participant_id, level]) => ({ participant_id, level })) });
      highlights.update(speakers, shows);
      return [...calls];
    };
    return { tiles, calls, highlights, shows, receive };
  }

  it('highlights remote speakers loudest first and changes only what changed', () => {
    const remote = new Set(['a', 'b', 'c']);
    const { tiles, highlights, receive } = harness(remote);
    assert.deepEqual(receive(['a', 0.6]), [['a', true, 1]]);
    assert.deepEqual(tiles.get('a'), { speaking: true, level: 0.6, rank: 1 });
    // Turn taking: b starts louder than a; both are shown, b first.
    assert.deepEqual(receive(['b', 0.9], ['a', 0.5]), [['b', true, 1], ['a', true, 2]]);
    assert.deepEqual(highlights.speaking, ['b', 'a']);
    // The same list again changes nothing.
    assert.deepEqual(receive(['b', 0.9], ['a', 0.5]), []);
    // a stops: only a's tile changes.
    assert.deepEqual(receive(['b', 0.9]), [['a', false, 0]]);
    assert.deepEqual(tiles.get('a'), { speaking: false, level: 0, rank: 0 });
    // Silence: the empty list ends every highlight.
    assert.deepEqual(receive(), [['b', false, 0]]);
    assert.deepEqual(highlights.speaking, []);
  });

  it('skips this page itself and participants without a tile, and catches up when a tile appears', () => {
    const remote = new Set(['a']);
    const { tiles, highlights, shows, receive } = harness(remote);
    // 'me' has no remote tile (the page's own tile keeps the local detector); 'late' has none yet.
    assert.deepEqual(receive(['me', 1], ['late', 0.7], ['a', 0.4]), [['a', true, 1]]);
    assert.equal(tiles.has('me'), false);
    remote.add('late');
    highlights.refresh(shows);
    assert.deepEqual(highlights.speaking, ['late', 'a']);
    assert.deepEqual(tiles.get('late'), { speaking: true, level: 0.7, rank: 1 });
    assert.deepEqual(tiles.get('a'), { speaking: true, level: 0.4, rank: 2 });
    // A participant who left is forgotten without touching its (removed) tile.
    remote.delete('late');
    highlights.forget('late');
    assert.deepEqual(receive(['a', 0.4]), [['a', true, 1]]);
    highlights.clear();
    assert.deepEqual(tiles.get('a'), { speaking: false, level: 0, rank: 0 });
    assert.deepEqual(highlights.latest, []);
  });
});

describe('simulcast publishing', () => {
  it('sends the camera as quarter, half and full resolution, low to high', () => {
    const encodings = camera_send_encodings();
    assert.deepEqual(encodings.map((e) => [e.rid, e.scaleResolutionDownBy, e.active]),
                     [['q', 4, true], ['h', 2, true], ['f', 1, true]]);
    assert.ok(encodings[0].maxBitrate < encodings[1].maxBitrate && encodings[1].maxBitrate < encodings[2].maxBitrate);
    encodings[0].active = false;  // fresh objects each time: the browser may keep them
    assert.equal(camera_send_encodings()[0].active, true);
  });

  const answer = (lines) => ['v=0', 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=mid:0', ...lines, ''].join('\r\n');
  it('sees whether the answer accepted simulcast on our m-line', () => {
    const sdp = answer(['m=video 9 UDP/TLS/RTP/SAVPF 96', 'a=mid:1', 'a=rid:q recv', 'a=rid:h recv',
                        'a=simulcast:recv q;h', 'm=video 9 UDP/TLS/RTP/SAVPF 96', 'a=mid:2']);
    assert.equal(answer_accepts_simulcast(sdp, '1'), true);
    assert.equal(answer_accepts_simulcast(sdp, '2'), false);
    assert.equal(answer_accepts_simulcast(sdp, '0'), false);
    assert.equal(answer_accepts_simulcast(sdp, '9'), false);
    assert.equal(answer_accepts_simulcast('', '1'), false);
  });

  it('offers simulcast only while the connection can still negotiate rtp-stream-id', () => {
    assert.equal(simulcast_possible(undefined), true);
    assert.equal(simulcast_possible(answer(['a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
                                            'a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id'])), true);
    assert.equal(simulcast_possible(answer(['a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid'])), false);
  });

  it('makes the one encoding a v1 server leaves the full picture', () => {
    const parameters = { encodings: [{ rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150000, active: true }] };
    assert.equal(restore_single_encoding(parameters), true);
    assert.deepEqual(parameters.encodings[0], { rid: 'q', scaleResolutionDownBy: 1, maxBitrate: 1500000, active: true });
    assert.equal(restore_single_encoding(parameters), false);
    assert.equal(restore_single_encoding({ encodings: [{}, {}] }), false);
    assert.equal(restore_single_encoding({}), false);
  });

  it('obeys publish_layers: exactly the listed rids are sent', () => {
    const parameters = { encodings: camera_send_encodings() };
    const active = (list) => parse_publish_layers({ type: 'publish_layers', mid: '1', active: list }).active;
    assert.equal(apply_active_layers(parameters, active(['q', 'h'])), true);
    assert.deepEqual(parameters.encodings.map((e) => e.active), [true, true, false]);
    assert.equal(apply_active_layers(parameters, active(['q', 'h'])), false);  // no change, no setParameters
    assert.equal(apply_active_layers(parameters, active(['q', 'h', 'f'])), true);
    assert.deepEqual(parameters.encodings.map((e) => e.active), [true, true, true]);
    assert.equal(apply_active_layers(parameters, active([])), true);  // nobody needs any layer
    assert.deepEqual(parameters.encodings.map((e) => e.active), [false, false, false]);
    // Turning on only (what goes at once; turning off waits for the list to hold).
    assert.equal(apply_active_layers(parameters, active(['h']), { only_enable: true }), true);
    assert.deepEqual(parameters.encodings.map((e) => e.active), [false, true, false]);
    assert.equal(apply_active_layers(parameters, active(['q']), { only_enable: true }), true);
    assert.deepEqual(parameters.encodings.map((e) => e.active), [true, true, false]);
    assert.equal(apply_active_layers(parameters, active(['q']), { only_enable: true }), false);
    assert.equal(apply_active_layers(parameters, active(['q'])), true);
    assert.deepEqual(parameters.encodings.map((e) => e.active), [true, false, false]);
    // Rids that are not ours: not meant for this sender.
    assert.equal(apply_active_layers(parameters, active(['x'])), false);
    // A sender with one encoding and no rid is never touched.
    assert.equal(apply_active_layers({ encodings: [{ active: true }] }, active([])), false);
    for (const bad of [null, {}, { mid: 1, active: [] }, { mid: '1', active: 'q' }, { mid: '1', active: [1] }]) {
      assert.equal(parse_publish_layers(bad), null);
    }
  });
});

describe('track_settings', () => {
  // Timers by hand: run(ms) advances the clock and fires what is due.
  function clock() {
    let now = 0;
    let next_id = 1;
    const pending = new Map();
    return {
      timers: { set: (fn, ms) => { pending.set(next_id, { fn, at: now + ms }); return next_id++; },
                clear: (id) => pending.delete(id) },
      run(ms) {
        now += ms;
        for (const [id, timer] of [...pending].sort((a, b) => a[1].at - b[1].at)) {
          if (timer.at > now) continue;
          pending.delete(id);
          timer.fn();
        }
      },
    };
  }
  const setup = () => {
    const sent = [];
    const time = clock();
    const reporter = new TrackSettingsReporter((message) => sent.push(message), { timers: time.timers });
    return { sent, time, reporter };
  };

  it('asks for the shown size in device pixels, or a pause when not shown', () => {
    assert.deepEqual(settings_for({ width: 426.4, height: 239.6, visible: true }), { paused: false, max_width: 426, max_height: 240 });
    assert.deepEqual(settings_for({ width: 426, height: 240, visible: false }), { paused: true });
    assert.deepEqual(settings_for({ width: 0, height: 240, visible: true }), { paused: true });
    assert.deepEqual(settings_for(null), { paused: true });
  });

  it('sends once a size held for 300 ms, and only when it changed', () => {
    const { sent, time, reporter } = setup();
    reporter.update('A-camera', { width: 1280, height: 720, visible: true });
    time.run(299);
    assert.deepEqual(sent, []);
    time.run(1);
    assert.deepEqual(sent, [{ type: 'track_settings', track_id: 'A-camera', paused: false, max_width: 1280, max_height: 720 }]);
    // A burst of layout changes: only the last one goes out, 300 ms after it.
    sent.length = 0;
    for (const width of [1000, 800, 640]) {
      reporter.update('A-camera', { width, height: width * 9 / 16, visible: true });
      time.run(100);
    }
    assert.deepEqual(sent, []);
    time.run(200);
    assert.deepEqual(sent, [{ type: 'track_settings', track_id: 'A-camera', paused: false, max_width: 640, max_height: 360 }]);
    // The same size again: nothing.
    reporter.update('A-camera', { width: 640, height: 360, visible: true });
    time.run(300);
    assert.equal(sent.length, 1);
    // Scrolled away and back.
    reporter.update('A-camera', { width: 640, height: 360, visible: false });
    time.run(300);
    reporter.update('A-camera', { width: 640, height: 360, visible: true });
    time.run(300);
    assert.deepEqual(sent.slice(1), [
      { type: 'track_settings', track_id: 'A-camera', paused: true },
      { type: 'track_settings', track_id: 'A-camera', paused: false, max_width: 640, max_height: 360 }]);
    assert.deepEqual(reporter.sent('A-camera'), { paused: false, max_width: 640, max_height: 360 });
  });

  it('forgets tracks that went away, and stops for a server that does not know the message', () => {
    const { sent, time, reporter } = setup();
    reporter.update('A-camera', { width: 640, height: 360, visible: true });
    reporter.forget('A-camera');
    time.run(1000);
    assert.deepEqual(sent, []);
    assert.equal(reporter.sent('A-camera'), null);
    reporter.update('B-screen', { width: 640, height: 360, visible: true });
    reporter.disable();
    reporter.update('B-screen', { width: 800, height: 450, visible: true });
    time.run(1000);
    assert.deepEqual(sent, []);
    reporter.enable();
    reporter.update('B-screen', { width: 800, height: 450, visible: true });
    time.run(300);
    assert.equal(sent.length, 1);
  });

  it('tells the errors about track_settings from the others', () => {
    assert.deepEqual(track_settings_error({ type: 'error', code: 400, message: "unknown message type 'track_settings'" }), { unknown_type: true });
    assert.deepEqual(track_settings_error({ type: 'error', code: 400, message: 'track_settings: unknown track_id A-camera' }), { unknown_type: false });
    assert.equal(track_settings_error({ type: 'error', code: 400, message: 'offer: unparsable SDP' }), null);
    assert.equal(track_settings_error({ type: 'error', code: 500, message: 'track_settings' }), null);
    assert.equal(track_settings_error(null), null);
  });
});
