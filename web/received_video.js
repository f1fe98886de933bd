// The video tracks this page receives, as PROTOCOL.md v1.1 sees them: each one's shown size goes
// to the server as `track_settings` (track_settings.js), and the server's `stream_state` says
// what it forwards of it; a pause for lack of bandwidth shows on the camera's tile or on the
// stage (a pause this page asked for, an offscreen tile, is its own doing and shows nothing).
// Screens: only the one on the stage is shown, so the others report themselves paused.

import { ElementWatcher, TrackSettingsReporter, track_settings_error } from './track_settings.js';

export class ReceivedVideo {
  // tiles: the TileGrid; send(message): the signaling channel.
  constructor(tiles, send) {
    this.tiles_ = tiles;
    this.reporter_ = new TrackSettingsReporter(send);
    this.watcher_ = new ElementWatcher(this.reporter_);
    this.tracks_ = new Map();  // track id -> { participant_id, type, mid }
    this.states_ = new Map();  // track id -> the server's last stream_state for it
    tiles.on_stage_change = () => this.watch_screens_();
  }

  // mid -> track id of every received video track.
  track_ids_by_mid() { return new Map([...this.tracks_].map(([track_id, entry]) => [entry.mid, track_id])); }
  // The server's last stream_state per track id (tests and debugging).
  stream_states() { return Object.fromEntries(this.states_); }
  // The track_settings last sent for `track_id`, or null.
  settings_sent(track_id) { return this.reporter_.sent(track_id); }

  // A new connection: the server may know track_settings even if the last one did not.
  joined() { this.reporter_.enable(); }

  // `participant_id`'s camera or screen arrived on `mid` (after the tile or stage shows it).
  added({ participant_id, type, mid, track_id }) {
    if (type === 'audio' || !track_id) return;
    for (const [other, entry] of [...this.tracks_]) {
      if (entry.participant_id === participant_id && entry.type === type && other !== track_id) this.forget(other);
    }
    this.tracks_.set(track_id, { participant_id, type, mid });
    if (type === 'camera') this.watcher_.watch(track_id, this.tiles_.video_element(participant_id));
    else this.watch_screens_();
    this.show_(track_id);
  }

  // The track on `mid` went away (a track id that moved to another mid meanwhile stays).
  gone(track_id, mid) {
    if (track_id && this.tracks_.get(track_id)?.mid === mid) this.forget(track_id);
  }

  participant_left(participant_id) {
    for (const [track_id, entry] of [...this.tracks_]) if (entry.participant_id === participant_id) this.forget(track_id);
  }

  forget(track_id) {
    const entry = this.tracks_.get(track_id);
    this.tracks_.delete(track_id);
    this.states_.delete(track_id);
    this.watcher_.unwatch(track_id);
    if (entry?.type === 'camera') this.tiles_.set_bandwidth_paused(entry.participant_id, false);
    else if (entry) this.tiles_.set_screen_bandwidth_paused(entry.participant_id, false);
  }

  clear() {
    this.watcher_.clear();
    this.tracks_.clear();
    this.states_.clear();
  }

  stream_state(message) {
    if (typeof message.track_id !== 'string' || (message.state !== 'active' && message.state !== 'paused')) return;
    const state = { state: message.state, reason: typeof message.reason === 'string' ? message.reason : null };
    if (Number.isInteger(message.width) && Number.isInteger(message.height)) {
      state.width = message.width;
      state.height = message.height;
    }
    this.states_.set(message.track_id, state);
    this.show_(message.track_id);
  }

  // An `error` about track_settings is handled here (true): a v1 server that does not know the
  // message stops them; an unknown track id is a race with the track going away.
  error(message) {
    const about = track_settings_error(message);
    if (!about) return false;
    if (about.unknown_type) this.reporter_.disable();
    return true;
  }

  // Adds each camera's last stream_state to the stats panel's per-participant results.
  annotate_stats(results) {
    for (const [track_id, entry] of this.tracks_) {
      if (entry.type === 'camera' && results.has(entry.participant_id)) {
        results.get(entry.participant_id).stream_state = this.states_.get(track_id) ?? null;
      }
    }
  }

  show_(track_id) {
    const entry = this.tracks_.get(track_id);
    if (!entry) return;  // not answered yet: shown when the track arrives
    const state = this.states_.get(track_id);
    const paused = state?.state === 'paused' && state.reason === 'bandwidth';
    if (entry.type === 'camera') this.tiles_.set_bandwidth_paused(entry.participant_id, paused);
    else this.tiles_.set_screen_bandwidth_paused(entry.participant_id, paused);
  }

  watch_screens_() {
    for (const [track_id, entry] of this.tracks_) {
      if (entry.type !== 'screen') continue;
      const shown = this.tiles_.stage_owner === entry.participant_id;
      this.watcher_.watch(track_id, shown ? this.tiles_.stage_video : null);
    }
  }
}
