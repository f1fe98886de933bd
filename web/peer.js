// The participant's one RTCPeerConnection to the server (PROTOCOL.md, "Media and negotiation
// rules"). This page is the impolite peer: it never rolls back its own offer for the server's;
// a server `offer` that arrives while our offer is outstanding is ignored, because the polite
// server rolls back, answers ours and offers again. Every SDP operation runs on one promise
// chain so two negotiations never interleave.
//
// The "chat" data channel is created with the connection, before the first offer, so that offer
// already carries the application m-line. A viewer (a page without devices, `defer_chat`) never
// offers: it answers the server's offers, and opens "chat" once the server's offer has brought
// an application m-line (a channel on a negotiated SCTP association needs no offer of ours), or
// with its first own offer when it starts publishing.
//
// The camera is published as simulcast (simulcast.js): three encodings, of which the server's
// `publish_layers` may pause some; a server that refuses simulcast gets the full picture.

import { kChatLabel, kMaxChatBytes } from './chat.js';
import { parse_media_sections, server_sends, track_type } from './sdp_labels.js';
import { answer_accepts_simulcast, apply_active_layers, camera_send_encodings, kLayerOffDelayMs,
         restore_single_encoding, simulcast_possible } from './simulcast.js';

const kMaxServerChats = 4;

export class PeerLink {
  // callbacks: send(msg), on_remote_track({mid, participant_id, type, track}),
  // on_remote_track_gone({mid, participant_id, type}), on_media_error(text),
  // (on_remote_track also gets `track_id`: the server's msid track id, PROTOCOL.md v1.1)
  // on_connection_state(state), on_chat_message(data), on_chat_ready(open, why) (why:
  // 'unavailable' when the server does not take data channels).
  // options.chat: false leaves out the chat channel (tests of media negotiation alone).
  // options.defer_chat: true for a viewer (see above).
  constructor(ice_servers, callbacks, { chat = true, defer_chat = false } = {}) {
    this.cb_ = callbacks;
    this.pc_ = new RTCPeerConnection({ iceServers: ice_servers ?? [], bundlePolicy: 'max-bundle',
                                        rtcpMuxPolicy: 'require' });
    this.chain_ = Promise.resolve();
    this.offer_outstanding_ = false;
    this.renegotiate_ = false;
    this.blocked_ = false;         // the server refused our offer; wait for a local change
    this.closed_ = false;
    this.sender_types_ = new Map();  // RTCRtpSender -> 'audio' | 'camera' | 'screen'
    this.screen_transceiver_ = null;
    this.simulcast_ = new Set();     // camera transceivers sent with several encodings
    this.parameters_ = Promise.resolve();  // setParameters calls, one at a time
    this.layers_off_timer_ = null;   // turns off the layers publish_layers no longer lists
    this.remote_ = new Map();        // mid -> { participant_id, type, track }
    this.pending_candidates_ = [];
    this.offers_sent_ = 0;

    this.pc_.onnegotiationneeded = () => this.negotiate();
    this.pc_.onicecandidate = (event) => this.send_candidate_(event.candidate);
    this.pc_.ontrack = () => this.run_(() => this.reconcile_remote_tracks_());
    this.pc_.onconnectionstatechange = () => this.cb_.on_connection_state?.(this.pc_.connectionState);
    this.chat_wanted_ = chat;
    this.chat_ = null;
    this.server_chats_ = [];  // "chat" channels the server opened towards us
    if (chat) {
      if (!defer_chat) this.open_chat_();
      // The server may also open a "chat" channel to us (when it relays before our own channel
      // reached it): what arrives there is chat too. Others are closed; a few at most are kept.
      this.pc_.ondatachannel = ({ channel }) => {
        if (channel.label !== kChatLabel || this.server_chats_.length >= kMaxServerChats) {
          channel.close();
          return;
        }
        this.server_chats_.push(channel);
        channel.onmessage = (event) => this.cb_.on_chat_message?.(event.data);
        channel.onclose = () => { this.server_chats_ = this.server_chats_.filter((c) => c !== channel); };
      };
    }
  }

  get connection() { return this.pc_; }
  get chat_open() { return this.chat_?.readyState === 'open'; }
  // Our "chat" channel first, then those the server opened (for tests and debugging).
  get chat_channels() { return [this.chat_, ...this.server_chats_].filter(Boolean); }
  get chat_state() { return this.chat_?.readyState ?? 'none'; }
  // How many offers this page made (a viewer makes none until it publishes).
  get offers_sent() { return this.offers_sent_; }

  // Sends `text` on "chat"; false when the channel is not open or the text is too long.
  send_chat(text) {
    if (!this.chat_open || new TextEncoder().encode(text).length > kMaxChatBytes) return false;
    this.chat_.send(text);
    return true;
  }

  // Publishes the microphone and camera tracks of `stream` (either may be absent).
  publish(stream) {
    for (const track of stream.getTracks()) this.add_track(track, stream);
  }

  // Publishes one microphone or camera track (a viewer turning a device on later): a new
  // sendonly transceiver, so the offer that follows adds an m-line and leaves the server's alone.
  add_track(track, stream) {
    this.blocked_ = false;
    this.open_chat_();
    const init = { direction: 'sendonly', streams: [stream] };
    const camera = track.kind === 'video';
    let transceiver = null;
    if (camera && simulcast_possible(this.pc_.remoteDescription?.sdp)) {
      try {
        transceiver = this.pc_.addTransceiver(track, { ...init, sendEncodings: camera_send_encodings() });
        this.simulcast_.add(transceiver);
      } catch (error) {  // a browser without simulcast: one encoding
        console.warn('rrtc: publishing the camera without simulcast', error.message ?? error);
      }
    }
    transceiver ??= this.pc_.addTransceiver(track, init);
    this.sender_types_.set(transceiver.sender, camera ? 'camera' : 'audio');
  }

  // The server's `publish_layers` for our m-line `mid`: send exactly the encodings whose rids
  // are in `active` (a Set). Layers asked for go on now; the others go off once the server's
  // list has held for kLayerOffDelayMs (simulcast.js says why).
  set_active_layers(mid, active) {
    const transceiver = this.pc_.getTransceivers().find((t) => t.mid === mid && this.simulcast_.has(t));
    if (!transceiver) return;
    clearTimeout(this.layers_off_timer_);
    this.update_parameters_(transceiver.sender, (parameters) => apply_active_layers(parameters, active, { only_enable: true }));
    this.layers_off_timer_ = setTimeout(() => {
      this.update_parameters_(transceiver.sender, (parameters) => apply_active_layers(parameters, active));
    }, kLayerOffDelayMs);
  }

  // Which rids of our camera are sent now: [{ mid, rid, active }] (tests and debugging).
  layers() {
    const layers = [];
    for (const transceiver of this.simulcast_) {
      for (const encoding of transceiver.sender.getParameters().encodings ?? []) {
        layers.push({ mid: transceiver.mid, rid: encoding.rid ?? null, active: encoding.active !== false });
      }
    }
    return layers;
  }

  // Starts (track given) or stops (null) sending the screen. The screen keeps one transceiver
  // for the life of the connection, so repeated sharing does not grow the SDP.
  set_screen(track, stream) {
    this.blocked_ = false;
    if (track) {
      this.open_chat_();
      if (!this.screen_transceiver_) {
        this.screen_transceiver_ = this.pc_.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
        this.sender_types_.set(this.screen_transceiver_.sender, 'screen');
        return;
      }
      this.screen_transceiver_.sender.replaceTrack(track);
      this.screen_transceiver_.sender.setStreams?.(stream);
      this.screen_transceiver_.direction = 'sendonly';
    } else if (this.screen_transceiver_) {
      this.screen_transceiver_.sender.replaceTrack(null);
      this.screen_transceiver_.direction = 'inactive';
    }
    this.negotiate();
  }

  negotiate() {
    this.run_(async () => {
      if (this.closed_ || this.blocked_) return;
      if (this.offer_outstanding_ || this.pc_.signalingState !== 'stable') {
        this.renegotiate_ = true;
        return;
      }
      this.renegotiate_ = false;
      const offer = await this.pc_.createOffer();
      await this.pc_.setLocalDescription(offer);
      this.offer_outstanding_ = true;
      this.offers_sent_ += 1;
      this.cb_.send({ type: 'offer', sdp: this.pc_.localDescription.sdp, tracks: this.published_tracks_() });
    });
  }

  handle_answer(sdp) {
    this.run_(async () => {
      if (!this.offer_outstanding_) return;
      await this.pc_.setRemoteDescription({ type: 'answer', sdp });
      this.offer_outstanding_ = false;
      this.check_simulcast_(sdp);
      // The server refused the application m-line: the chat channel will never open.
      if (this.chat_ && !this.pc_.sctp) this.cb_.on_chat_ready?.(false, 'unavailable');
      await this.flush_candidates_();
      this.reconcile_remote_tracks_();
      if (this.renegotiate_) this.negotiate();
    });
  }

  handle_offer(sdp) {
    this.run_(async () => {
      if (this.offer_outstanding_) return;  // impolite: the server will offer again
      await this.pc_.setRemoteDescription({ type: 'offer', sdp });
      await this.flush_candidates_();
      const answer = await this.pc_.createAnswer();
      await this.pc_.setLocalDescription(answer);
      this.cb_.send({ type: 'answer', sdp: this.pc_.localDescription.sdp });
      // A viewer's chat: on the association the server's offer brought, without an offer.
      if (this.chat_wanted_ && !this.chat_) {
        if (this.pc_.sctp) this.open_chat_();
        else this.cb_.on_chat_ready?.(false, 'viewer');
      }
      this.reconcile_remote_tracks_();
      if (this.renegotiate_) this.negotiate();
    });
  }

  handle_candidate(message) {
    let candidate = typeof message.candidate === 'string' ? message.candidate : '';
    if (candidate.startsWith('a=')) candidate = candidate.slice(2);
    const init = { candidate, sdpMid: message.sdpMid ?? null, sdpMLineIndex: message.sdpMLineIndex ?? null };
    if (init.sdpMid === null && init.sdpMLineIndex === null) init.sdpMLineIndex = 0;
    this.run_(async () => {
      if (!this.pc_.remoteDescription) this.pending_candidates_.push(init);
      else await this.add_candidate_(init);
    });
  }

  // An `error` from the server. Returns true when it answered our outstanding offer: the offer
  // is rolled back and no new one is made until the local tracks change.
  handle_error(code, message) {
    if (!this.offer_outstanding_ || (code !== 500 && code !== 400)) return false;
    this.offer_outstanding_ = false;
    this.blocked_ = true;
    this.run_(async () => {
      if (this.pc_.signalingState === 'have-local-offer') await this.pc_.setLocalDescription({ type: 'rollback' });
    });
    this.cb_.on_media_error(message || 'the server could not set up media');
    return true;
  }

  // mid -> participant id for the tracks received now (the stats panel uses it).
  remote_owners() {
    const owners = new Map();
    for (const [mid, entry] of this.remote_) owners.set(mid, entry.participant_id);
    return owners;
  }

  // mid -> track type ('audio' | 'camera' | 'screen') of the tracks received now.
  remote_types() {
    const types = new Map();
    for (const [mid, entry] of this.remote_) types.set(mid, entry.type);
    return types;
  }

  close() {
    this.closed_ = true;
    clearTimeout(this.layers_off_timer_);
    this.pc_.onnegotiationneeded = null;
    this.pc_.onicecandidate = null;
    this.pc_.ontrack = null;
    this.pc_.onconnectionstatechange = null;
    this.pc_.ondatachannel = null;
    for (const channel of [this.chat_, ...this.server_chats_]) {
      if (!channel) continue;
      channel.onopen = null;
      channel.onclose = null;
      channel.onmessage = null;
    }
    this.pc_.close();
  }

  // After an answer: a camera whose m-line came back without a=simulcast (a v1 server) sends
  // one encoding, the quarter-size first one: make it the full picture again.
  check_simulcast_(sdp) {
    for (const transceiver of [...this.simulcast_]) {
      if (transceiver.mid === null || answer_accepts_simulcast(sdp, transceiver.mid)) continue;
      this.simulcast_.delete(transceiver);
      this.update_parameters_(transceiver.sender, restore_single_encoding);
    }
  }

  // getParameters, `change` (true when it changed them), setParameters; serialized per page so
  // two changes never race on one transaction.
  update_parameters_(sender, change) {
    const step = this.parameters_.then(async () => {
      if (this.closed_) return false;
      const parameters = sender.getParameters();
      if (!change(parameters)) return false;
      await sender.setParameters(parameters);
      return true;
    });
    this.parameters_ = step.catch((error) => {
      if (!this.closed_) console.warn('rrtc: could not change what the camera sends', error.message ?? error);
      return false;
    });
    return this.parameters_;
  }

  // Creates our "chat" channel unless it exists (or chat is off). Before any SCTP is negotiated
  // this makes the next offer carry an application m-line.
  open_chat_() {
    if (!this.chat_wanted_ || this.chat_ || this.closed_) return;
    this.chat_ = this.pc_.createDataChannel(kChatLabel, { ordered: true });
    this.chat_.onopen = () => this.cb_.on_chat_ready?.(true);
    this.chat_.onclose = () => this.cb_.on_chat_ready?.(false);
    this.chat_.onmessage = (event) => this.cb_.on_chat_message?.(event.data);
  }

  run_(operation) {
    this.chain_ = this.chain_.then(() => (this.closed_ ? undefined : operation())).catch((error) => {
      if (this.closed_) return;
      console.warn('rrtc: negotiation step failed', error);
      this.cb_.on_media_error(`negotiation failed: ${error.message ?? error}`);
    });
    return this.chain_;
  }

  published_tracks_() {
    const tracks = [];
    for (const transceiver of this.pc_.getTransceivers()) {
      const type = this.sender_types_.get(transceiver.sender);
      const sending = transceiver.direction === 'sendonly' || transceiver.direction === 'sendrecv';
      if (type && sending && transceiver.mid !== null && transceiver.sender.track) {
        tracks.push({ mid: transceiver.mid, type });
      }
    }
    return tracks;
  }

  send_candidate_(candidate) {
    if (this.closed_) return;
    if (!candidate) {
      this.cb_.send({ type: 'candidate', candidate: '' });
      return;
    }
    this.cb_.send({ type: 'candidate', candidate: candidate.candidate, sdpMid: candidate.sdpMid,
                    sdpMLineIndex: candidate.sdpMLineIndex });
  }

  async flush_candidates_() {
    const pending = this.pending_candidates_;
    this.pending_candidates_ = [];
    for (const init of pending) await this.add_candidate_(init);
  }

  // A candidate that does not fit (say, one of a server offer we ignored in a collision) is
  // dropped; ICE goes on with the others.
  async add_candidate_(init) {
    try {
      await this.pc_.addIceCandidate(init);
    } catch (error) {
      console.warn('rrtc: dropped an ICE candidate', init.candidate, error.message ?? error);
    }
  }

  // Compares what the server now sends (its SDP's msid lines) with what the tiles show, and
  // reports tracks that appeared, changed owner or went away. m-sections are reused by the
  // server, so a mid can move from one participant to another.
  reconcile_remote_tracks_() {
    const description = this.pc_.remoteDescription;
    if (!description) return;
    const sections = new Map(parse_media_sections(description.sdp).map((s) => [s.mid, s]));
    const seen = new Set();
    for (const transceiver of this.pc_.getTransceivers()) {
      const mid = transceiver.mid;
      if (mid === null || this.sender_types_.has(transceiver.sender)) continue;
      const section = sections.get(mid);
      const track = transceiver.receiver.track;
      if (!section || !server_sends(section) || !section.stream_id || transceiver.stopped) continue;
      const participant_id = section.stream_id;
      const type = track_type(participant_id, section.track_id) ?? (track.kind === 'audio' ? 'audio' : 'camera');
      seen.add(mid);
      const old = this.remote_.get(mid);
      if (old && old.participant_id === participant_id && old.type === type && old.track_id === section.track_id) continue;
      if (old) this.cb_.on_remote_track_gone({ mid, participant_id: old.participant_id, type: old.type, track_id: old.track_id });
      const track_id = section.track_id;
      this.remote_.set(mid, { participant_id, type, track, track_id });
      this.cb_.on_remote_track({ mid, participant_id, type, track, track_id });
    }
    for (const [mid, old] of [...this.remote_]) {
      if (seen.has(mid)) continue;
      this.remote_.delete(mid);
      this.cb_.on_remote_track_gone({ mid, participant_id: old.participant_id, type: old.type, track_id: old.track_id });
    }
  }
}
