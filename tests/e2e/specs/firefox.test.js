// Firefox ESR publishing simulcast through rrtc to a Chromium viewer (issue 17): Firefox offers
// its rids with a=ssrc lines of its own and orders layers its own way, so the server must take
// its three encodings as Chromium's and forward one the viewer decodes. Firefox runs over
// WebDriver BiDi (lib/firefox.js); without /usr/bin/firefox-esr the test is reported skipped.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launch_chromium } from '../lib/browser.js';
import { media_connected, start_call } from '../lib/call.js';
import { FirefoxParticipant, firefox_path, launch_firefox } from '../lib/firefox.js';
import { wait_until } from '../lib/rrtc_server.js';
import { negotiated_simulcast, outbound_layers, received } from '../lib/simulcast.js';

const kSkip = firefox_path() ? false : 'Firefox ESR is not installed (Debian package firefox-esr: scripts/install-deps.sh --test)';

describe('Firefox through rrtc', { skip: kSkip }, () => {
  let chromium;
  let firefox;
  before(async () => {
    chromium = await launch_chromium();
    firefox = await launch_firefox();
  });
  after(async () => {
    await firefox?.close();
    await chromium?.close();
  });

  it('Firefox publishes its camera as simulcast and a Chromium viewer decodes it', { timeout: 180000 }, async (t) => {
    const { server, join, no_page_errors } = await start_call(t, chromium);
    const ada = await FirefoxParticipant.join(firefox, server.base_url, { room: 'fox', name: 'Ada' });
    t.after(() => ada.close());
    const bob = await join('fox', 'Bob', { without_devices: true });
    await media_connected(ada, 30000);
    await media_connected(bob, 30000);
    // The server's answer accepted Firefox's three rids (in the order Firefox offered them).
    const negotiated = await negotiated_simulcast(ada);
    assert.deepEqual(negotiated.encodings, ['q', 'h', 'f']);
    assert.match(negotiated.answer ?? '', /^a=simulcast:recv ([qhf]);(?!\1)([qhf]);(?!\1|\2)[qhf]$/);
    const ada_id = await bob.remote_tile('Ada').getAttribute('data-participant-id');
    const first = await wait_until(async () => {
      const now = await received(bob, ada_id);
      return now.frames_decoded > 0 && now.width > 0 ? now : null;
    }, { timeout_ms: 30000, interval_ms: 250, what: "Bob decoding Ada's Firefox camera" });
    await wait_until(async () => (await received(bob, ada_id)).frames_decoded >= first.frames_decoded + 30,
                     { timeout_ms: 20000, interval_ms: 250, what: 'frames decoded going on' });
    const now = await received(bob, ada_id);
    const sent = await outbound_layers(ada);
    t.diagnostic(`Bob decodes ${now.width}x${now.height} (${now.frames_decoded} frames); Firefox sends ${
      sent.map((layer) => `${layer.rid} ${layer.width}x${layer.height} (${layer.frames_encoded} frames)`).join(', ')}`);
    // What Bob decodes is one of the layers Firefox encodes, at a size simulcast gave it.
    assert.ok(sent.some((layer) => layer.rid !== null && layer.width === now.width && layer.frames_encoded > 0),
              `the decoded width ${now.width} is one of Firefox's rid layers`);
    no_page_errors();
    assert.deepEqual(ada.console.filter((line) => line.startsWith('pageerror')), []);
  });
});
