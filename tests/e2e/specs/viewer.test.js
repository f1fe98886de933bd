// Viewers through the real rrtc: a page that joins without camera and microphone (ticked on the
// join form, or because the browser refuses them) never offers; the server offers it the others'
// tracks and a data channel, and it sees, hears and chats. Turning its camera on later publishes
// with an offer of its own on the same connection.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launch_chromium } from '../lib/browser.js';
import { media_connected, start_call } from '../lib/call.js';
import { expect_sees_and_hears, inbound, tile_video, wait_flowing, wait_picture, wait_playing } from '../lib/media.js';
import { wait_until } from '../lib/rrtc_server.js';

const kTestTimeout = { timeout: 180000 };

describe('viewers', () => {
  let browser;
  before(async () => { browser = await launch_chromium(); });
  after(async () => { await browser?.close(); });

  const setup = (t) => start_call(t, browser);
  const connected = (person) => media_connected(person, 30000);
  const your_id = (person) => person.page.evaluate(() => window.rrtc.session.your_id);
  // What a viewer's page says about itself and its connection.
  const viewer_state = (person) => person.page.evaluate(() => {
    const pc = window.rrtc.peer_connection;
    return {
      offers_sent: window.rrtc.session.offers_sent,
      remote_type: pc?.currentRemoteDescription?.type ?? null,
      senders: pc ? pc.getSenders().filter((sender) => sender.track).length : -1,
      label: document.querySelector('#viewer-label').hidden ? null : document.querySelector('#viewer-label').textContent,
      mic: document.querySelector('#mic-button').getAttribute('aria-pressed'),
      cam: document.querySelector('#cam-button').getAttribute('aria-pressed'),
      mic_disabled: document.querySelector('#mic-button').disabled,
    };
  });
  const chat_open = (person) => wait_until(
    () => person.page.evaluate(() => document.querySelector('#chat-panel').dataset.ready === 'true'),
    { timeout_ms: 20000, what: `${person.name}'s chat channel to open` });
  const chat_texts = (person) => person.page.$$eval('#chat-list .chat-message', (items) => items.map((item) => (
    `${item.querySelector('.chat-from').textContent}: ${item.querySelector('.chat-text').textContent}`)));
  const say = async (person, text) => {
    await person.page.click('#chat-button');
    await person.page.fill('#chat-input', text);
    await person.page.press('#chat-input', 'Enter');
    await person.page.click('#chat-button');
  };

  it('a page joined without camera and microphone sees, hears and chats, and publishes later', kTestTimeout, async (t) => {
    const { join, no_page_errors } = await setup(t);
    const ada = await join('watch', 'Ada');
    const vic = await join('watch', 'Vic', { without_devices: true });
    await ada.wait_remote_names(['Vic']);
    await vic.wait_remote_names(['Ada']);
    assert.equal(await vic.page.textContent('#count-label'), '2 in the room');
    await connected(vic);
    const ada_id = await your_id(ada);
    const vic_id = await your_id(vic);

    // Frames decoded and the tile's <video> playing, Ada's audio arriving.
    await expect_sees_and_hears(vic, ada);
    const size = await wait_playing(vic.page, tile_video(ada_id));
    assert.ok(size.width > 0 && size.height > 0, JSON.stringify(size));

    // Vic only answered: the connection came from the server's offer, nothing is sent.
    assert.deepEqual(await viewer_state(vic), { offers_sent: 0, remote_type: 'offer', senders: 0, label: 'Watching only',
                                                mic: 'true', cam: 'true', mic_disabled: false });
    assert.equal(await vic.page.getAttribute('#viewer-label', 'data-reason'), 'chosen');
    assert.equal(await vic.local_tile().getAttribute('data-has-video'), 'false');
    assert.equal(await ada.remote_tile('Vic').getAttribute('data-muted'), 'true');
    assert.equal(await ada.remote_tile('Vic').getAttribute('data-video-on'), 'false');
    assert.deepEqual(Object.keys(await inbound(ada)), []);
    await vic.screenshot('viewer.png');

    // Chat on the data channel of the server's offer, both ways, still without an offer.
    await chat_open(vic);
    await chat_open(ada);
    await say(vic, 'hello from a viewer');
    await wait_until(async () => (await chat_texts(ada)).includes('Vic: hello from a viewer'),
                     { what: 'Ada shows the viewer\'s message' });
    await say(ada, 'hi Vic');
    await wait_until(async () => (await chat_texts(vic)).includes('Ada: hi Vic'), { what: 'Vic shows Ada\'s message' });
    assert.equal((await viewer_state(vic)).offers_sent, 0);

    // The camera turned on later: one offer of Vic's, and Ada sees Vic while Vic still sees Ada.
    await vic.page.click('#cam-button');
    await wait_until(async () => (await viewer_state(vic)).label === null, { what: 'Vic no longer watching only' });
    await wait_until(async () => (await ada.remote_tile('Vic').getAttribute('data-video-on')) === 'true',
                     { what: 'Ada sees Vic\'s camera on' });
    await wait_flowing(ada, vic_id, 'camera');
    await wait_picture(ada.page, tile_video(vic_id), 'Ada\'s tile of Vic');
    await wait_flowing(vic, ada_id, 'camera');
    const state = await viewer_state(vic);
    assert.equal(state.offers_sent, 1);
    assert.equal(state.cam, 'false');
    assert.equal(state.mic, 'true');
    no_page_errors();
  });

  it('a page whose browser refuses camera and microphone, or has none, joins as a viewer and sees the others', kTestTimeout, async (t) => {
    const { join, browsers, no_page_errors } = await setup(t);
    const denying = await launch_chromium({ devices: 'denied' });
    browsers.push(denying);
    const deviceless = await launch_chromium({ devices: 'none' });
    browsers.push(deviceless);
    const ada = await join('refused', 'Ada');
    const bob = await join('refused', 'Bob');
    const cy = await join('refused', 'Cy', { via: denying });
    const dee = await join('refused', 'Dee', { via: deviceless });
    await cy.wait_remote_names(['Ada', 'Bob', 'Dee']);
    await ada.wait_remote_names(['Bob', 'Cy', 'Dee']);
    // A notice, not a failure: the page says that it watches only, and why.
    assert.equal(await cy.page.getAttribute('#viewer-label', 'data-reason'), 'refused');
    assert.match(await cy.page.getAttribute('#viewer-label', 'title'),
                 /^No camera or microphone \(Permission denied\): you joined as a viewer/);
    await connected(cy);
    for (const owner of [ada, bob]) {
      await expect_sees_and_hears(cy, owner);
      await wait_playing(cy.page, tile_video(await your_id(owner)));
    }
    assert.deepEqual(await viewer_state(cy), { offers_sent: 0, remote_type: 'offer', senders: 0, label: 'Watching only',
                                               mic: 'true', cam: 'true', mic_disabled: false });
    // No devices at all: the same, with the browser's reason.
    assert.match(await dee.page.getAttribute('#viewer-label', 'title'),
                 /^No camera or microphone \(Requested device not found\): you joined as a viewer/);
    await connected(dee);
    await expect_sees_and_hears(dee, ada);
    assert.equal((await viewer_state(dee)).offers_sent, 0);
    // Asking again is refused the same way: a toast, and the page stays a viewer.
    await cy.page.click('#mic-button');
    await cy.page.waitForSelector('.toast:has-text("Microphone unavailable")', { timeout: 15000 });
    assert.equal((await viewer_state(cy)).label, 'Watching only');
    no_page_errors();
  });
});
