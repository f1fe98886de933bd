// The Router's policing (router.hpp, "Policing"): ingress per published track, the RTT that
// paces NACK answers, and the REMB aggregate that ignores outliers. Forwarding is in router.cpp,
// the RTCP that calls these in router_rtcp.cpp.
#include <algorithm>
#include <limits>

#include "room/remb_aggregate.hpp"
#include "room/router.hpp"
#include "room/router_members.hpp"

namespace rrtc::room {

std::optional<time::Duration> Router::rtt(const Member& member) const noexcept {
  return member.rtt;
}

bool Router::admit(UpTrack& up, std::size_t size, time::Timestamp now) noexcept {
  ++up.packets;  // every packet of the track passes here once: its statistics
  up.bytes += size;
  up.policed_now = false;
  if (up.packet_bucket.holds(1, now) && up.bit_bucket.holds(size * 8, now)) {
    up.packet_bucket.take(1);
    up.bit_bucket.take(size * 8);
    return true;
  }
  up.policed_now = true;
  counters_.policed_packets.increment();
  counters_.policed_bytes.add(size);
  ++up.policed_packets;
  up.policed_bytes += size;
  if (!up.noticed || now - up.last_notice >= options_.policing_notice_interval) {
    up.noticed = true;
    up.last_notice = now;
    notice_ = PolicingNotice{up.info.key, up.policed_packets, up.policed_bytes};
    up.policed_packets = 0;
    up.policed_bytes = 0;
  }
  return false;
}

void Router::on_report_block(Member& from, std::uint32_t ssrc, std::uint32_t last_sr,
                             std::uint32_t delay_since_last_sr, time::Timestamp now) noexcept {
  const DownLink* link = find_down(from, ssrc);
  if (link == nullptr || last_sr == 0) return;
  for (const auto& report : link->reports) {
    if (!report.valid || report.compact_ntp != last_sr) continue;
    // RFC 3550 6.4.1: RTT = arrival - LSR - DLSR, here on our own clock from when we sent it.
    const time::Duration delay(static_cast<std::int64_t>(
        static_cast<std::uint64_t>(delay_since_last_sr) * 1'000'000 / 65536));
    const time::Duration sample = std::max(time::Duration(0), now - report.sent_at - delay);
    from.rtt = from.rtt ? (*from.rtt * 7 + sample) / 8 : sample;
    return;
  }
}

std::uint64_t Router::remb_estimate(Member& publisher, time::Timestamp now) noexcept {
  // Each subscriber once (it may receive several of the publisher's video tracks); at most one
  // estimate per member, so the reserved scratch never grows here.
  ++remb_round_;
  remb_scratch_.clear();
  for (auto& up : publisher.ups) {
    if (!up->info.video || !up->info.remb) continue;
    for (const DownLink* link : up->downs) {
      Member& sub = *link->subscriber;
      if (sub.remb_round == remb_round_) continue;
      sub.remb_round = remb_round_;
      if (!sub.has_remb || now - sub.remb_at > options_.remb_timeout) continue;
      // A subscriber's estimate covers everything it receives: share it among its video.
      const auto shares = std::max<std::size_t>(
          1, static_cast<std::size_t>(
                 std::count_if(sub.downs.begin(), sub.downs.end(),
                               [](const auto& l) { return l->track.subscription().video; })));
      if (remb_scratch_.size() < remb_scratch_.capacity()) {
        remb_scratch_.push_back(sub.remb_bps / shares);
      }
    }
  }
  const auto aggregate = aggregate_remb(remb_scratch_, options_.remb_outlier_ratio);
  if (!aggregate) return std::numeric_limits<std::uint64_t>::max();
  counters_.remb_outliers.add(aggregate->outliers);
  return aggregate->bitrate;
}

}  // namespace rrtc::room
