// Media through the real rrtc: browsers with fake camera, microphone and screen publish, the
// server forwards, and every page measures what it receives (inbound-rtp counters per remote
// participant and the pixels of their tiles). Mute, camera off and screen sharing must show in
// what the others receive, not only in their indicators.

import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { launch_chromium } from '../lib/browser.js';
import { media_connected, start_call } from '../lib/call.js';
import { expect_sees_and_hears, inbound, tile_video, wait_flowing, wait_picture,
         wait_stalled } from '../lib/media.js';
import { kArtifacts, kRepoRoot, wait_until } from '../lib/rrtc_server.js';

const kTestTimeout = { timeout: 150000 };

describe('media through rrtc', () => {
  let browser;
  before(async () => { browser = await launch_chromium(); });
  after(async () => { await browser?.close(); });

  const setup = (t) => start_call(t, browser);
  const connected = (person) => media_connected(person, 20000);

  it('two, then three participants see and hear each other', kTestTimeout, async (t) => {
    const { join, no_page_errors } = await setup(t);
    const ada = await join('call', 'Ada');
    const bob = await join('call', 'Bob');
    await ada.wait_remote_names(['Bob']);
    await bob.wait_remote_names(['Ada']);
    for (const person of [ada, bob]) await connected(person);
    await expect_sees_and_hears(ada, bob);
    await expect_sees_and_hears(bob, ada);

    const cy = await join('call', 'Cy Young');
    await connected(cy);
    await ada.wait_remote_names(['Bob', 'Cy Young']);
    await bob.wait_remote_names(['Ada', 'Cy Young']);
    await cy.wait_remote_names(['Ada', 'Bob']);
    const people = [ada, bob, cy];
    for (const viewer of people) {
      for (const owner of people) if (owner !== viewer) await expect_sees_and_hears(viewer, owner);
    }
    // Exactly the others' audio and camera, each once.
    for (const viewer of people) {
      const keys = Object.keys(await inbound(viewer)).map((key) => key.split(':')[1]).sort();
      assert.deepEqual(keys, ['audio', 'audio', 'camera', 'camera'], `${viewer.name} receives`);
    }

    await cy.page.click('#stats-button');
    for (const name of ['Ada', 'Bob']) {
      const tile = cy.remote_tile(name);
      await wait_until(async () => /^[1-9][\d.]* (kbit|Mbit)\/s$/.test(await tile.locator('.stat-bitrate').textContent()),
                       { what: `a receive bitrate for ${name} in the stats panel` });
      assert.match(await tile.locator('.stat-rtt').textContent(), /^\d+ ms$/);
      assert.match(await tile.locator('.stat-lost').textContent(), /^\d+$/);
    }
    for (const person of people) await person.screenshot(`three-person-call-${person.name.split(' ')[0].toLowerCase()}.png`);
    // RRTC_UPDATE_SCREENSHOTS=1 refreshes the README's picture from this run.
    if (process.env.RRTC_UPDATE_SCREENSHOTS === '1') {
      const docs = path.join(kRepoRoot, 'docs/screenshots');
      mkdirSync(docs, { recursive: true });
      await cy.page.click('#stats-button');
      await cy.page.evaluate(() => document.activeElement?.blur());
      await cy.page.mouse.move(0, 400);
      await cy.screenshot('three-person-call.png');
      copyFileSync(path.join(kArtifacts, 'three-person-call.png'), path.join(docs, 'three-person-call.png'));
    }
    no_page_errors();
  });

  it('mute, camera off and screen sharing change what the others receive', kTestTimeout, async (t) => {
    const { join, no_page_errors } = await setup(t);
    const ada = await join('follow', 'Ada');
    const bob = await join('follow', 'Bob');
    const cy = await join('follow', 'Cy');
    const viewers = [bob, cy];
    for (const person of [ada, ...viewers]) await connected(person);
    for (const viewer of viewers) await viewer.wait_remote_names(viewer === bob ? ['Ada', 'Cy'] : ['Ada', 'Bob']);
    const ada_id = await ada.page.evaluate(() => window.rrtc.session.your_id);
    for (const viewer of viewers) await expect_sees_and_hears(viewer, ada);

    const tile_attr = (viewer, attribute, value) => wait_until(
      async () => (await viewer.remote_tile('Ada').getAttribute(attribute)) === value,
      { what: `${viewer.name} sees Ada ${attribute}=${value}` });

    // Chromium goes on sending a disabled track (silence, black frames at full rate), so what
    // stops below is the server's forwarding. Muted: Ada's audio stops, her camera goes on.
    await ada.page.click('#mic-button');
    for (const viewer of viewers) {
      await tile_attr(viewer, 'data-muted', 'true');
      await wait_stalled(viewer, ada_id, 'audio');
      await wait_flowing(viewer, ada_id, 'camera');
    }
    await ada.page.click('#mic-button');
    for (const viewer of viewers) {
      await tile_attr(viewer, 'data-muted', 'false');
      await wait_flowing(viewer, ada_id, 'audio');
    }

    // Camera off: no more frames, the tile shows her initials; back on, the picture returns.
    await ada.page.click('#cam-button');
    for (const viewer of viewers) {
      await tile_attr(viewer, 'data-video-on', 'false');
      await wait_stalled(viewer, ada_id, 'camera');
      await wait_flowing(viewer, ada_id, 'audio');
      assert.equal(await viewer.remote_tile('Ada').locator('.avatar').isVisible(), true);
    }
    await bob.screenshot('camera-off.png');
    await ada.page.click('#cam-button');
    for (const viewer of viewers) {
      await tile_attr(viewer, 'data-video-on', 'true');
      await wait_flowing(viewer, ada_id, 'camera');
      await wait_picture(viewer.page, tile_video(ada_id), `${viewer.name}'s tile of Ada`);
    }

    // Screen sharing: the stage appears at the others with Ada's screen playing, and goes.
    await ada.page.click('#screen-button');
    for (const viewer of viewers) {
      await tile_attr(viewer, 'data-screen-sharing', 'true');
      await viewer.page.waitForSelector(`#stage:not([hidden])[data-owner="${ada_id}"]`, { timeout: 20000 });
      await wait_flowing(viewer, ada_id, 'screen');
      await wait_picture(viewer.page, '#stage-video', `${viewer.name}'s stage`);
      assert.match(await viewer.page.textContent('#stage-label'), /^Ada is presenting$/);
      await wait_flowing(viewer, ada_id, 'camera');
    }
    await bob.screenshot('screen-shared.png');
    await ada.page.click('#screen-button');
    for (const viewer of viewers) {
      await tile_attr(viewer, 'data-screen-sharing', 'false');
      await viewer.page.waitForSelector('#stage', { state: 'hidden', timeout: 20000 });
      await wait_until(async () => !((`${ada_id}:screen`) in await inbound(viewer)),
                       { what: `${viewer.name} no longer shows Ada's screen` });
      await wait_flowing(viewer, ada_id, 'camera');
      await wait_flowing(viewer, ada_id, 'audio');
    }
    no_page_errors();
  });
});
