// The local microphone, camera and screen. Mute and camera-off flip track.enabled, so the
// tracks (and their transceivers) stay in place and turning them back on needs no renegotiation.
// A viewer has neither track (it joined without devices, or the browser refused them) and may
// turn one on later with add_device, which the session then publishes.

const kCameraConstraints = { width: { ideal: 1280 }, height: { ideal: 720 } };

export class LocalMedia {
  constructor() {
    this.stream = new MediaStream();
    this.screen_stream = null;
    this.screen_track = null;
    this.muted = true;      // no microphone yet
    this.video_on = false;
  }

  get audio_track() { return this.stream.getAudioTracks()[0] ?? null; }
  get camera_track() { return this.stream.getVideoTracks()[0] ?? null; }
  get screen_sharing() { return Boolean(this.screen_track); }
  // Neither microphone nor camera: the page watches and listens only.
  get viewer() { return !this.audio_track && !this.camera_track; }

  // Asks for microphone and camera; falls back to whichever one exists. Returns a warning
  // text when something is missing, else null.
  async acquire() {
    if (!navigator.mediaDevices?.getUserMedia) {
      return 'This browser gives the page no camera or microphone (it needs https): you joined as a viewer.';
    }
    const attempts = [
      { audio: true, video: kCameraConstraints },
      { audio: true, video: false },
      { audio: false, video: true },
    ];
    let last_error = null;
    for (const constraints of attempts) {
      try {
        const stream = await navigator.mediaDevices.getUserMedia(constraints);
        for (const track of stream.getTracks()) this.stream.addTrack(track);
        break;
      } catch (error) {
        last_error = error;
      }
    }
    this.muted = !this.audio_track;
    this.video_on = Boolean(this.camera_track);
    if (this.audio_track && this.camera_track) return null;
    if (!this.audio_track && !this.camera_track) {
      return `No camera or microphone (${last_error?.message || last_error?.name || 'permission denied'}): you joined as a viewer and can still watch and listen.`;
    }
    return this.audio_track ? 'No camera found; joining with audio only.' : 'No microphone found; joining with video only.';
  }

  // Turns one device on later: 'audio' (unmuted) or 'video' (camera on). Returns the new track
  // (or the one there already); rejects when the browser refuses.
  async add_device(kind) {
    const existing = kind === 'audio' ? this.audio_track : this.camera_track;
    if (existing) return existing;
    const stream = await navigator.mediaDevices.getUserMedia(kind === 'audio' ? { audio: true } : { video: kCameraConstraints });
    const track = kind === 'audio' ? stream.getAudioTracks()[0] : stream.getVideoTracks()[0];
    for (const other of stream.getTracks()) if (other !== track) other.stop();
    if (!track) throw new Error(`the browser returned no ${kind === 'audio' ? 'microphone' : 'camera'} track`);
    this.stream.addTrack(track);
    if (kind === 'audio') this.muted = false;
    else this.video_on = true;
    return track;
  }

  set_muted(muted) {
    if (!this.audio_track) return;
    this.muted = muted;
    this.audio_track.enabled = !muted;
  }

  set_video_on(on) {
    if (!this.camera_track) return;
    this.video_on = on;
    this.camera_track.enabled = on;
  }

  // Starts screen capture; `on_ended` runs when the browser's own "stop sharing" ends it.
  async start_screen(on_ended) {
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    const track = stream.getVideoTracks()[0];
    if (!track) throw new Error('the browser returned no screen track');
    track.contentHint = 'detail';
    track.addEventListener('ended', () => { if (this.screen_track === track) on_ended(); });
    this.screen_stream = stream;
    this.screen_track = track;
  }

  stop_screen() {
    this.screen_track?.stop();
    this.screen_track = null;
    this.screen_stream = null;
  }

  stop_all() {
    this.stop_screen();
    for (const track of this.stream.getTracks()) track.stop();
    this.stream = new MediaStream();
  }
}
