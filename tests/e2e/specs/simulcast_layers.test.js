// Simulcast layer switching through rrtc (issue 17). A Chromium
// publishes its camera as q/h/f of 1280x720 to two Chromium viewers in large windows; one
// viewer's downlink is limited to 400 kbit/s with an htb class on lo (own network namespace,
// lib/netns.js): it must decode a layer at most half the top's width while the other keeps the
// top, come back to the top within 10 s of the limit going, and neither may stall over 1 s
// from the cap on, also while the server adapts (200 ms samples in the pages). A viewer's small
// tile (track_settings) must get a smaller layer than a large one, grow back, and a hidden tile
// must be paused at its request.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launch_chromium } from '../lib/browser.js';
import { own_netns } from '../lib/netns.js';
import { wait_stalled } from '../lib/media.js';
import { wait_until } from '../lib/rrtc_server.js';
import { PortShaper } from '../lib/shaping.js';
import { kHalf, kLargeWindow, kQuarter, kTop, longest_stall, samples, selected_local_port,
         selected_remote_port,
         start_sampling, three_people, wait_layer, wait_steady } from '../lib/simulcast.js';

const netns = await own_netns('rrtc-e2e-simulcast-layers');

// What the publisher's encoder sends now, per rid: size, frames so far and what limits it
// (Chromium drops layers under CPU load: a viewer then gets a lower layer whatever the server).
async function sent_layers(person) {
  return person.page.evaluate(async () => {
    const out = [];
    for (const s of (await window.rrtc.peer_connection.getStats()).values()) {
      if (s.type !== 'outbound-rtp' || s.kind !== 'video') continue;
      out.push(`${s.rid}: ${s.frameWidth ?? 0}x${s.frameHeight ?? 0} ${s.framesEncoded ?? 0} frames, ` +
               `${s.framesPerSecond ?? 0} fps, limited by ${s.qualityLimitationReason ?? '?'}`);
    }
    return out.sort().join('; ');
  });
}
const kTestTimeout = { timeout: 240000 };

describe('simulcast through rrtc', { skip: netns.skip }, () => {
  let browser;
  before(async () => { browser = await launch_chromium(); });
  after(async () => { await browser?.close(); });

  it('the publisher sends three layers; a viewer limited to 400 kbit/s gets a low one, then the top again', kTestTimeout, async (t) => {
    const { ada, bob, cy, ada_id, no_page_errors } = await three_people(t, browser, 'limit');
    const top = kTop;

    const shaper = new PortShaper();
    t.after(() => shaper.clear());
    for (const viewer of [bob, cy]) await start_sampling(viewer, ada_id);
    // Both on the top layer for 2 s first: what follows measures the limit, not the ramp-up.
    for (const viewer of [bob, cy]) await wait_steady(viewer, top, 'the top layer');
    const limited_at = Date.now();
    // What the server sends Cy leaves from the server's port of Cy's PeerConnection, whichever
    // of Cy's candidates it goes to (libnice and Chromium may each use another one).
    const server_port = await selected_remote_port(cy);
    t.diagnostic(`limiting what the server sends from its port ${server_port} (Cy's local port ${await selected_local_port(cy)})`);
    shaper.limit(server_port, 400000, 'sport');
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
    const bob_watched = await watched(bob);
    t.diagnostic(`Bob's samples from ${settled_at - limited_at} ms: ${bob_watched.map((s) => `${s.t - limited_at}:${s.frames}:${s.width}`).join(' ')}`);
    t.diagnostic(`Ada sends: ${await sent_layers(ada)}`);
    const bob_widths = new Set(bob_watched.map((sample) => sample.width));
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
    t.diagnostic(`Cy's samples from the limit: ${(await samples(cy)).filter((s) => s.t >= limited_at).map((s) => `${s.t - limited_at}:${s.frames}:${s.width}`).join(' ')}`);
    t.diagnostic(`lifted at ${lifted_at - limited_at}, settled at ${settled_at - limited_at}`);
    t.diagnostic(`longest stalls: Bob ${bob_stall} ms; Cy ${cy_stall_onset} ms while the server adapted, ${cy_stall} ms after`);
    for (const viewer of [bob, cy]) {
      const list = await samples(viewer);
      const last = list[list.length - 1];
      t.diagnostic(`${viewer.name} lost ${last.lost} packets and sent ${last.nacks} NACKs (camera, whole call)`);
    }
    assert.ok(bob_stall <= 1000, `Bob's frames stalled for ${bob_stall} ms`);
    assert.ok(cy_stall_onset <= 1000, `Cy's frames stalled for ${cy_stall_onset} ms before the low layer`);
    assert.ok(cy_stall <= 1000, `Cy's frames stalled for ${cy_stall} ms on a low layer or switching up`);
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
    // Meanwhile Bob's large tile gets the top layer (within a few seconds: his own estimate may
    // dip and recover at any time, whatever Cy asks for).
    await wait_layer(bob, ada_id, (width) => width === top, `the top layer while Cy gets ${cy_layer.width}`, 10000);
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
