// What a participant's page receives, measured in the page: inbound RTP counters per remote
// participant and track type (getStats, matched by mid to the tracks the client shows), and the
// pixels of a <video> element (drawn into a canvas), so tests can tell moving, black and frozen
// pictures apart.

import assert from 'node:assert/strict';
import { wait_until } from './rrtc_server.js';

// { '<participant id>:<type>': { mid, kind, frames_decoded, packets_received, bytes_received } }
// for every remote track the client shows now.
export async function inbound(participant) {
  return participant.page.evaluate(async () => {
    const session = window.rrtc.session;
    const pc = window.rrtc.peer_connection;
    if (!session || !pc) return {};
    const track_to_mid = new Map();
    for (const transceiver of pc.getTransceivers()) {
      if (transceiver.mid !== null) track_to_mid.set(transceiver.receiver.track.id, transceiver.mid);
    }
    const by_mid = new Map();
    for (const stats of (await pc.getStats()).values()) {
      if (stats.type !== 'inbound-rtp') continue;
      by_mid.set(stats.mid ?? track_to_mid.get(stats.trackIdentifier), stats);
    }
    const result = {};
    for (const { participant_id, type, mid } of session.remote_tracks()) {
      const stats = by_mid.get(mid);
      result[`${participant_id}:${type}`] = {
        mid,
        kind: stats?.kind ?? null,
        frames_decoded: stats?.framesDecoded ?? 0,
        packets_received: stats?.packetsReceived ?? 0,
        bytes_received: stats?.bytesReceived ?? 0,
      };
    }
    return result;
  });
}

// The counter that shows a track flowing: decoded frames for video, packets for audio.
function progress(entry, type) {
  if (!entry) return null;
  return type === 'audio' ? entry.packets_received : entry.frames_decoded;
}

// Waits until `participant` shows `owner_id`'s `type` track and its counter rose by `by`.
export async function wait_flowing(participant, owner_id, type, { by = 10, timeout_ms = 20000 } = {}) {
  const key = `${owner_id}:${type}`;
  let start = null;
  await wait_until(async () => {
    const value = progress((await inbound(participant))[key], type);
    if (value === null) return false;
    if (start === null) start = value;
    return value >= start + by;
  }, { timeout_ms, interval_ms: 200, what: `${participant.name} receiving ${key} (${type === 'audio' ? 'packetsReceived' : 'framesDecoded'} +${by})` });
}

// Waits until `owner_id`'s `type` track no longer advances at `participant`: the counter
// stays the same over `quiet_ms` (the track may still be shown, or be gone).
export async function wait_stalled(participant, owner_id, type, { quiet_ms = 1500, timeout_ms = 15000 } = {}) {
  const key = `${owner_id}:${type}`;
  let last = null;
  await wait_until(async () => {
    const value = progress((await inbound(participant))[key], type) ?? 'gone';
    const now = Date.now();
    if (!last || last.value !== value) {
      last = { value, since: now };
      return false;
    }
    return now - last.since >= quiet_ms;
  }, { timeout_ms, interval_ms: 250, what: `${participant.name}: ${key} stopped` });
}

// Luma statistics of what `selector`'s <video> shows now, sampled at 64x36:
// { width, height, mean, spread } (0..255), or null before the first frame.
export async function video_pixels(page, selector) {
  return page.evaluate((sel) => {
    const video = document.querySelector(sel);
    if (!video || video.videoWidth === 0 || video.readyState < 2) return null;
    const canvas = document.createElement('canvas');
    canvas.width = 64;
    canvas.height = 36;
    const context = canvas.getContext('2d', { willReadFrequently: true });
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    let sum = 0;
    let min = 255;
    let max = 0;
    for (let i = 0; i < data.length; i += 4) {
      const luma = 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2];
      sum += luma;
      min = Math.min(min, luma);
      max = Math.max(max, luma);
    }
    return { width: video.videoWidth, height: video.videoHeight, mean: sum / (data.length / 4), spread: max - min,
             paused: video.paused };
  }, selector);
}

// Waits until `selector`'s video plays a picture that is neither black nor flat.
export async function wait_picture(page, selector, what) {
  return wait_until(async () => {
    const pixels = await video_pixels(page, selector);
    return pixels && !pixels.paused && pixels.mean > 20 && pixels.spread > 20 ? pixels : null;
  }, { timeout_ms: 15000, interval_ms: 200, what: `a picture in ${what}` });
}

// Waits until `selector`'s <video> has decoded a picture (videoWidth > 0) and plays: its
// currentTime advances by `by_s`. Returns { width, height }.
export async function wait_playing(page, selector, { by_s = 1, timeout_ms = 20000 } = {}) {
  let start = null;
  let size = null;
  await wait_until(async () => {
    const now = await page.evaluate((sel) => {
      const video = document.querySelector(sel);
      return video && video.videoWidth > 0 ? { t: video.currentTime, width: video.videoWidth, height: video.videoHeight } : null;
    }, selector);
    if (!now) return false;
    size = { width: now.width, height: now.height };
    if (start === null) start = now.t;
    return now.t >= start + by_s;
  }, { timeout_ms, interval_ms: 200, what: `${selector} playing (videoWidth > 0, currentTime +${by_s} s)` });
  return size;
}

export function tile_video(participant_id) {
  return `#grid .tile[data-participant-id="${participant_id}"] video.tile-video`;
}

// `viewer` sees and hears `owner` (a Participant): camera frames decoded and a picture in the
// owner's tile, audio packets arriving.
export async function expect_sees_and_hears(viewer, owner) {
  const id = await viewer.remote_tile(owner.name).getAttribute('data-participant-id');
  assert.ok(id, `${viewer.name} has a tile for ${owner.name}`);
  await wait_flowing(viewer, id, 'camera');
  await wait_flowing(viewer, id, 'audio');
  await wait_picture(viewer.page, tile_video(id), `${viewer.name}'s tile of ${owner.name}`);
}
