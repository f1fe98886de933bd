// The Router's hot path: an RTP packet from a publisher is matched to its track and layer (SSRCs
// learned from the mid / rid / repaired-rid extensions when the offer had no a=ssrc), RTX is
// unwrapped, the layer's receive state updated, and a copy goes to every subscriber whose
// DownTrack forwards that layer. Membership is in router.cpp, layers in router_layers.cpp.
#include <algorithm>
#include <cstring>

#include "room/router.hpp"
#include "room/router_members.hpp"
#include "rtp/keyframe.hpp"
#include "rtp/vp8_descriptor.hpp"

namespace rrtc::room {
namespace {

bool equals(std::span<const std::uint8_t> value, const std::string& text) {
  return std::equal(value.begin(), value.end(), text.begin(), text.end());
}

}  // namespace

Router::Found Router::find_up(Member& member, std::uint32_t ssrc) noexcept {
  // O(tracks x layers), at most three layers: no hashing, nothing allocated.
  for (auto& up : member.ups) {
    const int layer = up->layer_of(ssrc);
    if (layer >= 0) return Found{up.get(), layer};
  }
  return Found{};
}

Router::DownLink* Router::find_down(Member& member, std::uint32_t ssrc) noexcept {
  for (auto& link : member.downs) {
    if (link->track.ssrc() == ssrc) return link.get();
  }
  return nullptr;
}

Router::Found Router::learn_ssrc(Member& from, const rtp::Packet& packet,
                                 time::Timestamp now) noexcept {
  const std::uint8_t payload_type = packet.payload_type();
  for (auto& candidate : from.ups) {
    UpTrack& up = *candidate;
    // A packet naming another m-line's mid is not this track's, whatever its rid says (two
    // simulcast tracks may use the same rids).
    if (up.info.mid_extension_id != 0) {
      const auto mid = packet.extension(up.info.mid_extension_id);
      if (mid && !equals(*mid, up.info.mid)) continue;
      if (!mid && !up.simulcast()) continue;
    } else if (!up.simulcast()) {
      continue;
    }
    int bound = -1;
    if (!up.simulcast()) {
      if (up.layers[0].ssrc != 0 || up.codec_of[payload_type] < 0) continue;
      up.layers[0].ssrc = packet.ssrc();
      up.info.ssrc = packet.ssrc();
      bound = 0;
    } else if (up.codec_of[payload_type] >= 0 && up.info.rid_extension_id != 0) {
      // RFC 8852: rtp-stream-id names the encoding (Chromium sends no a=ssrc for rid simulcast).
      const auto rid = packet.extension(up.info.rid_extension_id);
      if (!rid) continue;
      for (std::size_t i = 0; i < up.layers.size(); ++i) {
        if (up.layers[i].ssrc != 0 || !equals(*rid, up.info.layers[i].rid)) continue;
        up.layers[i].ssrc = packet.ssrc();
        bound = static_cast<int>(i);
        break;
      }
    } else if (up.rtx_of[payload_type] >= 0 && up.info.repaired_rid_extension_id != 0) {
      // repaired-rtp-stream-id: the RTX stream of that encoding.
      const auto rid = packet.extension(up.info.repaired_rid_extension_id);
      if (!rid) continue;
      for (std::size_t i = 0; i < up.layers.size(); ++i) {
        if (up.layers[i].rtx_ssrc != 0 || !equals(*rid, up.info.layers[i].rid)) continue;
        up.layers[i].rtx_ssrc = packet.ssrc();
        return Found{&up, static_cast<int>(i)};
      }
    }
    if (bound < 0) continue;
    // Subscribers waited for this layer before it could be asked for a key frame; allocation
    // may now choose it.
    UpLayer& layer = up.layers[static_cast<std::size_t>(bound)];
    if (up.wants_keyframe(layer)) request_keyframe(up, bound, now);
    mark_subscribers(up, now, up.simulcast());
    return Found{&up, bound};
  }
  return Found{};
}

void Router::on_rtp(Member& from, std::span<std::uint8_t> bytes, time::Timestamp now) noexcept {
  auto parsed = rtp::Packet::parse(bytes);
  if (!parsed) {
    counters_.unroutable_packets.increment();
    return;
  }
  rtp::Packet packet = *parsed;
  Found found = find_up(from, packet.ssrc());
  if (found.up == nullptr) found = learn_ssrc(from, packet, now);
  if (found.up == nullptr) {
    counters_.unroutable_packets.increment();
    return;
  }
  UpTrack& up = *found.up;
  UpLayer& layer = up.layers[static_cast<std::size_t>(found.layer)];
  const bool admitted = admit(up, bytes.size(), now);  // all layers count against the track
  const std::int8_t repaired = up.rtx_of[packet.payload_type()];
  if (repaired >= 0 || packet.ssrc() != layer.ssrc) {
    if (!admitted) return;  // a dropped repair stays missing: the NACK tracker asks again
    // RFC 4588: the original sequence number, then the original payload. Unwrapped in place.
    const auto payload = packet.payload();
    if (repaired < 0 || payload.size() < 2) return;  // padding-only probe, or not RTX
    const auto original = static_cast<std::uint16_t>((payload[0] << 8) | payload[1]);
    const std::size_t header = packet.header_size();
    std::memmove(bytes.data() + header, bytes.data() + header + 2, bytes.size() - header - 2);
    bytes = bytes.first(bytes.size() - 2);
    auto unwrapped = rtp::Packet::parse(bytes);
    if (!unwrapped) return;
    packet = *unwrapped;
    packet.set_sequence_number(original);
    packet.set_payload_type(up.info.codecs[static_cast<std::size_t>(repaired)].payload_type);
    packet.set_ssrc(layer.ssrc);
  }
  if (up.codec_of[packet.payload_type()] < 0) {
    counters_.unroutable_packets.increment();
    return;
  }
  const std::int64_t extended = layer.seq.unwrap(packet.sequence_number());
  if (!layer.received.first_arrival(extended)) {
    // The subscribers have it already: a second copy would only be dropped by their SRTP
    // replay check and reported lost in their transport-cc feedback.
    counters_.duplicate_packets.increment();
    return;
  }
  layer.stats.on_packet(packet.sequence_number(), packet.timestamp(), now.time_since_epoch());
  if (layer.nacks.on_packet(extended, now)) counters_.packets_recovered.increment();
  layer.heard = true;
  up.heard = true;
  if (repaired < 0 && admitted) {
    observe_level(from, up, packet, now);
    count_layer(up, found.layer, bytes.size(), now);
  }
  if (!from.scheduled()) timers_.schedule(from, now + options_.report_interval);
  // What the DownTracks need to know of this packet, read once: VP8's descriptor (key frame,
  // picture id, temporal layer, a key frame's size). A simulcast track reads it even without
  // subscribers: its layers' sizes order them and cap them by track_settings.
  FrameInfo frame;
  const auto& codec = up.info.codecs[static_cast<std::size_t>(up.codec_of[packet.payload_type()])];
  const bool read = up.simulcast() || !up.downs.empty();
  if (codec.video_codec == rtp::VideoCodec::kVp8 && read) {
    frame.vp8 = rtp::parse_vp8_descriptor(packet.payload());
    if (frame.vp8) {
      frame.keyframe = frame.vp8->keyframe;
      if (frame.vp8->tid) frame.temporal_id = *frame.vp8->tid;
      frame.width = frame.vp8->width;
      frame.height = frame.vp8->height;
      if (frame.width != 0) learn_size(up, found.layer, frame.width, frame.height, now);
    }
  } else if (codec.video_codec == rtp::VideoCodec::kVp9 && read) {
    // VP9: picture id and TL0PICIDX continue across switches; no temporal filter (an SVC
    // stream is forwarded whole). A key frame's scalability structure gives the size (its top
    // spatial layer's).
    frame.vp9 = rtp::parse_vp9_descriptor(packet.payload());
    if (frame.vp9) {
      frame.keyframe = frame.vp9->keyframe;
      if (frame.vp9->keyframe && frame.vp9->has_resolutions && frame.vp9->spatial_layers > 0) {
        const std::size_t top = frame.vp9->spatial_layers - 1U;
        frame.width = frame.vp9->width[top];
        frame.height = frame.vp9->height[top];
        if (frame.width != 0) learn_size(up, found.layer, frame.width, frame.height, now);
      }
    }
  }
  if (admitted && !up.downs.empty()) {
    // One copy for every subscriber's resends (allocated only when one negotiated NACK).
    if (up.enabled) layer.store.store(extended, packet.bytes(), now);
    if (!up.enabled) {
      counters_.filtered_packets.increment();
    } else {
      forward(up, found.layer, packet, extended, frame, now);
      // A key frame (or the wait limit) may have started the subscribers that waited.
      if (layer.awaiting_keyframe) refresh_waiting(up);
    }
  }
  reschedule(up);
}

void Router::forward(UpTrack& up, int layer, rtp::Packet& packet, std::int64_t extended,
                     FrameInfo& frame, time::Timestamp now) noexcept {
  const std::span<std::uint8_t> bytes = packet.bytes();
  if (bytes.size() > kMaxForwardedPacket) {
    counters_.unroutable_packets.increment();
    return;
  }
  const auto& codec = up.info.codecs[static_cast<std::size_t>(up.codec_of[packet.payload_type()])];
  // `frame` has VP8's or VP9's descriptor (on_rtp); other codecs' key frame is probed only
  // when some subscriber waits for one.
  bool probed = frame.vp8.has_value() || frame.vp9.has_value();
  const SendKind kind = up.info.video ? SendKind::video : SendKind::audio;
  for (DownLink* link : up.downs) {
    if (link->settings.paused) continue;
    DownTrack& track = link->track;
    // Only the subscribers forwarding this layer, or switching to it, pay for a copy.
    if (track.current_layer() != layer && track.target_layer() != layer) continue;
    if (!probed && (track.waiting_keyframe() || track.switch_pending())) {
      probed = true;
      frame.keyframe = codec.video_codec && rtp::is_keyframe(*codec.video_codec, packet.payload());
    }
    // The copy is written once, into the send slot it leaves from when the sink has one (room
    // for SRTP's tag after it), rewritten there, and protected there in place.
    RouterSink& sink = *link->subscriber->sink;
    std::span<std::uint8_t> out = sink.egress_slot();
    if (out.size() < bytes.size() + kEgressHeadroom) out = egress_;
    std::memcpy(out.data(), bytes.data(), bytes.size());
    rtp::Packet copy = packet.over(out.first(bytes.size()));
    const auto result = track.forward(copy, layer, extended, frame, now);
    if (result != ForwardResult::forwarded) {
      if (result == ForwardResult::waiting_keyframe) counters_.waiting_keyframe.increment();
      continue;
    }
    if (track.current_layer() != link->shown_layer) {
      // A switch happened: the subscriber's stream_state, and the layers the publisher must
      // send, may change.
      link->shown_layer = track.current_layer();
      link->state_dirty = true;
      states_dirty_ = true;
      up.rids_dirty = up.simulcast();
      rids_dirty_ = rids_dirty_ || up.simulcast();
    }
    const SendKind sent_as = kind == SendKind::video && frame.keyframe ? SendKind::keyframe : kind;
    if (sink.send_rtp(out, bytes.size(), sent_as)) {
      link->subscriber->retransmit_budget.earn(bytes.size());
      counters_.forwarded_packets.increment();
      counters_.forwarded_bytes.add(bytes.size());
      ++undeparted_copies_;
    }
  }
}

}  // namespace rrtc::room
