#include "sim_simulcast_source.hpp"

#include <algorithm>

#include "client_sdp.hpp"
#include "media_config.hpp"
#include "rtp/packet_builder.hpp"
#include "transport/peer.hpp"

namespace rrtc::engine::test {
namespace {

constexpr std::uint32_t kFrameTicks = 3600;  // 25 frames per second on the 90 kHz clock

}  // namespace

SimulcastSource::SimulcastSource(SimClient& client, const Ladder& ladder)
    : client_(client), ladder_(ladder) {
  for (int i = 0; i < kLayers; ++i) {
    auto& layer = layers_[static_cast<std::size_t>(i)];
    layer.ssrc = client.video_ssrc() + 0x1000u * static_cast<std::uint32_t>(i + 1);
    layer.sequence = static_cast<std::uint16_t>(1000 * (i + 1));
    layer.timestamp = 100000u * static_cast<std::uint32_t>(i + 1);
    layer.picture_id = static_cast<std::uint16_t>(100 * (i + 1));
  }
}

void SimulcastSource::set_active(const std::vector<std::string>& rids) {
  for (int i = 0; i < kLayers; ++i) {
    const std::string rid = loadgen::kLayerShapes[i].rid;
    const bool on = std::find(rids.begin(), rids.end(), rid) != rids.end();
    auto& layer = layers_[static_cast<std::size_t>(i)];
    layer.active = on;
  }
}

void SimulcastSource::send_frame(bool keyframe) {
  keyframe = client_.take_keyframe_request() || keyframe;
  for (int i = 0; i < kLayers; ++i) {
    auto& layer = layers_[static_cast<std::size_t>(i)];
    // A stopped layer's clock still runs: when it resumes its timestamps are where they would be.
    if (layer.active) {
      const auto& shape = ladder_[static_cast<std::size_t>(i)];
      const int packets = keyframe ? shape.keyframe_packets : shape.packets;
      for (int p = 0; p < packets; ++p) send_packet(i, keyframe, p == 0, p == packets - 1);
      ++layer.picture_id;
      layer.picture_id &= 0x7fff;
    }
    layer.timestamp += kFrameTicks;
  }
}

void SimulcastSource::send_packet(int index, bool keyframe, bool first, bool last) {
  auto& layer = layers_[static_cast<std::size_t>(index)];
  const auto& shape = loadgen::kLayerShapes[index];
  // RFC 7741: X=1, S on a frame's first packet, I with a 15-bit picture id.
  std::vector<std::uint8_t> payload(ladder_[static_cast<std::size_t>(index)].payload_bytes, 0x5a);
  payload.back() = static_cast<std::uint8_t>(kLayerMark + index);
  payload[0] = first ? 0x90 : 0x80;
  payload[1] = 0x80;
  payload[2] = static_cast<std::uint8_t>(0x80 | (layer.picture_id >> 8));
  payload[3] = static_cast<std::uint8_t>(layer.picture_id);
  if (first) {
    // The VP8 payload header: P=0 for a key frame, whose header has the start code and size.
    payload[4] = keyframe ? 0x10 : 0x11;
    payload[5] = 0x00;
    payload[6] = 0x00;
    if (keyframe) {
      const std::array<std::uint8_t, 7> header{0x9d,
                                               0x01,
                                               0x2a,
                                               static_cast<std::uint8_t>(shape.width),
                                               static_cast<std::uint8_t>(shape.width >> 8),
                                               static_cast<std::uint8_t>(shape.height),
                                               static_cast<std::uint8_t>(shape.height >> 8)};
      std::copy(header.begin(), header.end(), payload.begin() + 7);
    }
  }
  rtp::PacketBuilder builder;
  builder.set_ssrc(layer.ssrc)
      .set_payload_type(loadgen::kVp8PayloadType)
      .set_sequence_number(layer.sequence++)
      .set_timestamp(layer.timestamp)
      .set_marker(last)
      .set_payload(payload);
  const std::array<std::uint8_t, 1> mid{'1'};
  const std::string rid = shape.rid;
  builder.add_extension(loadgen::kMidExtensionId, mid);
  builder.add_extension(loadgen::kRidExtensionId,
                        std::span(reinterpret_cast<const std::uint8_t*>(rid.data()), rid.size()));
  std::array<std::uint8_t, 2> transport_seq{};
  if (client_.transport_cc_id() != 0) {
    const std::uint16_t seq = client_.take_transport_seq();
    transport_seq = {static_cast<std::uint8_t>(seq >> 8), static_cast<std::uint8_t>(seq)};
    builder.add_extension(client_.transport_cc_id(), transport_seq);
  }
  std::vector<std::uint8_t> buffer(builder.serialized_size() + transport::kRtpSendOverhead);
  const auto length = builder.write_to(buffer);
  client_.peer().send_rtp(buffer, length);
}

}  // namespace rrtc::engine::test
