// Headless Chromium for the browser tests, with fake camera, microphone and screen, loopback
// WebRTC allowed, and no traffic to anywhere but 127.0.0.1 (see shared DESIGN.md, "Loopback").

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { kArtifacts } from './rrtc_server.js';

export const kChromiumArgs = [
  '--headless=new',
  '--no-sandbox',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-default-apps',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--autoplay-policy=no-user-gesture-required',
  // getDisplayMedia picks the fake screen without a picker.
  '--auto-select-desktop-capture-source=Entire screen',
];

// devices: 'fake' (the fake camera and microphone, allowed), 'denied' (fake devices, but the
// page's request is refused as a user refusing the prompt: NotAllowedError) or 'none' (no
// devices at all: NotFoundError). audio_file: a WAV file the fake microphone plays in a loop
// instead of its beep.
export async function launch_chromium({ devices = 'fake', audio_file = null } = {}) {
  let args = kChromiumArgs;
  if (devices === 'denied') args = args.filter((arg) => arg !== '--use-fake-ui-for-media-stream');
  else if (devices === 'none') args = args.filter((arg) => !arg.startsWith('--use-fake-'));
  else if (devices !== 'fake') throw new Error(`unknown devices option ${devices}`);
  if (audio_file) args = [...args, `--use-file-for-fake-audio-capture=${audio_file}`];
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args,
    timeout: 60000,
  });
}

// One person in one browser context (own storage, own fake devices).
export class Participant {
  constructor(context, page, name) {
    this.context = context;
    this.page = page;
    this.name = name;
    this.console = [];
    page.on('console', (message) => this.console.push(`${message.type()}: ${message.text()}`));
    page.on('pageerror', (error) => this.console.push(`pageerror: ${error.message}`));
  }

  // without_devices: tick "Join without camera and microphone" first. on_page(page): called
  // before the page loads (to listen to its WebSocket, say).
  static async open(browser, base_url, { room, name, query = '', without_devices = false, on_page = null }) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const participant = new Participant(context, page, name);
    if (on_page) await on_page(page);
    await page.goto(`${base_url}/?room=${encodeURIComponent(room)}${query}`);
    await page.fill('#name-input', name);
    if (without_devices) await page.check('#without-devices-input');
    await page.click('#join-button');
    return participant;
  }

  // Opens the page, joins, and waits until the server confirmed the join.
  static async join(browser, base_url, options) {
    const participant = await Participant.open(browser, base_url, options);
    await participant.wait_joined();
    return participant;
  }

  async wait_joined(timeout = 20000) {
    await this.page.waitForFunction(() => Boolean(window.rrtc?.session?.your_id), null, { timeout });
  }

  remote_tile(name) {
    return this.page.locator(`#grid .tile[data-local="false"][data-name="${name}"]`);
  }

  local_tile() {
    return this.page.locator('#grid .tile[data-local="true"]');
  }

  async remote_names() {
    return this.page.$$eval('#grid .tile[data-local="false"]', (tiles) => tiles.map((t) => t.dataset.name).sort());
  }

  // Waits until this page shows exactly `names` as remote tiles.
  async wait_remote_names(names, timeout = 20000) {
    const expected = [...names].sort();
    await this.page.waitForFunction((want) => {
      const have = [...document.querySelectorAll('#grid .tile[data-local="false"]')].map((t) => t.dataset.name).sort();
      return JSON.stringify(have) === JSON.stringify(want);
    }, expected, { timeout });
  }

  async screenshot(file) {
    mkdirSync(kArtifacts, { recursive: true });
    await this.page.screenshot({ path: path.join(kArtifacts, file) });
  }

  async close() {
    await this.context.close();
  }
}
