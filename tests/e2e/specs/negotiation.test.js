// The client's media negotiation (web/peer.js) in a real browser, against a fake SFU in the same
// page (lib/fake_sfu_page.js) that follows PROTOCOL.md's media rules. rrtc serves the page and
// the client modules. Media really flows between the two connections, over loopback.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { launch_chromium } from '../lib/browser.js';
import { RrtcServer, wait_until } from '../lib/rrtc_server.js';

const kFakeSfu = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '../lib/fake_sfu_page.js'), 'utf8');
const kTestTimeout = { timeout: 120000 };

describe('client negotiation against a fake SFU', () => {
  let browser;
  let server;
  before(async () => {
    server = new RrtcServer({}, { name: 'negotiation' });
    await server.start();
    browser = await launch_chromium();
  });
  after(async () => {
    await browser?.close();
    await server?.dispose();
  });

  // A page with the fake SFU, fake devices for "alice" and "bob", and the client publishing
  // its own microphone and camera.
  async function open_page(t) {
    const context = await browser.newContext();
    t.after(() => context.close());
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${server.base_url}/`);
    await page.addScriptTag({ type: 'module', content: kFakeSfu });
    await page.waitForFunction(() => window.fake_sfu_ready === true);
    await page.evaluate(async () => {
      window.make_fake_sfu();
      window.devices = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
      window.extra = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    });
    const state = () => page.evaluate(() => ({
      settled: window.fake_sfu.settled(),
      failure: window.fake_sfu.failure ?? null,
      events: window.fake_sfu.client_events,
      media_errors: window.fake_sfu.media_errors,
      offers: window.fake_sfu.from_client.filter((m) => m.type === 'offer').map((m) => m.tracks),
    }));
    const wait_events = async (predicate, what) => {
      let last = null;
      try {
        return await wait_until(async () => {
          last = await state();
          assert.equal(last.failure, null);
          return predicate(last) ? last : null;
        }, { timeout_ms: 20000, what });
      } catch (error) {
        const seen = last && { settled: last.settled, events: last.events.map((e) => `${e.kind} ${e.participant_id}:${e.type}@${e.mid}`),
                               offers: last.offers.length, media_errors: last.media_errors };
        throw new Error(`${error.message}; last state: ${JSON.stringify(seen)}`);
      }
    };
    return { page, errors, state, wait_events };
  }

  const has = (events, kind, participant_id, type) =>
    events.some((e) => e.kind === kind && e.participant_id === participant_id && e.type === type);

  it('publishes with a tracks map, receives labelled tracks, and media flows', kTestTimeout, async (t) => {
    const { page, errors, state, wait_events } = await open_page(t);
    await page.evaluate(() => fake_sfu.link.publish(devices));
    await wait_until(() => page.evaluate(() => fake_sfu.client_pc.connectionState === 'connected'),
                     { timeout_ms: 20000, what: 'ICE + DTLS connected' });
    const first = await state();
    assert.deepEqual(first.offers[0].map((t) => t.type).sort(), ['audio', 'camera']);
    const mids = await page.evaluate(() => fake_sfu.client_pc.getTransceivers().map((t) => t.mid));
    for (const entry of first.offers[0]) assert.ok(mids.includes(entry.mid), `offered mid ${entry.mid} exists`);

    await page.evaluate(() => {
      fake_sfu.forward('alice', 'audio', extra.getAudioTracks()[0]);
      fake_sfu.forward('alice', 'camera', extra.getVideoTracks()[0]);
    });
    const s = await wait_events((x) => x.settled && has(x.events, 'track', 'alice', 'camera') && has(x.events, 'track', 'alice', 'audio'),
                                'alice audio + camera labelled');
    assert.equal(s.events.find((e) => e.type === 'camera').track_kind, 'video');
    assert.equal(s.events.find((e) => e.type === 'audio').track_kind, 'audio');

    // Frames decoded rise on both sides: the fake SFU gets ours, we get "alice"'s.
    const frames = async (side) => page.evaluate((which) => fake_sfu.inbound_video(which === 'client' ? fake_sfu.client_pc : fake_sfu.pc), side);
    for (const side of ['client', 'server']) {
      const start = await frames(side);
      await wait_until(async () => (await frames(side)) > start + 5, { timeout_ms: 20000, what: `${side} framesDecoded rising` });
    }
    // The stats panel's numbers for alice: a bitrate needs two samples.
    await page.evaluate(() => fake_sfu.client_stats());
    const stats = await wait_until(async () => {
      const all = await page.evaluate(() => fake_sfu.client_stats());
      return all.alice?.bitrate_bps > 0 && all.local?.bitrate_bps > 0 ? all : null;
    }, { what: 'bitrates in the stats sampler' });
    assert.equal(typeof stats.alice.rtt_s, 'number');
    assert.equal(stats.alice.packets_lost, 0);
    assert.deepEqual(errors, []);
    assert.deepEqual((await state()).media_errors, []);
  });

  it('follows tracks that come, move and go, and a screen is a screen', kTestTimeout, async (t) => {
    const { page, errors, wait_events } = await open_page(t);
    await page.evaluate(() => {
      fake_sfu.link.publish(devices);
      fake_sfu.forward('alice', 'camera', extra.getVideoTracks()[0]);
      fake_sfu.forward('bob', 'screen', extra.getVideoTracks()[0].clone());
    });
    await wait_events((x) => x.settled && has(x.events, 'track', 'alice', 'camera') && has(x.events, 'track', 'bob', 'screen'),
                      'alice camera and bob screen');
    await page.evaluate(() => fake_sfu.unforward('alice', 'camera'));
    await wait_events((x) => x.settled && has(x.events, 'gone', 'alice', 'camera'), 'alice camera gone (inactive)');
    await page.evaluate(() => fake_sfu.unforward('bob', 'screen', { stop: true }));
    let s = await wait_events((x) => x.settled && has(x.events, 'gone', 'bob', 'screen'), 'bob screen gone (port 0)');
    assert.equal(s.events.filter((e) => e.kind === 'track').length, 2);
    await page.evaluate(() => fake_sfu.forward('bob', 'camera', extra.getVideoTracks()[0].clone()));
    s = await wait_events((x) => x.settled && has(x.events, 'track', 'bob', 'camera'), 'bob camera');
    assert.equal(s.events.at(-1).participant_id, 'bob');
    assert.deepEqual(errors, []);
  });

  it('survives offer collisions as the impolite peer', kTestTimeout, async (t) => {
    const { page, errors, wait_events } = await open_page(t);
    await page.evaluate(() => fake_sfu.link.publish(devices));
    await wait_events((x) => x.settled && x.offers.length === 1, 'first negotiation');
    await page.evaluate(() => {
      for (const r of [0, 1, 2]) fake_sfu.forward(`p${r}`, 'camera', extra.getVideoTracks()[0].clone());
    });
    await wait_events((x) => x.settled && [0, 1, 2].every((r) => has(x.events, 'track', `p${r}`, 'camera')), 'three cameras');
    await page.evaluate(() => { for (const r of [0, 1, 2]) fake_sfu.unforward(`p${r}`, 'camera'); });
    await wait_events((x) => x.settled && [0, 1, 2].every((r) => has(x.events, 'gone', `p${r}`, 'camera')), 'three cameras gone');
    // Both sides offer at once, several times: the client shares a screen while the server
    // resumes forwarding on its m-lines.
    for (let round = 0; round < 3; round += 1) {
      await page.evaluate((r) => {
        const screen = extra.getVideoTracks()[0].clone();
        fake_sfu.resume(`p${r}`, 'camera', extra.getVideoTracks()[0].clone());
        fake_sfu.link.set_screen(screen, new MediaStream([screen]));
      }, round);
    }
    const count = (events, r) => events.filter((e) => e.kind === 'track' && e.participant_id === `p${r}`).length;
    const s = await wait_events((x) => x.settled && [0, 1, 2].every((r) => count(x.events, r) === 2),
                                'every resumed track arrived');
    assert.ok(await page.evaluate(() => fake_sfu.rollbacks) > 0, 'the offers collided');
    const last = s.offers.at(-1).map((entry) => entry.type).sort();
    assert.deepEqual(last, ['audio', 'camera', 'screen']);
    await page.evaluate(() => fake_sfu.link.set_screen(null, null));
    const stopped = await wait_events((x) => x.settled && !x.offers.at(-1).some((e) => e.type === 'screen'), 'screen stopped');
    assert.equal(stopped.media_errors.length, 0);
    // One screen transceiver however often it is shared.
    const transceivers = await page.evaluate(() => fake_sfu.client_pc.getTransceivers().filter((tr) => tr.sender.track || tr.direction === 'inactive').length);
    assert.ok(transceivers <= 3, `client keeps ${transceivers} sending transceivers`);
    assert.deepEqual(errors, []);
  });

  it('a refused offer is rolled back and server offers still work', kTestTimeout, async (t) => {
    const { page, errors, state, wait_events } = await open_page(t);
    await page.evaluate(() => {
      fake_sfu.refuse_offers = true;
      fake_sfu.link.publish(devices);
    });
    await wait_events((x) => x.media_errors.length === 1, 'the media error reported');
    await wait_until(() => page.evaluate(() => fake_sfu.client_pc.signalingState === 'stable'), { what: 'rolled back' });
    assert.equal((await state()).offers.length, 1);
    await page.evaluate(() => {
      fake_sfu.refuse_offers = false;
      fake_sfu.forward('alice', 'camera', extra.getVideoTracks()[0]);
    });
    const s = await wait_events((x) => x.settled && has(x.events, 'track', 'alice', 'camera'), 'server offer answered');
    assert.equal(s.offers.length, 1, 'no new client offer until the local tracks change');
    assert.match(s.media_errors[0], /not available/);
    assert.deepEqual(errors, []);
  });
});
