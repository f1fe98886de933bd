#include "room/router.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <random>
#include <utility>
#include <variant>

#include "rtcp/compound.hpp"
#include "rtp/receive_stats.hpp"
#include "rtp/seq_unwrapper.hpp"

namespace rrtc::room {
namespace {

using std::chrono::duration_cast;
using std::chrono::microseconds;
using std::chrono::nanoseconds;

constexpr std::size_t kMaxNackedPerMessage = 256;

microseconds us(nanoseconds t) { return duration_cast<microseconds>(t); }

bool passes(TrackType type, const ParticipantState& state) {
  switch (type) {
    case TrackType::audio:
      return !state.muted;
    case TrackType::camera:
      return state.video_on;
    case TrackType::screen:
      break;
  }
  return state.screen_sharing;
}

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

}  // namespace

struct Router::UpTrack {
  UpTrack(const PublishedTrack& track, Member* member, const NackOptions& nack_options)
      : info(track),
        owner(member),
        stats(track.codecs.empty() ? 90000 : track.codecs.front().clock_rate),
        nacks(nack_options) {
    index_codecs();
  }
  void index_codecs() {
    codec_of.fill(-1);
    rtx_of.fill(-1);
    for (std::size_t i = 0; i < info.codecs.size() && i < 127; ++i) {
      const auto& codec = info.codecs[i];
      codec_of[codec.payload_type & 0x7f] = static_cast<std::int8_t>(i);
      if (codec.rtx_payload_type) rtx_of[*codec.rtx_payload_type & 0x7f] = static_cast<std::int8_t>(i);
    }
  }

  PublishedTrack info;
  Member* owner;
  std::array<std::int8_t, 128> codec_of{};  // payload type -> index in info.codecs
  std::array<std::int8_t, 128> rtx_of{};    // RTX payload type -> the codec it repairs
  rtp::ReceiveStats stats;
  rtp::SeqUnwrapper seq;
  NackTracker nacks;
  std::vector<DownLink*> downs;
  bool enabled = true;
  bool received = false;
  bool requested = false;
  microseconds last_keyframe_request{0};
  bool has_sr = false;
  std::uint32_t last_sr = 0;  // middle 32 bits of the SR's NTP time
  microseconds last_sr_at{0};
  std::uint8_t fir_seq = 0;
};

struct Router::DownLink {
  DownLink(const Subscription& subscription, const DownTrackOptions& options, microseconds now,
           Member* member)
      : track(subscription, options, now), subscriber(member) {}
  DownTrack track;
  Member* subscriber;
  UpTrack* up = nullptr;
};

struct Router::Member {
  std::string id;
  RouterSink* sink = nullptr;
  ParticipantState state;
  std::uint32_t rtcp_ssrc = 0;
  std::vector<std::unique_ptr<UpTrack>> ups;
  std::vector<std::unique_ptr<DownLink>> downs;
  bool has_remb = false;
  std::uint64_t remb_bps = 0;
  microseconds remb_at{0};
};

Router::Router(RouterOptions options, ForwardCounters& counters)
    : options_(std::move(options)), counters_(counters), ssrc_state_(std::random_device{}() | 1) {}

Router::~Router() = default;

std::uint32_t Router::next_ssrc() noexcept {
  // xorshift32: distinct, never 0.
  do {
    ssrc_state_ ^= ssrc_state_ << 13;
    ssrc_state_ ^= ssrc_state_ >> 17;
    ssrc_state_ ^= ssrc_state_ << 5;
  } while (ssrc_state_ == 0);
  return ssrc_state_;
}

Router::Member& Router::add(std::string id, RouterSink& sink, ParticipantState state) {
  auto member = std::make_unique<Member>();
  member->id = std::move(id);
  member->sink = &sink;
  member->state = state;
  member->rtcp_ssrc = next_ssrc();
  members_.push_back(std::move(member));
  return *members_.back();
}

void Router::remove(Member& member) {
  std::erase_if(members_, [&](const auto& m) { return m.get() == &member; });
  relink();
}

std::size_t Router::subscriptions_of(const Member& member) const noexcept {
  return member.downs.size();
}

std::uint32_t Router::rtcp_ssrc(const Member& member) const noexcept { return member.rtcp_ssrc; }

void Router::relink() {
  for (auto& member : members_) {
    for (auto& up : member->ups) up->downs.clear();
  }
  for (auto& member : members_) {
    for (auto& link : member->downs) {
      link->up = nullptr;
      for (auto& other : members_) {
        if (other.get() == member.get()) continue;
        for (auto& up : other->ups) {
          if (up->info.key != link->track.subscription().track_key) continue;
          link->up = up.get();
          up->downs.push_back(link.get());
        }
      }
    }
  }
}

void Router::publish(Member& member, const std::vector<PublishedTrack>& tracks, nanoseconds now) {
  std::vector<std::unique_ptr<UpTrack>> next;
  next.reserve(tracks.size());
  for (const auto& track : tracks) {
    const auto it = std::find_if(member.ups.begin(), member.ups.end(), [&](const auto& up) {
      return up != nullptr && up->info.key == track.key &&
             (track.ssrc == 0 || up->info.ssrc == track.ssrc);
    });
    std::unique_ptr<UpTrack> up;
    if (it != member.ups.end()) {
      up = std::move(*it);
      const std::uint32_t learned = up->info.ssrc;
      up->info = track;
      if (up->info.ssrc == 0) up->info.ssrc = learned;
      up->index_codecs();
    } else {
      up = std::make_unique<UpTrack>(track, &member, options_.nack);
    }
    up->enabled = passes(track.type, member.state);
    next.push_back(std::move(up));
  }
  member.ups = std::move(next);
  relink();
  // Subscribers already waiting for these tracks (a publisher that re-offered) get a key frame.
  for (auto& up : member.ups) {
    const bool waiting = std::any_of(up->downs.begin(), up->downs.end(), [](const DownLink* l) {
      return l->track.waiting_keyframe();
    });
    if (waiting && up->enabled && up->info.video) request_keyframe(*up, us(now));
  }
}

void Router::subscribe(Member& member, const std::vector<Subscription>& subscriptions,
                       nanoseconds now) {
  std::vector<std::unique_ptr<DownLink>> next;
  std::vector<DownLink*> fresh;
  next.reserve(subscriptions.size());
  for (const auto& subscription : subscriptions) {
    const auto it = std::find_if(member.downs.begin(), member.downs.end(), [&](const auto& link) {
      return link != nullptr && link->track.subscription().track_key == subscription.track_key &&
             link->track.ssrc() == subscription.ssrc;
    });
    if (it != member.downs.end()) {
      (*it)->track.update(subscription);
      next.push_back(std::move(*it));
      continue;
    }
    next.push_back(std::make_unique<DownLink>(
        subscription, subscription.video ? options_.video : options_.audio, us(now), &member));
    fresh.push_back(next.back().get());
  }
  member.downs = std::move(next);
  relink();
  for (DownLink* link : fresh) {
    if (link->up != nullptr && link->up->enabled && link->up->info.video) {
      request_keyframe(*link->up, us(now));
    }
  }
}

void Router::set_state(Member& member, ParticipantState state, nanoseconds now) {
  member.state = state;
  for (auto& up : member.ups) {
    const bool on = passes(up->info.type, state);
    if (on && !up->enabled) {
      for (DownLink* link : up->downs) link->track.resync(us(now));
      up->enabled = true;
      if (up->info.video) request_keyframe(*up, us(now));
    }
    up->enabled = on;
  }
}

void Router::on_connected(Member& member, nanoseconds now) {
  for (auto& link : member.downs) {
    link->track.resync(us(now));
    if (link->up != nullptr && link->up->enabled && link->up->info.video) {
      request_keyframe(*link->up, us(now));
    }
  }
}

Router::UpTrack* Router::find_up(Member& member, std::uint32_t ssrc) noexcept {
  for (auto& up : member.ups) {
    if (up->info.ssrc == ssrc || (up->info.rtx_ssrc != 0 && up->info.rtx_ssrc == ssrc)) {
      return up.get();
    }
  }
  return nullptr;
}

Router::DownLink* Router::find_down(Member& member, std::uint32_t ssrc) noexcept {
  for (auto& link : member.downs) {
    if (link->track.ssrc() == ssrc) return link.get();
  }
  return nullptr;
}

void Router::on_rtp(Member& from, std::span<std::uint8_t> bytes, nanoseconds now) noexcept {
  auto parsed = rtp::Packet::parse(bytes);
  if (!parsed) {
    counters_.unroutable_packets.increment();
    return;
  }
  rtp::Packet packet = *parsed;
  UpTrack* up = find_up(from, packet.ssrc());
  if (up == nullptr) {
    // No a=ssrc for this track: bind the SSRC the first time a packet names the track's mid.
    for (auto& candidate : from.ups) {
      if (candidate->info.ssrc != 0 || candidate->info.mid_extension_id == 0) continue;
      const auto mid = packet.extension(candidate->info.mid_extension_id);
      if (!mid || candidate->codec_of[packet.payload_type()] < 0) continue;
      if (std::equal(mid->begin(), mid->end(), candidate->info.mid.begin(),
                     candidate->info.mid.end())) {
        candidate->info.ssrc = packet.ssrc();
        up = candidate.get();
        break;
      }
    }
  }
  if (up == nullptr || up->info.ssrc == 0) {
    counters_.unroutable_packets.increment();
    return;
  }
  const std::int8_t repaired = up->rtx_of[packet.payload_type()];
  if (repaired >= 0 || packet.ssrc() != up->info.ssrc) {
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
    packet.set_payload_type(up->info.codecs[static_cast<std::size_t>(repaired)].payload_type);
    packet.set_ssrc(up->info.ssrc);
  }
  if (up->codec_of[packet.payload_type()] < 0) {
    counters_.unroutable_packets.increment();
    return;
  }
  const std::int64_t extended = up->seq.unwrap(packet.sequence_number());
  const microseconds at = us(now);
  up->stats.on_packet(packet.sequence_number(), packet.timestamp(), at);
  if (up->nacks.on_packet(extended, at)) counters_.packets_recovered.increment();
  up->received = true;
  if (up->downs.empty()) return;
  if (!up->enabled) {
    counters_.filtered_packets.increment();
    return;
  }
  forward(*up, bytes, extended, now);
}

void Router::forward(UpTrack& up, std::span<std::uint8_t> bytes, std::int64_t extended,
                     nanoseconds now) noexcept {
  if (bytes.size() > kMaxForwardedPacket) {
    counters_.unroutable_packets.increment();
    return;
  }
  const microseconds at = us(now);
  const std::uint8_t payload_type = bytes[1] & 0x7f;
  const auto& codec = up.info.codecs[static_cast<std::size_t>(up.codec_of[payload_type])];
  int keyframe = -1;  // probed once, only when a subscriber waits for one
  for (DownLink* link : up.downs) {
    std::memcpy(egress_.data(), bytes.data(), bytes.size());
    auto copy = rtp::Packet::parse(std::span<std::uint8_t>(egress_.data(), bytes.size()));
    if (!copy) return;
    if (keyframe < 0 && link->track.waiting_keyframe()) {
      keyframe = codec.video_codec && rtp::is_keyframe(*codec.video_codec, copy->payload()) ? 1 : 0;
    }
    const auto result = link->track.forward(*copy, extended, keyframe == 1, at);
    if (result != ForwardResult::forwarded) {
      if (result == ForwardResult::waiting_keyframe) counters_.waiting_keyframe.increment();
      continue;
    }
    const std::span<const std::uint8_t> plain(egress_.data(), bytes.size());
    link->track.remember(plain, at);
    if (link->subscriber->sink->send_rtp(egress_, bytes.size())) {
      counters_.forwarded_packets.increment();
      counters_.forwarded_bytes.add(bytes.size());
      ++undeparted_copies_;
    }
  }
}

void Router::departed(nanoseconds arrived, nanoseconds departed) noexcept {
  if (undeparted_copies_ == 0) return;
  const auto elapsed = departed - arrived;
  counters_.hop_latency.observe(
      elapsed.count() > 0 ? static_cast<std::uint64_t>(elapsed.count()) : 0, undeparted_copies_);
  undeparted_copies_ = 0;
}

void Router::on_rtcp(Member& from, std::span<const std::uint8_t> bytes, nanoseconds now) noexcept {
  const microseconds at = us(now);
  rtcp::CompoundReader reader(bytes);
  std::array<std::uint16_t, kMaxNackedPerMessage> lost{};
  while (auto packet = reader.next()) {
    std::visit(
        Overloaded{
            [&](const rtcp::SenderReport& sr) {
              on_sender_report(from, sr.sender_ssrc, sr.ntp_timestamp, sr.rtp_timestamp, at);
            },
            [&](const rtcp::Nack& nack) {
              std::size_t n = 0;
              nack.for_each_lost([&](std::uint16_t seq) {
                if (n < lost.size()) lost[n++] = seq;
              });
              on_nack(from, nack.media_ssrc, std::span(lost.data(), n), at);
            },
            [&](const rtcp::Pli& pli) {
              if (auto* link = find_down(from, pli.media_ssrc); link && link->up) {
                request_keyframe(*link->up, at);
              }
            },
            [&](const rtcp::Fir& fir) {
              for (const auto entry : fir.entries) {
                if (auto* link = find_down(from, entry.ssrc); link && link->up) {
                  request_keyframe(*link->up, at);
                }
              }
            },
            [&](const rtcp::Remb& remb) {
              from.has_remb = true;
              from.remb_bps = remb.bitrate_bps;
              from.remb_at = at;
            },
            [](const auto&) {},
        },
        *packet);
  }
}

void Router::on_sender_report(Member& from, std::uint32_t ssrc, std::uint64_t ntp,
                              std::uint32_t rtp_timestamp, microseconds now) noexcept {
  UpTrack* up = find_up(from, ssrc);
  if (up == nullptr || ssrc != up->info.ssrc) return;
  up->has_sr = true;
  up->last_sr = static_cast<std::uint32_t>(ntp >> 16);
  up->last_sr_at = now;
  for (DownLink* link : up->downs) {
    if (!link->track.started()) continue;
    rtcp::SenderReport sr;
    sr.sender_ssrc = link->track.ssrc();
    sr.ntp_timestamp = ntp;
    sr.rtp_timestamp = link->track.map_timestamp(rtp_timestamp);
    sr.packet_count = link->track.packets_sent();
    sr.octet_count = link->track.octets_sent();
    rtcp::CompoundWriter writer(rtcp_writable());
    if (writer.append(sr) && send_rtcp(*link->subscriber, writer.size())) {
      counters_.sender_reports_sent.increment();
    }
  }
}

void Router::on_nack(Member& from, std::uint32_t media_ssrc, std::span<const std::uint16_t> lost,
                     microseconds now) noexcept {
  DownLink* link = find_down(from, media_ssrc);
  if (link == nullptr) return;
  counters_.nacks_received.increment();
  for (const std::uint16_t seq : lost) {
    const auto stored = link->track.stored(seq, now);
    if (!stored || stored->size() > kMaxForwardedPacket) {
      counters_.retransmit_misses.increment();
      continue;
    }
    std::memcpy(egress_.data(), stored->data(), stored->size());
    if (from.sink->send_rtp(egress_, stored->size())) counters_.retransmitted_packets.increment();
  }
}

void Router::request_keyframe(UpTrack& up, microseconds now) noexcept {
  if (up.info.ssrc == 0 || up.info.codecs.empty()) return;
  if (up.requested && now - up.last_keyframe_request < options_.keyframe_min_interval) return;
  up.requested = true;
  up.last_keyframe_request = now;
  const auto& codec = up.info.codecs.front();
  rtcp::CompoundWriter writer(rtcp_writable());
  bool written = false;
  if (codec.pli || !codec.fir) {
    written = writer.append(rtcp::Pli{up.owner->rtcp_ssrc, up.info.ssrc});
  } else {
    const std::array<rtcp::FirEntry, 1> entries{rtcp::FirEntry{up.info.ssrc, ++up.fir_seq}};
    rtcp::Fir fir;
    fir.sender_ssrc = up.owner->rtcp_ssrc;
    fir.media_ssrc = 0;
    fir.entries = entries;
    written = writer.append(fir);
  }
  if (written && send_rtcp(*up.owner, writer.size())) counters_.keyframe_requests.increment();
}

void Router::send_nacks(Member& member, microseconds now) noexcept {
  std::array<std::uint16_t, 64> due{};
  std::array<rtcp::NackItem, 64> items{};
  for (auto& up : member.ups) {
    if (up->info.ssrc == 0 || up->info.codecs.empty() || !up->info.codecs.front().nack) continue;
    if (up->nacks.missing() == 0) continue;
    const std::size_t n = up->nacks.collect(now, due);
    if (n == 0) continue;
    const std::size_t k = rtcp::pack_nack_items(std::span(due.data(), n), items);
    rtcp::Nack nack;
    nack.sender_ssrc = member.rtcp_ssrc;
    nack.media_ssrc = up->info.ssrc;
    nack.items = std::span<const rtcp::NackItem>(items.data(), k);
    rtcp::CompoundWriter writer(rtcp_writable());
    if (writer.append(nack) && send_rtcp(member, writer.size())) counters_.nacks_sent.increment();
  }
}

void Router::send_reports(Member& member, microseconds now) noexcept {
  std::array<rtcp::ReportBlock, rtcp::kMaxReportBlocks> blocks{};
  std::array<std::uint32_t, 16> video_ssrcs{};
  std::size_t n = 0;
  std::size_t videos = 0;
  std::uint64_t estimate = std::numeric_limits<std::uint64_t>::max();
  for (auto& up : member.ups) {
    if (!up->received || up->info.ssrc == 0) continue;
    if (n < blocks.size()) {
      const auto values = up->stats.make_report();
      rtcp::ReportBlock& block = blocks[n++];
      block.ssrc = up->info.ssrc;
      block.fraction_lost = values.fraction_lost;
      block.cumulative_lost = values.cumulative_lost;
      block.extended_highest_seq = values.extended_highest_seq;
      block.jitter = values.jitter;
      if (up->has_sr) {
        block.last_sr = up->last_sr;
        block.delay_since_last_sr =
            static_cast<std::uint32_t>((now - up->last_sr_at).count() * 65536 / 1'000'000);
      }
    }
    if (up->info.video && up->info.remb && videos < video_ssrcs.size()) {
      video_ssrcs[videos++] = up->info.ssrc;
      for (const DownLink* link : up->downs) {
        const Member& sub = *link->subscriber;
        if (!sub.has_remb || now - sub.remb_at > options_.remb_timeout) continue;
        // A subscriber's estimate covers everything it receives: share it among its video.
        const auto shares = std::max<std::size_t>(
            1, std::count_if(sub.downs.begin(), sub.downs.end(),
                             [](const auto& l) { return l->track.subscription().video; }));
        estimate = std::min<std::uint64_t>(estimate, sub.remb_bps / shares);
      }
    }
  }
  if (n == 0) return;
  rtcp::CompoundWriter writer(rtcp_writable());
  rtcp::ReceiverReport report;
  report.sender_ssrc = member.rtcp_ssrc;
  report.report_blocks = std::span<const rtcp::ReportBlock>(blocks.data(), n);
  if (!writer.append(report)) return;
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
}

bool Router::send_rtcp(Member& to, std::size_t length) noexcept {
  return to.sink->send_rtcp(rtcp_, length);
}

void Router::tick(nanoseconds now) noexcept {
  const microseconds at = us(now);
  for (auto& member : members_) {
    send_nacks(*member, at);
    for (auto& up : member->ups) {
      if (!up->enabled || !up->info.video) continue;
      if (up->requested && at - up->last_keyframe_request < options_.keyframe_retry) continue;
      const bool waiting = std::any_of(up->downs.begin(), up->downs.end(), [](const DownLink* l) {
        return l->track.waiting_keyframe();
      });
      if (waiting) request_keyframe(*up, at);
    }
  }
  if (at >= next_report_) {
    next_report_ = at + options_.report_interval;
    for (auto& member : members_) send_reports(*member, at);
  }
}

}  // namespace rrtc::room
