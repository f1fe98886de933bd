// The chat panel, on the "chat" data channel. The server relays what a participant sends on
// "chat" to the "chat" channel of everyone else in the room, text wrapped as
// {"from":"<participant id>","data":"<original text>"}. Messages are bounded (kMaxChatBytes of
// UTF-8, kMaxChatHistory kept) and shown with textContent only: nothing received is ever HTML.

export const kChatLabel = 'chat';
export const kMaxChatBytes = 4096;
export const kMaxChatHistory = 200;

const encoder = new TextEncoder();

// `text` cut to at most `max_bytes` of UTF-8, never inside a character.
export function clamp_utf8(text, max_bytes = kMaxChatBytes) {
  const bytes = encoder.encode(text);
  if (bytes.length <= max_bytes) return text;
  let end = max_bytes;
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end -= 1;  // back to a character's first byte
  return new TextDecoder().decode(bytes.subarray(0, end));
}

// A relayed message received on "chat": { from, text }, or null when it is not one (binary,
// not JSON, missing or mistyped members, or an oversized sender id). The text is clamped.
export function parse_relayed(data) {
  if (typeof data !== 'string' || data.length > 8 * kMaxChatBytes) return null;
  let message;
  try {
    message = JSON.parse(data);
  } catch {
    return null;
  }
  if (!message || typeof message.from !== 'string' || typeof message.data !== 'string') return null;
  if (message.from.length === 0 || message.from.length > 255) return null;
  return { from: message.from, text: clamp_utf8(message.data) };
}

// What the user typed, ready to send: trimmed and clamped, or null when there is nothing.
export function outgoing_text(typed) {
  const text = String(typed ?? '').trim();
  return text ? clamp_utf8(text) : null;
}

// The panel: a message list, an input and a send button, and an unread count on the toolbar
// button while the panel is closed.
export class ChatPanel {
  // elements: { panel, list, form, input, send, toggle, unread }; on_send(text) returns true
  // when the message went out.
  constructor(elements, on_send) {
    Object.assign(this, { panel_: elements.panel, list_: elements.list, form_: elements.form,
                          input_: elements.input, send_: elements.send, toggle_: elements.toggle,
                          unread_: elements.unread });
    this.on_send_ = on_send;
    this.unread_count_ = 0;
    this.form_.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit_();
    });
    // Enter sends, Shift+Enter is a new line.
    this.input_.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit_();
      }
    });
    this.toggle_.addEventListener('click', () => this.set_open(this.panel_.hidden));
    this.set_ready(false);
  }

  get open() { return !this.panel_.hidden; }

  set_open(open) {
    this.panel_.hidden = !open;
    this.toggle_.setAttribute('aria-pressed', String(open));
    if (open) {
      this.unread_count_ = 0;
      this.show_unread_();
      this.list_.scrollTop = this.list_.scrollHeight;
      this.input_.focus();
    }
  }

  // Whether messages can be sent now (the data channel is open); `why` 'unavailable' says the
  // server takes no data channels, 'viewer' that the server's offer had none for this viewer.
  set_ready(ready, why = null) {
    this.send_.disabled = !ready;
    this.panel_.dataset.ready = String(ready);
    if (ready) this.input_.placeholder = 'Message everyone';
    else if (why === 'unavailable') this.input_.placeholder = 'Chat is not available on this server';
    else if (why === 'viewer') this.input_.placeholder = 'Chat opens when you turn on your microphone or camera';
    else this.input_.placeholder = 'Chat connecting…';
  }

  // Adds a message: { name, text, own } (own: sent by this page).
  add({ name, text, own = false }) {
    const item = document.createElement('li');
    item.className = 'chat-message';
    item.dataset.own = String(own);
    const who = document.createElement('span');
    who.className = 'chat-from';
    who.textContent = own ? 'You' : name;
    const time = document.createElement('time');
    time.className = 'chat-time';
    const now = new Date();
    time.dateTime = now.toISOString();
    time.textContent = now.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    const body = document.createElement('p');
    body.className = 'chat-text';
    body.textContent = text;
    item.append(who, time, body);
    const at_bottom = this.list_.scrollHeight - this.list_.scrollTop - this.list_.clientHeight < 40;
    this.list_.append(item);
    while (this.list_.childElementCount > kMaxChatHistory) this.list_.firstElementChild.remove();
    if (own || at_bottom) this.list_.scrollTop = this.list_.scrollHeight;
    if (!own && !this.open) {
      this.unread_count_ += 1;
      this.show_unread_();
    }
  }

  clear() {
    this.list_.replaceChildren();
    this.unread_count_ = 0;
    this.show_unread_();
    this.input_.value = '';
    this.set_open(false);
    this.set_ready(false);
  }

  submit_() {
    const text = outgoing_text(this.input_.value);
    if (!text || this.send_.disabled) return;
    if (!this.on_send_(text)) return;
    this.input_.value = '';
    this.add({ text, own: true });
  }

  show_unread_() {
    this.unread_.textContent = this.unread_count_ > 99 ? '99+' : String(this.unread_count_);
    this.unread_.hidden = this.unread_count_ === 0;
  }
}
