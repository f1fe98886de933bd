// Active speakers, track reports and room statistics through a whole room on the simulated
// network and clock: publishers whose offers negotiate ssrc-audio-level (RFC 6464) send Opus-sized
// packets carrying levels; the Worker's channel must get `send_speakers` in the right order, at
// most every 200 ms and only on change, `tracks_changed` with each participant's whole list,
// and room_stats() the exact counts sent.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "rtp/packet_builder.hpp"
#include "sim_room.hpp"

namespace rrtc::engine::test {
namespace {

using namespace std::chrono_literals;

constexpr std::uint8_t kLevelId = 1;  // our a=extmap id for ssrc-audio-level
constexpr std::uint8_t kSpeech = 30;  // -30 dBov
constexpr std::uint8_t kLoud = 20;
constexpr std::uint8_t kSilent = 127;
constexpr std::size_t kAudioBytes = 12 + 8 + 80;  // header, one-byte extension block, payload

// Signaling's side, recording what the active-speaker and track seams carry and passing the
// rest to the fixture's SimSignaling.
class RecordingSignaling final : public room::SignalingChannel {
 public:
  RecordingSignaling(std::shared_ptr<room::SignalingChannel> inner, io::SimLoop& loop)
      : inner_(std::move(inner)), loop_(loop) {}
  void send_answer(std::string room, std::string participant, std::string sdp) override {
    inner_->send_answer(std::move(room), std::move(participant), std::move(sdp));
  }
  void send_offer(std::string room, std::string participant, std::string sdp) override {
    inner_->send_offer(std::move(room), std::move(participant), std::move(sdp));
  }
  void send_candidate(std::string room, std::string participant,
                      room::IceCandidate candidate) override {
    inner_->send_candidate(std::move(room), std::move(participant), std::move(candidate));
  }
  void reject_sdp(std::string room, std::string participant, std::string message) override {
    inner_->reject_sdp(std::move(room), std::move(participant), std::move(message));
  }
  void remove_participant(std::string room, std::string participant, std::string reason) override {
    inner_->remove_participant(std::move(room), std::move(participant), std::move(reason));
  }
  void send_error(std::string room, std::string participant, int code, std::string message,
                  bool remove) override {
    inner_->send_error(std::move(room), std::move(participant), code, std::move(message), remove);
  }
  void tracks_changed(std::string room, std::string participant,
                      std::vector<room::PublishedTrackInfo> tracks) override {
    EXPECT_EQ(room, "sim");
    track_reports.push_back({std::move(participant), std::move(tracks)});
  }
  void send_speakers(std::string room, std::vector<room::SpeakerLevel> speakers) override {
    EXPECT_EQ(room, "sim");
    speaker_lists.push_back({loop_.now(), std::move(speakers)});
  }

  struct TrackReport {
    std::string participant;
    std::vector<room::PublishedTrackInfo> tracks;
  };
  struct SpeakerList {
    time::Timestamp at;
    std::vector<room::SpeakerLevel> speakers;
  };
  std::vector<TrackReport> track_reports;
  std::vector<SpeakerList> speaker_lists;

 private:
  std::shared_ptr<room::SignalingChannel> inner_;
  io::SimLoop& loop_;
};

// The load generator's offer with ssrc-audio-level on its audio m-line.
std::string with_audio_level(std::string sdp) {
  const auto audio = sdp.find("m=audio");
  const auto end = sdp.find("\r\n", audio);
  sdp.insert(end + 2, "a=extmap:" + std::to_string(kLevelId) +
                          " urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n");
  return sdp;
}

std::vector<std::string> ids(const std::vector<room::SpeakerLevel>& speakers) {
  std::vector<std::string> out;
  for (const auto& s : speakers) out.push_back(s.participant);
  return out;
}

class SimSpeakers : public SimRoomTest {
 public:
  SimSpeakers() { worker().set_channel(signaling_); }

  // Joins `id`, publishing audio (with levels) and camera, and waits until it is connected.
  SimClient& publisher(const std::string& id) {
    auto& client = enter(id, true);
    send_offer(id, with_audio_level(client.offer()));
    EXPECT_TRUE(run_until([&] { return client.connected(); }, 2s)) << client.failure();
    return client;
  }

  // Every 20 ms each client in `levels` sends an audio packet at its level, for `duration`.
  void talk(const std::map<std::string, std::uint8_t>& levels, time::Duration duration) {
    const auto end = loop().now() + duration;
    while (loop().now() < end) {
      for (const auto& [id, level] : levels) send_level(id, level);
      loop().advance(20ms);
    }
  }

  void send_level(const std::string& id, std::uint8_t level) {
    auto& state = sent_[id];
    const std::uint8_t value[1] = {level};
    const std::vector<std::uint8_t> payload(80, 0x33);
    rtp::PacketBuilder builder;
    builder.set_payload_type(loadgen::kOpusPayloadType)
        .set_sequence_number(state.sequence++)
        .set_timestamp(state.timestamp)
        .set_ssrc(client(id)->audio_ssrc())
        .set_payload(payload);
    state.timestamp += 960;
    builder.add_extension(kLevelId, value);
    std::vector<std::uint8_t> buffer(builder.serialized_size() + transport::kRtpSendOverhead);
    const auto length = builder.write_to(buffer);
    ASSERT_EQ(length, kAudioBytes);
    client(id)->peer().send_rtp(buffer, length);
    ++state.packets;
  }
  std::uint64_t packets_sent(const std::string& id) { return sent_[id].packets; }

  const std::vector<RecordingSignaling::SpeakerList>& lists() const {
    return signaling_->speaker_lists;
  }
  const std::vector<RecordingSignaling::TrackReport>& reports() const {
    return signaling_->track_reports;
  }

  // Each list differs from the one before (set or order), and lists are at least 200 ms apart.
  void expect_only_changes_at_most_every_200ms() const {
    for (std::size_t i = 1; i < lists().size(); ++i) {
      EXPECT_NE(ids(lists()[i].speakers), ids(lists()[i - 1].speakers)) << "list " << i;
      EXPECT_GE(lists()[i].at - lists()[i - 1].at, time::to_duration(200ms)) << "list " << i;
    }
  }

 private:
  struct Sent {
    std::uint16_t sequence = 100;
    std::uint32_t timestamp = 0;
    std::uint64_t packets = 0;
  };
  std::shared_ptr<RecordingSignaling> signaling_ =
      std::make_shared<RecordingSignaling>(std::make_shared<SimSignaling>(*this), loop());
  std::map<std::string, Sent> sent_;
};

TEST_F(SimSpeakers, TurnTakingIsReportedInOrderOnlyOnChange) {
  publisher("A");
  publisher("B");
  run_for(200ms);
  ASSERT_TRUE(lists().empty());
  // A speaks 2 s while B is silent, a 1.5 s pause, then B speaks 2 s, then both are silent 2 s.
  const auto a_starts = loop().now();
  talk({{"A", kSpeech}, {"B", kSilent}}, 2s);
  const auto a_stops = loop().now();
  talk({{"A", kSilent}, {"B", kSilent}}, 1500ms);
  const auto b_starts = loop().now();
  talk({{"A", kSilent}, {"B", kSpeech}}, 2s);
  const auto b_stops = loop().now();
  talk({{"A", kSilent}, {"B", kSilent}}, 2s);

  ASSERT_EQ(lists().size(), 4U);
  EXPECT_EQ(ids(lists()[0].speakers), std::vector<std::string>{"A"});
  EXPECT_TRUE(lists()[1].speakers.empty());
  EXPECT_EQ(ids(lists()[2].speakers), std::vector<std::string>{"B"});
  EXPECT_TRUE(lists()[3].speakers.empty());
  // A speaker is announced after its 300 ms onset, within one more 200 ms evaluation (and the
  // 5 ms link); silence ends a turn within a second.
  EXPECT_GE(lists()[0].at - a_starts, time::to_duration(300ms));
  EXPECT_LE(lists()[0].at - a_starts, time::to_duration(520ms));
  EXPECT_LE(lists()[1].at - a_stops, time::to_duration(1000ms));
  EXPECT_GE(lists()[2].at - b_starts, time::to_duration(300ms));
  EXPECT_LE(lists()[2].at - b_starts, time::to_duration(520ms));
  EXPECT_LE(lists()[3].at - b_stops, time::to_duration(1000ms));
  // -30 dBov: the average starts at the first voiced packet's level, not at the silence.
  EXPECT_DOUBLE_EQ(lists()[0].speakers[0].level, 0.625);
  EXPECT_DOUBLE_EQ(lists()[2].speakers[0].level, 0.625);
  expect_only_changes_at_most_every_200ms();
}

TEST_F(SimSpeakers, OverlappingSpeechListsTheLouderFirst) {
  publisher("A");
  publisher("B");
  talk({{"A", kSpeech}, {"B", kSilent}}, 1s);
  talk({{"A", kSpeech}, {"B", kLoud}}, 2s);
  ASSERT_EQ(lists().size(), 2U);
  EXPECT_EQ(ids(lists()[0].speakers), std::vector<std::string>{"A"});
  EXPECT_EQ(ids(lists()[1].speakers), (std::vector<std::string>{"B", "A"}));
  EXPECT_DOUBLE_EQ(lists()[1].speakers[0].level, 0.75);   // -20 dBov
  EXPECT_DOUBLE_EQ(lists()[1].speakers[1].level, 0.625);  // -30 dBov
  expect_only_changes_at_most_every_200ms();
}

TEST_F(SimSpeakers, AMutedParticipantIsNoSpeakerWhateverItSends) {
  publisher("A");
  talk({{"A", kSpeech}}, 1s);
  ASSERT_EQ(lists().size(), 1U);
  room::ParticipantState muted;
  muted.muted = true;
  set_state("A", muted);
  const auto muted_at = loop().now();
  talk({{"A", kSpeech}}, 2s);  // its client keeps sending speech
  ASSERT_EQ(lists().size(), 2U);
  EXPECT_TRUE(lists()[1].speakers.empty());
  // The state reaches the worker after the signaling delay; the next evaluation drops A.
  EXPECT_LE(lists()[1].at - muted_at, time::to_duration(kSignalingDelay + 220ms));
}

TEST_F(SimSpeakers, ACoughDoesNotTakeTheFloorAndSilenceSendsNothing) {
  publisher("A");
  publisher("B");
  talk({{"A", kSilent}, {"B", kSilent}}, 1s);
  EXPECT_TRUE(lists().empty());
  talk({{"A", kSpeech}, {"B", kSilent}}, 1s);
  talk({{"A", kSpeech}, {"B", 5}}, 200ms);  // B coughs, louder than A speaks
  talk({{"A", kSpeech}, {"B", kSilent}}, 1s);
  ASSERT_EQ(lists().size(), 1U);
  EXPECT_EQ(ids(lists()[0].speakers), std::vector<std::string>{"A"});
}

TEST_F(SimSpeakers, ALeavingSpeakerIsDropped) {
  publisher("A");
  publisher("B");
  talk({{"A", kSpeech}, {"B", kLoud}}, 1s);
  ASSERT_EQ(lists().size(), 1U);
  EXPECT_EQ(ids(lists()[0].speakers), (std::vector<std::string>{"B", "A"}));
  leave("B");
  talk({{"A", kSpeech}}, 1s);
  ASSERT_EQ(lists().size(), 2U);
  EXPECT_EQ(ids(lists()[1].speakers), std::vector<std::string>{"A"});
}

TEST_F(SimSpeakers, TracksAreReportedWholeAndEmptyWhenThePublisherLeaves) {
  publisher("A");
  ASSERT_FALSE(reports().empty());
  const auto& report = reports().back();
  EXPECT_EQ(report.participant, "A");
  const std::vector<room::PublishedTrackInfo> expected{
      {"A-audio", loadgen::kAudioMid, room::TrackType::audio, "opus"},
      {"A-camera", loadgen::kVideoMid, room::TrackType::camera, "VP8"}};
  EXPECT_EQ(report.tracks, expected);
  leave("A");
  ASSERT_TRUE(run_until([&] { return reports().back().tracks.empty(); }, 1s));
  EXPECT_EQ(reports().back().participant, "A");
}

TEST_F(SimSpeakers, RoomStatsCountWhatEachTrackReceived) {
  publisher("A");
  auto& b = publisher("B");
  ASSERT_TRUE(run_until([&] { return b.tracks().size() == 2; }, 2s));
  talk({{"A", kSpeech}}, 1s);
  run_for(100ms);
  const auto stats = worker().room_stats("sim");
  ASSERT_EQ(stats.size(), 2U);
  EXPECT_EQ(stats[0].participant, "A");
  EXPECT_EQ(stats[1].participant, "B");
  EXPECT_TRUE(stats[0].connected);
  ASSERT_EQ(stats[0].tracks.size(), 2U);
  const auto& audio = stats[0].tracks[0];
  EXPECT_EQ(audio.track.track_id, "A-audio");
  EXPECT_EQ(audio.packets, packets_sent("A"));
  EXPECT_EQ(audio.packets, 50U);
  EXPECT_EQ(audio.bytes, 50U * kAudioBytes);
  EXPECT_TRUE(audio.forwarding);
  EXPECT_EQ(stats[0].tracks[1].track.track_id, "A-camera");
  EXPECT_EQ(stats[0].tracks[1].packets, 0U);
  // A's transport carried at least its 50 audio packets in; B's at least their 50 copies out.
  EXPECT_GE(stats[0].packets_received, 50U);
  EXPECT_GT(stats[0].bytes_received, 50U * kAudioBytes);
  EXPECT_GE(stats[1].packets_sent, 50U);
  EXPECT_TRUE(worker().room_stats("no-such-room").empty());

  room::ParticipantState muted;
  muted.muted = true;
  set_state("A", muted);
  run_for(100ms);
  EXPECT_FALSE(worker().room_stats("sim")[0].tracks[0].forwarding);
}

}  // namespace
}  // namespace rrtc::engine::test
