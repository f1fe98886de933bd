// Do real browsers take rrtc's answer to their own simulcast offers? For headless Chromium and
// Firefox ESR (whichever is installed; exit 77 when neither is): a page makes offers with
// sendEncodings (rids q/h/f low to high, h/m/l high to low, q/~h/f with one encoding inactive, and
// one encoding), posts each to this script, which answers with answer_tool (sdp::answer_offer);
// the page applies the answer and reports the sender's encodings. Checked: the answer is taken
// (signalingState stable), every offered rid is still an encoding afterwards (a browser drops
// the encodings an answer does not receive), the answer's a=simulcast:recv lists the rids in the
// offer's order with a paused one kept paused, and the rid extensions are in the answer.
// No npm package: the browsers are started on the page's URL and post their results back.
//   node browser_answer_test.mjs <path to answer_tool>
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

const tool = process.argv[2];
const page = `<!doctype html><title>answer</title><canvas id=c width=640 height=360></canvas><script>
(async () => {
  const canvas = document.getElementById('c');
  const ctx = canvas.getContext('2d');
  setInterval(() => { ctx.fillStyle = '#' + Math.floor(Math.random() * 4095).toString(16);
                      ctx.fillRect(0, 0, 640, 360); }, 33);
  const track = canvas.captureStream(30).getVideoTracks()[0];
  const cases = {
    qhf: [{ rid: 'q', scaleResolutionDownBy: 4 }, { rid: 'h', scaleResolutionDownBy: 2 },
          { rid: 'f' }],
    hml: [{ rid: 'h' }, { rid: 'm', scaleResolutionDownBy: 2 },
          { rid: 'l', scaleResolutionDownBy: 4 }],
    paused: [{ rid: 'q', scaleResolutionDownBy: 4 },
             { rid: 'h', scaleResolutionDownBy: 2, active: false }, { rid: 'f' }],
    single: undefined,
  };
  const out = {};
  for (const [name, sendEncodings] of Object.entries(cases)) {
    const pc = new RTCPeerConnection();
    const init = { direction: 'sendonly' };
    if (sendEncodings) init.sendEncodings = sendEncodings;
    const transceiver = pc.addTransceiver(track, init);
    await pc.setLocalDescription(await pc.createOffer());
    const response = await fetch('/answer', { method: 'POST', body: pc.localDescription.sdp });
    const answer = await response.text();
    try {
      if (!response.ok) throw new Error(answer);
      await pc.setRemoteDescription({ type: 'answer', sdp: answer });
      out[name] = {
        state: pc.signalingState,
        offer: pc.localDescription.sdp.split('\\r\\n').filter((l) => l.startsWith('a=simulcast')),
        answer: answer.split('\\r\\n').filter((l) => /^a=(simulcast|rid|extmap)/.test(l)),
        encodings: transceiver.sender.getParameters().encodings.map(
          (e) => ({ rid: e.rid || '', active: e.active })),
      };
    } catch (e) {
      out[name] = { error: String(e) };
    }
    pc.close();
  }
  await fetch('/result', { method: 'POST', body: JSON.stringify({ ua: navigator.userAgent, out }) });
})().catch((e) => fetch('/result', { method: 'POST', body: JSON.stringify({ error: String(e) }) }));
</script>`;

function onPath(name) {
  return (process.env.PATH || '').split(':').some((dir) => {
    try {
      fs.accessSync(path.join(dir, name), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function browserArgs(name, profile, url) {
  if (name === 'firefox-esr') return ['--headless', '--no-remote', '--profile', profile, url];
  return ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run',
          '--disable-background-networking', '--disable-component-update', '--disable-sync',
          `--user-data-dir=${profile}`,
          '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1', url];
}

// Runs the page in one browser; resolves with what it posted, rejects after 90 s.
function run(name) {
  return new Promise((resolve, reject) => {
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'rrtc-answer-'));
    let child = null;
    let finished = false;
    const finish = (error, result) => {
      if (finished) return;
      finished = true;
      clearTimeout(deadline);
      server.close();
      // The browser runs in its own process group (Chromium's helpers outlive a killed parent and
      // keep writing to the profile): all of it ends, then the profile goes, best effort.
      const done = () => {
        try {
          fs.rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
        } catch (e) {
          console.log(`left ${profile}: ${e.code}`);
        }
        if (error) reject(error);
        else resolve(result);
      };
      if (child && child.exitCode === null && child.signalCode === null) {
        child.once('exit', done);
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      } else {
        done();
      }
    };
    const deadline = setTimeout(() => finish(new Error(`${name}: no result within 90 s`)), 90000);
    const server = http.createServer((req, res) => {
      if (req.method !== 'POST') return res.end(page);
      let body = '';
      req.on('data', (chunk) => { body += chunk; });
      req.on('end', () => {
        if (req.url === '/answer') {
          try {
            res.end(execFileSync(tool, { input: body }));
          } catch (e) {
            res.writeHead(400);
            res.end(String(e.stderr));
          }
          return;
        }
        res.end('ok');
        finish(null, JSON.parse(body));
      });
    });
    server.listen(0, '127.0.0.1', () => {
      const url = `http://127.0.0.1:${server.address().port}/`;
      child = spawn(name, browserArgs(name, profile, url), { stdio: 'ignore', detached: true });
      child.on('error', (e) => finish(e));
    });
  });
}

const failures = [];
function expect(ok, what) {
  if (!ok) failures.push(what);
}

function check(browser, result) {
  if (result.error) return expect(false, `${browser}: ${result.error}`);
  const out = result.out;
  for (const [name, rids, recv] of [['qhf', ['q', 'h', 'f'], 'q;h;f'],
                                    ['hml', ['h', 'm', 'l'], 'h;m;l']]) {
    const c = out[name];
    if (c.error) { expect(false, `${browser} ${name}: ${c.error}`); continue; }
    expect(c.state === 'stable', `${browser} ${name}: state ${c.state}`);
    expect(JSON.stringify(c.encodings.map((e) => e.rid)) === JSON.stringify(rids),
           `${browser} ${name}: encodings ${JSON.stringify(c.encodings)}`);
    expect(c.encodings.every((e) => e.active), `${browser} ${name}: an encoding is inactive`);
    expect(c.answer.includes(`a=simulcast:recv ${recv}`),
           `${browser} ${name}: answer ${JSON.stringify(c.answer)}`);
    for (const rid of rids) {
      expect(c.answer.includes(`a=rid:${rid} recv`), `${browser} ${name}: no a=rid:${rid} recv`);
    }
    expect(c.answer.some((l) => l.endsWith(' urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id')),
           `${browser} ${name}: no rtp-stream-id in the answer`);
    expect(c.answer.some((l) =>
      l.endsWith(' urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id')),
           `${browser} ${name}: no repaired-rtp-stream-id in the answer`);
  }
  const paused = out.paused;
  if (paused.error) {
    expect(false, `${browser} paused: ${paused.error}`);
  } else {
    expect(paused.state === 'stable', `${browser} paused: state ${paused.state}`);
    expect(JSON.stringify(paused.encodings) === JSON.stringify(
      [{ rid: 'q', active: true }, { rid: 'h', active: false }, { rid: 'f', active: true }]),
           `${browser} paused: encodings ${JSON.stringify(paused.encodings)}`);
    // The answer mirrors the offer: Chromium marks the inactive encoding paused, Firefox not.
    const offered = paused.offer[0].replace('a=simulcast:send ', '');
    expect(paused.answer.includes(`a=simulcast:recv ${offered}`),
           `${browser} paused: offer ${paused.offer} answer ${JSON.stringify(paused.answer)}`);
  }
  const single = out.single;
  if (single.error) {
    expect(false, `${browser} single: ${single.error}`);
  } else {
    expect(single.state === 'stable' && single.encodings.length === 1,
           `${browser} single: ${JSON.stringify(single)}`);
    expect(!single.answer.some((l) => l.startsWith('a=simulcast') || l.startsWith('a=rid')),
           `${browser} single: answer ${JSON.stringify(single.answer)}`);
  }
}

const browsers = ['chromium', 'firefox-esr'].filter(onPath);
if (!tool || browsers.length === 0) {
  console.log('skipped: no answer_tool given or neither chromium nor firefox-esr installed');
  process.exit(77);
}
for (const browser of browsers) {
  try {
    const result = await run(browser);
    console.log(`${browser}: ${result.ua || ''}`);
    for (const [name, c] of Object.entries(result.out || {})) {
      console.log(`  ${name}: ${JSON.stringify(c.encodings || c.error)} ${JSON.stringify(c.offer || '')}`);
    }
    check(browser, result);
  } catch (e) {
    failures.push(String(e));
  }
}
for (const failure of failures) console.error(`FAIL ${failure}`);
process.exit(failures.length === 0 ? 0 : 1);
