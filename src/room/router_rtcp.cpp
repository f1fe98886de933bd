// The RTCP the Router reads (from subscribers: NACK, PLI, FIR, REMB; from publishers: SR) and
// writes (to subscribers: SR; to publishers: NACK, PLI / FIR, RR, REMB). Membership,
// forwarding and deadlines are in router.cpp.
#include <algorithm>
#include <cstring>
#include <limits>
#include <variant>

#include "room/router.hpp"
#include "room/router_members.hpp"
#include "rtcp/compound.hpp"
#include "rtp/vp8_descriptor.hpp"

namespace rrtc::room {
namespace {

constexpr std::size_t kMaxNackedPerMessage = 256;

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

}  // namespace

void Router::on_rtcp(Member& from, std::span<const std::uint8_t> bytes,
                     time::Timestamp now) noexcept {
  rtcp::CompoundReader reader(bytes);
  std::array<std::uint16_t, kMaxNackedPerMessage> lost{};
  while (auto packet = reader.next()) {
    std::visit(
        Overloaded{
            [&](const rtcp::SenderReport& sr) {
              on_sender_report(from, sr.sender_ssrc, sr.ntp_timestamp, sr.rtp_timestamp, now);
              for (const rtcp::ReportBlock block : sr.report_blocks) {
                on_report_block(from, block.ssrc, block.last_sr, block.delay_since_last_sr, now);
              }
            },
            [&](const rtcp::ReceiverReport& rr) {
              for (const rtcp::ReportBlock block : rr.report_blocks) {
                on_report_block(from, block.ssrc, block.last_sr, block.delay_since_last_sr, now);
              }
            },
            [&](const rtcp::Nack& nack) {
              std::size_t n = 0;
              nack.for_each_lost([&](std::uint16_t seq) {
                if (n < lost.size()) lost[n++] = seq;
              });
              on_nack(from, nack.media_ssrc, std::span(lost.data(), n), now);
            },
            // A request on a subscriber's behalf moves no deadline: a pending retry finds
            // the newer request when it falls due and waits for its own turn.
            // It goes to the layer the subscriber forwards, or is switching to.
            [&](const rtcp::Pli& pli) {
              if (auto* link = find_down(from, pli.media_ssrc); link && link->up) {
                request_keyframe(*link->up, link->track.target_layer(), now);
              }
            },
            [&](const rtcp::Fir& fir) {
              for (const auto entry : fir.entries) {
                if (auto* link = find_down(from, entry.ssrc); link && link->up) {
                  request_keyframe(*link->up, link->track.target_layer(), now);
                }
              }
            },
            [&](const rtcp::Remb& remb) {
              from.has_remb = true;
              from.remb_bps = remb.bitrate_bps;
              from.remb_at = now;
            },
            [](const auto&) {},
        },
        *packet);
  }
  // What came before a bad packet was handled; the rest of the compound is ignored.
  if (reader.error()) counters_.malformed_rtcp.increment();
}

void Router::on_sender_report(Member& from, std::uint32_t ssrc, std::uint64_t ntp,
                              std::uint32_t rtp_timestamp, time::Timestamp now) noexcept {
  const Found found = find_up(from, ssrc);
  if (found.up == nullptr) return;
  UpLayer& layer = found.up->layers[static_cast<std::size_t>(found.layer)];
  if (ssrc != layer.ssrc) return;
  layer.has_sr = true;
  layer.last_sr = static_cast<std::uint32_t>(ntp >> 16);
  layer.last_sr_at = now;
  // Translated for the subscribers forwarding this layer now (their timestamps follow it).
  for (DownLink* link : found.up->downs) {
    if (!link->track.started() || link->track.current_layer() != found.layer) continue;
    rtcp::SenderReport sr;
    sr.sender_ssrc = link->track.ssrc();
    sr.ntp_timestamp = ntp;
    sr.rtp_timestamp = link->track.map_timestamp(rtp_timestamp);
    sr.packet_count = link->track.packets_sent();
    sr.octet_count = link->track.octets_sent();
    rtcp::CompoundWriter writer(rtcp_writable());
    if (writer.append(sr) && send_rtcp(*link->subscriber, writer.size())) {
      counters_.sender_reports_sent.increment();
      link->reports[link->next_report] = {static_cast<std::uint32_t>(ntp >> 16), now, true};
      link->next_report = (link->next_report + 1) % link->reports.size();
    }
  }
}

void Router::on_nack(Member& from, std::uint32_t media_ssrc, std::span<const std::uint16_t> lost,
                     time::Timestamp now) noexcept {
  DownLink* link = find_down(from, media_ssrc);
  if (link == nullptr) return;
  counters_.nacks_received.increment();
  const time::Duration round_trip =
      std::clamp(from.rtt.value_or(options_.rtt_default), options_.rtt_min, options_.rtt_max);
  UpTrack* up = link->up;
  for (const std::uint16_t seq : lost) {
    // What was sent as `seq`, and the publisher's copy of it (evicted or too old: a miss).
    const DownTrack::SentCopy* copy = link->track.sent(seq);
    std::optional<std::span<const std::uint8_t>> stored;
    if (copy != nullptr && up != nullptr && copy->layer >= 0 &&
        static_cast<std::size_t>(copy->layer) < up->layers.size()) {
      stored = up->layers[static_cast<std::size_t>(copy->layer)].store.get(copy->in_seq, now);
    }
    if (!stored || stored->size() > kMaxForwardedPacket) {
      counters_.retransmit_misses.increment();
      continue;
    }
    // Of a layer the subscriber left that is over its estimate (switched down or paused for
    // bandwidth): its link has no room for it, and its decoder restarts at the new layer's key
    // frame. (Resent into a full queue, such packets were lost again and their loss cut the
    // estimate below the lowest layer.) A layer left for track_settings is still resent.
    if (copy->layer != link->track.current_layer() && from.estimate != 0 &&
        up->layers[static_cast<std::size_t>(copy->layer)].bitrate > from.estimate) {
      counters_.retransmit_refused_layer.increment();
      continue;
    }
    if (link->track.resent_within(seq, now, round_trip)) {
      counters_.retransmit_refused_duplicate.increment();
      continue;
    }
    if (!from.retransmit_budget.spend(stored->size())) {
      counters_.retransmit_refused_budget.increment();
      continue;
    }
    link->track.mark_resent(seq, now);
    std::memcpy(egress_.data(), stored->data(), stored->size());
    auto packet = rtp::Packet::parse(std::span<std::uint8_t>(egress_.data(), stored->size()));
    if (!packet) {
      counters_.retransmit_misses.increment();
      continue;
    }
    FrameInfo descriptors;  // what the resend's picture ids are rewritten from
    const std::int8_t codec = up->codec_of[packet->payload_type() & 0x7f];
    const auto video_codec =
        codec >= 0 ? up->info.codecs[static_cast<std::size_t>(codec)].video_codec : std::nullopt;
    if (video_codec == rtp::VideoCodec::kVp8) {
      descriptors.vp8 = rtp::parse_vp8_descriptor(packet->payload());
    } else if (video_codec == rtp::VideoCodec::kVp9) {
      descriptors.vp9 = rtp::parse_vp9_descriptor(packet->payload());
    }
    if (!link->track.rewrite_resend(*packet, *copy, descriptors)) {
      counters_.retransmit_misses.increment();
      continue;
    }
    if (from.sink->send_rtp(egress_, stored->size(), SendKind::resend)) counters_.retransmitted_packets.increment();
  }
}

void Router::request_keyframe(UpTrack& up, time::Timestamp now) noexcept {
  for (std::size_t i = 0; i < up.layers.size(); ++i) {
    if (up.layers[i].awaiting_keyframe) request_keyframe(up, static_cast<int>(i), now);
  }
}

void Router::request_keyframe(UpTrack& up, int index, time::Timestamp now) noexcept {
  if (index < 0 || index >= static_cast<int>(up.layers.size())) return;
  UpLayer& layer = up.layers[static_cast<std::size_t>(index)];
  if (layer.ssrc == 0 || up.info.codecs.empty()) return;
  // Rate-limited per layer: a switch up and a switch down wait on different SSRCs.
  if (layer.requested && now - layer.last_keyframe_request < options_.keyframe_min_interval) {
    return;
  }
  layer.requested = true;
  layer.last_keyframe_request = now;
  const auto& codec = up.info.codecs.front();
  rtcp::CompoundWriter writer(rtcp_writable());
  bool written = false;
  if (codec.pli || !codec.fir) {
    written = writer.append(rtcp::Pli{up.owner->rtcp_ssrc, layer.ssrc});
  } else {
    const std::array<rtcp::FirEntry, 1> entries{rtcp::FirEntry{layer.ssrc, ++layer.fir_seq}};
    rtcp::Fir fir;
    fir.sender_ssrc = up.owner->rtcp_ssrc;
    fir.media_ssrc = 0;
    fir.entries = entries;
    written = writer.append(fir);
  }
  if (written && send_rtcp(*up.owner, writer.size())) counters_.keyframe_requests.increment();
}

void Router::send_nacks(UpTrack& up, UpLayer& layer, time::Timestamp now) noexcept {
  std::array<std::uint16_t, 64> due{};
  std::array<rtcp::NackItem, 64> items{};
  // One message per 64 numbers, until none is due: the tracker then has nothing before `now`.
  while (const std::size_t n = layer.nacks.collect(now, due)) {
    const std::size_t k = rtcp::pack_nack_items(std::span(due.data(), n), items);
    rtcp::Nack nack;
    nack.sender_ssrc = up.owner->rtcp_ssrc;
    nack.media_ssrc = layer.ssrc;
    nack.items = std::span<const rtcp::NackItem>(items.data(), k);
    rtcp::CompoundWriter writer(rtcp_writable());
    if (writer.append(nack) && send_rtcp(*up.owner, writer.size())) {
      counters_.nacks_sent.increment();
    }
  }
}

bool Router::send_reports(Member& member, time::Timestamp now) noexcept {
  std::array<rtcp::ReportBlock, rtcp::kMaxReportBlocks> blocks{};
  std::array<std::uint32_t, 16> video_ssrcs{};
  std::size_t n = 0;
  std::size_t videos = 0;
  bool heard = false;
  std::uint64_t estimate = std::numeric_limits<std::uint64_t>::max();
  // Every video track negotiated transport-cc: the engine feeds back what it measures of this
  // publisher's uplink, and its REMB carries only the configured cap. The subscribers' minimum
  // would hold every layer down to the weakest subscriber's link, which per-subscriber layers
  // (allocation) already take care of.
  bool measured_uplink = true;
  for (auto& up : member.ups) {
    if (!up->heard) continue;
    up->heard = false;
    // One report block per layer heard (each is its own RTP stream).
    for (auto& layer : up->layers) {
      if (!layer.heard || layer.ssrc == 0) continue;
      layer.heard = false;
      heard = true;
      if (n < blocks.size()) {
        const auto values = layer.stats.make_report();
        rtcp::ReportBlock& block = blocks[n++];
        block.ssrc = layer.ssrc;
        block.fraction_lost = values.fraction_lost;
        block.cumulative_lost = values.cumulative_lost;
        block.extended_highest_seq = values.extended_highest_seq;
        block.jitter = values.jitter;
        if (layer.has_sr) {
          block.last_sr = layer.last_sr;
          // RFC 3550 6.4.1: units of 1/65536 s.
          block.delay_since_last_sr =
              static_cast<std::uint32_t>((now - layer.last_sr_at).count() * 65536 / 1'000'000);
        }
      }
      if (up->info.video && up->info.remb && videos < video_ssrcs.size()) {
        video_ssrcs[videos++] = layer.ssrc;
        measured_uplink = measured_uplink && up->info.transport_cc;
      }
    }
  }
  if (!heard) return false;
  if (videos > 0 && !measured_uplink) estimate = remb_estimate(member, now);
  rtcp::CompoundWriter writer(rtcp_writable());
  rtcp::ReceiverReport report;
  report.sender_ssrc = member.rtcp_ssrc;
  report.report_blocks = std::span<const rtcp::ReportBlock>(blocks.data(), n);
  if (!writer.append(report)) return true;
  bool remb = false;
  if (videos > 0) {
    std::uint64_t bitrate = estimate;
    if (options_.remb_max_bitrate > 0) bitrate = std::min(bitrate, options_.remb_max_bitrate);
    if (bitrate != std::numeric_limits<std::uint64_t>::max()) {
      rtcp::Remb message;
      message.sender_ssrc = member.rtcp_ssrc;
      message.media_ssrc = 0;
      message.bitrate_bps = bitrate;
      message.ssrcs = std::span<const std::uint32_t>(video_ssrcs.data(), videos);
      remb = writer.append(message);
    }
  }
  if (send_rtcp(member, writer.size())) {
    counters_.receiver_reports_sent.increment();
    if (remb) counters_.remb_sent.increment();
  }
  return true;
}

bool Router::send_rtcp(Member& to, std::size_t length) noexcept {
  return to.sink->send_rtcp(rtcp_, length);
}

}  // namespace rrtc::room
