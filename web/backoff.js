// Exponential backoff with jitter for reconnecting: 1 s doubling up to 30 s. The jitter (±20 %)
// keeps a room full of clients from reconnecting in lockstep after a server restart.

export class Backoff {
  constructor({ initial_ms = 1000, max_ms = 30000, jitter = 0.2, random = Math.random } = {}) {
    this.initial_ms_ = initial_ms;
    this.max_ms_ = max_ms;
    this.jitter_ = jitter;
    this.random_ = random;
    this.attempt_ = 0;
  }

  // The delay before the next attempt; each call doubles the base delay.
  next_delay_ms() {
    const base = Math.min(this.max_ms_, this.initial_ms_ * 2 ** this.attempt_);
    this.attempt_ = Math.min(this.attempt_ + 1, 30);
    const spread = base * this.jitter_ * (2 * this.random_() - 1);
    return Math.max(0, Math.round(Math.min(this.max_ms_, base + spread)));
  }

  reset() { this.attempt_ = 0; }
  get attempt() { return this.attempt_; }
}
