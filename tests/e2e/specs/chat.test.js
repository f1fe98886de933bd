// The chat panel over the "chat" data channel, relayed by the real rrtc: what one participant
// sends reaches the others with the sender's name, as text (never HTML).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Participant, launch_chromium } from '../lib/browser.js';
import { RrtcServer, kRepoRoot, wait_until } from '../lib/rrtc_server.js';

const kTestTimeout = { timeout: 300000 };

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

  it('a python3-aiortc participant and a browser exchange text and binary', kTestTimeout, async (t) => {
    // 10,002 messages as fast as SCTP takes them: above the default data-channel policing
    // (max_data_messages_per_second = 200), which would drop most of them. Policing has its own
    // tests; this one is about the relay's order and completeness.
    const server = new RrtcServer({ max_data_messages_per_second: 100000,
                                    max_data_bytes_per_second: 100000000 },
                                  { name: 'chat-aiortc' });
    await server.start();
    const people = [];
    let peer = null;
    t.after(async () => {
      peer?.kill();
      for (const person of people) await person.close().catch(() => {});
      await server.dispose();
    });
    const ada = await Participant.join(browser, server.base_url, { room: 'mixed', name: 'Ada' });
    people.push(ada);
    // Every message on any "chat" channel of Ada's, raw (the panel shows only text).
    await ada.page.evaluate(() => {
      window.raw_chat = [];
      const attach = (channel) => {
        if (channel.raw_tap) return;
        channel.raw_tap = true;
        channel.binaryType = 'arraybuffer';
        channel.addEventListener('message', ({ data }) => window.raw_chat.push(
          typeof data === 'string' ? data : Array.from(new Uint8Array(data))));
      };
      setInterval(() => window.rrtc.chat_channels.forEach(attach), 20);
    });

    const events = [];
    peer = spawn('/usr/bin/python3', [path.join(kRepoRoot, 'tests/integration/aiortc_chat_peer.py'),
                                      '--port', String(server.port), '--room', 'mixed', '--name', 'py'],
                 { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((resolve) => peer.on('exit', (code) => resolve(code)));
    createInterface({ input: peer.stdout }).on('line', (line) => {
      try { events.push(JSON.parse(line)); } catch { /* aiortc's own output */ }
    });
    await ada.wait_remote_names(['py']);

    // aiortc -> browser: text, binary and 10,000 small texts, framed with its id, in order.
    // aiortc's SCTP is pure Python: wait as long as messages keep arriving.
    let count = -1;
    let raw = [];
    while (raw.length < 10002) {
      if (raw.length <= count) {
        const metrics = await (await fetch(`${server.base_url}/metrics`)).text();
        console.log(metrics.split('\n').filter((line) => line.startsWith('rrtc_data')).join('\n'));
      }
      assert.ok(raw.length > count, `messages stopped arriving at Ada after ${raw.length} of 10,002 ` +
                `(aiortc: ${JSON.stringify(events.at(-1) ?? null)})`);
      count = raw.length;
      await new Promise((resolve) => setTimeout(resolve, 5000));
      raw = await ada.page.evaluate(() => window.raw_chat);
    }
    assert.deepEqual(JSON.parse(raw[0]), { from: 'py', data: 'hello from aiortc' });
    assert.deepEqual(raw[1], [2, 112, 121, 0, 1, 2, 255]);  // 2, "py", then the bytes
    const small = raw.slice(2, 10002).map((text) => JSON.parse(text));
    assert.ok(small.every(({ from, data }, i) => from === 'py' && data === `n ${i}`),
              'the 10,000 small messages arrived altered or out of order');

    // Browser -> aiortc: one text, one binary, on Ada's own channel.
    await ada.page.evaluate(() => {
      const [channel] = window.rrtc.chat_channels;
      channel.send('hello from chromium');
      channel.send(new Uint8Array([9, 8, 7]));
    });
    const code = await exited;
    const received = events.find((event) => event.event === 'received');
    assert.equal(code, 0, `aiortc peer failed: ${JSON.stringify(events.at(-1))}`);
    assert.equal(received.text, 'hello from chromium');
    assert.deepEqual(received.binary.slice(1 + received.binary[0]), [9, 8, 7]);
  });
});
