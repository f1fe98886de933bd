// Who speaks, as the server says (PROTOCOL.md v1.1 `active_speakers`: loudest first, levels
// 0..1, sent only on change). The server hears every published microphone through the RTP audio
// level extension, so remote tiles follow its list rather than an analyser per received track:
// one verdict for the whole room, and no audio decoding work in this page for it. The page's own
// tile keeps the local detector (speaking.js), which needs no round trip.

// The speakers of an `active_speakers` message: [{ participant_id, level }], in the server's
// order, without duplicates or malformed entries; levels clamped to 0..1. Null when the message
// is not one (no `speakers` array).
export function parse_active_speakers(message) {
  if (!message || !Array.isArray(message.speakers)) return null;
  const speakers = [];
  const seen = new Set();
  for (const entry of message.speakers) {
    const id = entry?.participant_id;
    if (typeof id !== 'string' || id.length === 0 || seen.has(id)) continue;
    seen.add(id);
    const level = Number.isFinite(entry.level) ? Math.min(1, Math.max(0, entry.level)) : 0;
    speakers.push({ participant_id: id, level });
  }
  return speakers;
}

// The highlight of every remote tile from the latest list. `apply(id, { speaking, level, rank })`
// is called only for tiles whose highlight changed (rank 1 = loudest; 0 when not speaking).
export class SpeakerHighlights {
  constructor(apply) {
    this.apply_ = apply;
    this.shown_ = new Map();  // id -> { level, rank } of the tiles highlighted now
    this.latest_ = [];
  }

  // The last list received (tests and debugging).
  get latest() { return this.latest_; }
  // Ids highlighted now, loudest first.
  get speaking() {
    return [...this.shown_].sort((a, b) => a[1].rank - b[1].rank).map(([id]) => id);
  }

  // Applies a list from `parse_active_speakers`. `shows(id)` says whether a remote tile exists
  // for id: our own id and participants not (yet) shown are skipped, and a participant whose
  // tile appears later is highlighted when `refresh` is called.
  update(speakers, shows) {
    this.latest_ = speakers;
    this.render_(shows);
  }

  // Applies the latest list again (a tile appeared or went).
  refresh(shows) { this.render_(shows); }

  // A participant left: forget its highlight without calling apply (its tile is gone).
  forget(id) { this.shown_.delete(id); }

  // The call ended: everything off.
  clear() {
    for (const id of this.shown_.keys()) this.apply_(id, { speaking: false, level: 0, rank: 0 });
    this.shown_.clear();
    this.latest_ = [];
  }

  render_(shows) {
    const next = new Map();
    for (const { participant_id, level } of this.latest_) {
      if (shows(participant_id)) next.set(participant_id, { level, rank: next.size + 1 });
    }
    for (const id of this.shown_.keys()) {
      if (!next.has(id)) this.apply_(id, { speaking: false, level: 0, rank: 0 });
    }
    for (const [id, value] of next) {
      const old = this.shown_.get(id);
      if (!old || old.level !== value.level || old.rank !== value.rank) this.apply_(id, { speaking: true, ...value });
    }
    this.shown_ = next;
  }
}
