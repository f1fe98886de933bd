// A moderator's mute through the admin API (docs/admin-api.md) as the muted page shows it: the
// server sends everyone, the participant included, a `state_update`; the page turns its own
// microphone or camera off, says so, and the others see the state. The participant may turn it
// back on itself.

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Participant, launch_chromium } from '../lib/browser.js';
import { wait_flowing, wait_stalled } from '../lib/media.js';
import { RrtcServer, wait_until } from '../lib/rrtc_server.js';

const kTestTimeout = { timeout: 180000 };
const kApiKey = 'e2e-key';
const kApiSecret = 'e2e-admin-secret-of-at-least-32-bytes!';

// An admin bearer token: HS256 over {"iss": api_key, "exp": now + 10 min}.
function admin_token() {
  const part = (object) => Buffer.from(JSON.stringify(object)).toString('base64url');
  const body = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ iss: kApiKey, exp: Math.floor(Date.now() / 1000) + 600 })}`;
  return `${body}.${createHmac('sha256', kApiSecret).update(body).digest('base64url')}`;
}

describe('moderation', () => {
  let browser;
  before(async () => { browser = await launch_chromium(); });
  after(async () => { await browser?.close(); });

  it('a mute from the admin API turns the page\'s own microphone, camera and screen share off', kTestTimeout, async (t) => {
    const server = new RrtcServer({ api_key: kApiKey, api_secret: kApiSecret }, { name: 'moderation' });
    await server.start();
    const people = [];
    t.after(async () => {
      for (const person of people) await person.close().catch(() => {});
      await server.dispose();
    });
    const ada = await Participant.join(browser, server.base_url, { room: 'mod', name: 'Ada' });
    people.push(ada);
    const bob = await Participant.join(browser, server.base_url, { room: 'mod', name: 'Bob' });
    people.push(bob);
    await bob.wait_remote_names(['Ada']);
    const ada_id = await ada.page.evaluate(() => window.rrtc.session.your_id);
    await wait_flowing(bob, ada_id, 'audio');
    await wait_flowing(bob, ada_id, 'camera');

    const mute = async (body) => {
      const response = await fetch(`${server.base_url}/api/rooms/mod/participants/${encodeURIComponent(ada_id)}/mute`, {
        method: 'POST', headers: { authorization: `Bearer ${admin_token()}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.equal(response.status, 200, await response.text());
    };
    // Ada's page as she sees herself: buttons, her tracks, her tile.
    const own = () => ada.page.evaluate(() => ({
      mic: document.querySelector('#mic-button').getAttribute('aria-pressed'),
      cam: document.querySelector('#cam-button').getAttribute('aria-pressed'),
      audio_enabled: window.rrtc.session.peer_connection.getSenders().find((s) => s.track?.kind === 'audio')?.track.enabled,
      video_enabled: window.rrtc.session.peer_connection.getSenders().find((s) => s.track?.kind === 'video')?.track.enabled,
      tile_muted: document.querySelector('#grid .tile[data-local="true"]').dataset.muted,
    }));
    const bob_sees = (attribute, value) => wait_until(
      async () => (await bob.remote_tile('Ada').getAttribute(attribute)) === value, { what: `Bob sees Ada ${attribute}=${value}` });

    await mute({ type: 'audio' });
    await ada.page.waitForSelector('.toast:has-text("The server muted your microphone")', { timeout: 15000 });
    assert.deepEqual(await own(), { mic: 'true', cam: 'false', audio_enabled: false, video_enabled: true, tile_muted: 'true' });
    await bob_sees('data-muted', 'true');
    await wait_stalled(bob, ada_id, 'audio');
    await wait_flowing(bob, ada_id, 'camera');

    await mute({ track_id: `${ada_id}-camera` });
    await ada.page.waitForSelector('.toast:has-text("The server turned your camera off")', { timeout: 15000 });
    assert.deepEqual(await own(), { mic: 'true', cam: 'true', audio_enabled: false, video_enabled: false, tile_muted: 'true' });
    await bob_sees('data-video-on', 'false');
    await wait_stalled(bob, ada_id, 'camera');

    // A screen share stopped by the server: Ada's page ends it (and says so), Bob's stage goes.
    await ada.page.click('#screen-button');
    await bob.page.waitForSelector(`#stage:not([hidden])[data-owner="${ada_id}"]`, { timeout: 20000 });
    await mute({ type: 'screen' });
    await ada.page.waitForSelector('.toast:has-text("The server stopped your screen share")', { timeout: 15000 });
    assert.equal(await ada.page.getAttribute('#screen-button', 'aria-pressed'), 'false');
    assert.equal(await ada.page.evaluate(() => window.rrtc.session.peer_connection.getSenders()
      .filter((sender) => sender.track?.kind === 'video').length), 1);
    await bob_sees('data-screen-sharing', 'false');
    await bob.page.waitForSelector('#stage', { state: 'hidden', timeout: 20000 });

    // Ada unmutes herself: her audio reaches Bob again.
    await ada.page.click('#mic-button');
    await bob_sees('data-muted', 'false');
    await wait_flowing(bob, ada_id, 'audio');
    assert.equal((await own()).audio_enabled, true);
    for (const person of people) {
      assert.deepEqual(person.console.filter((line) => line.startsWith('pageerror')), [], `${person.name}'s page threw`);
    }
  });
});
