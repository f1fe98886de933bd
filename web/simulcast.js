// Simulcast publishing (PROTOCOL.md v1.1): the camera goes out as three encodings of one track,
// quarter, half and full resolution (rids "q", "h", "f", RFC 8851), and the server forwards each
// subscriber the one that fits its bandwidth and tile. The screen stays one encoding: shared
// text is only useful legible, so a downscaled copy helps nobody, and the server gives screens
// priority over cameras when bandwidth is short (it pauses a screen rather than blur it).
// Pure: no DOM, no RTCPeerConnection; peer.js applies what these functions compute.

// Low to high. The bitrates are ceilings for the encoder (Chromium's own choice for each size
// is close to them); the server reads the real rates from what arrives.
export const kCameraEncodings = Object.freeze([
  Object.freeze({ rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150000 }),
  Object.freeze({ rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500000 }),
  Object.freeze({ rid: 'f', scaleResolutionDownBy: 1, maxBitrate: 1500000 }),
]);

// What sendEncodings gets for a new camera transceiver (fresh objects: the browser may keep them).
export function camera_send_encodings() {
  return kCameraEncodings.map((encoding) => ({ ...encoding, active: true }));
}

// Whether the answer's m-section `mid` accepted simulcast (a=simulcast there). A server that
// does not (PROTOCOL.md v1) leaves the browser one encoding, the first (JSEP, RFC 8829 5.3.1).
export function answer_accepts_simulcast(sdp, mid) {
  let in_section = false;
  let section_mid = null;
  let simulcast = false;
  for (const raw of String(sdp).split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('m=')) {
      if (in_section && section_mid === mid) return simulcast;
      in_section = true;
      section_mid = null;
      simulcast = false;
    } else if (in_section) {
      if (line.startsWith('a=mid:')) section_mid = line.slice(6);
      else if (line.startsWith('a=simulcast:')) simulcast = true;
    }
  }
  return in_section && section_mid === mid && simulcast;
}

export const kRtpStreamIdUri = 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id';

// Whether a new camera may be offered as simulcast, given the remote description negotiated so
// far (undefined: none yet). Once the connection has negotiated its header extensions without
// rtp-stream-id (a viewer that first answered the server's offer, or a v1 server's answer),
// Chromium refuses a later offer of ours with simulcast ("does not negotiate the RID RTP header
// extension"), so such a camera goes out as one encoding.
export function simulcast_possible(remote_sdp) {
  if (!remote_sdp) return true;
  return String(remote_sdp).split(/\r?\n/).some((line) => line.startsWith('a=extmap:') && line.includes(kRtpStreamIdUri));
}

// The single encoding left when simulcast was refused is the first one we asked for ("q", a
// quarter of the camera): make it the full picture again. Returns true when `parameters`
// changed (then it goes back through RTCRtpSender.setParameters).
export function restore_single_encoding(parameters) {
  const encodings = parameters?.encodings;
  if (!Array.isArray(encodings) || encodings.length !== 1) return false;
  const [encoding] = encodings;
  const top = kCameraEncodings[kCameraEncodings.length - 1];
  let changed = false;
  if ((encoding.scaleResolutionDownBy ?? 1) !== 1) {
    encoding.scaleResolutionDownBy = 1;
    changed = true;
  }
  if (encoding.maxBitrate !== undefined && encoding.maxBitrate < top.maxBitrate) {
    encoding.maxBitrate = top.maxBitrate;
    changed = true;
  }
  if (encoding.active === false) {
    encoding.active = true;
    changed = true;
  }
  return changed;
}

// A `publish_layers` message's `active` list, or null when it is malformed.
export function parse_publish_layers(message) {
  if (!message || typeof message.mid !== 'string' || !Array.isArray(message.active)) return null;
  if (!message.active.every((rid) => typeof rid === 'string')) return null;
  return { mid: message.mid, active: new Set(message.active) };
}

// How long a layer the server no longer needs keeps going before it is turned off. Turning an
// encoding on costs a key frame, so a server whose needs flap (subscribers' estimates moving
// around a layer's rate) would otherwise make the camera restart layers every second; turning
// one on again is never delayed. The protocol lets a client ignore publish_layers, so sending
// a little longer than asked is within it.
export const kLayerOffDelayMs = 2000;

// Sets `active` on the encodings of `parameters` (RTCRtpSender.getParameters()) so exactly the
// rids in `active` are sent (`only_enable`: only turn on, never off). An encoding without a rid
// (a single-encoding sender) is left alone, and a list naming none of our rids while non-empty
// is taken as not meant for this sender. Returns true when something changed.
export function apply_active_layers(parameters, active, { only_enable = false } = {}) {
  const encodings = parameters?.encodings;
  if (!Array.isArray(encodings)) return false;
  const ours = encodings.filter((encoding) => typeof encoding.rid === 'string' && encoding.rid);
  if (ours.length === 0) return false;
  if (active.size > 0 && !ours.some((encoding) => active.has(encoding.rid))) return false;
  let changed = false;
  for (const encoding of ours) {
    const want = active.has(encoding.rid);
    if (only_enable && !want) continue;
    if ((encoding.active !== false) !== want) {
      encoding.active = want;
      changed = true;
    }
  }
  return changed;
}
