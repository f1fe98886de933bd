// The WebSocket to rrtc (PROTOCOL.md): JSON text frames in and out. One SignalingChannel is one
// connection; the session makes a new one for each reconnection attempt.

export function signaling_url(location_like) {
  const scheme = location_like.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location_like.host}/ws`;
}

export class SignalingChannel {
  // handlers: { on_open(), on_message(msg), on_close({code, reason}) }
  constructor(url, handlers) {
    this.handlers_ = handlers;
    this.closed_ = false;
    this.ws_ = new WebSocket(url);
    this.ws_.onopen = () => { if (!this.closed_) this.handlers_.on_open(); };
    this.ws_.onmessage = (event) => this.receive_(event);
    this.ws_.onclose = (event) => this.finish_(event.code, event.reason);
    // An error is always followed by close, which carries the outcome.
    this.ws_.onerror = () => {};
  }

  get is_open() { return !this.closed_ && this.ws_.readyState === WebSocket.OPEN; }

  send(message) {
    if (!this.is_open) return false;
    this.ws_.send(JSON.stringify(message));
    return true;
  }

  // Closes without reporting on_close: the caller already knows.
  close() {
    this.closed_ = true;
    try { this.ws_.close(1000, 'bye'); } catch { /* already closing */ }
  }

  receive_(event) {
    if (this.closed_ || typeof event.data !== 'string') return;
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      console.warn('rrtc: ignoring a frame that is not JSON');
      return;
    }
    if (message && typeof message.type === 'string') this.handlers_.on_message(message);
  }

  finish_(code, reason) {
    if (this.closed_) return;
    this.closed_ = true;
    this.handlers_.on_close({ code, reason });
  }
}
