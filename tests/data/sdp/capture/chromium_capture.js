// Captures real Chromium SDP for the sdp fixtures. Run from a folder where playwright-core is
// installed (see README.md):  node chromium_capture.js <output-dir>
// Produces chromium_offer.sdp (audio + camera + "screen" video + data channel),
// chromium_offer_av.sdp (audio + video only) and chromium_answer.sdp (Chromium's answer to the
// audio + video offer, made by a second PeerConnection) and chromium_offer_simulcast.sdp
// (sendonly audio + a video transceiver with rids q/h/f) and chromium_offer_simulcast_hml.sdp
// (video only, rids h/m/l high to low with maxBitrate / maxFramerate).
const { chromium } = require('playwright-core');
const fs = require('fs');
const path = require('path');
const http = require('http');

const outDir = process.argv[2] || '.';

async function main() {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless=new', '--no-sandbox', '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream', '--allow-loopback-in-peer-connection',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--no-first-run', '--disable-features=WebRtcHideLocalIpsWithMdns',
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
    ],
  });
  // getUserMedia needs a secure context; about:blank is not one, http://127.0.0.1 is.
  const server = http.createServer((req, res) => res.end('<!doctype html><title>sdp</title>'));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  const result = await page.evaluate(async () => {
    const gathered = (pc) => new Promise((resolve) => {
      if (pc.iceGatheringState === 'complete') return resolve();
      pc.addEventListener('icegatheringstatechange', () => {
        if (pc.iceGatheringState === 'complete') resolve();
      });
    });
    const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    const screen = await navigator.mediaDevices.getUserMedia({ video: true });

    // Full offer: audio, camera, a second video track as the screen stand-in, data channel.
    const pc = new RTCPeerConnection();
    for (const t of media.getTracks()) pc.addTrack(t, media);
    pc.addTrack(screen.getVideoTracks()[0], screen);
    pc.createDataChannel('chat');
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    const full = pc.localDescription.sdp;

    // Audio + video only.
    const pc2 = new RTCPeerConnection();
    for (const t of media.getTracks()) pc2.addTrack(t, media);
    await pc2.setLocalDescription(await pc2.createOffer());
    await gathered(pc2);
    const av = pc2.localDescription.sdp;

    // Chromium's answer to a Chromium offer (recvonly side).
    const pc3 = new RTCPeerConnection();
    await pc3.setRemoteDescription({ type: 'offer', sdp: av });
    await pc3.setLocalDescription(await pc3.createAnswer());
    await gathered(pc3);
    const answer = pc3.localDescription.sdp;
    // Simulcast: three rid layers on one video transceiver.
    const pc4 = new RTCPeerConnection();
    pc4.addTransceiver(media.getAudioTracks()[0], { direction: 'sendonly', streams: [media] });
    pc4.addTransceiver(media.getVideoTracks()[0], {
      direction: 'sendonly', streams: [media],
      sendEncodings: [
        { rid: 'q', scaleResolutionDownBy: 4 },
        { rid: 'h', scaleResolutionDownBy: 2 },
        { rid: 'f' },
      ],
    });
    await pc4.setLocalDescription(await pc4.createOffer());
    await gathered(pc4);
    const simulcast = pc4.localDescription.sdp;
    // Simulcast with rids named by the app, high to low, with bitrate and frame-rate caps.
    const pc5 = new RTCPeerConnection();
    pc5.addTransceiver(media.getVideoTracks()[0], {
      direction: 'sendonly', streams: [media],
      sendEncodings: [
        { rid: 'h', maxBitrate: 1500000 },
        { rid: 'm', scaleResolutionDownBy: 2, maxBitrate: 500000 },
        { rid: 'l', scaleResolutionDownBy: 4, maxBitrate: 150000, maxFramerate: 15 },
      ],
    });
    await pc5.setLocalDescription(await pc5.createOffer());
    await gathered(pc5);
    const simulcastHml = pc5.localDescription.sdp;
    for (const p of [pc, pc2, pc3, pc4, pc5]) p.close();
    return { full, av, answer, simulcast, simulcastHml, ua: navigator.userAgent };
  });
  fs.writeFileSync(path.join(outDir, 'chromium_offer.sdp'), result.full);
  fs.writeFileSync(path.join(outDir, 'chromium_offer_av.sdp'), result.av);
  fs.writeFileSync(path.join(outDir, 'chromium_answer.sdp'), result.answer);
  fs.writeFileSync(path.join(outDir, 'chromium_offer_simulcast.sdp'), result.simulcast);
  fs.writeFileSync(path.join(outDir, 'chromium_offer_simulcast_hml.sdp'), result.simulcastHml);
  console.log(result.ua);
  await browser.close();
  server.close();
}

main().catch((e) => { console.error(e); process.exit(1); });
