// Active speakers end to end: Chromium's fake microphone plays a continuous tone (a WAV file
// instead of its short beeps, which a speaker detector rightly takes for coughs), Chromium puts
// its level on every audio packet (RFC 6464 ssrc-audio-level), rrtc decides who speaks and sends
// `active_speakers`, and the pages highlight remote tiles from those messages alone. Turns are
// taken by muting and unmuting (a muted participant is not a speaker).

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Participant, launch_chromium } from '../lib/browser.js';
import { RrtcServer, wait_until } from '../lib/rrtc_server.js';

const kTestTimeout = { timeout: 240000 };

// A mono 16-bit PCM WAV: `seconds` of a sine at `hz`, peak `amplitude` of full scale.
function tone_wav(seconds, hz, amplitude) {
  const rate = 48000;
  const samples = rate * seconds;
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i += 1) {
    data.writeInt16LE(Math.round(32767 * amplitude * Math.sin((2 * Math.PI * hz * i) / rate)), i * 2);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);       // fmt chunk size
  header.writeUInt16LE(1, 20);        // PCM
  header.writeUInt16LE(1, 22);        // mono
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28); // byte rate
  header.writeUInt16LE(2, 32);        // block align
  header.writeUInt16LE(16, 34);       // bits per sample
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

describe('active speakers', () => {
  let dir;
  let talking;  // Chromium whose fake microphone plays the tone
  let plain;    // Chromium with the default fake devices, for the viewer
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'rrtc-e2e-tone-'));
    const wav = path.join(dir, 'tone.wav');
    writeFileSync(wav, tone_wav(2, 440, 0.3));  // about -13 dBov RMS: clearly voiced
    talking = await launch_chromium({ audio_file: wav });
    plain = await launch_chromium();
  });
  after(async () => {
    await talking?.close();
    await plain?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('remote tiles follow the server\'s active speakers through turns, overlap and silence', kTestTimeout, async (t) => {
    const server = new RrtcServer({}, { name: 'speakers' });
    await server.start();
    const people = [];
    t.after(async () => {
      for (const person of people) await person.close().catch(() => {});
      await server.dispose();
    });
    // Vic, a viewer, is there first: the server sends changes only, so it sees every one.
    // Every active_speakers message Vic's page receives, as lists of ids.
    const received = [];
    const listen = (page) => page.on('websocket', (socket) => socket.on('framereceived', ({ payload }) => {
      const message = JSON.parse(String(payload));
      if (message.type === 'active_speakers') received.push(message.speakers);
    }));
    const vic = await Participant.open(plain, server.base_url, { room: 'talk', name: 'Vic', without_devices: true, on_page: listen });
    people.push(vic);
    await vic.wait_joined();
    const ada = await Participant.join(talking, server.base_url, { room: 'talk', name: 'Ada' });
    people.push(ada);
    const bob = await Participant.join(talking, server.base_url, { room: 'talk', name: 'Bob' });
    people.push(bob);
    await bob.page.click('#mic-button');  // Bob starts muted: Ada has the floor
    await vic.wait_remote_names(['Ada', 'Bob']);
    const id = {};
    for (const person of [ada, bob, vic]) id[person.name] = await person.page.evaluate(() => window.rrtc.session.your_id);

    // The tiles `person` highlights now: [{ name, rank, level }], loudest first.
    const highlighted = (person) => person.page.$$eval('#grid .tile[data-local="false"][data-speaking="true"]', (tiles) => tiles
      .map((tile) => ({ name: tile.dataset.name, rank: Number(tile.dataset.speakerRank),
                        level: Number(tile.style.getPropertyValue('--speaking-level')) }))
      .sort((a, b) => a.rank - b.rank));
    const wait_highlights = (person, names, what) => wait_until(async () => {
      const now = await highlighted(person);
      return JSON.stringify(now.map((entry) => entry.name).sort()) === JSON.stringify([...names].sort()) ? now : null;
    }, { timeout_ms: 20000, interval_ms: 100, what: `${person.name} highlights ${JSON.stringify(names)} (${what})` });

    // Ada speaks: Vic highlights her, rank 1, with the tone's level; nobody else.
    let shown = await wait_highlights(vic, ['Ada'], 'Ada speaks');
    assert.equal(shown[0].rank, 1);
    // Voiced means louder than -50 dBov, 0.375 on the server's scale; Chromium's audio
    // processing (gain control, noise suppression) puts the tone near -33 dBov (about 0.6).
    assert.ok(shown[0].level > 0.375 && shown[0].level <= 1, `Ada's level ${shown[0].level}`);
    const vic_state = await vic.page.evaluate(() => ({ latest: window.rrtc.session.active_speakers,
                                                       shown: window.rrtc.session.highlighted_speakers }));
    assert.deepEqual(vic_state.latest.map((speaker) => speaker.participant_id), [id.Ada]);
    assert.deepEqual(vic_state.shown, [id.Ada]);
    // Ada's own tile follows her page's own detector.
    await ada.page.waitForSelector('#grid .tile[data-local="true"][data-speaking="true"]', { timeout: 15000 });

    // Turn taking: Ada mutes, Bob unmutes.
    await ada.page.click('#mic-button');
    await bob.page.click('#mic-button');
    shown = await wait_highlights(vic, ['Bob'], 'Bob\'s turn');
    assert.equal(shown[0].rank, 1);
    await wait_highlights(ada, ['Bob'], 'Bob\'s turn');

    // Overlap: both speak, both highlighted, ranks 1 and 2.
    await ada.page.click('#mic-button');
    shown = await wait_highlights(vic, ['Ada', 'Bob'], 'both speak');
    assert.deepEqual(shown.map((entry) => entry.rank), [1, 2]);

    // Silence: both mute, and the highlights end.
    await ada.page.click('#mic-button');
    await bob.page.click('#mic-button');
    await wait_highlights(vic, [], 'silence');
    await wait_until(() => received.length > 0 && received.at(-1).length === 0,
                     { what: 'an empty active_speakers list at Vic' });

    // Only changes were sent: no two consecutive lists name the same speakers in the same order,
    // and every id is a participant's.
    const orders = received.map((list) => list.map((speaker) => speaker.participant_id).join(','));
    for (let i = 1; i < orders.length; i += 1) assert.notEqual(orders[i], orders[i - 1], `messages ${i - 1} and ${i}: ${orders[i]}`);
    for (const list of received) {
      for (const speaker of list) {
        assert.ok([id.Ada, id.Bob].includes(speaker.participant_id), JSON.stringify(list));
        assert.ok(speaker.level >= 0 && speaker.level <= 1, JSON.stringify(list));
      }
    }
    assert.ok(orders.includes(id.Ada) && orders.includes(id.Bob), JSON.stringify(orders));
    for (const person of people) {
      assert.deepEqual(person.console.filter((line) => line.startsWith('pageerror')), [], `${person.name}'s page threw`);
    }
  });
});
