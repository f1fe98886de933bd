// What simulcast looks like from the pages: the publisher's encodings (outbound-rtp per rid),
// the layer a subscriber decodes (inbound-rtp frame size of one remote camera), the port of a
// page's selected ICE candidate pair (what the server sends to), and a sampler that records a
// remote camera's decoded frames every 200 ms inside the page, so stalls are measured on the
// page's own clock and not on how fast the test can ask.

import assert from 'node:assert/strict';
import { media_connected, start_call } from './call.js';
import { wait_until } from './rrtc_server.js';

// [{ rid, width, height, frames_encoded }] of the page's video outbound-rtp (rid null without
// simulcast), sorted by width.
export async function outbound_layers(person) {
  return person.page.evaluate(async () => {
    const layers = [];
    for (const stats of (await window.rrtc.peer_connection.getStats()).values()) {
      if (stats.type !== 'outbound-rtp' || stats.kind !== 'video') continue;
      layers.push({ rid: stats.rid ?? null, width: stats.frameWidth ?? 0, height: stats.frameHeight ?? 0,
                    frames_encoded: stats.framesEncoded ?? 0 });
    }
    return layers.sort((a, b) => a.width - b.width);
  });
}

// Waits until the page sends `count` encodings, each with frames, and returns them (low first).
export async function wait_sending_layers(person, count, timeout_ms = 30000) {
  return wait_until(async () => {
    const layers = (await outbound_layers(person)).filter((layer) => layer.width > 0 && layer.frames_encoded > 0);
    return layers.length === count ? layers : null;
  }, { timeout_ms, interval_ms: 250, what: `${person.name} sending ${count} video encodings` });
}

// What `person` receives of `owner_id`'s `type` track now: { width, height, frames_decoded,
// packets_received } (zeros before anything arrived).
export async function received(person, owner_id, type = 'camera') {
  return person.page.evaluate(async ({ owner, kind }) => {
    const entry = window.rrtc.session?.remote_tracks().find((t) => t.participant_id === owner && t.type === kind);
    const result = { width: 0, height: 0, frames_decoded: 0, packets_received: 0 };
    if (!entry) return result;
    for (const stats of (await window.rrtc.peer_connection.getStats()).values()) {
      if (stats.type !== 'inbound-rtp' || stats.mid !== entry.mid) continue;
      return { width: stats.frameWidth ?? 0, height: stats.frameHeight ?? 0,
               frames_decoded: stats.framesDecoded ?? 0, packets_received: stats.packetsReceived ?? 0 };
    }
    return result;
  }, { owner: owner_id, kind: type });
}

// Waits until `person` decodes `owner_id`'s camera at a width `accept(width)` likes; returns it.
export async function wait_layer(person, owner_id, accept, what, timeout_ms = 30000) {
  return wait_until(async () => {
    const now = await received(person, owner_id);
    return now.width > 0 && accept(now.width) ? now : null;
  }, { timeout_ms, interval_ms: 200, what: `${person.name} decoding ${what}` });
}

// The local port of the page's selected candidate pair: the port the server sends media to.
// The server's port of `person`'s selected candidate pair (the remote candidate).
export async function selected_remote_port(person) {
  return wait_until(() => person.page.evaluate(async () => {
    const report = await window.rrtc.peer_connection.getStats();
    let pair_id = null;
    for (const stats of report.values()) if (stats.type === 'transport' && stats.selectedCandidatePairId) pair_id = stats.selectedCandidatePairId;
    const pair = pair_id && report.get(pair_id);
    const remote = pair && report.get(pair.remoteCandidateId);
    return remote && remote.protocol === 'udp' ? remote.port : null;
  }), { what: `${person.name}'s selected candidate pair` });
}

export async function selected_local_port(person) {
  return wait_until(() => person.page.evaluate(async () => {
    const report = await window.rrtc.peer_connection.getStats();
    let pair_id = null;
    for (const stats of report.values()) if (stats.type === 'transport' && stats.selectedCandidatePairId) pair_id = stats.selectedCandidatePairId;
    const pair = pair_id && report.get(pair_id);
    const local = pair && report.get(pair.localCandidateId);
    return local && local.protocol === 'udp' ? local.port : null;
  }), { what: `${person.name}'s selected candidate pair` });
}

// Starts sampling `owner_id`'s camera in `person`'s page every 200 ms: { t, frames, width, lost,
// nacks } (framesDecoded, frameWidth, packetsLost and nackCount of its inbound-rtp).
export async function start_sampling(person, owner_id) {
  await person.page.evaluate((owner) => {
    const samples = [];
    const tick = async () => {
      const entry = window.rrtc.session?.remote_tracks().find((t) => t.participant_id === owner && t.type === 'camera');
      if (!entry) return;
      for (const stats of (await window.rrtc.peer_connection.getStats()).values()) {
        if (stats.type === 'inbound-rtp' && stats.mid === entry.mid) {
          samples.push({ t: Date.now(), frames: stats.framesDecoded ?? 0, width: stats.frameWidth ?? 0,
                         lost: stats.packetsLost ?? 0, nacks: stats.nackCount ?? 0 });
        }
      }
    };
    clearInterval(window.rrtc_samples?.timer);
    window.rrtc_samples = { samples, timer: setInterval(tick, 200) };
  }, owner_id);
}

// The samples taken so far in `person`'s page.
export async function samples(person) {
  return person.page.evaluate(() => window.rrtc_samples?.samples ?? []);
}

// Waits until `person`'s samples (start_sampling) of the last `steady_ms` all show `width` and
// no stall of over 400 ms: the page has settled on that layer. Returns the time it had.
export async function wait_steady(person, width, what, { steady_ms = 2000, timeout_ms = 30000 } = {}) {
  return wait_until(async () => {
    const list = await samples(person);
    const now = list.length > 0 ? list[list.length - 1].t : 0;
    const recent = list.filter((sample) => sample.t >= now - steady_ms);
    const covered = recent.length > 0 && list[0].t <= now - steady_ms;
    return covered && recent.every((sample) => sample.width === width) &&
           longest_stall(list, now - steady_ms, now) <= 400 ? now : null;
  }, { timeout_ms, interval_ms: 200, what: `${person.name} steady on ${what} for ${steady_ms} ms` });
}

// The longest time (ms) framesDecoded did not grow between samples taken in [from, to] (Date.now()
// times), counting from the last sample before `from` that it grew at or the first one.
export function longest_stall(list, from = 0, to = Infinity) {
  let longest = 0;
  let grew_at = null;
  let last_frames = null;
  for (const sample of list) {
    if (sample.t > to) break;
    if (last_frames === null || sample.frames > last_frames) {
      grew_at = sample.t;
    } else if (sample.t >= from) {
      longest = Math.max(longest, sample.t - Math.max(grew_at, from));
    }
    last_frames = sample.frames;
  }
  return longest;
}

// The camera's simulcast as negotiated by `person`: { encodings: the sender's rids in order,
// answer: the server answer's a=simulcast line for that m-line (null without one) }.
export async function negotiated_simulcast(person) {
  return person.page.evaluate(() => {
    const pc = window.rrtc.peer_connection;
    const camera = pc.getTransceivers().find((t) => t.sender.track?.kind === 'video' && t.mid !== null);
    if (!camera || !pc.remoteDescription) return { encodings: [], answer: null };
    const lines = pc.remoteDescription.sdp.split(/\r?\n/);
    const start = lines.findIndex((line) => line === `a=mid:${camera.mid}`);
    let answer = null;
    for (let i = start + 1; start >= 0 && i < lines.length && !lines[i].startsWith('m='); i += 1) {
      if (lines[i].startsWith('a=simulcast:')) answer = lines[i];
    }
    return { encodings: (camera.sender.getParameters().encodings ?? []).map((e) => e.rid ?? null), answer };
  });
}

// A window whose tiles are about 1250 px wide: large enough for the top layer, so what a viewer
// is sent depends on its bandwidth alone (its track_settings ask for no less than 1280x720).
export const kLargeWindow = { width: 2560, height: 1440 };

// The fake camera's 1280x720 (the client asks for it), and the simulcast layers made of it.
export const kTop = 1280;
export const kHalf = kTop / 2;
export const kQuarter = kTop / 4;

// Joins a publisher and two viewers in large windows, checks that the publisher's camera was
// negotiated as simulcast q;h;f, and waits until both viewers decode its top layer (the
// publisher sends what the server's publish_layers ask, and its own bandwidth estimate allows,
// so the three layers need not all go at once).
export async function three_people(t, browser, room, { top = true } = {}) {
  const { join, no_page_errors } = await start_call(t, browser);
  const ada = await join(room, 'Ada');
  const bob = await join(room, 'Bob', { without_devices: true });
  const cy = await join(room, 'Cy', { without_devices: true });
  for (const viewer of [bob, cy]) await viewer.page.setViewportSize(kLargeWindow);
  for (const person of [ada, bob, cy]) await media_connected(person, 30000);
  const ada_id = await bob.remote_tile('Ada').getAttribute('data-participant-id');
  assert.deepEqual(await negotiated_simulcast(ada), { encodings: ['q', 'h', 'f'], answer: 'a=simulcast:recv q;h;f' });
  for (const viewer of [bob, cy]) {
    await wait_layer(viewer, ada_id, (width) => !top || width === kTop, top ? 'the top layer' : 'a layer', 45000);
  }
  return { ada, bob, cy, ada_id, no_page_errors };
}
