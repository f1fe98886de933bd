#include "media_sender.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "clock.hpp"
#include "rtcp/compound.hpp"
#include "rtp/packet.hpp"
#include "rtp/packet_builder.hpp"

namespace rrtc::loadgen {
namespace {

// Retransmission rings per layer, about the same span of time: q and h send 1/16 and 1/4 of
// f's packets.
constexpr std::size_t kRingSizes[kMaxLayers] = {128, 256, 1024};
constexpr std::size_t kRingSize = 1024;
constexpr double kAudioIntervalMs = 20.0;
constexpr std::uint32_t kAudioTicks = 960;  // 20 ms at 48 kHz
constexpr std::int64_t kReportIntervalMs = 1000;

// A loop that was held up (a busy machine) catches up on what it owes, one packet or frame per
// millisecond tick, so the configured rate holds; beyond kMaxBacklogMs the backlog is dropped.
constexpr double kMaxBacklogMs = 500;
std::int64_t next_due(double& next_ms, std::int64_t now_ms) {
  if (next_ms < static_cast<double>(now_ms) - kMaxBacklogMs) next_ms = static_cast<double>(now_ms);
  return static_cast<std::int64_t>(std::ceil(next_ms));
}

// VP8 temporal patterns as libvpx / libwebrtc use them: L1T2 0,1; L1T3 0,2,1,2.
std::uint8_t temporal_id(unsigned layers, std::uint32_t frame) {
  if (layers == 2) return static_cast<std::uint8_t>(frame % 2);
  if (layers >= 3) {
    constexpr std::uint8_t kT3[] = {0, 2, 1, 2};
    return kT3[frame % 4];
  }
  return 0;
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
      seed_(seed) {
  audio_task_.kind = Task::audio;
  video_task_.kind = Task::video;
  report_task_.kind = Task::report;
  audio_task_.owner = video_task_.owner = report_task_.owner = this;
  audio_.ssrc = id_.audio_ssrc;
  audio_.seq = static_cast<std::uint16_t>(seed);
  audio_.timestamp = seed * 2654435761u;
  transport_seq_ = static_cast<std::uint16_t>(seed * 7919u);
  if (!config_.video) return;
  const bool simulcast = config_.layers > 1;
  const std::size_t layers = simulcast ? kMaxLayers : 1;
  video_.resize(layers);
  for (std::size_t i = 0; i < layers; ++i) {
    VideoStream& v = video_[i];
    v.layer = static_cast<std::uint8_t>(i);
    v.ssrc = id_.video_ssrcs[i];
    // Each layer its own random start, as each of Chromium's RTP senders has.
    v.seq = static_cast<std::uint16_t>((seed >> 16) + 1000 * i);
    v.timestamp = seed * 40503u + static_cast<std::uint32_t>(i) * 977'211u;
    v.picture_id = static_cast<std::uint16_t>((seed + 331 * i) & 0x7fff);
    v.tl0picidx = static_cast<std::uint8_t>(seed >> (8 + i));
    if (simulcast) {
      v.rid = kLayerShapes[i].rid;
      v.bitrate = config_.video_bitrate / kLayerShapes[i].bitrate_divisor;
      v.width = kLayerShapes[i].width;
      v.height = kLayerShapes[i].height;
      v.ring.resize(kRingSizes[i]);
    } else {
      v.bitrate = config_.video_bitrate;
      v.ring.resize(kRingSize);
    }
  }
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
  for (auto& v : video_) v.next_keyframe_ms = now;  // the first frame is a key frame
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
  send_packet(
      audio_, nullptr,
      PacketShape{std::max<std::size_t>(config_.audio_bytes, kProbeSize), false, false, false, 0});
  audio_.timestamp += kAudioTicks;
  next_audio_ms_ += kAudioIntervalMs;
  return next_due(next_audio_ms_, now_ms);
}

std::int64_t MediaSender::send_video_frame(std::int64_t now_ms) {
  // Layers of one frame go out together, lowest first, as an encoder's simulcast output does.
  for (auto& layer : video_) send_layer_frame(layer, now_ms);
  next_frame_ms_ += 1000.0 / std::max(1u, config_.fps);
  return next_due(next_frame_ms_, now_ms);
}

void MediaSender::send_layer_frame(VideoStream& layer, std::int64_t now_ms) {
  const unsigned fps = std::max(1u, config_.fps);
  const bool key = layer.keyframe_requested || now_ms >= layer.next_keyframe_ms;
  if (key) {
    layer.keyframe_requested = false;
    layer.next_keyframe_ms = now_ms + config_.keyframe_interval_ms;
    layer.frames_since_key = 0;
    ++stats_.keyframes_sent;
  }
  const std::uint8_t tid = temporal_id(config_.temporal_layers, layer.frames_since_key);
  if (tid == 0) ++layer.tl0picidx;
  // Average bitrate including key frames: a key interval holds (frames - 1) delta frames and
  // one key frame of keyframe_factor deltas.
  const double frames_per_key = std::max(1.0, config_.keyframe_interval_ms * fps / 1000.0);
  const double delta_bytes = static_cast<double>(layer.bitrate) / 8.0 / fps * frames_per_key /
                             (frames_per_key - 1.0 + config_.keyframe_factor);
  const auto frame_bytes =
      static_cast<std::size_t>(delta_bytes * (key ? config_.keyframe_factor : 1));
  const std::size_t max_payload = std::max<std::size_t>(config_.packet_size, 64);
  const std::size_t packets =
      std::max<std::size_t>(1, (frame_bytes + max_payload - 1) / max_payload);
  const std::size_t per_packet =
      std::max<std::size_t>((frame_bytes + packets - 1) / packets,
                            kVp8LayeredDescriptorSize + kVp8FrameHeaderSize + kProbeSize);
  for (std::size_t i = 0; i < packets; ++i) {
    send_packet(layer, &layer, PacketShape{per_packet, i + 1 == packets, i == 0, key, tid});
  }
  layer.picture_id = static_cast<std::uint16_t>((layer.picture_id + 1) & 0x7fff);
  ++layer.frames_since_key;
  layer.timestamp += 90000 / fps;
}

void MediaSender::send_packet(Stream& stream, VideoStream* video, const PacketShape& shape) {
  rtp::PacketBuilder builder;
  builder.set_marker(shape.marker)
      .set_payload_type(video != nullptr ? id_.video_pt : id_.audio_pt)
      .set_sequence_number(stream.seq)
      .set_timestamp(stream.timestamp)
      .set_ssrc(stream.ssrc);
  // Values the builder points at until write_to().
  const std::uint8_t twcc[2] = {static_cast<std::uint8_t>(transport_seq_ >> 8),
                                static_cast<std::uint8_t>(transport_seq_)};
  const bool stamps_twcc = extensions_.transport_cc != 0;
  if (stamps_twcc) builder.add_extension(extensions_.transport_cc, twcc);
  const bool identify = video != nullptr && video->rid != nullptr && !video->acked;
  static constexpr std::uint8_t kVideoMidValue[] = {'1'};
  if (identify && extensions_.mid != 0) builder.add_extension(extensions_.mid, kVideoMidValue);
  if (identify && extensions_.rid != 0) {
    builder.add_extension(
        extensions_.rid,
        std::span(reinterpret_cast<const std::uint8_t*>(video->rid), std::strlen(video->rid)));
  }
  const std::size_t header = builder.write_to(buffer_);
  const std::size_t payload_size =
      std::min(shape.payload_size, buffer_.size() - header - transport::kRtpSendOverhead);
  const std::span<std::uint8_t> payload(buffer_.data() + header, payload_size);
  const StreamKind kind = video != nullptr ? StreamKind::video : StreamKind::audio;
  if (video != nullptr) {
    const bool layered = config_.layers > 1 || config_.temporal_layers > 1;
    write_vp8_payload(
        payload, Vp8PacketShape{shape.start_of_frame, shape.key_frame, video->picture_id, layered,
                                video->tl0picidx, shape.tid, shape.key_frame, 0, video->width,
                                video->height});
  } else {
    write_audio_payload(payload);
  }
  const std::uint8_t layer = video != nullptr ? video->layer : 0;
  const std::int64_t now_ns = mono_ns();
  write_probe(payload, Probe{id_.publisher, kind, stream.probe_seq++,
                             static_cast<std::uint64_t>(now_ns), layer});
  const std::size_t length = header + payload_size;
  // The transport-wide number sits in the first element of a one-byte block (ids <= 14) right
  // after the 12-byte header and the 4-byte block header; found by parsing, whatever the form.
  std::size_t twcc_offset = 0;
  if (stamps_twcc) {
    if (auto parsed = rtp::Packet::parse(std::span(buffer_.data(), length))) {
      if (const auto value = parsed->extension(extensions_.transport_cc);
          value && value->size() == 2) {
        twcc_offset = static_cast<std::size_t>(value->data() - buffer_.data());
      }
    }
  }
  if (video != nullptr && !video->ring.empty()) {
    Sent& slot = video->ring[stream.seq % video->ring.size()];
    slot.seq = stream.seq;
    slot.length = static_cast<std::uint16_t>(length);
    slot.twcc_offset = static_cast<std::uint16_t>(twcc_offset);
    std::copy_n(buffer_.begin(), length, slot.bytes.begin());
  }
  ++stream.seq;
  ++stream.packets;
  stream.octets += static_cast<std::uint32_t>(payload_size);
  ++stats_.packets_out;
  if (window_.contains(now_ns)) {
    ++window_sent_[static_cast<int>(kind)];
    ++stats_.sent[static_cast<int>(kind)];
    if (video != nullptr) {
      ++stats_.sent_layers[layer];
      ++window_sent_layers_[layer];
    }
    stats_.sent_bytes += length;
  }
  // The number was written by the builder already; send_built stamps only retransmissions.
  if (stamps_twcc) ++transport_seq_;
  if (peer_.send_rtp(buffer_, length) != transport::SendResult::Sent) ++stats_.send_failures;
}

void MediaSender::send_built(std::size_t length, std::size_t twcc_offset) {
  if (twcc_offset != 0 && twcc_offset + 2 <= length) {
    buffer_[twcc_offset] = static_cast<std::uint8_t>(transport_seq_ >> 8);
    buffer_[twcc_offset + 1] = static_cast<std::uint8_t>(transport_seq_);
    ++transport_seq_;
  }
  ++stats_.packets_out;
  if (peer_.send_rtp(buffer_, length) != transport::SendResult::Sent) ++stats_.send_failures;
}

void MediaSender::retransmit(VideoStream& layer, std::uint16_t seq) {
  if (layer.ring.empty()) return;
  const Sent& slot = layer.ring[seq % layer.ring.size()];
  if (slot.length == 0 || slot.seq != seq) return;
  std::copy_n(slot.bytes.begin(), slot.length, buffer_.begin());
  ++stats_.retransmissions_sent;
  // A retransmission is a new packet on the transport: a new transport-wide number.
  send_built(slot.length, slot.twcc_offset);
}

MediaSender::VideoStream* MediaSender::layer_of(std::uint32_t ssrc) {
  for (auto& v : video_) {
    if (v.ssrc == ssrc) return &v;
  }
  return nullptr;
}

std::int64_t MediaSender::send_reports(std::int64_t now_ms) {
  const std::string_view cname = "loadgen";
  const auto report = [&](const Stream& stream) {
    rtcp::SenderReport sr;
    sr.sender_ssrc = stream.ssrc;
    sr.ntp_timestamp = ntp_now();
    sr.rtp_timestamp = stream.timestamp;
    sr.packet_count = stream.packets;
    sr.octet_count = stream.octets;
    const rtcp::SdesEntry entries[] = {
        {stream.ssrc, static_cast<std::uint8_t>(rtcp::SdesType::kCname), cname}};
    const rtcp::Sdes sdes(entries);
    std::array<std::uint8_t, 256> out{};
    rtcp::CompoundWriter writer{
        std::span<std::uint8_t>(out).first(out.size() - transport::kRtcpSendOverhead)};
    if (!writer.append(sr) || !writer.append(sdes)) return;
    ++stats_.packets_out;
    if (peer_.send_rtcp(out, writer.size()) != transport::SendResult::Sent) ++stats_.send_failures;
  };
  if (config_.audio) report(audio_);
  for (const auto& v : video_) report(v);
  return now_ms + kReportIntervalMs;
}

void MediaSender::on_rtcp(std::span<const std::uint8_t> packet) {
  const auto acknowledge = [&](const auto& blocks) {
    for (std::size_t i = 0; i < blocks.size(); ++i) {
      if (auto* layer = layer_of(blocks[i].ssrc)) layer->acked = true;
    }
  };
  rtcp::CompoundReader reader(packet);
  while (auto message = reader.next()) {
    if (const auto* pli = std::get_if<rtcp::Pli>(&*message)) {
      if (auto* layer = layer_of(pli->media_ssrc)) {
        layer->keyframe_requested = true;
        ++stats_.plis_received;
      }
    } else if (const auto* fir = std::get_if<rtcp::Fir>(&*message)) {
      for (const auto entry : fir->entries) {
        if (auto* layer = layer_of(entry.ssrc)) {
          layer->keyframe_requested = true;
          ++stats_.plis_received;
        }
      }
    } else if (const auto* nack = std::get_if<rtcp::Nack>(&*message)) {
      auto* layer = layer_of(nack->media_ssrc);
      if (layer == nullptr) continue;
      nack->for_each_lost([&](std::uint16_t seq) {
        ++stats_.nacked_packets_received;
        retransmit(*layer, seq);
      });
    } else if (const auto* rr = std::get_if<rtcp::ReceiverReport>(&*message)) {
      acknowledge(rr->report_blocks);
    } else if (const auto* sr = std::get_if<rtcp::SenderReport>(&*message)) {
      acknowledge(sr->report_blocks);
    }
  }
}

}  // namespace rrtc::loadgen
