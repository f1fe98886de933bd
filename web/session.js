// One person's presence in one room: the signaling connection, the PeerLink, the remote
// participants' tiles, and reconnection. A lost connection is retried with backoff (1 s doubling
// to 30 s, with jitter) and the same room and name are joined again; a join refused with
// 400/401/403/409 is final. Chat messages arrive on the PeerLink's "chat" channel and are shown
// with the sender's name (kept after they left, so their last words still have a name).
// Remote tiles are highlighted from the server's `active_speakers`; a `state_update` about this
// participant itself (a moderator's mute through the admin API) is applied to the local media.
// Simulcast (PROTOCOL.md v1.1): received video reports its shown size and shows the server's
// `stream_state` (received_video.js); `publish_layers` turns our camera's encodings on and off.

import { Backoff } from './backoff.js';
import { parse_relayed } from './chat.js';
import { describe_error, is_fatal_join_error } from './errors.js';
import { PeerLink } from './peer.js';
import { ReceivedVideo } from './received_video.js';
import { SignalingChannel } from './signaling.js';
import { SpeakerHighlights, parse_active_speakers } from './speakers.js';
import { parse_publish_layers } from './simulcast.js';
import { StatsSampler } from './stats.js';

export const kLocalTile = 'local';
const kMaxRememberedNames = 1000;

export class CallSession {
  // options: { url, room, name, token, media (LocalMedia), tiles (TileGrid), chat (ChatPanel),
  //            view: { status(kind, text), fatal(text), toast(text), count(n), joined(room),
  //                    own_state(text): the server changed this participant's state } }
  constructor(options) {
    Object.assign(this, { url_: options.url, room_: options.room, name_: options.name,
                          token_: options.token, media_: options.media, tiles_: options.tiles,
                          chat_: options.chat, view_: options.view });
    this.speakers_ = new SpeakerHighlights((id, highlight) => this.tiles_.set_speaking(id, highlight.speaking, highlight));
    this.names_ = new Map();         // id -> name of everyone seen in this call, for chat
    this.backoff_ = new Backoff();
    this.phase_ = 'idle';            // idle | joining | joined | waiting | closed
    this.channel_ = null;
    this.peer_ = null;
    this.your_id_ = null;
    this.participants_ = new Map();  // id -> { name }
    this.remote_media_ = new Map();  // `${id}:${type}` -> mid shown now
    this.retry_timer_ = null;
    this.stats_timer_ = null;
    this.stats_ = new StatsSampler();
    this.video_ = new ReceivedVideo(this.tiles_, (message) => this.channel_?.send(message));
  }

  get your_id() { return this.your_id_; }
  get peer_connection() { return this.peer_?.connection ?? null; }
  get chat_state() { return this.peer_?.chat_state ?? 'none'; }
  get chat_channels() { return this.peer_?.chat_channels ?? []; }
  get phase() { return this.phase_; }
  get offers_sent() { return this.peer_?.offers_sent ?? 0; }
  // The server's latest active speakers, and the remote tiles highlighted now (loudest first).
  get active_speakers() { return this.speakers_.latest; }
  get highlighted_speakers() { return this.speakers_.speaking; }

  // What is shown of the others now: [{ participant_id, type, mid, track_id }] (tests and
  // debugging; track_id null for audio).
  remote_tracks() {
    const track_ids = this.video_.track_ids_by_mid();
    return [...this.remote_media_].map(([key, mid]) => {
      const cut = key.lastIndexOf(':');
      return { participant_id: key.slice(0, cut), type: key.slice(cut + 1), mid, track_id: track_ids.get(mid) ?? null };
    });
  }

  // The server's last stream_state per track id, and the track_settings last sent for one.
  stream_states() { return this.video_.stream_states(); }
  track_settings_sent(track_id) { return this.video_.settings_sent(track_id); }
  // Our camera's encodings and whether each is sent now: [{ mid, rid, active }].
  published_layers() { return this.peer_?.layers() ?? []; }

  start() { this.connect_(); }

  leave() {
    if (this.phase_ === 'closed') return;
    this.channel_?.send({ type: 'leave' });
    this.shut_down_();
  }

  send_state() {
    this.channel_?.send({ type: 'state_update', muted: this.media_.muted, video_on: this.media_.video_on,
                          screen_sharing: this.media_.screen_sharing });
  }

  // Called after the local screen track started or stopped.
  screen_changed() {
    this.channel_?.send({ type: this.media_.screen_sharing ? 'start_screen_share' : 'stop_screen_share' });
    this.peer_?.set_screen(this.media_.screen_track, this.media_.screen_stream);
  }

  // Publishes a microphone or camera track turned on after joining (LocalMedia.add_device).
  track_added(track) {
    this.peer_?.add_track(track, this.media_.stream);
    this.send_state();
  }

  // Sends a chat message; false when the chat channel is not open.
  send_chat(text) {
    return this.peer_?.send_chat(text) ?? false;
  }

  show_stats(show) {
    this.tiles_.show_stats(show);
    clearInterval(this.stats_timer_);
    this.stats_timer_ = show ? setInterval(() => this.sample_stats_(), 1000) : null;
  }

  connect_() {
    this.phase_ = 'joining';
    this.channel_ = new SignalingChannel(this.url_, {
      on_open: () => this.send_join_(),
      on_message: (message) => this.receive_(message),
      on_close: () => this.connection_lost_(),
    });
  }

  send_join_() {
    const join = { type: 'join', room: this.room_, name: this.name_ };
    if (this.token_) join.token = this.token_;
    this.channel_.send(join);
  }

  receive_(message) {
    switch (message.type) {
      case 'joined': return this.joined_(message);
      case 'participant_joined': return this.participant_joined_(message, true);
      case 'participant_left': return this.participant_left_(message.participant_id);
      case 'state_update': return this.state_update_(message);
      case 'active_speakers': return this.active_speakers_(message);
      case 'stream_state': return this.video_.stream_state(message);
      case 'publish_layers': return this.publish_layers_(message);
      case 'answer': return this.peer_?.handle_answer(message.sdp);
      case 'offer': return this.peer_?.handle_offer(message.sdp);
      case 'candidate': return this.peer_?.handle_candidate(message);
      case 'error': return this.error_(message);
      default: return undefined;  // unknown types are ignored, as the protocol asks of both sides
    }
  }

  joined_(message) {
    this.phase_ = 'joined';
    this.backoff_.reset();
    this.your_id_ = message.your_id;
    this.video_.joined();
    this.tiles_.set_notice(kLocalTile, null);
    for (const participant of message.participants ?? []) this.participant_joined_(participant, false);
    this.view_.status('connected', null);
    this.view_.joined(message.room ?? this.room_);
    this.update_count_();
    this.send_state();
    if (this.media_.screen_sharing) this.channel_.send({ type: 'start_screen_share' });
    this.peer_ = new PeerLink(message.ice_servers, {
      send: (msg) => this.channel_?.send(msg),
      on_remote_track: (event) => this.remote_track_(event),
      on_remote_track_gone: (event) => this.remote_track_gone_(event),
      on_media_error: (text) => this.tiles_.set_notice(kLocalTile, 'Media unavailable from server', text),
      on_connection_state: (state) => {
        if (state === 'failed') this.tiles_.set_notice(kLocalTile, 'Media connection failed');
        else if (state === 'connected') this.tiles_.set_notice(kLocalTile, null);
      },
      on_chat_ready: (open, why) => this.chat_?.set_ready(open, why),
      on_chat_message: (data) => this.chat_message_(data),
    }, { defer_chat: this.media_.viewer && !this.media_.screen_track });
    if (this.media_.stream.getTracks().length > 0) this.peer_.publish(this.media_.stream);
    if (this.media_.screen_track) this.peer_.set_screen(this.media_.screen_track, this.media_.screen_stream);
  }

  participant_joined_(participant, announce) {
    if (!participant || typeof participant.id !== 'string' || participant.id === this.your_id_) return;
    const name = typeof participant.name === 'string' && participant.name ? participant.name : 'Guest';
    this.participants_.set(participant.id, { name });
    this.names_.delete(participant.id);
    this.names_.set(participant.id, name);
    if (this.names_.size > kMaxRememberedNames) this.names_.delete(this.names_.keys().next().value);
    this.tiles_.upsert(participant.id, { name });
    this.tiles_.set_state(participant.id, participant);
    this.speakers_.refresh(this.shows_remote_);
    if (announce) {
      this.view_.toast(`${name} joined`);
      this.update_count_();
    }
  }

  participant_left_(id) {
    const participant = this.participants_.get(id);
    if (!participant) return;
    this.participants_.delete(id);
    this.speakers_.forget(id);
    for (const key of [...this.remote_media_.keys()]) if (key.startsWith(`${id}:`)) this.remote_media_.delete(key);
    this.video_.participant_left(id);
    this.tiles_.remove(id);
    this.view_.toast(`${participant.name} left`);
    this.update_count_();
  }

  chat_message_(data) {
    const message = parse_relayed(data);
    if (!message) {
      console.warn('rrtc: ignoring a chat message that is not a relayed text');
      return;
    }
    this.chat_?.add({ name: this.names_.get(message.from) ?? 'Someone who left', text: message.text });
  }

  remote_track_({ mid, participant_id, type, track, track_id }) {
    if (!this.participants_.has(participant_id)) return;  // it left before the offer was answered
    this.remote_media_.set(`${participant_id}:${type}`, mid);
    if (type === 'audio') {
      this.tiles_.set_audio(participant_id, track);
    } else if (type === 'camera') {
      this.tiles_.set_video(participant_id, track);
    } else {
      this.tiles_.set_stage(participant_id, track, `${this.participants_.get(participant_id).name} is presenting`);
    }
    this.video_.added({ participant_id, type, mid, track_id });
  }

  remote_track_gone_({ mid, participant_id, type, track_id }) {
    const key = `${participant_id}:${type}`;
    if (this.remote_media_.get(key) !== mid) return;
    this.remote_media_.delete(key);
    this.video_.gone(track_id, mid);
    if (type === 'audio') {
      this.tiles_.set_audio(participant_id, null);
    } else if (type === 'camera') {
      this.tiles_.set_video(participant_id, null);
    } else {
      this.tiles_.clear_stage(participant_id);
    }
  }

  // Only remote tiles that exist are highlighted; this page's own tile follows its own detector.
  shows_remote_ = (id) => id !== this.your_id_ && this.participants_.has(id);

  publish_layers_(message) {
    const layers = parse_publish_layers(message);
    if (layers) this.peer_?.set_active_layers(layers.mid, layers.active);
  }

  active_speakers_(message) {
    const speakers = parse_active_speakers(message);
    if (speakers) this.speakers_.update(speakers, this.shows_remote_);
  }

  state_update_(message) {
    if (message.participant_id !== this.your_id_ || !this.your_id_) {
      this.tiles_.set_state(message.participant_id, message);
      return;
    }
    // The server turned something of ours off (a moderator). Only "off" is taken: turning a
    // microphone or camera on stays the user's choice. Our state is sent back so the server and
    // this page agree even if the user changed it meanwhile.
    const done = [];
    if (message.muted === true && !this.media_.muted && this.media_.audio_track) {
      this.media_.set_muted(true);
      done.push('muted your microphone');
    }
    if (message.video_on === false && this.media_.video_on) {
      this.media_.set_video_on(false);
      done.push('turned your camera off');
    }
    if (message.screen_sharing === false && this.media_.screen_sharing) {
      this.media_.stop_screen();
      this.peer_?.set_screen(null, null);
      done.push('stopped your screen share');
    }
    if (done.length === 0) return;
    this.send_state();
    this.view_.own_state?.(`The server ${done.join(' and ')}`);
  }

  error_(message) {
    if (this.video_.error(message)) return;  // about track_settings: never about an offer
    const code = Number(message.code);
    const text = describe_error(code, message.message);
    if (this.phase_ === 'joining' && is_fatal_join_error(code)) {
      this.shut_down_();
      this.view_.fatal(text);
      return;
    }
    if (this.peer_?.handle_error(code, message.message)) return;
    this.view_.toast(text);
    // A 500 removes the participant from the room (PROTOCOL.md): join it again.
    if (code === 500 && this.phase_ === 'joined') this.connection_lost_();
  }

  connection_lost_() {
    this.drop_call_();
    if (this.phase_ === 'closed') return;
    this.phase_ = 'waiting';
    let remaining = Math.ceil(this.backoff_.next_delay_ms() / 1000);
    const show = () => this.view_.status('lost', `Connection lost — reconnecting in ${remaining} s`);
    show();
    this.retry_timer_ = setInterval(() => {
      remaining -= 1;
      if (remaining > 0) return show();
      clearInterval(this.retry_timer_);
      this.retry_timer_ = null;
      this.view_.status('lost', 'Connection lost — reconnecting…');
      this.connect_();
      return undefined;
    }, 1000);
  }

  // Forgets everything the server told us; the next `joined` brings it back.
  drop_call_() {
    this.channel_?.close();
    this.channel_ = null;
    this.peer_?.close();
    this.peer_ = null;
    this.chat_?.set_ready(false);
    this.your_id_ = null;
    this.tiles_.set_notice(kLocalTile, null);
    this.speakers_.clear();
    for (const id of this.participants_.keys()) this.tiles_.remove(id);
    this.participants_.clear();
    this.remote_media_.clear();
    this.video_.clear();
    this.update_count_();
  }

  shut_down_() {
    this.phase_ = 'closed';
    clearInterval(this.retry_timer_);
    clearInterval(this.stats_timer_);
    this.drop_call_();
  }

  update_count_() {
    this.view_.count(this.participants_.size + 1);
  }

  async sample_stats_() {
    const pc = this.peer_?.connection;
    if (!pc) return;
    const owners = { by_mid: this.peer_.remote_owners(), by_track: new Map(), types: this.peer_.remote_types() };
    for (const receiver of pc.getReceivers()) {
      const transceiver = pc.getTransceivers().find((t) => t.receiver === receiver);
      const owner = transceiver && owners.by_mid.get(transceiver.mid);
      if (owner) owners.by_track.set(receiver.track.id, owner);
    }
    const results = this.stats_.sample(await pc.getStats(), owners);
    this.video_.annotate_stats(results);
    for (const [id, stats] of results) this.tiles_.set_stats(id === 'local' ? kLocalTile : id, stats);
  }
}
