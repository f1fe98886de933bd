// Simulcast through rrtc (issue 17): a Chromium publishes its camera as three encodings (rids
// q, h, f: a quarter, half and the full 1280x720) and two Chromium viewers receive it. One viewer's
// downlink is limited with an htb class on lo (this file runs in its own network namespace,
// lib/netns.js): the server must forward it a low layer while the other keeps the top one,
// bring it back to the top once the limit goes, keep both decoding without a stall over 1 s
// (sampled every 200 ms in the pages), and at 100 kbit/s keep its audio flowing, its video
// paused for bandwidth with the tile saying so. A viewer's small tile (track_settings) gets a
// smaller layer than a large one.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launch_chromium } from '../../lib/browser.js';
import { media_connected, start_call } from '../../lib/call.js';
import { own_netns } from '../../lib/netns.js';
import { wait_stalled } from '../../lib/media.js';
import { wait_until } from '../../lib/rrtc_server.js';
import { PortShaper } from '../../lib/shaping.js';
import { longest_stall, negotiated_simulcast, received, samples, selected_local_port, start_sampling,
         wait_layer } from '../../lib/simulcast.js';

const netns = await own_netns('rrtc-e2e-simulcast');
const kTestTimeout = { timeout: 240000 };

// A window whose tiles are about 1250 px wide: large enough for the top layer, so what a viewer
// is sent depends on its bandwidth alone (its track_settings ask for no less than 1280x720).
const kLargeWindow = { width: 2560, height: 1440 };

// The fake camera's 1280x720 (the client asks for it), and the simulcast layers made of it.
const kTop = 1280;
const kHalf = kTop / 2;
const kQuarter = kTop / 4;

// Joins a publisher and two viewers in large windows, checks that the publisher's camera was
// negotiated as simulcast q;h;f, and waits until both viewers decode its top layer (the
// publisher sends what the server's publish_layers ask, and its own bandwidth estimate allows,
// so the three layers need not all go at once).
async function three_people(t, browser, room, { top = true } = {}) {
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

describe('simulcast through rrtc', { skip: netns.skip }, () => {
  let browser;
  before(async () => { browser = await launch_chromium(); });
  after(async () => { await browser?.close(); });

  it('the publisher sends three layers; a viewer limited to 400 kbit/s gets a low one, then the top again', kTestTimeout, async (t) => {
    const { bob, cy, ada_id, no_page_errors } = await three_people(t, browser, 'limit');
    const top = kTop;

    const shaper = new PortShaper();
    t.after(() => shaper.clear());
    for (const viewer of [bob, cy]) await start_sampling(viewer, ada_id);
    const limited_at = Date.now();
    shaper.limit(await selected_local_port(cy), 400000);
    const low = await wait_layer(cy, ada_id, (width) => width <= top / 2, 'a low layer under 400 kbit/s', 30000);
    const settled_at = Date.now();
    t.diagnostic(`Cy went from ${top} to ${low.width} wide ${settled_at - limited_at} ms after the limit`);
    // Over the next 4 s (the pages' 200 ms samples) Cy stays low and Bob keeps the top.
    const watched = async (person) => wait_until(async () => {
      const list = (await samples(person)).filter((sample) => sample.t >= settled_at);
      return list.length > 0 && list[list.length - 1].t >= settled_at + 4000 ? list : null;
    }, { timeout_ms: 20000, interval_ms: 500, what: `4 s of ${person.name}'s samples` });
    const cy_widths = new Set((await watched(cy)).map((sample) => sample.width));
    assert.ok([...cy_widths].every((width) => width <= top / 2), `Cy decoded ${[...cy_widths]} while limited`);
    const bob_widths = new Set((await watched(bob)).map((sample) => sample.width));
    assert.deepEqual([...bob_widths], [top], 'Bob keeps the top layer');
    const shaped = shaper.stats();
    t.diagnostic(`shaped class: ${JSON.stringify(shaped)}`);

    shaper.clear();
    const lifted_at = Date.now();
    await wait_layer(cy, ada_id, (width) => width === top, 'the top layer again within 10 s', 10000);
    t.diagnostic(`Cy back to ${top} wide ${Date.now() - lifted_at} ms after the limit went`);
    const done_at = Date.now();
    const bob_stall = longest_stall(await samples(bob), limited_at, done_at);
    const cy_stall_onset = longest_stall(await samples(cy), limited_at, settled_at);
    const cy_stall = longest_stall(await samples(cy), settled_at, done_at);
    t.diagnostic(`longest stalls: Bob ${bob_stall} ms; Cy ${cy_stall_onset} ms while the server adapted, ${cy_stall} ms after`);
    assert.ok(bob_stall <= 1000, `Bob's frames stalled for ${bob_stall} ms`);
    assert.ok(cy_stall <= 1000, `Cy's frames stalled for ${cy_stall} ms on a low layer or switching up`);
    no_page_errors();
  });

  it('at 100 kbit/s the limited viewer keeps its audio and sees the video paused for bandwidth', kTestTimeout, async (t) => {
    const { cy, ada_id, no_page_errors } = await three_people(t, browser, 'starved', { top: false });
    const shaper = new PortShaper();
    t.after(() => shaper.clear());
    shaper.limit(await selected_local_port(cy), 100000);
    const track_id = `${ada_id}-camera`;
    const paused = await wait_until(async () => {
      const state = (await cy.page.evaluate((id) => window.rrtc.session.stream_states()[id] ?? null, track_id));
      return state?.state === 'paused' ? state : null;
    }, { timeout_ms: 30000, interval_ms: 200, what: `stream_state paused for ${track_id}` });
    assert.equal(paused.reason, 'bandwidth');
    const tile = cy.remote_tile('Ada');
    await wait_until(async () => (await tile.getAttribute('data-bandwidth-paused')) === 'true',
                     { what: "Ada's tile marked paused for bandwidth" });
    assert.equal(await tile.locator('.paused-overlay').isVisible(), true);
    assert.equal(await tile.locator('.paused-overlay').textContent(), 'paused: low bandwidth');
    await cy.screenshot('simulcast-paused-low-bandwidth.png');
    // Audio goes on: 50 more packets (1 s of Opus) over the next seconds, on a connected link.
    const audio_before = (await received(cy, ada_id, 'audio')).packets_received;
    await wait_until(async () => (await received(cy, ada_id, 'audio')).packets_received >= audio_before + 50,
                     { timeout_ms: 15000, interval_ms: 250, what: "Cy receiving Ada's audio at 100 kbit/s" });
    assert.equal(await cy.page.evaluate(() => window.rrtc.peer_connection.connectionState), 'connected');
    // Lifting the limit resumes the video and takes the overlay away.
    shaper.clear();
    await wait_until(async () => (await tile.getAttribute('data-bandwidth-paused')) === 'false',
                     { timeout_ms: 20000, what: "Ada's tile no longer paused" });
    const frames = (await received(cy, ada_id)).frames_decoded;
    await wait_until(async () => (await received(cy, ada_id)).frames_decoded > frames + 10,
                     { timeout_ms: 20000, what: "Cy decoding Ada's camera again" });
    no_page_errors();
  });

  it('a viewer with a small tile gets a smaller layer than one with a large tile (track_settings)', kTestTimeout, async (t) => {
    const { bob, cy, ada_id, no_page_errors } = await three_people(t, browser, 'tiles');
    const top = kTop;
    await cy.page.setViewportSize({ width: 480, height: 320 });
    const track_id = `${ada_id}-camera`;
    const small = await wait_until(async () => {
      const sent = await cy.page.evaluate((id) => window.rrtc.session.track_settings_sent(id), track_id);
      return sent && !sent.paused && sent.max_width < kHalf ? sent : null;
    }, { what: 'Cy sending a small track_settings' });
    t.diagnostic(`Cy's tile asks for ${small.max_width}x${small.max_height}`);
    const cy_layer = await wait_layer(cy, ada_id, (width) => width === kQuarter, `the ${kQuarter}-wide layer`, 20000);
    const bob_sent = await bob.page.evaluate((id) => window.rrtc.session.track_settings_sent(id), track_id);
    assert.ok(bob_sent.max_width > kHalf, `Bob's tile asks for ${JSON.stringify(bob_sent)}`);
    const bob_layer = await received(bob, ada_id);
    assert.equal(bob_layer.width, top, `Bob ${bob_layer.width} wide, Cy ${cy_layer.width}`);
    // Cy's window grows again: so does the layer.
    await cy.page.setViewportSize(kLargeWindow);
    await wait_layer(cy, ada_id, (width) => width === top, 'the top layer after growing', 20000);
    // Scrolled out of view: paused at Cy's request, with no overlay.
    await cy.page.evaluate(() => { document.querySelector('#grid').style.display = 'none'; });
    await wait_until(async () => (await cy.page.evaluate((id) => window.rrtc.session.track_settings_sent(id), track_id))?.paused === true,
                     { what: 'Cy asking to pause a hidden tile' });
    await wait_stalled(cy, ada_id, 'camera', { quiet_ms: 1500 });  // a paused track is not forwarded
    assert.equal(await cy.remote_tile('Ada').getAttribute('data-bandwidth-paused'), 'false');
    no_page_errors();
  });
});
