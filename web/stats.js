// Per-tile connection statistics from RTCPeerConnection.getStats(), once a second: receive
// bitrate and packets lost per remote participant (their inbound-rtp streams, matched by mid or
// track id), send bitrate and loss reported by the server for the local tile, and the round-trip
// time of the selected candidate pair (one connection, so one RTT for everyone). For a remote
// camera it also reads the size of the frames decoded now: the simulcast layer the server
// forwards (`layer`, { width, height }, present once a frame was decoded).

export class StatsSampler {
  constructor() {
    this.previous_ = new Map();  // stats id -> { bytes, timestamp }
  }

  // owners: { by_mid: Map(mid -> participant id), by_track: Map(track id -> participant id),
  //          types: Map(mid -> 'audio' | 'camera' | 'screen'), optional }.
  // Returns Map(participant id or 'local' -> { bitrate_bps, packets_lost, rtt_s, layer? }).
  sample(report, owners) {
    const result = new Map();
    const entry = (key) => {
      if (!result.has(key)) result.set(key, { bitrate_bps: 0, packets_lost: 0, rtt_s: null });
      return result.get(key);
    };
    const rtt = selected_pair_rtt(report);
    const current = new Map();
    entry('local');
    for (const stats of report.values()) {
      if (stats.type === 'inbound-rtp') {
        const owner = owners.by_mid.get(stats.mid) ?? owners.by_track.get(stats.trackIdentifier);
        if (!owner) continue;
        const target = entry(owner);
        target.bitrate_bps += this.rate_(stats.id, stats.bytesReceived, stats.timestamp, current);
        target.packets_lost += Math.max(0, stats.packetsLost ?? 0);
        if (owners.types?.get(stats.mid) === 'camera' && stats.frameWidth > 0 && stats.frameHeight > 0) {
          target.layer = { width: stats.frameWidth, height: stats.frameHeight };
        }
      } else if (stats.type === 'outbound-rtp') {
        entry('local').bitrate_bps += this.rate_(stats.id, stats.bytesSent, stats.timestamp, current);
      } else if (stats.type === 'remote-inbound-rtp') {
        entry('local').packets_lost += Math.max(0, stats.packetsLost ?? 0);
      }
    }
    this.previous_ = current;
    for (const value of result.values()) value.rtt_s = rtt;
    return result;
  }

  rate_(id, bytes, timestamp, current) {
    if (typeof bytes !== 'number') return 0;
    current.set(id, { bytes, timestamp });
    const before = this.previous_.get(id);
    if (!before || timestamp <= before.timestamp || bytes < before.bytes) return 0;
    return ((bytes - before.bytes) * 8 * 1000) / (timestamp - before.timestamp);
  }
}

function selected_pair_rtt(report) {
  let pair_id = null;
  for (const stats of report.values()) {
    if (stats.type === 'transport' && stats.selectedCandidatePairId) pair_id = stats.selectedCandidatePairId;
  }
  for (const stats of report.values()) {
    if (stats.type !== 'candidate-pair') continue;
    const selected = pair_id ? stats.id === pair_id : (stats.selected || (stats.nominated && stats.state === 'succeeded'));
    if (selected && typeof stats.currentRoundTripTime === 'number') return stats.currentRoundTripTime;
  }
  return null;
}

export function format_bitrate(bps) {
  if (!bps) return '0 kbit/s';
  if (bps >= 1e6) return `${(bps / 1e6).toFixed(2)} Mbit/s`;
  return `${Math.round(bps / 1e3)} kbit/s`;
}

// A layer for the panel: "640x360", or "–" before the first decoded frame.
export function format_layer(layer) {
  return layer && layer.width > 0 ? `${layer.width}x${layer.height}` : '–';
}

// The server's last `stream_state` for a track, for the panel: "active", "paused (bandwidth)".
export function format_stream_state(state) {
  if (!state) return '–';
  return state.state === 'paused' && state.reason ? `paused (${state.reason})` : state.state;
}

export function format_rtt(seconds) {
  return typeof seconds === 'number' ? `${Math.round(seconds * 1000)} ms` : '–';
}
