#include "engine/media_room.hpp"

#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <optional>
#include <type_traits>
#include <variant>

#include "log/log.hpp"
#include "transport/relay_framing.hpp"

namespace rrtc::engine {
namespace {

// Distinct data channel labels a room relays; channels with further labels stay unrelayed.
constexpr std::size_t kMaxDataLabels = 16;

room::RouterOptions router_options(const MediaContext& context) {
  room::RouterOptions options;
  options.remb_max_bitrate = context.limits.remb_max_bitrate;
  options.max_track_packets_per_second = context.limits.max_track_packets_per_second;
  options.max_track_bitrate = context.limits.max_track_bitrate;
  options.retransmit_budget_percent = context.limits.retransmit_budget_percent;
  return options;
}

}  // namespace

MediaRoom::MediaRoom(MediaContext& context, std::string name)
    : context_(context),
      name_(std::move(name)),
      router_(router_options(context), context.counters.forward) {}

MediaRoom::~MediaRoom() {
  router_timer_.cancel();
  speaker_timer_.cancel();
  participants_.clear();
}

void MediaRoom::arm_router_timer() {
  if (router_.has_notices()) send_notices();
  const auto next = router_.next_timeout();
  // Most calls leave the deadline where it was: compare first, arm (and allocate) only when it
  // moved earlier. A deadline that moved later fires early, which the Router takes as a no-op.
  if (!next || (router_deadline_ && *router_deadline_ <= *next)) return;
  router_deadline_ = *next;
  router_timer_ = context_.loop.add_timer(*next, [this] {
    router_deadline_.reset();
    router_.handle_timeout(now());
    arm_router_timer();
  });
}

void MediaRoom::send_notices() {
  // Allocation's news (router.hpp): rare, so the vectors it costs are fine here.
  auto states = router_.take_stream_states();
  auto layers = router_.take_publish_layers();
  if (context_.channel == nullptr) return;
  for (auto& notice : states) {
    context_.channel->send_stream_state(name_, std::move(notice.participant),
                                        std::move(notice.state));
  }
  for (auto& notice : layers) {
    context_.channel->send_publish_layers(name_, std::move(notice.participant),
                                          std::move(notice.mid), std::move(notice.active));
  }
}

MediaParticipant* MediaRoom::find(const std::string& participant) {
  const auto it = participants_.find(participant);
  return it == participants_.end() || it->second->closing() ? nullptr : it->second.get();
}

void MediaRoom::join(const std::string& participant, const room::ParticipantState& state) {
  auto& slot = participants_[participant];
  // A participant id re-used while its old PeerConnection is still being freed: the old one goes
  // now (it is closed and no callback of it is running: this is a posted closure).
  slot.reset();
  slot = std::make_unique<MediaParticipant>(context_, *this, participant, state);
  speakers_.reserve(participants_.size());  // active_speakers() then never allocates
}

void MediaRoom::handle(room::MediaRequest& request) {
  auto* p = find(request.participant);
  std::visit(
      [&](auto& command) {
        using Command = std::decay_t<decltype(command)>;
        if constexpr (std::is_same_v<Command, room::request::Join>) {
          join(request.participant, command.state);
        } else if (p == nullptr) {
          return;
        } else if constexpr (std::is_same_v<Command, room::request::Leave>) {
          p->close();
        } else if constexpr (std::is_same_v<Command, room::request::Offer>) {
          p->on_offer(command.sdp, command.tracks);
        } else if constexpr (std::is_same_v<Command, room::request::Answer>) {
          p->on_answer(command.sdp);
        } else if constexpr (std::is_same_v<Command, room::request::Candidate>) {
          p->on_candidate(command.candidate);
        } else if constexpr (std::is_same_v<Command, room::request::TrackSettings>) {
          set_track_settings(*p, command.update);
        } else {
          static_assert(std::is_same_v<Command, room::request::State>);
          p->set_state(command.state);
        }
      },
      request.command);
}

void MediaRoom::set_track_settings(MediaParticipant& participant,
                                   const room::TrackSettingsUpdate& update) {
  auto* member = participant.member();
  if (member != nullptr && router_.set_track_settings(*member, update, now())) {
    arm_router_timer();
    return;
  }
  if (context_.channel) {
    context_.channel->send_error(name_, participant.id(), 400,
                                 "track_settings: unknown track_id " + update.track_id, false);
  }
}

void MediaRoom::close_all() {
  for (auto& [id, participant] : participants_) participant->close();
}

void MediaRoom::on_rtp(MediaParticipant& from, std::span<std::uint8_t> packet) noexcept {
  auto* member = from.member();
  if (member == nullptr) return;
  const auto arrived = now();
  {
    // One packet's copies leave in one io_uring submission (io/send_ring.hpp), when this
    // scope closes; without io_uring each left as it was made, the last one by then.
    const io::SendRing::Batch batch(context_.send_ring);
    router_.on_rtp(*member, packet, arrived);
  }
  router_.departed(arrived, now());
  // The Router rate-limits these: a track's first policed packet, then one notice per window.
  if (const auto notice = router_.take_policing_notice()) {
    rrtc::log::get("room").warn(
        "room {}: track {} over its ingress cap ({} packets/s, {} bit/s): {} packets ({} bytes) "
        "dropped since the last notice",
        name_, notice->track_key, context_.limits.max_track_packets_per_second,
        context_.limits.max_track_bitrate, notice->packets, notice->bytes);
  }
  arm_router_timer();
  if (!speaker_timer_armed_ && router_.speech_heard()) arm_speaker_timer();
}

void MediaRoom::arm_speaker_timer() {
  speaker_timer_armed_ = true;
  speaker_timer_ = context_.loop.add_timer(now() + time::to_duration(kSpeakerInterval),
                                           [this] { on_speaker_timer(); });
}

void MediaRoom::on_speaker_timer() {
  speaker_timer_armed_ = false;
  const auto at = now();
  router_.active_speakers(at, speakers_);
  // Levels move all the time; only who speaks, and in which order, is news.
  const bool same = std::equal(
      speakers_.begin(), speakers_.end(), speakers_sent_.begin(), speakers_sent_.end(),
      [](const room::ActiveSpeaker& a, const std::string& b) { return a.participant == b; });
  if (!same) {
    std::vector<room::SpeakerLevel> list;
    list.reserve(speakers_.size());
    speakers_sent_.clear();
    for (const auto& speaker : speakers_) {
      list.push_back({std::string(speaker.participant), speaker.level});
      speakers_sent_.emplace_back(speaker.participant);
    }
    if (context_.channel != nullptr) context_.channel->send_speakers(name_, std::move(list));
  }
  // Someone holds the floor or may take it: look again; else the next voiced packet re-arms.
  if (!router_.speakers_idle(at)) arm_speaker_timer();
  arm_router_timer();  // a new speaker's camera may have been re-allocated
}

void MediaRoom::on_rtcp(MediaParticipant& from, std::span<std::uint8_t> packet) noexcept {
  const io::SendRing::Batch batch(context_.send_ring);  // e.g. the resends a NACK asks for
  if (auto* member = from.member()) router_.on_rtcp(*member, packet, now());
  arm_router_timer();
}

void MediaRoom::on_tracks_changed(const MediaParticipant& changed) {
  for (auto& [id, participant] : participants_) {
    if (participant.get() != &changed && !participant->closing()) participant->refresh_offer();
  }
  if (context_.channel == nullptr) return;
  std::vector<room::PublishedTrackInfo> tracks;
  tracks.reserve(changed.published().size());
  for (const auto& published : changed.published()) {
    tracks.push_back(room::track_info(changed.id(), published));
  }
  context_.channel->tracks_changed(name_, changed.id(), std::move(tracks));
}

std::vector<room::ParticipantStats> MediaRoom::stats() {
  std::vector<room::ParticipantStats> out;
  for (auto& [id, participant] : participants_) {
    if (participant->closing()) continue;
    room::ParticipantStats stats;
    stats.participant = id;
    stats.connected = participant->connected();
    if (const auto* peer = participant->peer()) {
      // The PeerConnection's datagrams both ways: STUN, DTLS, SRTP and SRTCP alike.
      const auto& counters = peer->counters();
      stats.packets_received = counters.datagrams_in;
      stats.bytes_received = counters.bytes_in;
      stats.packets_sent = counters.datagrams_out;
      stats.bytes_sent = counters.bytes_out;
    }
    const auto* member = participant->member();
    for (const auto& published : participant->published()) {
      room::TrackStats track;
      track.track = room::track_info(id, published);
      if (member != nullptr) {
        if (const auto counters = router_.track_counters(*member, published.track.key)) {
          track.packets = counters->packets;
          track.bytes = counters->bytes;
          track.forwarding = counters->forwarding;
        }
      }
      stats.tracks.push_back(std::move(track));
    }
    out.push_back(std::move(stats));
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.participant < b.participant; });
  return out;
}

std::vector<room::OfferedTrack> MediaRoom::offered_tracks_for(MediaParticipant& subscriber) {
  std::vector<room::OfferedTrack> tracks;
  for (auto& [id, publisher] : participants_) {
    if (publisher.get() == &subscriber || publisher->closing()) continue;
    for (const auto& published : publisher->published()) {
      tracks.push_back(room::offer_track(publisher->id(), published, subscriber.own_media(),
                                         subscriber.ssrc_for(published.track.key)));
    }
  }
  std::sort(tracks.begin(), tracks.end(),
            [](const room::OfferedTrack& a, const room::OfferedTrack& b) {
              return a.track.id < b.track.id;
            });
  return tracks;
}

void MediaRoom::on_data_channel(MediaParticipant& from, const std::string& label,
                                const std::string& protocol,
                                const transport::DataChannelParameters& parameters) {
  const bool known = std::any_of(data_labels_.begin(), data_labels_.end(),
                                 [&](const DataLabel& l) { return l.label == label; });
  if (!known) {
    if (data_labels_.size() >= kMaxDataLabels) return;
    data_labels_.push_back(DataLabel{label, protocol, parameters});
  }
  for (auto& [id, participant] : participants_) {
    if (participant.get() != &from && !participant->closing()) {
      participant->ensure_channel(label, protocol, parameters);
    }
  }
}

void MediaRoom::on_data_up(MediaParticipant& participant) {
  for (const auto& l : data_labels_) participant.ensure_channel(l.label, l.protocol, l.parameters);
}

void MediaRoom::relay_data(MediaParticipant& from, const std::string& label,
                           std::span<const std::uint8_t> data, bool binary) {
  // Policed once per message the sender asks to relay, before any copy is made.
  if (!from.admit_data(data.size(), now())) return;
  // Framing (README, "Data channels"): text becomes {"from":"<id>","data":"<text>"}, binary is
  // prefixed with the sender id's length (one byte) and the id.
  std::optional<std::string> text;
  std::optional<std::vector<std::uint8_t>> bytes;
  if (binary) {
    bytes = transport::wrap_binary(from.id(), data);
  } else {
    text = transport::wrap_text(
        from.id(), std::string_view(reinterpret_cast<const char*>(data.data()), data.size()));
  }
  if (!text && !bytes) {
    context_.counters.data_messages_dropped.increment();
    return;
  }
  const std::span<const std::uint8_t> framed =
      bytes ? std::span<const std::uint8_t>(*bytes)
            : std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text->data()),
                                            text->size());
  for (auto& [id, participant] : participants_) {
    if (participant.get() == &from || participant->closing() || !participant->data_up()) continue;
    if (participant->send_data(label, framed, binary)) {
      context_.counters.data_messages_relayed.increment();
    } else {
      context_.counters.data_messages_dropped.increment();
    }
  }
}

bool MediaRoom::sweep() {
  for (auto it = participants_.begin(); it != participants_.end();) {
    it = it->second->closing() ? participants_.erase(it) : std::next(it);
  }
  return participants_.empty();
}

void MediaRoom::collect_counters() {
  for (auto& [id, participant] : participants_) participant->collect_counters();
}

}  // namespace rrtc::engine
