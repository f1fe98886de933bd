// `track_settings` (PROTOCOL.md v1.1): tells the server, per received video track, how large the
// page shows it (its <video> element's size in device pixels) or that it is not shown at all
// (offscreen, hidden, zero-sized: paused), so the server forwards a layer no larger than needed
// and nothing for a track nobody sees. Sizes change in bursts while a window is resized or tiles
// are laid out again, so a track's settings go out once they have held for a debounce interval
// (300 ms), and only when they differ from what was last sent.
//
// TrackSettingsReporter is the pure part (time through injected timers); ElementWatcher feeds it
// from ResizeObserver and IntersectionObserver in the page.

export const kDebounceMs = 300;

// What a view of a track asks for: { paused: true } or { paused: false, max_width, max_height }.
export function settings_for(view) {
  const width = Math.round(view?.width ?? 0);
  const height = Math.round(view?.height ?? 0);
  if (!view?.visible || width <= 0 || height <= 0) return { paused: true };
  return { paused: false, max_width: width, max_height: height };
}

function same(a, b) {
  if (!a || !b || a.paused !== b.paused) return false;
  return a.paused || (a.max_width === b.max_width && a.max_height === b.max_height);
}

export class TrackSettingsReporter {
  // send(message): puts one message on the signaling channel. timers: { set(fn, ms), clear(id) }.
  constructor(send, { debounce_ms = kDebounceMs, timers = null } = {}) {
    this.send_ = send;
    this.debounce_ms_ = debounce_ms;
    this.timers_ = timers ?? { set: (fn, ms) => setTimeout(fn, ms), clear: (id) => clearTimeout(id) };
    this.tracks_ = new Map();  // track id -> { view, sent, timer }
    this.enabled_ = true;
  }

  get enabled() { return this.enabled_; }

  // The settings last sent for `track_id` (tests and debugging), or null.
  sent(track_id) { return this.tracks_.get(track_id)?.sent ?? null; }

  // The page now shows `track_id` as `view` ({ width, height, visible }, device pixels).
  update(track_id, view) {
    let entry = this.tracks_.get(track_id);
    if (!entry) {
      entry = { view: null, sent: null, timer: null };
      this.tracks_.set(track_id, entry);
    }
    entry.view = view;
    if (entry.timer !== null) this.timers_.clear(entry.timer);
    entry.timer = this.timers_.set(() => this.flush_(track_id), this.debounce_ms_);
  }

  // The track is no longer received: nothing more is sent for it.
  forget(track_id) {
    const entry = this.tracks_.get(track_id);
    if (!entry) return;
    if (entry.timer !== null) this.timers_.clear(entry.timer);
    this.tracks_.delete(track_id);
  }

  // A new connection (or a server that knows nothing of this track) starts from the defaults:
  // everything is sent again on the next update.
  clear() {
    for (const track_id of [...this.tracks_.keys()]) this.forget(track_id);
  }

  // A new connection: the server may know track_settings even if the last one did not.
  enable() { this.enabled_ = true; }

  // A server of PROTOCOL.md v1 answers track_settings with "unknown message type": stop sending.
  disable() {
    this.enabled_ = false;
    this.clear();
  }

  flush_(track_id) {
    const entry = this.tracks_.get(track_id);
    if (!entry) return;
    entry.timer = null;
    if (!this.enabled_) return;
    const settings = settings_for(entry.view);
    if (same(settings, entry.sent)) return;
    entry.sent = settings;
    this.send_({ type: 'track_settings', track_id, ...settings });
  }
}

// Whether an `error` from the server is about track_settings: the type unknown to a v1 server
// ('unknown' true), or one track id it no longer has (a race with a track going away).
export function track_settings_error(message) {
  const text = typeof message?.message === 'string' ? message.message : '';
  if (Number(message?.code) !== 400 || !text.includes('track_settings')) return null;
  return { unknown_type: /unknown message type/i.test(text) };
}

// Watches <video> elements in the page and reports each one's size and visibility for the
// track it shows. One ResizeObserver and one IntersectionObserver serve every element.
export class ElementWatcher {
  constructor(reporter) {
    this.reporter_ = reporter;
    this.by_element_ = new Map();  // element -> { track_id, width, height, intersecting }
    this.by_track_ = new Map();    // track id -> element (null: known but not shown)
    const has_dom = typeof ResizeObserver === 'function' && typeof IntersectionObserver === 'function';
    this.resize_ = has_dom ? new ResizeObserver((entries) => this.resized_(entries)) : null;
    this.intersect_ = has_dom ? new IntersectionObserver((entries) => this.intersected_(entries)) : null;
  }

  // `track_id` is shown in `element` (a <video>), or not shown anywhere (`element` null).
  watch(track_id, element) {
    const current = this.by_track_.get(track_id);
    if (current !== undefined && current === element) return;
    this.unwatch(track_id);
    this.by_track_.set(track_id, element);
    if (!element) {
      this.reporter_.update(track_id, { width: 0, height: 0, visible: false });
      return;
    }
    const old = this.by_element_.get(element);
    if (old) this.by_track_.delete(old.track_id);  // the element now shows another track
    const rect = element.getBoundingClientRect?.() ?? { width: 0, height: 0 };
    this.by_element_.set(element, { track_id, width: rect.width, height: rect.height, intersecting: true });
    this.resize_?.observe(element);
    this.intersect_?.observe(element);
    this.report_(element);
  }

  // Stops watching `track_id` and forgets what was sent for it.
  unwatch(track_id) {
    const element = this.by_track_.get(track_id);
    this.by_track_.delete(track_id);
    this.reporter_.forget(track_id);
    if (!element || this.by_element_.get(element)?.track_id !== track_id) return;
    this.by_element_.delete(element);
    this.resize_?.unobserve(element);
    this.intersect_?.unobserve(element);
  }

  clear() {
    for (const track_id of [...this.by_track_.keys()]) this.unwatch(track_id);
  }

  resized_(entries) {
    for (const entry of entries) {
      const state = this.by_element_.get(entry.target);
      if (!state) continue;
      state.width = entry.contentRect.width;
      state.height = entry.contentRect.height;
      this.report_(entry.target);
    }
  }

  intersected_(entries) {
    for (const entry of entries) {
      const state = this.by_element_.get(entry.target);
      if (!state) continue;
      state.intersecting = entry.isIntersecting;
      this.report_(entry.target);
    }
  }

  report_(element) {
    const state = this.by_element_.get(element);
    if (!state) return;
    const scale = globalThis.devicePixelRatio || 1;
    this.reporter_.update(state.track_id, { width: state.width * scale, height: state.height * scale,
                                            visible: state.intersecting });
  }
}
