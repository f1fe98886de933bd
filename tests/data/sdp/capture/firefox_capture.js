// Captures real Firefox ESR simulcast offers for the sdp fixtures, with nothing but node and
// Debian's firefox-esr (playwright cannot drive a stock Firefox):
//   node firefox_capture.js <output-dir>
// Serves a page on 127.0.0.1 that makes the offers and posts them back, runs
// `firefox-esr --headless` on it with a throw-away profile, and writes
//   firefox_offer_simulcast.sdp      audio + one video transceiver with rids q/h/f
//                                    (scaleResolutionDownBy 4, 2, 1), like the Chromium capture;
//   firefox_offer_simulcast_hml.sdp  video only, rids named by the app high to low (h, m, l)
//                                    with maxBitrate / maxFramerate on the encodings.
// Media comes from a canvas and a WebAudio oscillator, so no device or permission is needed.
// Host candidates are mDNS names (Firefox's default), so no address of this machine is written.
const fs = require('fs');
const os = require('os');
const path = require('path');
const http = require('http');
const { spawn } = require('child_process');

const outDir = process.argv[2] || '.';

const page = `<!doctype html><title>sdp</title><canvas id=c width=640 height=360></canvas><script>
(async () => {
  const gathered = (pc) => new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') resolve();
    });
  });
  const canvas = document.getElementById('c');
  const ctx = canvas.getContext('2d');
  setInterval(() => { ctx.fillStyle = '#' + Math.floor(Math.random() * 4095).toString(16);
                      ctx.fillRect(0, 0, 640, 360); }, 33);
  const video = canvas.captureStream(30);
  const audioContext = new AudioContext();
  const oscillator = audioContext.createOscillator();
  const destination = audioContext.createMediaStreamDestination();
  oscillator.connect(destination);
  oscillator.start();
  const media = new MediaStream([destination.stream.getAudioTracks()[0],
                                 video.getVideoTracks()[0]]);
  const offer = async (withAudio, encodings) => {
    const pc = new RTCPeerConnection();
    if (withAudio) {
      pc.addTransceiver(media.getAudioTracks()[0], { direction: 'sendonly', streams: [media] });
    }
    pc.addTransceiver(media.getVideoTracks()[0],
                      { direction: 'sendonly', streams: [media], sendEncodings: encodings });
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    const sdp = pc.localDescription.sdp;
    pc.close();
    return sdp;
  };
  const result = {
    ua: navigator.userAgent,
    qhf: await offer(true, [{ rid: 'q', scaleResolutionDownBy: 4 },
                            { rid: 'h', scaleResolutionDownBy: 2 }, { rid: 'f' }]),
    hml: await offer(false, [{ rid: 'h', maxBitrate: 1500000 },
                             { rid: 'm', scaleResolutionDownBy: 2, maxBitrate: 500000 },
                             { rid: 'l', scaleResolutionDownBy: 4, maxBitrate: 150000,
                               maxFramerate: 15 }]),
  };
  await fetch('/result', { method: 'POST', body: JSON.stringify(result) });
})().catch((e) => fetch('/result', { method: 'POST', body: JSON.stringify({ error: String(e) }) }));
</script>`;

const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'ffcap-'));
fs.writeFileSync(path.join(profile, 'user.js'), [
  'user_pref("browser.shell.checkDefaultBrowser", false);',
  'user_pref("datareporting.policy.dataSubmissionEnabled", false);',
  'user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);',
  'user_pref("app.update.enabled", false);',
  'user_pref("network.proxy.type", 0);',
  'user_pref("media.autoplay.default", 0);',
].join('\n'));

let firefox = null;
const deadline = setTimeout(() => {
  console.error('no result from Firefox within 60 s');
  if (firefox) firefox.kill('SIGKILL');
  process.exit(1);
}, 60000);

const server = http.createServer((req, res) => {
  if (req.method !== 'POST') return res.end(page);
  let body = '';
  req.on('data', (chunk) => { body += chunk; });
  req.on('end', () => {
    res.end('ok');
    const result = JSON.parse(body);
    if (result.error) {
      console.error(result.error);
      process.exitCode = 1;
    } else {
      fs.writeFileSync(path.join(outDir, 'firefox_offer_simulcast.sdp'), result.qhf);
      fs.writeFileSync(path.join(outDir, 'firefox_offer_simulcast_hml.sdp'), result.hml);
      console.log(result.ua);
    }
    clearTimeout(deadline);
    firefox.kill('SIGTERM');
    server.close();
    fs.rmSync(profile, { recursive: true, force: true });
  });
});

server.listen(0, '127.0.0.1', () => {
  const url = `http://127.0.0.1:${server.address().port}/`;
  firefox = spawn('firefox-esr', ['--headless', '--no-remote', '--profile', profile, url],
                  { stdio: 'ignore' });
});
