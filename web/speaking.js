// Speaking indicators: one AnalyserNode per audio track on one shared AudioContext, sampled every
// 40 ms. A level above the threshold marks the speaker; the mark is held briefly so the
// border does not flicker between syllables.

const kThresholdRms = 0.02;
const kHoldMs = 400;
// The analyser window (2048 samples, ~43 ms at 48 kHz) covers the whole sampling interval, so a short
// sound (a plosive, or the fake device's beep) is never missed between samples.
const kSampleMs = 40;

export class SpeakingDetector {
  constructor() {
    this.context_ = null;
    this.entries_ = new Map();  // key -> { source, analyser, buffer, on_change, speaking, last_loud }
    this.timer_ = null;
  }

  // Must first run inside a user gesture (the Join click) so the AudioContext may start.
  ensure_started() {
    if (!this.context_) {
      const Context = window.AudioContext ?? window.webkitAudioContext;
      if (!Context) return;
      this.context_ = new Context();
    }
    if (this.context_.state === 'suspended') this.context_.resume().catch(() => {});
  }

  watch(key, track, on_change) {
    this.unwatch(key);
    this.ensure_started();
    if (!this.context_ || !track) return;
    const source = this.context_.createMediaStreamSource(new MediaStream([track]));
    const analyser = this.context_.createAnalyser();
    analyser.fftSize = 2048;
    source.connect(analyser);
    this.entries_.set(key, { source, analyser, buffer: new Float32Array(analyser.fftSize), on_change,
                             speaking: false, last_loud: 0 });
    if (!this.timer_) this.timer_ = setInterval(() => this.sample_(), kSampleMs);
  }

  unwatch(key) {
    const entry = this.entries_.get(key);
    if (!entry) return;
    entry.source.disconnect();
    this.entries_.delete(key);
    if (entry.speaking) entry.on_change(false);
    if (this.entries_.size === 0 && this.timer_) {
      clearInterval(this.timer_);
      this.timer_ = null;
    }
  }

  unwatch_all() {
    for (const key of [...this.entries_.keys()]) this.unwatch(key);
  }

  sample_() {
    const now = performance.now();
    for (const entry of this.entries_.values()) {
      entry.analyser.getFloatTimeDomainData(entry.buffer);
      let sum = 0;
      for (const value of entry.buffer) sum += value * value;
      const rms = Math.sqrt(sum / entry.buffer.length);
      if (rms > kThresholdRms) entry.last_loud = now;
      const speaking = now - entry.last_loud < kHoldMs;
      if (speaking !== entry.speaking) {
        entry.speaking = speaking;
        entry.on_change(speaking);
      }
    }
  }
}
