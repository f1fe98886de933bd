// A call on a fresh rrtc for one test: the server, a join() that opens a participant's page and
// closes it after the test, extra browsers closed after it too, and the checks every call spec
// ends with.

import assert from 'node:assert/strict';
import { Participant } from './browser.js';
import { RrtcServer, wait_until } from './rrtc_server.js';

// Starts rrtc (with `settings` as its configuration) for test `t`; everything is disposed of
// after `t`. join(room, name, { via, without_devices }) opens a page in `browser` (or `via`).
export async function start_call(t, browser, settings = {}) {
  const server = new RrtcServer(settings, { name: t.name.replace(/\W+/g, '_') });
  await server.start();
  const people = [];
  const browsers = [];
  t.after(async () => {
    for (const person of people) await person.close().catch(() => {});
    for (const other of browsers) await other.close().catch(() => {});
    await server.dispose();
  });
  const join = async (room, name, { via = browser, without_devices = false } = {}) => {
    const person = await Participant.join(via, server.base_url, { room, name, without_devices });
    people.push(person);
    return person;
  };
  const no_page_errors = () => {
    for (const person of people) {
      const errors = person.console.filter((line) => line.startsWith('pageerror'));
      assert.deepEqual(errors, [], `${person.name}'s page threw`);
    }
  };
  return { server, join, people, browsers, no_page_errors };
}

// Waits until the participant's RTCPeerConnection with rrtc is connected.
export function media_connected(person, timeout_ms) {
  return wait_until(
    () => person.page.evaluate(() => window.rrtc.peer_connection?.connectionState === 'connected'),
    { timeout_ms, what: `${person.name}'s media connection` });
}
