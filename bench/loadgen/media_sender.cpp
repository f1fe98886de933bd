#include "media_sender.hpp"

#include <algorithm>
#include <cmath>

#include "clock.hpp"
#include "rtcp/compound.hpp"
#include "rtp/packet_builder.hpp"

namespace rrtc::loadgen {
namespace {

constexpr std::size_t kRtpHeader = 12;
constexpr std::size_t kRingSize = 1024;
constexpr double kAudioIntervalMs = 20.0;
constexpr std::uint32_t kAudioTicks = 960;  // 20 ms at 48 kHz
constexpr std::int64_t kReportIntervalMs = 1000;

int index(StreamKind kind) { return static_cast<int>(kind); }

// A loop that was held up (a busy machine) catches up on what it owes, one packet or frame per
// millisecond tick, so the configured rate holds; beyond kMaxBacklogMs the backlog is dropped.
constexpr double kMaxBacklogMs = 500;
std::int64_t next_due(double& next_ms, std::int64_t now_ms) {
  if (next_ms < static_cast<double>(now_ms) - kMaxBacklogMs) next_ms = static_cast<double>(now_ms);
  return static_cast<std::int64_t>(std::ceil(next_ms));
}

}  // namespace

MediaSender::MediaSender(transport::Peer& peer, TimerWheel& wheel, LoopStats& stats,
                         const Window& window, const MediaConfig& config, SenderIdentity identity,
                         std::uint32_t seed)
    : peer_(peer),
      wheel_(wheel),
      stats_(stats),
      window_(window),
      config_(config),
      id_(identity),
      seed_(seed),
      ring_(config.video ? kRingSize : 0) {
  audio_task_.kind = Task::audio;
  video_task_.kind = Task::video;
  report_task_.kind = Task::report;
  audio_task_.owner = video_task_.owner = report_task_.owner = this;
  seq_[0] = static_cast<std::uint16_t>(seed);
  seq_[1] = static_cast<std::uint16_t>(seed >> 16);
  timestamp_[0] = seed * 2654435761u;
  timestamp_[1] = seed * 40503u;
}

MediaSender::~MediaSender() { stop(); }

void MediaSender::start() {
  if (running_) return;
  running_ = true;
  const std::int64_t now = TimerWheel::now_ms();
  // Spread publishers over the intervals so bursts of different publishers do not line up.
  const double phase = static_cast<double>(seed_ % 1000) / 1000.0;
  next_audio_ms_ = static_cast<double>(now) + phase * kAudioIntervalMs;
  next_frame_ms_ = static_cast<double>(now) + phase * 1000.0 / std::max(1u, config_.fps);
  next_keyframe_ms_ = now;  // the first frame is a key frame
  if (config_.audio) wheel_.schedule(&audio_task_, static_cast<std::int64_t>(next_audio_ms_));
  if (config_.video) wheel_.schedule(&video_task_, static_cast<std::int64_t>(next_frame_ms_));
  wheel_.schedule(&report_task_, now + 100 + static_cast<std::int64_t>(seed_ % 500));
}

void MediaSender::stop() {
  if (!running_) return;
  running_ = false;
  wheel_.remove(&audio_task_);
  wheel_.remove(&video_task_);
  wheel_.remove(&report_task_);
}

std::optional<std::int64_t> MediaSender::Task::fire(std::int64_t now_ms) noexcept {
  switch (kind) {
    case audio:
      return owner->send_audio(now_ms);
    case video:
      return owner->send_video_frame(now_ms);
    case report:
      return owner->send_reports(now_ms);
  }
  return std::nullopt;
}

std::int64_t MediaSender::send_audio(std::int64_t now_ms) {
  send_packet(StreamKind::audio, std::max<std::size_t>(config_.audio_bytes, kProbeSize), false,
              false, false);
  timestamp_[0] += kAudioTicks;
  next_audio_ms_ += kAudioIntervalMs;
  return next_due(next_audio_ms_, now_ms);
}

std::int64_t MediaSender::send_video_frame(std::int64_t now_ms) {
  const unsigned fps = std::max(1u, config_.fps);
  bool key = keyframe_requested_ || now_ms >= next_keyframe_ms_;
  if (key) {
    keyframe_requested_ = false;
    next_keyframe_ms_ = now_ms + config_.keyframe_interval_ms;
    ++stats_.keyframes_sent;
  }
  // Average bitrate including key frames: a key interval holds (frames - 1) delta frames and
  // one key frame of keyframe_factor deltas.
  const double frames_per_key = std::max(1.0, config_.keyframe_interval_ms * fps / 1000.0);
  const double delta_bytes = static_cast<double>(config_.video_bitrate) / 8.0 / fps *
                             frames_per_key / (frames_per_key - 1.0 + config_.keyframe_factor);
  std::size_t frame_bytes =
      static_cast<std::size_t>(delta_bytes * (key ? config_.keyframe_factor : 1));
  const std::size_t max_payload = std::max<std::size_t>(config_.packet_size, 64);
  const std::size_t packets =
      std::max<std::size_t>(1, (frame_bytes + max_payload - 1) / max_payload);
  const std::size_t per_packet = std::max<std::size_t>(
      (frame_bytes + packets - 1) / packets, kVp8DescriptorSize + kVp8FrameHeaderSize + kProbeSize);
  for (std::size_t i = 0; i < packets; ++i) {
    send_packet(StreamKind::video, per_packet, i + 1 == packets, i == 0, key);
  }
  picture_id_ = static_cast<std::uint16_t>((picture_id_ + 1) & 0x7fff);
  timestamp_[1] += 90000 / fps;
  next_frame_ms_ += 1000.0 / fps;
  return next_due(next_frame_ms_, now_ms);
}

void MediaSender::send_packet(StreamKind kind, std::size_t payload_size, bool marker,
                              bool start_of_frame, bool key_frame) {
  const int k = index(kind);
  rtp::PacketBuilder builder;
  builder.set_marker(marker)
      .set_payload_type(kind == StreamKind::audio ? id_.audio_pt : id_.video_pt)
      .set_sequence_number(seq_[k])
      .set_timestamp(timestamp_[k])
      .set_ssrc(kind == StreamKind::audio ? id_.audio_ssrc : id_.video_ssrc);
  payload_size = std::min(payload_size, buffer_.size() - kRtpHeader - transport::kRtpSendOverhead);
  const std::size_t header = builder.write_to(buffer_);
  const std::span<std::uint8_t> payload(buffer_.data() + header, payload_size);
  if (kind == StreamKind::video) {
    write_vp8_payload(payload, Vp8PacketShape{start_of_frame, key_frame, picture_id_});
  } else {
    write_audio_payload(payload);
  }
  const std::int64_t now_ns = mono_ns();
  write_probe(payload,
              Probe{id_.publisher, kind, probe_seq_[k]++, static_cast<std::uint64_t>(now_ns)});
  const std::size_t length = header + payload_size;
  if (kind == StreamKind::video && !ring_.empty()) {
    Sent& slot = ring_[seq_[k] % ring_.size()];
    slot.seq = seq_[k];
    slot.length = static_cast<std::uint16_t>(length);
    std::copy_n(buffer_.begin(), length, slot.bytes.begin());
  }
  ++seq_[k];
  ++packets_[k];
  octets_[k] += static_cast<std::uint32_t>(payload_size);
  ++stats_.packets_out;
  if (window_.contains(now_ns)) {
    ++window_sent_[k];
    ++stats_.sent[k];
    stats_.sent_bytes += length;
  }
  if (peer_.send_rtp(buffer_, length) != transport::SendResult::Sent) ++stats_.send_failures;
}

void MediaSender::retransmit(std::uint16_t seq) {
  if (ring_.empty()) return;
  const Sent& slot = ring_[seq % ring_.size()];
  if (slot.length == 0 || slot.seq != seq) return;
  std::copy_n(slot.bytes.begin(), slot.length, buffer_.begin());
  ++stats_.retransmissions_sent;
  ++stats_.packets_out;
  if (peer_.send_rtp(buffer_, slot.length) != transport::SendResult::Sent) ++stats_.send_failures;
}

std::int64_t MediaSender::send_reports(std::int64_t now_ms) {
  const std::string_view cname = "loadgen";
  for (const StreamKind kind : {StreamKind::audio, StreamKind::video}) {
    const int k = index(kind);
    if ((kind == StreamKind::audio && !config_.audio) ||
        (kind == StreamKind::video && !config_.video)) {
      continue;
    }
    const std::uint32_t ssrc = kind == StreamKind::audio ? id_.audio_ssrc : id_.video_ssrc;
    rtcp::SenderReport sr;
    sr.sender_ssrc = ssrc;
    sr.ntp_timestamp = ntp_now();
    sr.rtp_timestamp = timestamp_[k];
    sr.packet_count = packets_[k];
    sr.octet_count = octets_[k];
    const rtcp::SdesEntry entries[] = {
        {ssrc, static_cast<std::uint8_t>(rtcp::SdesType::kCname), cname}};
    const rtcp::Sdes sdes(entries);
    std::array<std::uint8_t, 256> out{};
    rtcp::CompoundWriter writer{
        std::span<std::uint8_t>(out).first(out.size() - transport::kRtcpSendOverhead)};
    if (!writer.append(sr) || !writer.append(sdes)) continue;
    ++stats_.packets_out;
    if (peer_.send_rtcp(out, writer.size()) != transport::SendResult::Sent) ++stats_.send_failures;
  }
  return now_ms + kReportIntervalMs;
}

void MediaSender::on_rtcp(std::span<const std::uint8_t> packet) {
  rtcp::CompoundReader reader(packet);
  while (auto message = reader.next()) {
    if (const auto* pli = std::get_if<rtcp::Pli>(&*message)) {
      if (pli->media_ssrc == id_.video_ssrc) {
        keyframe_requested_ = true;
        ++stats_.plis_received;
      }
    } else if (const auto* fir = std::get_if<rtcp::Fir>(&*message)) {
      for (const auto entry : fir->entries) {
        if (entry.ssrc == id_.video_ssrc) {
          keyframe_requested_ = true;
          ++stats_.plis_received;
        }
      }
    } else if (const auto* nack = std::get_if<rtcp::Nack>(&*message)) {
      if (nack->media_ssrc != id_.video_ssrc) continue;
      nack->for_each_lost([&](std::uint16_t seq) {
        ++stats_.nacked_packets_received;
        retransmit(seq);
      });
    }
  }
}

}  // namespace rrtc::loadgen
