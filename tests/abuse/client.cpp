#include "client.hpp"

#include <algorithm>
#include <utility>

#include "clock.hpp"

namespace rrtc::abuse {

Client::Client(loadgen::LoopContext& context, boost::asio::io_context& ioc,
               const loadgen::WsUrl& url, loadgen::ParticipantSpec spec)
    : participant_(context, ioc, url, std::move(spec)) {
  auto& hooks = participant_.hooks();
  hooks.wrap_transport = [this](std::unique_ptr<ice::IceTransport> nice) {
    auto tap = std::make_unique<TapTransport>(std::move(nice));
    tap_ = tap.get();
    return std::unique_ptr<ice::IceTransport>(std::move(tap));
  };
  hooks.on_server_candidate = [this](const std::string& candidate) {
    server_candidates_.push_back(candidate);
  };
  hooks.on_tracks = [this](const std::vector<loadgen::ForwardedTrack>& tracks) {
    on_tracks(tracks);
  };
  hooks.on_rtp = [this](std::span<const std::uint8_t> packet) { on_rtp(packet); };
}

void Client::on_tracks(const std::vector<loadgen::ForwardedTrack>& tracks) {
  for (const auto& track : tracks) publisher_of_[track.ssrc] = track.participant_id;
  tracks_ = tracks;
}

void Client::start_measuring() {
  measuring_ = true;
  gaps_.clear();
  const auto now = loadgen::mono_ns();
  for (const auto& [ssrc, publisher] : publisher_of_) gaps_[publisher].last_ns = now;
}

std::map<std::string, GapStats> Client::measured() const {
  auto result = gaps_;
  const auto now = loadgen::mono_ns();
  for (auto& [publisher, gap] : result) {
    gap.max_gap_ns = std::max(gap.max_gap_ns, now - gap.last_ns);
  }
  return result;
}

std::uint32_t Client::forwarded_ssrc(const std::string& publisher, bool video) const {
  for (const auto& track : tracks_) {
    if (track.participant_id == publisher &&
        (track.kind == loadgen::StreamKind::video) == video) {
      return track.ssrc;
    }
  }
  return 0;
}

void Client::on_rtp(std::span<const std::uint8_t> packet) {
  if (packet.size() < 12) return;
  const std::uint32_t ssrc = std::uint32_t{packet[8]} << 24 | std::uint32_t{packet[9]} << 16 |
                             std::uint32_t{packet[10]} << 8 | packet[11];
  ++received_[ssrc];
  last_seq_in_[ssrc] = static_cast<std::uint16_t>(packet[2] << 8 | packet[3]);
  if (!measuring_) return;
  if (const auto it = publisher_of_.find(ssrc); it != publisher_of_.end()) {
    auto& gap = gaps_[it->second];
    const auto now = loadgen::mono_ns();
    if (gap.last_ns != 0) gap.max_gap_ns = std::max(gap.max_gap_ns, now - gap.last_ns);
    gap.last_ns = now;
    ++gap.packets;
  }
}

}  // namespace rrtc::abuse
