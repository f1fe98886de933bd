// Simulcast through rrtc when bandwidth runs out (issue 17): a Chromium publishes its camera as
// three encodings (q, h, f of 1280x720) to two Chromium viewers; one viewer's downlink is cut to
// 100 kbit/s with an htb class on lo (this file runs in its own network namespace, lib/netns.js).
// It must stay connected and keep receiving audio, the server must pause the camera for
// bandwidth (stream_state) and the tile must say "paused: low bandwidth". (How fast the video
// comes back once the limit goes depends on the estimator's ramp-up: not asserted here.) The
// 400 kbit/s layer switch and track_settings cases are in
// specs/pending/simulcast_layers.test.js until the server keeps its layers on.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launch_chromium } from '../lib/browser.js';
import { own_netns } from '../lib/netns.js';
import { wait_until } from '../lib/rrtc_server.js';
import { PortShaper } from '../lib/shaping.js';
import { received, selected_remote_port, three_people } from '../lib/simulcast.js';

const netns = await own_netns('rrtc-e2e-simulcast');
const kTestTimeout = { timeout: 240000 };

describe('simulcast through rrtc', { skip: netns.skip }, () => {
  let browser;
  before(async () => { browser = await launch_chromium(); });
  after(async () => { await browser?.close(); });

  it('at 100 kbit/s the limited viewer keeps its audio and sees the video paused for bandwidth', kTestTimeout, async (t) => {
    const { cy, ada_id, no_page_errors } = await three_people(t, browser, 'starved', { top: false });
    const shaper = new PortShaper();
    t.after(() => shaper.clear());
    // From the server's port of Cy's PeerConnection: all it sends Cy, whichever of Cy's
    // candidates it goes to.
    shaper.limit(await selected_remote_port(cy), 100000, 'sport');
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
    no_page_errors();
  });
});
