// Reads who sends which track from the server's SDP. The server labels every forwarded track
// with `a=msid:<participant_id> <participant_id>-<type>` (PROTOCOL.md, "Media and negotiation
// rules"); type is audio, camera or screen, with -2, -3... for further tracks of one type.

// One entry per m-section: { mid, port, direction, stream_id, track_id }.
export function parse_media_sections(sdp) {
  const sections = [];
  let current = null;
  for (const raw of sdp.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('m=')) {
      const parts = line.slice(2).split(' ');
      current = { kind: parts[0], port: Number(parts[1]), mid: null, direction: 'sendrecv',
                  stream_id: null, track_id: null };
      sections.push(current);
    } else if (current) {
      if (line.startsWith('a=mid:')) current.mid = line.slice(6);
      else if (/^a=(sendrecv|sendonly|recvonly|inactive)$/.test(line)) current.direction = line.slice(2);
      else if (line.startsWith('a=msid:')) {
        const [stream_id, track_id] = line.slice(7).split(' ');
        current.stream_id = stream_id ?? null;
        current.track_id = track_id ?? null;
      }
    }
  }
  return sections;
}

// The track type from the msid track id, or null when it does not follow the convention.
export function track_type(participant_id, track_id) {
  if (!participant_id || !track_id || !track_id.startsWith(participant_id + '-')) return null;
  const type = track_id.slice(participant_id.length + 1).split('-')[0];
  return type === 'audio' || type === 'camera' || type === 'screen' ? type : null;
}

// Whether the server still sends on this m-section (its side of the SDP).
export function server_sends(section) {
  return section.port !== 0 && (section.direction === 'sendonly' || section.direction === 'sendrecv');
}
