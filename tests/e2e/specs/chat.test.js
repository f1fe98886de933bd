// The chat panel over the "chat" data channel, relayed by the real rrtc: what one participant
// sends reaches the others with the sender's name, as text (never HTML).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Participant, launch_chromium } from '../lib/browser.js';
import { RrtcServer, wait_until } from '../lib/rrtc_server.js';

const kTestTimeout = { timeout: 120000 };

// The messages `person`'s chat panel shows: [{ from, text, own }].
function messages(person) {
  return person.page.$$eval('#chat-list .chat-message', (items) => items.map((item) => ({
    from: item.querySelector('.chat-from').textContent,
    text: item.querySelector('.chat-text').textContent,
    own: item.dataset.own === 'true',
    elements: item.querySelector('.chat-text').childElementCount,
  })));
}

// Waits until `person` shows `count` messages from others; returns those.
async function wait_received(person, count) {
  return wait_until(async () => {
    const received = (await messages(person)).filter((message) => !message.own);
    return received.length >= count ? received : null;
  }, { timeout_ms: 20000, what: `${person.name} shows ${count} chat message(s) from others` });
}

describe('chat', () => {
  let browser;
  before(async () => { browser = await launch_chromium(); });
  after(async () => { await browser?.close(); });

  it('two Chromium participants exchange chat messages both ways', kTestTimeout, async (t) => {
    const server = new RrtcServer({}, { name: 'chat' });
    await server.start();
    const people = [];
    t.after(async () => {
      for (const person of people) await person.close().catch(() => {});
      await server.dispose();
    });
    const ada = await Participant.join(browser, server.base_url, { room: 'chat', name: 'Ada' });
    people.push(ada);
    const bob = await Participant.join(browser, server.base_url, { room: 'chat', name: 'Bob Brown' });
    people.push(bob);
    await ada.wait_remote_names(['Bob Brown']);
    await bob.wait_remote_names(['Ada']);

    // The channel is part of the first offer, so it opens with the connection.
    for (const person of [ada, bob]) {
      await person.page.click('#chat-button');
      await wait_until(async () => {
        const state = await person.page.evaluate(() => {
          const pc = window.rrtc.peer_connection;
          const answer = pc?.currentRemoteDescription?.sdp ?? '';
          return { channel: window.rrtc.chat_state, connection: pc?.connectionState,
                   application: /^m=application .*$/m.exec(answer)?.[0] ?? 'no application m-line',
                   ready: document.querySelector('#chat-panel').dataset.ready };
        });
        if (state.ready !== 'true') throw new Error(JSON.stringify(state));
        return true;
      }, { timeout_ms: 20000, what: `${person.name}'s chat channel to open` });
    }

    // Ada types and presses Enter; the text looks like HTML and must stay text.
    const first = 'Hello <b>Bob</b> & <img src=x onerror="window.pwned=1"> 👋';
    await ada.page.fill('#chat-input', first);
    await ada.page.press('#chat-input', 'Enter');
    assert.equal(await ada.page.inputValue('#chat-input'), '');
    const at_bob = await wait_received(bob, 1);
    assert.deepEqual(at_bob, [{ from: 'Ada', text: first, own: false, elements: 0 }]);
    const at_ada = await messages(ada);
    assert.deepEqual(at_ada, [{ from: 'You', text: first, own: true, elements: 0 }]);

    // Bob answers with the send button, twice; the order holds.
    for (const text of ['Hi Ada', 'second line\nwith a break']) {
      await bob.page.fill('#chat-input', text);
      await bob.page.click('#chat-send');
    }
    const back = await wait_received(ada, 2);
    assert.deepEqual(back.map(({ from, text }) => ({ from, text })),
                     [{ from: 'Bob Brown', text: 'Hi Ada' }, { from: 'Bob Brown', text: 'second line\nwith a break' }]);

    // A message over the bound is cut to 4 KiB of UTF-8 before it is sent.
    await ada.page.fill('#chat-input', 'é'.repeat(3000));
    await ada.page.press('#chat-input', 'Enter');
    const long = (await wait_received(bob, 2))[1];
    assert.ok(long.text === 'é'.repeat(2048), `received ${long.text.length} characters, want 2048`);

    // Closed panel: new messages count as unread on the button.
    await bob.page.click('#chat-button');
    await ada.page.fill('#chat-input', 'are you there?');
    await ada.page.press('#chat-input', 'Enter');
    await bob.page.waitForSelector('#chat-unread:not([hidden])', { timeout: 20000 });
    assert.equal(await bob.page.textContent('#chat-unread'), '1');
    await bob.page.click('#chat-button');
    assert.equal(await bob.page.isHidden('#chat-unread'), true);
    assert.equal((await messages(bob)).at(-1).text, 'are you there?');

    assert.equal(await bob.page.evaluate(() => window.pwned ?? null), null);
    await ada.screenshot('chat.png');
    for (const person of people) {
      const errors = person.console.filter((line) => line.startsWith('pageerror'));
      assert.deepEqual(errors, [], `${person.name}'s page threw`);
    }
  });
});
