// Firefox ESR (Debian's /usr/bin/firefox-esr) for the browser tests, driven over WebDriver BiDi by
// puppeteer-core (pinned in package-lock.json; Playwright drives only its own patched Firefox).
// Fake camera and microphone without a prompt, ICE on loopback with plain host addresses, and
// nothing fetched from anywhere but 127.0.0.1 (no updates, telemetry or safe-browsing lists).

import { existsSync } from 'node:fs';
import puppeteer from 'puppeteer-core';
import { wait_until } from './rrtc_server.js';

export function firefox_path() {
  const path = process.env.FIREFOX_PATH || '/usr/bin/firefox-esr';
  return existsSync(path) ? path : null;
}

const kPrefs = {
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  'media.autoplay.default': 0,
  'media.peerconnection.ice.loopback': true,
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  'media.peerconnection.ice.default_address_only': false,
  'network.proxy.type': 0,
  'network.dns.disableIPv6': true,
  'app.update.enabled': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.enabled': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
};

export async function launch_firefox() {
  const executablePath = firefox_path();
  if (!executablePath) throw new Error('Firefox ESR not found (set FIREFOX_PATH)');
  return puppeteer.launch({ browser: 'firefox', executablePath, headless: true, protocol: 'webDriverBiDi',
                            extraPrefsFirefox: kPrefs, timeout: 60000 });
}

// One person in Firefox: the page of `base_url`, joined to `room` as `name` (with camera and
// microphone). Exposes what the specs need of a Participant: name, page.evaluate, console.
export class FirefoxParticipant {
  constructor(page, name) {
    this.page = page;
    this.name = name;
    this.console = [];
    page.on('console', (message) => this.console.push(`${message.type()}: ${message.text()}`));
    page.on('pageerror', (error) => this.console.push(`pageerror: ${error.message}`));
  }

  static async join(browser, base_url, { room, name }) {
    const page = await browser.newPage();
    const participant = new FirefoxParticipant(page, name);
    await page.goto(`${base_url}/?room=${encodeURIComponent(room)}`);
    await page.evaluate((value) => { document.querySelector('#name-input').value = value; }, name);
    await page.click('#join-button');
    await wait_until(() => page.evaluate(() => Boolean(window.rrtc?.session?.your_id)),
                     { timeout_ms: 20000, what: `${name} (Firefox) joined` });
    return participant;
  }

  async close() {
    await this.page.close().catch(() => {});
  }
}
