// The call screen's tiles and stage. A tile is an <article class="tile"> whose data attributes
// (data-participant-id, data-muted, data-video-on, data-screen-sharing, data-speaking) drive
// its indicators through CSS, so what the page shows is also what tests can query. A camera
// or screen the server paused for lack of bandwidth (`stream_state`) gets an overlay saying so
// (data-bandwidth-paused); a pause this page asked for (an offscreen tile) needs none.

import { format_bitrate, format_layer, format_rtt, format_stream_state } from './stats.js';

const kMinTileWidth = 220;  // px; below this names and badges no longer fit

export function initials(name) {
  const words = String(name || '?').trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? words[0][0] + words[words.length - 1][0] : (words[0] ?? '?')[0];
  return letters.toUpperCase();
}

export class TileGrid {
  constructor({ grid, template, stage, stage_video, stage_label }) {
    this.grid_ = grid;
    this.rows_ = document.createElement('div');  // the tiles, in rows
    this.rows_.className = 'tile-rows';
    grid.append(this.rows_);
    this.template_ = template;
    this.stage_ = stage;
    this.stage_video_ = stage_video;
    this.stage_label_ = stage_label;
    this.tiles_ = new Map();     // participant id -> { root, video, audio, name, ... }
    this.stage_owner_ = null;
    this.screens_ = new Map();   // owner id -> { track, label }, in the order shared
    this.paused_screens_ = new Set();  // owner ids whose screen the server paused for bandwidth
    this.stage_paused_ = stage.querySelector('.paused-overlay');
    this.on_stage_change = null;  // called when the stage starts showing another screen (or none)
    this.show_stats_ = false;
    if (typeof ResizeObserver === 'function') new ResizeObserver(() => this.layout_()).observe(grid);
  }

  has(id) { return this.tiles_.has(id); }
  get size() { return this.tiles_.size; }

  upsert(id, { name, local = false }) {
    let tile = this.tiles_.get(id);
    if (!tile) {
      const root = this.template_.content.firstElementChild.cloneNode(true);
      root.dataset.participantId = id;
      root.dataset.local = String(local);
      root.dataset.hasVideo = 'false';
      tile = {
        root,
        video: root.querySelector('.tile-video'),
        audio: null,
        name: root.querySelector('.name'),
        avatar: root.querySelector('.avatar'),
        notice: root.querySelector('.notice'),
        stats: root.querySelector('.stats'),
        bitrate: root.querySelector('.stat-bitrate'),
        lost: root.querySelector('.stat-lost'),
        rtt: root.querySelector('.stat-rtt'),
        layer: root.querySelector('.stat-layer'),
        stream_state: root.querySelector('.stat-state'),
        paused: root.querySelector('.paused-overlay'),
      };
      root.dataset.bandwidthPaused = 'false';
      tile.stats.hidden = !this.show_stats_;
      this.tiles_.set(id, tile);
      if (local) this.rows_.prepend(root);
      else this.rows_.append(root);
      this.layout_();
    }
    const label = local ? `${name} (you)` : name;
    tile.name.textContent = label;
    tile.root.dataset.name = name;
    tile.root.setAttribute('aria-label', label);
    tile.avatar.dataset.initials = initials(name);
    return tile;
  }

  set_state(id, state) {
    const tile = this.tiles_.get(id);
    if (!tile) return;
    if (typeof state.muted === 'boolean') tile.root.dataset.muted = String(state.muted);
    if (typeof state.video_on === 'boolean') tile.root.dataset.videoOn = String(state.video_on);
    if (typeof state.screen_sharing === 'boolean') tile.root.dataset.screenSharing = String(state.screen_sharing);
  }

  // The <video> showing `id`'s camera, or null.
  video_element(id) { return this.tiles_.get(id)?.video ?? null; }
  // Whose screen the stage shows now (null: none), and its <video>.
  get stage_owner() { return this.stage_owner_; }
  get stage_video() { return this.stage_video_; }

  // The server paused (true) or resumed `id`'s camera for lack of bandwidth.
  set_bandwidth_paused(id, paused) {
    const tile = this.tiles_.get(id);
    if (!tile) return;
    tile.root.dataset.bandwidthPaused = String(paused);
    tile.paused.hidden = !paused;
  }

  // Likewise for `owner_id`'s screen (shown when it is on the stage).
  set_screen_bandwidth_paused(owner_id, paused) {
    if (paused) this.paused_screens_.add(owner_id);
    else this.paused_screens_.delete(owner_id);
    this.show_stage_();
  }

  set_video(id, track) {
    const tile = this.tiles_.get(id);
    if (!tile) return;
    tile.video.srcObject = track ? new MediaStream([track]) : null;
    tile.root.dataset.hasVideo = String(Boolean(track));
    if (track) tile.video.play().catch(() => {});
  }

  // Remote audio plays through a hidden <audio> in the tile (never for the local tile).
  set_audio(id, track) {
    const tile = this.tiles_.get(id);
    if (!tile) return;
    if (!tile.audio) {
      tile.audio = document.createElement('audio');
      tile.audio.autoplay = true;
      tile.audio.hidden = true;
      tile.root.append(tile.audio);
    }
    tile.audio.srcObject = track ? new MediaStream([track]) : null;
    if (track) tile.audio.play().catch(() => {});
  }

  // `level` (0..1) and `rank` (1 = loudest) come from the server's active speakers; the local
  // tile's detector gives neither.
  set_speaking(id, speaking, { level = null, rank = 0 } = {}) {
    const tile = this.tiles_.get(id);
    if (!tile) return;
    tile.root.dataset.speaking = String(speaking);
    if (speaking && rank > 0) tile.root.dataset.speakerRank = String(rank);
    else delete tile.root.dataset.speakerRank;
    if (speaking && level !== null) tile.root.style.setProperty('--speaking-level', level.toFixed(2));
    else tile.root.style.removeProperty('--speaking-level');
  }

  // A short notice on a tile; `detail` goes into its tooltip.
  set_notice(id, text, detail = '') {
    const tile = this.tiles_.get(id);
    if (!tile) return;
    tile.notice.textContent = text ?? '';
    tile.notice.title = detail;
    tile.notice.hidden = !text;
  }

  show_stats(show) {
    this.show_stats_ = show;
    for (const tile of this.tiles_.values()) tile.stats.hidden = !show;
  }

  set_stats(id, stats) {
    const tile = this.tiles_.get(id);
    if (!tile) return;
    tile.bitrate.textContent = format_bitrate(stats.bitrate_bps);
    tile.lost.textContent = String(stats.packets_lost);
    tile.rtt.textContent = format_rtt(stats.rtt_s);
    tile.layer.textContent = format_layer(stats.layer);
    tile.stream_state.textContent = format_stream_state(stats.stream_state);
  }

  remove(id) {
    const tile = this.tiles_.get(id);
    if (!tile) return;
    this.clear_stage(id);
    tile.video.srcObject = null;
    if (tile.audio) tile.audio.srcObject = null;
    tile.root.remove();
    this.tiles_.delete(id);
    this.layout_();
  }

  remove_all() {
    for (const id of [...this.tiles_.keys()]) this.remove(id);
  }

  // Chooses the column count giving the largest 16:9 tiles that fit the grid without scrolling
  // (a floor keeps them readable; past it the grid scrolls).
  layout_() {
    const count = this.tiles_.size;
    const style = getComputedStyle(this.grid_);
    const gap = parseFloat(getComputedStyle(this.rows_).columnGap) || 0;
    const width = this.grid_.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const height = this.grid_.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
    if (count === 0 || width <= 0) return;
    let best = { cols: 1, tile: 0 };
    for (let cols = 1; cols <= count; cols += 1) {
      const rows = Math.ceil(count / cols);
      const tile = Math.min((width - gap * (cols - 1)) / cols, ((height - gap * (rows - 1)) / rows) * 16 / 9);
      if (tile > best.tile) best = { cols, tile };
    }
    let { cols, tile } = best;
    if (tile < kMinTileWidth) {  // too small to fit: fill the width and let the grid scroll
      cols = Math.max(1, Math.min(count, Math.floor((width + gap) / (kMinTileWidth + gap))));
      tile = (width - gap * (cols - 1)) / cols;
    }
    const tile_width = Math.floor(tile);
    this.grid_.style.setProperty('--tile-width', `${tile_width}px`);
    this.grid_.style.setProperty('--row-width', `${tile_width * cols + gap * (cols - 1) + 1}px`);
  }

  // The shared screen, shown large above the grid. One at a time: the latest share wins, and
  // when it ends the stage falls back to another screen still shared.
  set_stage(owner_id, track, label) {
    const shown = this.screens_.get(owner_id);
    if (shown && shown.track === track) {
      shown.label = label;  // the same share again: keep its place
    } else {
      this.screens_.delete(owner_id);
      this.screens_.set(owner_id, { track, label });
    }
    this.show_stage_();
  }

  clear_stage(owner_id) {
    this.paused_screens_.delete(owner_id);
    if (!this.screens_.delete(owner_id)) return;
    this.show_stage_();
  }

  show_stage_() {
    const latest = [...this.screens_].at(-1);
    const owner_id = latest?.[0] ?? null;
    if (owner_id !== this.stage_owner_ || (latest && this.stage_video_.srcObject?.getTracks()[0] !== latest[1].track)) {
      this.stage_owner_ = owner_id;
      this.stage_video_.srcObject = latest ? new MediaStream([latest[1].track]) : null;
      if (latest) this.stage_video_.play().catch(() => {});
      this.on_stage_change?.(owner_id);
    }
    this.stage_label_.textContent = latest ? latest[1].label : '';
    if (latest) this.stage_.dataset.owner = owner_id;
    else delete this.stage_.dataset.owner;
    this.stage_.hidden = !latest;
    const paused = Boolean(latest) && this.paused_screens_.has(owner_id);
    this.stage_.dataset.bandwidthPaused = String(paused);
    if (this.stage_paused_) this.stage_paused_.hidden = !paused;
    this.layout_();
  }
}
