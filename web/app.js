// Entry point of the rrtc browser client: the join form, the call controls, and the glue between
// LocalMedia, CallSession and the tiles. No framework and nothing loaded at run time.

import { ChatPanel } from './chat.js';
import { LocalMedia } from './media.js';
import { CallSession, kLocalTile } from './session.js';
import { signaling_url } from './signaling.js';
import { SpeakingDetector } from './speaking.js';
import { TileGrid } from './ui.js';

const $ = (id) => document.getElementById(id);
const kNameKey = 'rrtc.name';
const kActiveRoomKey = 'rrtc.active_room';  // sessionStorage: a reload of a call rejoins it
const kWithoutDevicesKey = 'rrtc.without_devices';  // the join form's choice, remembered
const kRoomPattern = /^[A-Za-z0-9._-]{1,64}$/;
const kViewerHint = 'You see and hear the others; turn on your microphone or camera from the toolbar to be seen or heard';

const speaking = new SpeakingDetector();
const tiles = new TileGrid({ grid: $('grid'), template: $('tile-template'), stage: $('stage'),
                             stage_video: $('stage-video'), stage_label: $('stage-label') });
let media = null;
let session = null;
const chat = new ChatPanel({ panel: $('chat-panel'), list: $('chat-list'), form: $('chat-form'),
                             input: $('chat-input'), send: $('chat-send'), toggle: $('chat-button'),
                             unread: $('chat-unread') },
                           (text) => session?.send_chat(text) ?? false);

// The room comes from ?room=NAME or #NAME, so a link can be shared.
function room_from_url() {
  const params = new URLSearchParams(location.search);
  const room = params.get('room') ?? decodeURIComponent(location.hash.replace(/^#/, ''));
  return room.trim();
}

function show_room_in_url(room) {
  const url = new URL(location.href);
  url.searchParams.set('room', room);
  url.hash = '';
  history.replaceState(null, '', url);
}

function show_join_error(text) {
  $('join-error').textContent = text ?? '';
  $('join-error').hidden = !text;
}

function show_view(in_call) {
  $('join-view').hidden = in_call;
  $('call-view').hidden = !in_call;
}

function toast(text) {
  const element = document.createElement('div');
  element.className = 'toast';
  element.textContent = text;
  $('toasts').append(element);
  setTimeout(() => element.remove(), 4000);
}

function set_status(kind, text) {
  $('conn-dot').dataset.state = kind;
  $('banner').textContent = text ?? '';
  $('banner').dataset.kind = kind === 'lost' ? 'error' : 'info';
  $('banner').hidden = !text;
}

// A device not on yet (a viewer's) can be turned on from its button while the browser can ask.
function update_controls() {
  const can_ask = Boolean(navigator.mediaDevices?.getUserMedia);
  const mic = $('mic-button');
  mic.disabled = !media.audio_track && !can_ask;
  mic.setAttribute('aria-pressed', String(media.muted));
  mic.title = !media.audio_track ? 'Turn on your microphone' : media.muted ? 'Unmute microphone' : 'Mute microphone';
  const cam = $('cam-button');
  cam.disabled = !media.camera_track && !can_ask;
  cam.setAttribute('aria-pressed', String(!media.video_on));
  cam.title = !media.camera_track ? 'Turn on your camera' : media.video_on ? 'Turn camera off' : 'Turn camera on';
  $('viewer-label').hidden = !media.viewer;
  const screen = $('screen-button');
  screen.disabled = !navigator.mediaDevices?.getDisplayMedia;
  screen.setAttribute('aria-pressed', String(media.screen_sharing));
  screen.title = media.screen_sharing ? 'Stop sharing your screen' : 'Share your screen';
  tiles.set_state(kLocalTile, { muted: media.muted, video_on: media.video_on, screen_sharing: media.screen_sharing });
  if (media.screen_track) tiles.set_stage(kLocalTile, media.screen_track, 'You are presenting');
  else tiles.clear_stage(kLocalTile);
}

function watch_local_speaking() {
  if (!media.audio_track) return;
  speaking.watch(kLocalTile, media.audio_track, (on) => tiles.set_speaking(kLocalTile, on && !media.muted));
}

// `without_devices`: join as a viewer without asking for camera and microphone. A browser that
// refuses them (denied, none present) makes a viewer too, with a notice instead of a failure.
async function join(room, name, token, without_devices) {
  show_join_error(null);
  $('join-button').disabled = true;
  speaking.ensure_started();  // inside the click, so the AudioContext may run
  media = new LocalMedia();
  const warning = without_devices ? null : await media.acquire();
  // The notice stays in the top bar while the page only watches; when the browser refused the
  // devices its tooltip says why.
  $('viewer-label').dataset.reason = without_devices ? 'chosen' : 'refused';
  $('viewer-label').title = media.viewer && warning ? `${warning} ${kViewerHint}.` : kViewerHint;
  localStorage.setItem(kNameKey, name);
  localStorage.setItem(kWithoutDevicesKey, String(without_devices));
  sessionStorage.setItem(kActiveRoomKey, room);
  show_room_in_url(room);
  $('room-label').textContent = room;
  tiles.upsert(kLocalTile, { name, local: true });
  tiles.set_video(kLocalTile, media.camera_track);
  watch_local_speaking();
  update_controls();
  show_view(true);
  if (warning) toast(warning);
  set_status('connecting', 'Connecting…');
  session = new CallSession({
    url: signaling_url(location), room, name, token, media, tiles, chat,
    view: {
      status: set_status,
      toast,
      count: (n) => { $('count-label').textContent = `${n} in the room`; },
      joined: (joined_room) => { $('room-label').textContent = joined_room; },
      fatal: (text) => end_call(text),
      own_state: (text) => {
        if (media.muted) tiles.set_speaking(kLocalTile, false);
        update_controls();
        toast(text);
      },
    },
  });
  session.show_stats($('stats-button').getAttribute('aria-pressed') === 'true');
  session.start();
  $('join-button').disabled = false;
}

// Back to the join form, with `error` shown there when the server refused us.
function end_call(error) {
  session?.leave();
  session = null;
  speaking.unwatch_all();
  tiles.remove_all();
  chat.clear();
  media?.stop_all();
  media = null;
  sessionStorage.removeItem(kActiveRoomKey);
  set_status('connecting', null);
  show_view(false);
  show_join_error(error ?? null);
}

function read_form() {
  const room = $('room-input').value.trim();
  const name = $('name-input').value.trim();
  if (!kRoomPattern.test(room)) return { error: 'Room names use letters, digits, dot, dash and underscore (at most 64).' };
  if (!name) return { error: 'Please enter your name.' };
  return { room, name, without_devices: $('without-devices-input').checked };
}

function init() {
  const room = room_from_url();
  const name = localStorage.getItem(kNameKey) ?? '';
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const without_devices = localStorage.getItem(kWithoutDevicesKey) === 'true';
  $('room-input').value = room;
  $('name-input').value = name;
  $('without-devices-input').checked = without_devices;
  (room ? $('name-input') : $('room-input')).focus();

  $('join-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = read_form();
    if (form.error) return show_join_error(form.error);
    join(form.room, form.name, token, form.without_devices)
      .catch((error) => end_call(`Could not join: ${error.message ?? error}`));
    return undefined;
  });
  $('mic-button').addEventListener('click', () => {
    if (!media.audio_track) return turn_on('audio');
    media.set_muted(!media.muted);
    if (media.muted) tiles.set_speaking(kLocalTile, false);
    update_controls();
    session?.send_state();
    return undefined;
  });
  $('cam-button').addEventListener('click', () => {
    if (!media.camera_track) return turn_on('video');
    media.set_video_on(!media.video_on);
    update_controls();
    session?.send_state();
    return undefined;
  });
  $('screen-button').addEventListener('click', () => toggle_screen());
  $('stats-button').addEventListener('click', () => {
    const show = $('stats-button').getAttribute('aria-pressed') !== 'true';
    $('stats-button').setAttribute('aria-pressed', String(show));
    session?.show_stats(show);
  });
  $('leave-button').addEventListener('click', () => end_call(null));
  $('copy-link').addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(location.href);
      toast('Link copied');
    } catch {
      toast(location.href);
    }
  });
  window.addEventListener('pagehide', () => session?.leave());
  // Back from the back/forward cache the call has been left: load afresh, which rejoins.
  window.addEventListener('pageshow', (event) => { if (event.persisted && session) location.reload(); });
  // After a reload rejoined without a click, the first gesture lets speaking detection start.
  for (const type of ['pointerdown', 'keydown']) document.addEventListener(type, () => speaking.ensure_started());

  // A reload during a call comes back into it.
  if (room && name && sessionStorage.getItem(kActiveRoomKey) === room) {
    join(room, name, token, without_devices).catch((error) => end_call(`Could not join: ${error.message ?? error}`));
  }
}

// A viewer (or a page missing one device) turns its microphone ('audio') or camera ('video')
// on: the browser is asked now, and the new track is published with an offer of this page's.
async function turn_on(kind) {
  const current = media;
  let track;
  try {
    track = await current.add_device(kind);
  } catch (error) {
    toast(`${kind === 'audio' ? 'Microphone' : 'Camera'} unavailable: ${error.message || error.name || error}`);
    return;
  }
  if (media !== current) {  // the call ended while the browser asked
    track.stop();
    return;
  }
  if (kind === 'audio') watch_local_speaking();
  else tiles.set_video(kLocalTile, track);
  update_controls();
  session?.track_added(track);
}

async function toggle_screen() {
  if (!media) return;
  if (media.screen_sharing) {
    media.stop_screen();
  } else {
    try {
      await media.start_screen(() => {
        media.stop_screen();
        update_controls();
        session?.screen_changed();
      });
    } catch (error) {
      toast(`Screen sharing did not start: ${error.message ?? error}`);
      return;
    }
  }
  update_controls();
  session?.screen_changed();
}

// For tests and debugging from the console.
window.rrtc = {
  get session() { return session; },
  get peer_connection() { return session?.peer_connection ?? null; },
  get chat_state() { return session?.chat_state ?? 'none'; },
  get chat_channels() { return session?.chat_channels ?? []; },
};

init();
