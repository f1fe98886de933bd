#include "media_receiver.hpp"

#include <algorithm>
#include <array>
#include <chrono>

#include "clock.hpp"
#include "rtcp/compound.hpp"
#include "rtp/keyframe.hpp"
#include "rtp/packet.hpp"

namespace rrtc::loadgen {
namespace {

constexpr std::int64_t kFeedbackIntervalMs = 50;
constexpr std::int64_t kReportIntervalMs = 1000;
constexpr std::int64_t kNackRetryMs = 50;
constexpr int kNackTries = 3;
constexpr std::int64_t kMissingMaxAgeMs = 1000;
constexpr std::int64_t kPliIntervalMs = 1000;
constexpr std::int64_t kMaxGapToNack = 200;  // larger gaps: PLI instead
constexpr std::int64_t kProbeWindow = 4096;
constexpr std::int64_t kTransportFeedbackMs = 100;

std::uint64_t kind_key(std::uint32_t publisher, StreamKind kind) {
  return (std::uint64_t{publisher} << 8) | static_cast<std::uint8_t>(kind);
}
std::uint64_t probe_key(const Probe& probe) {
  return (kind_key(probe.publisher, probe.stream) << 8) | probe.layer;
}

}  // namespace

MediaReceiver::MediaReceiver(transport::Peer& peer, TimerWheel& wheel, LoopStats& stats,
                             const Window& window, std::uint32_t own_ssrc)
    : peer_(peer), wheel_(wheel), stats_(stats), window_(window), own_ssrc_(own_ssrc) {
  task_.owner = this;
}

MediaReceiver::~MediaReceiver() { stop(); }

void MediaReceiver::start() {
  if (running_) return;
  running_ = true;
  const std::int64_t now = TimerWheel::now_ms();
  next_report_ms_ = now + kReportIntervalMs;
  wheel_.schedule(&task_, now + kFeedbackIntervalMs + own_ssrc_ % kFeedbackIntervalMs);
}

void MediaReceiver::stop() {
  if (!running_) return;
  running_ = false;
  wheel_.remove(&task_);
}

void MediaReceiver::set_tracks(const std::vector<ForwardedTrack>& tracks) {
  for (const auto& track : tracks) {
    auto& stream = tracks_[track.ssrc];
    if (!stream) {
      stream = std::make_unique<Stream>(track);
    } else {
      stream->track = track;
    }
    if (track.rtx_ssrc != 0) rtx_[track.rtx_ssrc] = stream.get();
  }
}

std::optional<std::int64_t> MediaReceiver::Task::fire(std::int64_t now_ms) noexcept {
  return owner->feedback(now_ms);
}

void MediaReceiver::on_rtp(std::span<std::uint8_t> bytes) {
  ++stats_.packets_in;
  auto packet = rtp::Packet::parse(bytes);
  if (!packet) {
    ++stats_.unknown_rtp;
    return;
  }
  if (transport_cc_id_ != 0) {
    if (const auto value = packet->extension(transport_cc_id_); value && value->size() == 2) {
      transport_feedback_.record(static_cast<std::uint16_t>(((*value)[0] << 8) | (*value)[1]),
                                 mono_ns() / 1000);
    }
  }
  const auto payload = packet->payload();
  if (const auto it = tracks_.find(packet->ssrc()); it != tracks_.end()) {
    Stream& stream = *it->second;
    if (payload.empty() && packet->padding_size() > 0) {
      // A padding-only packet (the server probing our link): it takes a number of the stream
      // but carries no media.
      const std::int64_t ext = stream.unwrapper.unwrap(packet->sequence_number());
      if (stream.started && ext > stream.highest) stream.highest = ext;
      if (counted_) stream.window_padding.push_back(ext);
      ++stats_.padding_received;
      return;
    }
    const bool rtx_pt = stream.track.rtx_payload_type != 0 &&
                        packet->payload_type() == stream.track.rtx_payload_type;
    if (!rtx_pt)
      return on_media(stream, packet->sequence_number(), packet->timestamp(), payload, false);
  }
  if (const auto it = rtx_.find(packet->ssrc()); it != rtx_.end() && payload.size() >= 2) {
    // RFC 4588 section 4: the original sequence number, then the original payload.
    const auto osn = static_cast<std::uint16_t>((payload[0] << 8) | payload[1]);
    return on_media(*it->second, osn, packet->timestamp(), payload.subspan(2), true);
  }
  // An SSRC the server has not offered (yet): still measure what it carries.
  if (const auto probe = read_probe(payload)) {
    on_probe(*probe, bytes.size(), false);
  } else {
    ++stats_.unknown_rtp;
  }
}

void MediaReceiver::on_media(Stream& stream, std::uint16_t seq, std::uint32_t timestamp,
                             std::span<const std::uint8_t> payload, bool retransmission) {
  const std::int64_t now_ns = mono_ns();
  const std::int64_t ext = stream.unwrapper.unwrap(seq);
  if (!retransmission) {
    stream.stats.on_packet(seq, timestamp, std::chrono::microseconds(now_ns / 1000));
  }
  bool reordered = retransmission;
  if (!stream.started) {
    stream.started = true;
    stream.highest = ext;
  } else if (ext > stream.highest) {
    const std::int64_t gap = ext - stream.highest - 1;
    if (gap > 0) {
      const std::int64_t now_ms = now_ns / 1'000'000;
      if (gap > kMaxGapToNack) {
        stream.missing.clear();
        if (stream.track.kind == StreamKind::video) send_pli(stream, now_ms);
      } else {
        std::array<std::uint16_t, kMaxGapToNack> lost{};
        std::size_t n = 0;
        for (std::int64_t s = stream.highest + 1; s < ext; ++s) {
          stream.missing.push_back({s, now_ms, now_ms, 1});
          lost[n++] = static_cast<std::uint16_t>(s);
        }
        // Browsers NACK video; audio losses are concealed.
        if (stream.track.kind == StreamKind::video) send_nack(stream, std::span(lost).first(n));
      }
    }
    stream.highest = ext;
  } else {
    reordered = true;
    std::erase_if(stream.missing, [&](const Stream::Missing& m) { return m.seq == ext; });
  }
  if (stream.track.kind == StreamKind::video && !stream.keyframe_seen &&
      rtp::is_vp8_keyframe(payload)) {
    stream.keyframe_seen = true;
  }
  if (stream.track.kind == StreamKind::video && !stream.keyframe_seen) {
    send_pli(stream, now_ns / 1'000'000);
  }
  if (const auto probe = read_probe(payload)) {
    if (on_probe(*probe, payload.size(), reordered) && stream.track.kind == StreamKind::video) {
      stream.publisher = probe->publisher;
      if (stream.window_first < 0 || ext < stream.window_first) stream.window_first = ext;
      if (ext > stream.window_last) stream.window_last = ext;
      ++stream.window_received;
    }
  } else {
    ++stats_.unknown_rtp;
  }
}

void MediaReceiver::reset_window() {
  for (auto& [ssrc, stream] : tracks_) {
    stream->window_first = stream->window_last = -1;
    stream->window_received = 0;
    stream->window_padding.clear();
  }
  window_publishers_.clear();
}

void MediaReceiver::collect_window(LoopStats& stats) {
  window_publishers_.clear();
  for (auto& [ssrc, stream] : tracks_) {
    if (stream->window_first < 0) continue;
    auto span = static_cast<std::uint64_t>(stream->window_last - stream->window_first + 1);
    for (const auto padding : stream->window_padding) {
      if (padding > stream->window_first && padding < stream->window_last) --span;
    }
    stats.video_seq_expected += span;
    stats.video_seq_received += stream->window_received;
    window_publishers_.push_back(static_cast<std::uint32_t>(stream->publisher));
  }
}

bool MediaReceiver::on_probe(const Probe& probe, std::size_t bytes, bool retransmission) {
  const std::int64_t now_ns = mono_ns();
  if (first_media_ns_ == 0) first_media_ns_ = now_ns;
  kinds_seen_[kind_key(probe.publisher, probe.stream)] = true;
  ProbeTrack& track = probes_[probe_key(probe)];
  const auto seq = static_cast<std::int64_t>(probe.sequence);
  bool in_order = false;
  if (seq > track.highest) {
    if (seq - track.highest >= kProbeWindow || track.highest < 0) {
      track.seen.reset();
    } else {
      for (std::int64_t s = track.highest + 1; s < seq; ++s) track.seen.reset(s % kProbeWindow);
    }
    track.highest = seq;
    in_order = true;
  } else if (track.highest - seq >= kProbeWindow) {
    ++stats_.too_late;
    return false;
  } else if (track.seen.test(seq % kProbeWindow)) {
    ++stats_.duplicates;
    return false;
  }
  track.seen.set(seq % kProbeWindow);
  const auto send_ns = static_cast<std::int64_t>(probe.send_ns);
  if (!counted_ || !window_.contains(send_ns)) return false;
  const int k = static_cast<int>(probe.stream);
  ++stats_.received[k];
  if (probe.stream == StreamKind::video) ++stats_.received_layers[probe.layer];
  stats_.received_bytes += bytes;
  if (in_order && !retransmission) {
    stats_.latency[k].record(
        static_cast<std::uint64_t>(std::max<std::int64_t>(0, now_ns - send_ns) / 1000));
  } else {
    ++stats_.recovered;
  }
  return true;
}

std::int64_t MediaReceiver::feedback(std::int64_t now_ms) {
  for (auto& [ssrc, stream] : tracks_) {
    auto& missing = stream->missing;
    while (!missing.empty() && (now_ms - missing.front().first_ms > kMissingMaxAgeMs ||
                                missing.front().tries >= kNackTries)) {
      missing.pop_front();
      if (stream->track.kind == StreamKind::video) send_pli(*stream, now_ms);
    }
    if (stream->track.kind != StreamKind::video || missing.empty()) continue;
    std::array<std::uint16_t, kMaxGapToNack> again{};
    std::size_t n = 0;
    for (auto& m : missing) {
      if (now_ms - m.last_nack_ms < kNackRetryMs || n == again.size()) continue;
      m.last_nack_ms = now_ms;
      ++m.tries;
      again[n++] = static_cast<std::uint16_t>(m.seq);
    }
    if (n > 0) send_nack(*stream, std::span(again).first(n));
  }
  if (now_ms >= next_report_ms_) {
    next_report_ms_ = now_ms + kReportIntervalMs;
    send_receiver_report();
  }
  if (transport_cc_id_ != 0 && now_ms >= next_transport_feedback_ms_) {
    next_transport_feedback_ms_ = now_ms + kTransportFeedbackMs;
    send_transport_feedback();
  }
  return now_ms + kFeedbackIntervalMs;
}

void MediaReceiver::send_transport_feedback() {
  if (transport_feedback_.pending() == 0) return;
  // The media source field names one of the streams received, as libwebrtc does.
  const std::uint32_t media_ssrc = tracks_.empty() ? 0 : tracks_.begin()->first;
  transport_feedback_.flush(own_ssrc_, media_ssrc, [&](std::span<const std::uint8_t> message) {
    // Reduced-size RTCP (RFC 5506, negotiated by a=rtcp-rsize): the feedback alone.
    std::array<std::uint8_t, 1500> out{};
    if (message.size() > out.size() - transport::kRtcpSendOverhead) return;
    std::copy(message.begin(), message.end(), out.begin());
    ++stats_.transport_cc_feedback_sent;
    ++stats_.packets_out;
    peer_.send_rtcp(out, message.size());
  });
}

void MediaReceiver::send_nack(Stream& stream, std::span<const std::uint16_t> seqs) {
  std::array<rtcp::NackItem, 64> items{};
  const std::size_t n = rtcp::pack_nack_items(seqs, items);
  if (n == 0) return;
  rtcp::Nack nack;
  nack.sender_ssrc = own_ssrc_;
  nack.media_ssrc = stream.track.ssrc;
  nack.items = std::span<const rtcp::NackItem>(items.data(), n);
  std::array<std::uint8_t, 512> out{};
  rtcp::CompoundWriter writer{
      std::span<std::uint8_t>(out).first(out.size() - transport::kRtcpSendOverhead)};
  if (!writer.append(nack)) return;
  stats_.nacks_sent += seqs.size();
  ++stats_.packets_out;
  peer_.send_rtcp(out, writer.size());
}

void MediaReceiver::send_pli(Stream& stream, std::int64_t now_ms) {
  if (now_ms - stream.last_pli_ms < kPliIntervalMs) return;
  stream.last_pli_ms = now_ms;
  rtcp::Pli pli{own_ssrc_, stream.track.ssrc};
  std::array<std::uint8_t, 64> out{};
  rtcp::CompoundWriter writer{
      std::span<std::uint8_t>(out).first(out.size() - transport::kRtcpSendOverhead)};
  if (!writer.append(pli)) return;
  ++stats_.plis_sent;
  ++stats_.packets_out;
  peer_.send_rtcp(out, writer.size());
}

void MediaReceiver::send_receiver_report() {
  std::vector<rtcp::ReportBlock> blocks;
  for (auto& [ssrc, stream] : tracks_) {
    if (!stream->started || blocks.size() == rtcp::kMaxReportBlocks) continue;
    const auto values = stream->stats.make_report();
    rtcp::ReportBlock block;
    block.ssrc = ssrc;
    block.fraction_lost = values.fraction_lost;
    block.cumulative_lost = values.cumulative_lost;
    block.extended_highest_seq = values.extended_highest_seq;
    block.jitter = values.jitter;
    blocks.push_back(block);
  }
  if (blocks.empty()) return;
  rtcp::ReceiverReport rr;
  rr.sender_ssrc = own_ssrc_;
  rr.report_blocks = blocks;
  const rtcp::SdesEntry entries[] = {
      {own_ssrc_, static_cast<std::uint8_t>(rtcp::SdesType::kCname), "loadgen"}};
  const rtcp::Sdes sdes(entries);
  std::array<std::uint8_t, 1024> out{};
  rtcp::CompoundWriter writer{
      std::span<std::uint8_t>(out).first(out.size() - transport::kRtcpSendOverhead)};
  if (!writer.append(rr) || !writer.append(sdes)) return;
  ++stats_.receiver_reports_sent;
  ++stats_.packets_out;
  peer_.send_rtcp(out, writer.size());
}

}  // namespace rrtc::loadgen
