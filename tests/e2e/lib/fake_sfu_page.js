// Loaded into a test page served by rrtc (so '/peer.js' is the real client module): a second
// RTCPeerConnection in the same page plays the SFU's media side of PROTOCOL.md. It answers the
// client's offers, offers the tracks of made-up participants labelled with the server's msid
// convention (`a=msid:<participant> <participant>-<type>`), trickles candidates, and is polite
// on collisions exactly as the server is. This tests the client's negotiation and labelling
// before rrtc forwards media.

import { PeerLink } from '/peer.js';
import { StatsSampler } from '/stats.js';

class FakeSfu {
  constructor() {
    this.pc = new RTCPeerConnection();
    this.chain = Promise.resolve();
    // RTCRtpTransceiver -> { participant, type }. Kept per transceiver, not per track: a
    // replaceTrack() is still pending when the next offer is made.
    this.labels = new Map();
    this.from_client = [];       // every message the client sent
    this.client_events = [];     // the PeerLink's reports
    this.media_errors = [];
    this.refuse_offers = false;  // answer offers with error 500, as rrtc without media does
    this.offer_pending = false;
    this.rollbacks = 0;          // collisions seen: our offer rolled back for the client's
    this.pc.onicecandidate = (event) => {
      const c = event.candidate;
      this.link.handle_candidate(c ? { candidate: `a=${c.candidate}`, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex }
                                   : { candidate: '' });
    };
    this.link = new PeerLink([], {
      send: (message) => this.receive(message),
      on_remote_track: (e) => this.client_events.push({ kind: 'track', mid: e.mid, participant_id: e.participant_id, type: e.type, track_kind: e.track.kind }),
      on_remote_track_gone: (e) => this.client_events.push({ kind: 'gone', mid: e.mid, participant_id: e.participant_id, type: e.type }),
      on_media_error: (text) => this.media_errors.push(text),
    }, { chat: false });  // media negotiation alone; chat is tested against rrtc
    this.client_pc = this.link.connection;
    this.sampler = new StatsSampler();
  }

  run(step) {
    this.chain = this.chain.then(step).catch((error) => { this.failure = String(error); });
    return this.chain;
  }

  receive(message) {
    this.from_client.push(message);
    if (message.type === 'offer') {
      if (this.refuse_offers) {
        setTimeout(() => this.link.handle_error(500, 'media transport not available on this server'), 0);
        return;
      }
      this.run(async () => {
        let offer_again = false;
        if (this.pc.signalingState === 'have-local-offer') {  // polite: roll back, answer, re-offer
          await this.pc.setLocalDescription({ type: 'rollback' });
          this.rollbacks += 1;
          offer_again = true;
        }
        await this.pc.setRemoteDescription({ type: 'offer', sdp: message.sdp });
        const answer = await this.pc.createAnswer();
        await this.pc.setLocalDescription(answer);
        this.link.handle_answer(this.label(this.pc.localDescription.sdp));  // answers name tracks too
        if (offer_again) await this.offer_now();
      });
    } else if (message.type === 'answer') {
      this.run(async () => {
        if (this.pc.signalingState !== 'have-local-offer') return;
        await this.pc.setRemoteDescription({ type: 'answer', sdp: message.sdp });
        if (this.offer_pending) await this.offer_now();
      });
    } else if (message.type === 'candidate' && message.candidate && !this.refuse_offers) {
      this.run(() => this.pc.addIceCandidate({ candidate: message.candidate, sdpMid: message.sdpMid,
                                               sdpMLineIndex: message.sdpMLineIndex }));
    }
  }

  // Starts forwarding `track` as `<participant>-<type>` and offers it.
  forward(participant, type, track) {
    const transceiver = this.pc.addTransceiver(track, { direction: 'sendonly' });
    this.labels.set(transceiver, { participant, type });
    this.offer();
  }

  // Stops forwarding; `stop` recycles the m-line (port 0), otherwise it turns inactive.
  unforward(participant, type, { stop = false } = {}) {
    for (const transceiver of this.pc.getTransceivers()) {
      const label = this.labels.get(transceiver);
      if (!label || label.participant !== participant || label.type !== type) continue;
      this.labels.delete(transceiver);
      if (stop) transceiver.stop();
      else {
        transceiver.sender.replaceTrack(null);
        transceiver.direction = 'inactive';
      }
    }
    this.offer();
  }

  offer() { this.run(() => this.offer_now()); }

  // Forwards `track` on an m-line that an earlier unforward() left inactive, as the server
  // reuses m-lines. Collisions then add no m-line on this side: Chromium mishandles a rollback of
  // an offer that added transceivers (its next offer's m-line order no longer matches).
  resume(participant, type, track) {
    const transceiver = this.pc.getTransceivers().find((t) => t.direction === 'inactive' && t.mid !== null);
    transceiver.sender.replaceTrack(track);
    transceiver.direction = 'sendonly';
    this.labels.set(transceiver, { participant, type });
    this.offer();
  }

  async offer_now() {
    if (this.pc.signalingState !== 'stable') {
      this.offer_pending = true;  // offered once this negotiation ends
      return;
    }
    this.offer_pending = false;
    const offer = await this.pc.createOffer();
    await this.pc.setLocalDescription(offer);
    this.link.handle_offer(this.label(this.pc.localDescription.sdp));
  }

  // Rewrites every msid of a forwarded m-section to the server's convention.
  label(sdp) {
    const by_mid = new Map();
    for (const transceiver of this.pc.getTransceivers()) {
      const label = this.labels.get(transceiver);
      if (label && transceiver.mid !== null) by_mid.set(transceiver.mid, label);
    }
    const sections = sdp.split(/\r\n(?=m=)/);
    return sections.map((section) => {
      const mid = /\r\na=mid:(\S+)/.exec(section)?.[1];
      const label = by_mid.get(mid);
      if (!label) return section;
      const msid = `${label.participant} ${label.participant}-${label.type}`;
      let out = section.replace(/msid:\S+ \S+/g, `msid:${msid}`);
      if (!/\r\na=msid:/.test(out)) out = out.replace(/(\r\na=mid:\S+)/, `$1\r\na=msid:${msid}`);
      return out;
    }).join('\r\n');
  }

  settled() {
    return !this.offer_pending && this.pc.signalingState === 'stable' && this.client_pc.signalingState === 'stable';
  }

  async inbound_video(pc) {
    const report = await pc.getStats();
    let frames = 0;
    for (const s of report.values()) if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded ?? 0;
    return frames;
  }

  async client_stats() {
    const owners = { by_mid: this.link.remote_owners(), by_track: new Map() };
    return Object.fromEntries(this.sampler.sample(await this.client_pc.getStats(), owners));
  }
}

window.make_fake_sfu = () => {
  window.fake_sfu = new FakeSfu();
  return true;
};
window.fake_sfu_ready = true;
