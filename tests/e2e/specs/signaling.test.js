// The browser client against a real rrtc, at the signaling level: tiles, names, state
// indicators, leaving and reloading, a full room, a refused token and a lost connection.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Participant, launch_chromium } from '../lib/browser.js';
import { RrtcServer, wait_until } from '../lib/rrtc_server.js';
import { createHmac } from 'node:crypto';

// An HS256 JWT as rrtc's join tokens are (src/signaling/jwt.hpp).
function sign_hs256(payload, secret) {
  const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const body = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(payload)}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

const kTestTimeout = { timeout: 120000 };

describe('browser client signaling', () => {
  let browser;
  before(async () => { browser = await launch_chromium(); });
  after(async () => { await browser?.close(); });

  // A server and a set of participants torn down after the test, page errors checked first.
  async function setup(t, settings = {}) {
    const server = new RrtcServer(settings, { name: t.name.replace(/\W+/g, '_') });
    await server.start();
    const people = [];
    t.after(async () => {
      for (const person of people) await person.close().catch(() => {});
      await server.dispose();
    });
    const join = async (room, name, options = {}) => {
      const person = await Participant.join(browser, server.base_url, { room, name, ...options });
      people.push(person);
      return person;
    };
    const open = async (room, name, options = {}) => {
      const person = await Participant.open(browser, server.base_url, { room, name, ...options });
      people.push(person);
      return person;
    };
    const no_page_errors = () => {
      for (const person of people) {
        const errors = person.console.filter((line) => line.startsWith('pageerror'));
        assert.deepEqual(errors, [], `${person.name}'s page threw`);
      }
    };
    return { server, join, open, people, no_page_errors };
  }

  it('two, then three participants see each other by name', kTestTimeout, async (t) => {
    const { join, no_page_errors } = await setup(t);
    const ada = await join('standup', 'Ada');
    const bob = await join('standup', 'Bob');
    await ada.wait_remote_names(['Bob']);
    await bob.wait_remote_names(['Ada']);
    const cy = await join('standup', 'Cy Young');
    await ada.wait_remote_names(['Bob', 'Cy Young']);
    await bob.wait_remote_names(['Ada', 'Cy Young']);
    await cy.wait_remote_names(['Ada', 'Bob']);
    assert.equal(await cy.page.textContent('#count-label'), '3 in the room');
    assert.equal(await cy.page.textContent('#room-label'), 'standup');
    assert.match(cy.page.url(), /[?&]room=standup\b/);
    assert.equal(await cy.local_tile().getAttribute('data-name'), 'Cy Young');
    await cy.page.click('#stats-button');
    await cy.screenshot('three-participants.png');
    no_page_errors();
  });

  it('mute, camera and screen share show in the other browsers', kTestTimeout, async (t) => {
    const { join, no_page_errors } = await setup(t);
    const ada = await join('state', 'Ada');
    const bob = await join('state', 'Bob');
    const cy = await join('state', 'Cy');
    const seen_by = [bob.remote_tile('Ada'), cy.remote_tile('Ada')];
    const expect_attr = async (attribute, value) => {
      for (const tile of seen_by) {
        await tile.waitFor();
        await wait_until(async () => (await tile.getAttribute(attribute)) === value,
                         { what: `${attribute}=${value}` });
      }
      assert.equal(await ada.local_tile().getAttribute(attribute), value);
    };

    await expect_attr('data-muted', 'false');
    // The fake microphone beeps: the local speaking indicator follows it, and muting ends it.
    await ada.page.waitForSelector('#grid .tile[data-local="true"][data-speaking="true"]', { timeout: 15000 });
    await ada.page.click('#mic-button');
    await ada.page.waitForSelector('#grid .tile[data-local="true"][data-speaking="false"]');
    await expect_attr('data-muted', 'true');
    assert.equal(await ada.page.getAttribute('#mic-button', 'aria-pressed'), 'true');

    await expect_attr('data-video-on', 'true');
    await ada.page.click('#cam-button');
    await expect_attr('data-video-on', 'false');

    await ada.page.click('#screen-button');
    await expect_attr('data-screen-sharing', 'true');
    await ada.page.waitForSelector('#stage:not([hidden])');
    await bob.screenshot('state-indicators.png');
    await ada.screenshot('sharing-screen.png');

    await ada.page.click('#screen-button');
    await expect_attr('data-screen-sharing', 'false');
    await ada.page.click('#mic-button');
    await expect_attr('data-muted', 'false');
    await ada.page.click('#cam-button');
    await expect_attr('data-video-on', 'true');

    // Someone joining later learns the current state from `joined`.
    await ada.page.click('#mic-button');
    await expect_attr('data-muted', 'true');
    const dee = await join('state', 'Dee');
    await wait_until(async () => (await dee.remote_tile('Ada').getAttribute('data-muted')) === 'true',
                     { what: 'late joiner sees Ada muted' });
    no_page_errors();
  });

  it('leaving and reloading: the others see the participant go and come back', kTestTimeout, async (t) => {
    const { server, join, people, no_page_errors } = await setup(t);
    const ada = await join('reload', 'Ada');
    const bob = await join('reload', 'Bob');
    const cy = await join('reload', 'Cy');
    await ada.wait_remote_names(['Bob', 'Cy']);

    await cy.page.click('#leave-button');
    await cy.page.waitForSelector('#join-view:not([hidden])');
    await ada.wait_remote_names(['Bob']);
    await bob.wait_remote_names(['Ada']);
    await cy.page.click('#join-button');  // the form kept the room and the name
    await cy.wait_joined();
    await ada.wait_remote_names(['Bob', 'Cy']);
    await bob.wait_remote_names(['Ada', 'Cy']);

    const bob_id_before = await ada.remote_tile('Bob').getAttribute('data-participant-id');
    await bob.page.reload();
    await bob.wait_joined();
    await wait_until(async () => {
      const id = await ada.remote_tile('Bob').getAttribute('data-participant-id', { timeout: 1000 });
      return id && id !== bob_id_before;
    }, { what: 'Bob back with a new participant id' });
    await ada.wait_remote_names(['Bob', 'Cy']);
    await bob.wait_remote_names(['Ada', 'Cy']);
    assert.equal(await ada.page.locator('#grid .tile').count(), 3);

    assert.equal(await server.has_room('reload'), true);
    await ada.page.click('#leave-button');
    await bob.page.click('#leave-button');
    await cy.wait_remote_names([]);
    assert.equal(await server.has_room('reload'), true);
    await cy.page.close();  // closing the tab leaves too
    await wait_until(async () => !(await server.has_room('reload')), { what: 'room gone from /healthz' });
    people.splice(people.indexOf(cy), 1);
    await cy.close();
    no_page_errors();
  });

  it('a fourth participant in a room for three is told the room is full', kTestTimeout, async (t) => {
    const { join, open, no_page_errors } = await setup(t, { max_participants_per_room: 3 });
    const ada = await join('small', 'Ada');
    await join('small', 'Bob');
    await join('small', 'Cy');
    const dee = await open('small', 'Dee');
    const error = dee.page.locator('#join-error');
    await error.waitFor({ state: 'visible' });
    assert.match(await error.textContent(), /room is full/i);
    assert.equal(await dee.page.isHidden('#call-view'), true);
    await dee.screenshot('room-full.png');
    await ada.wait_remote_names(['Bob', 'Cy']);
    // It stays refused: no reconnection loop after 403.
    assert.equal(await dee.page.evaluate(() => window.rrtc.session), null);
    no_page_errors();
  });

  it('join tokens: a valid one lets in, a bad or expired one is refused clearly', kTestTimeout, async (t) => {
    const secret = 'e2e-only-secret-0123456789abcdef0123456789';
    const { open, join, no_page_errors } = await setup(t, { join_secret: secret });
    const now = Math.floor(Date.now() / 1000);
    const ada = await join('secret', 'Ada', { query: `&token=${sign_hs256({ room: 'secret', exp: now + 600 }, secret)}` });
    assert.equal(await ada.page.isVisible('#call-view'), true);
    const refused = [
      ['Eve', '&token=not-a-valid-token'],
      ['Old', `&token=${sign_hs256({ room: 'secret', exp: now - 60 }, secret)}`],
      ['Mal', `&token=${sign_hs256({ room: 'secret', exp: now + 600 }, 'some-other-secret-0123456789abcdef')}`],
      ['Nil', ''],
    ];
    for (const [name, query] of refused) {
      const person = await open('secret', name, { query });
      const error = person.page.locator('#join-error');
      await error.waitFor({ state: 'visible' });
      assert.match(await error.textContent(), /token is missing, invalid or expired/i, name);
      assert.equal(await person.page.isHidden('#call-view'), true);
    }
    await ada.wait_remote_names([]);
    no_page_errors();
  });

  it('after losing the server the clients show it, reconnect and rejoin', kTestTimeout, async (t) => {
    const { server, join, no_page_errors } = await setup(t);
    const ada = await join('resilient', 'Ada');
    const bob = await join('resilient', 'Bob');
    await ada.wait_remote_names(['Bob']);
    await server.stop('SIGKILL');
    for (const person of [ada, bob]) {
      await person.page.waitForSelector('#banner:not([hidden])');
      assert.match(await person.page.textContent('#banner'), /connection lost/i);
      await person.wait_remote_names([]);
    }
    await ada.screenshot('connection-lost.png');
    await server.start();
    await ada.wait_remote_names(['Bob'], 45000);
    await bob.wait_remote_names(['Ada'], 45000);
    await ada.page.waitForSelector('#banner', { state: 'hidden' });
    assert.equal(await server.has_room('resilient'), true);
    no_page_errors();
  });

  it('media connections come up for every participant', kTestTimeout, async (t) => {
    const { join, no_page_errors } = await setup(t);
    const connected = (person) => wait_until(() => person.page.evaluate(() => {
      const notice = document.querySelector('#grid .tile[data-local="true"] .notice');
      if (notice && !notice.hidden) throw new Error(`local tile says: ${notice.textContent} (${notice.title})`);
      return window.rrtc.peer_connection?.connectionState === 'connected';
    }), { timeout_ms: 20000, what: `${person.name}'s RTCPeerConnection connected` });
    const ada = await join('media', 'Ada');
    await connected(ada);
    const bob = await join('media', 'Bob');
    await connected(bob);
    await ada.wait_remote_names(['Bob']);
    await bob.wait_remote_names(['Ada']);
    // Forwarding Bob's tracks renegotiated Ada's connection; it stays up.
    await connected(ada);
    no_page_errors();
  });
});
