// Issue 15 on the simulated network: offers are validated whole before anything is allocated,
// the connect deadline runs from the first offer, re-offers may not change the transport or
// remap mids and SSRCs, and an offer collision leaves each side with exactly what it should have.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "sdp/parser.hpp"
#include "sdp/serializer.hpp"
#include "sim_room.hpp"

namespace rrtc::engine::test {
namespace {

using namespace std::chrono_literals;

std::string edited(const std::string& text,
                   const std::function<void(sdp::SessionDescription&)>& edit) {
  auto session = sdp::parse(text);
  EXPECT_TRUE(session.has_value());
  edit(*session);
  return sdp::serialize(*session);
}

// A text edit: `line` (without its CRLF) inserted before the first m= line.
std::string with_session_line(const std::string& text, const std::string& line) {
  auto copy = text;
  copy.insert(copy.find("m="), line + "\r\n");
  return copy;
}

std::vector<std::uint32_t> ssrcs_of(const sdp::MediaSection& media) {
  std::vector<std::uint32_t> out;
  for (const auto& ssrc : media.ssrcs) out.push_back(ssrc.ssrc);
  return out;
}

class SimOffer : public SimRoomTest {
 public:
  std::size_t peers_created() { return peer_factory().created(); }
  // The last rejection's message for `id` ("" if none).
  std::string last_rejection(const std::string& id) {
    for (auto it = rejections.rbegin(); it != rejections.rend(); ++it) {
      if (it->rfind(id + ": ", 0) == 0) return it->substr(id.size() + 2);
    }
    return "";
  }
};

struct BadOffer {
  const char* name;
  std::function<std::string(const std::string&)> make;
  const char* message;  // what the 400 says
};

std::vector<BadOffer> bad_offers() {
  return {
      {"no fingerprint",
       [](const std::string& s) {
         return edited(s, [](sdp::SessionDescription& d) {
           d.fingerprints.clear();
           for (auto& m : d.media) m.fingerprints.clear();
         });
       },
       "a=fingerprint"},
      {"malformed fingerprint",
       [](const std::string& s) {
         return edited(s, [](sdp::SessionDescription& d) {
           for (auto& m : d.media) m.fingerprints = {{"sha-256", "ZZ:11"}};
         });
       },
       "fingerprint"},
      {"no ICE credentials",
       [](const std::string& s) {
         return edited(s, [](sdp::SessionDescription& d) {
           d.ice_ufrag.clear();
           for (auto& m : d.media) m.ice_ufrag.clear();
         });
       },
       "ice"},
      {"ICE ufrag too short",
       [](const std::string& s) {
         return edited(s, [](sdp::SessionDescription& d) {
           for (auto& m : d.media) m.ice_ufrag = "ab";
         });
       },
       "ICE"},
      {"duplicate mid",
       [](const std::string& s) {
         return edited(s, [](sdp::SessionDescription& d) { d.media[1].mid = d.media[0].mid; });
       },
       "mid"},
      {"NUL byte",
       [](const std::string& s) { return with_session_line(s, std::string("a=x-nul:a\0b", 11)); },
       "SDP line"},
      {"60 KB attribute",
       [](const std::string& s) {
         return with_session_line(s, "a=x-big:" + std::string(60'000, 'x'));
       },
       "SDP line"},
      {"1000 m-lines",
       [](const std::string& s) {
         return edited(s, [](sdp::SessionDescription& d) {
           const auto audio = d.media[0];
           for (int i = 0; i < 1000; ++i) {
             d.media.push_back(audio);
             d.media.back().mid = "x" + std::to_string(i);
           }
         });
       },
       "SDP has more m-lines than the limit"},
      // A first offer: nothing offered by the server yet, so 16 m-lines of the client's own.
      {"17 m-lines",
       [](const std::string& s) {
         return edited(s, [](sdp::SessionDescription& d) {
           const auto audio = d.media[0];
           for (int i = 0; i < 15; ++i) {
             d.media.push_back(audio);
             d.media.back().mid = "x" + std::to_string(i);
           }
         });
       },
       "SDP has more m-lines than the limit"},
      {"video codec the server cannot forward",
       [](const std::string& s) {
         return edited(s, [](sdp::SessionDescription& d) {
           for (auto& c : d.media[1].codecs) c.name = "H265";
         });
       },
       "no codec the server forwards"},
  };
}

TEST_F(SimOffer, EveryBadFirstOfferIs400AndAllocatesNothing) {
  auto& a = enter("A", true);
  const auto good = a.offer();
  const auto cases = bad_offers();
  for (const auto& bad : cases) send_offer("A", bad.make(good));
  run_for(200ms);
  ASSERT_EQ(rejections.size(), cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    EXPECT_NE(rejections[i].find(cases[i].message), std::string::npos)
        << cases[i].name << ": " << rejections[i];
  }
  EXPECT_EQ(peers_created(), 0U) << "no ICE agent for a rejected offer";
  EXPECT_EQ(worker().counters().peers_created.get(), 0U);
  EXPECT_EQ(worker().counters().offers_rejected.get(), cases.size());
  EXPECT_TRUE(answers.empty());
  // The participant stays and may offer again.
  send_offer("A", good);
  ASSERT_TRUE(run_until([&] { return a.connected(); }, 2s)) << a.failure();
  EXPECT_EQ(peers_created(), 1U);
  EXPECT_TRUE(errors.empty());
}

// Abuse beside a live room: C's 200 rejected offers cost A and B nothing (no renegotiation, no
// lost or late packet).
TEST_F(SimOffer, RejectedOffersBesideALiveRoomLeaveItsMediaAlone) {
  auto& a = join("A", true);
  auto& b = join("B", false);
  ASSERT_TRUE(
      run_until([&] { return a.connected() && b.connected() && b.tracks().size() == 2; }, 2s));
  publish_for(500ms);
  const auto before = b.stream_of("A-audio")->sequence.size();
  const auto offers_to_b = server_offers["B"];
  auto& c = enter("C", true);
  const auto bad = bad_offers().front().make(c.offer());
  for (int i = 0; i < 200; ++i) send_offer("C", bad);
  publish_for(1s);  // 50 audio packets, every 20 ms
  const auto& audio = *b.stream_of("A-audio");
  EXPECT_EQ(rejections.size(), 200U);
  EXPECT_GE(audio.sequence.size() - before, 49U);
  EXPECT_LE(audio.sequence.size() - before, 51U);
  EXPECT_TRUE(audio.missing.empty());
  for (std::size_t i = before + 1; i < audio.sequence.size(); ++i) {
    ASSERT_EQ(static_cast<std::uint16_t>(audio.sequence[i - 1] + 1), audio.sequence[i]) << i;
  }
  EXPECT_EQ(server_offers["B"], offers_to_b) << "a rejected offer publishes nothing";
  EXPECT_EQ(peers_created(), 2U);
}

TEST_F(SimOffer, TwoHundredRejectedOffersAllocateNothingAndGetA408AtTheDeadline) {
  limits().connect_timeout = std::chrono::seconds(5);
  auto& a = enter("A", true);
  const auto started = loop().now() + kSignalingDelay;  // the first offer's arrival
  const auto bad = bad_offers().front().make(a.offer());
  for (int i = 0; i < 200; ++i) send_offer("A", bad);
  run_for(4s);
  EXPECT_EQ(rejections.size(), 200U);
  EXPECT_EQ(peers_created(), 0U);
  EXPECT_TRUE(errors.empty());
  ASSERT_TRUE(run_until([&] { return !errors.empty(); }, 2s));
  EXPECT_EQ(errors.front().participant, "A");
  EXPECT_EQ(errors.front().code, 408);
  EXPECT_TRUE(errors.front().remove);
  EXPECT_EQ(errors.front().at, started + std::chrono::seconds(5));
  EXPECT_NE(errors.front().message.find("within 5 s of the first offer"), std::string::npos)
      << errors.front().message;
  run_for(100ms);
  EXPECT_EQ(worker().room_count(), 0U) << "the participant and its room are gone";
  EXPECT_EQ(worker().counters().connect_timeouts.get(), 1U);
}

TEST_F(SimOffer, APeerThatNeverConnectsIsReleasedAtTheDeadlineAndTheOthersAreReoffered) {
  limits().connect_timeout = std::chrono::seconds(5);
  auto& b = join("B", false);
  ASSERT_TRUE(run_until([&] { return b.connected(); }, 2s));
  auto lost = lan_link();
  lost.loss = 1.0;  // nothing of A's reaches the server: no DTLS ClientHello
  const auto offered_at = loop().now() + kSignalingDelay;
  join("A", true, {lan_link(), lost});
  ASSERT_TRUE(run_until([&] { return b.tracks().size() == 2; }, 2s)) << "A published at once";
  ASSERT_TRUE(run_until([&] { return !errors.empty(); }, 6s));
  EXPECT_EQ(errors.front().participant, "A");
  EXPECT_EQ(errors.front().code, 408);
  EXPECT_EQ(errors.front().at, offered_at + std::chrono::seconds(5));
  ASSERT_TRUE(run_until([&] { return b.tracks().empty(); }, 1s)) << "A's tracks leave B's offer";
  run_for(100ms);
  const auto& c = worker().counters();
  EXPECT_EQ(c.peers_created.get(), 2U);
  EXPECT_EQ(c.peers_released.get(), 1U) << "A's Peer (and its ICE agent) is freed";
  EXPECT_EQ(c.connect_timeouts.get(), 1U);
  ASSERT_NE(worker().find("sim"), nullptr);
  EXPECT_EQ(worker().find("sim")->size(), 1U);
  EXPECT_TRUE(b.connected());
  EXPECT_TRUE(removals.empty()) << "the 408 is the only word A gets";
}

TEST_F(SimOffer, AConnectedPeerOutlivesTheDeadline) {
  limits().connect_timeout = std::chrono::seconds(2);
  auto& a = join("A", true);
  ASSERT_TRUE(run_until([&] { return a.connected(); }, 2s));
  run_for(5s);
  EXPECT_TRUE(errors.empty());
  EXPECT_TRUE(a.connected());
  EXPECT_EQ(worker().counters().connect_timeouts.get(), 0U);
}

TEST_F(SimOffer, ReoffersThatChangeTheTransportOrRemapMidsOrSsrcsAre400) {
  auto& a = join("A", true);
  ASSERT_TRUE(run_until([&] { return a.connected(); }, 2s));
  const auto good = a.offer();
  struct Case {
    const char* name;
    std::function<void(sdp::SessionDescription&)> edit;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"new ICE credentials",
       [](auto& d) {
         for (auto& m : d.media) m.ice_ufrag = "restart";
       },
       "re-offer changes the ICE credentials: ICE restart is not supported"},
      {"new fingerprint",
       [](auto& d) {
         std::string value;
         for (int i = 0; i < 32; ++i) value += i == 0 ? "AB" : ":AB";
         for (auto& m : d.media) m.fingerprints = {{"sha-256", value}};
       },
       "re-offer changes the DTLS fingerprint"},
      {"mid 0 becomes video",
       [](auto& d) {
         const auto audio_mid = d.media[0].mid;
         d.media[0] = d.media[1];
         d.media[0].mid = audio_mid;
         d.media[0].ssrcs.clear();
         d.media[0].ssrc_groups.clear();
       },
       "re-offer changes mid '0' from audio to video"},
      {"audio SSRC moves to mid 1", [](auto& d) { std::swap(d.media[0].ssrcs, d.media[1].ssrcs); },
       "re-offer moves SSRC"},
      {"m-lines swapped", [](auto& d) { std::swap(d.media[0], d.media[1]); },
       "re-offer moves mid '1' from m-line 1 to m-line 0"},
      {"mid 1 renamed while in use",
       [](auto& d) {
         d.media[1].mid = "renamed";
         d.groups.front().mids = {"0", "renamed"};
       },
       "re-offer replaces mid '1' with 'renamed' at m-line 1 while it is in use"},
      {"m-line removed", [](auto& d) { d.media.pop_back(); },
       "re-offer has 1 m-lines, fewer than the 2 negotiated"},

  };
  for (const auto& c : cases) send_offer("A", edited(good, c.edit));
  run_for(200ms);
  ASSERT_EQ(rejections.size(), cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    EXPECT_NE(rejections[i].find(cases[i].message), std::string::npos)
        << cases[i].name << ": " << rejections[i];
  }
  EXPECT_EQ(answers["A"], 1) << "only the first offer was answered";
  EXPECT_EQ(peers_created(), 1U);
  // The same offer again (a plain renegotiation) is answered, and the PeerConnection stays.
  send_offer("A", good);
  ASSERT_TRUE(run_until([&] { return answers["A"] == 2; }, 1s));
  EXPECT_EQ(rejections.size(), cases.size());
  publish_for(200ms);
  EXPECT_TRUE(a.connected());
  EXPECT_TRUE(errors.empty());
  EXPECT_TRUE(removals.empty());
}

// The server's offer to B and B's own offer cross (glare). The server is polite: it rolls its
// offer back, answers B, and offers again, with the same tracks, mids and SSRCs as before.
TEST_F(SimOffer, OfferCollisionGivesEachSideExactlyWhatItShould) {
  auto& a = join("A", true);
  ASSERT_TRUE(run_until([&] { return a.connected(); }, 2s));
  hold_answers = true;
  auto& b = join("B", true);
  ASSERT_TRUE(run_until([&] { return b.connected() && server_offers["B"] == 1; }, 2s));
  run_for(50ms);
  const auto first = sdp::parse(last_server_offer["B"]);
  ASSERT_TRUE(first.has_value());
  hold_answers = false;
  offer_again("B");
  ASSERT_TRUE(run_until([&] { return server_offers["B"] == 2 && b.tracks().size() == 2; }, 2s));
  run_for(100ms);
  const auto second = sdp::parse(last_server_offer["B"]);
  ASSERT_TRUE(second.has_value());
  // B: two answers (its first offer and the colliding one), two server offers, nothing else.
  EXPECT_EQ(answers["B"], 2);
  EXPECT_EQ(server_offers["B"], 2);
  // A: one answer and one server offer (B's tracks); B's colliding offer changed none of them.
  EXPECT_EQ(answers["A"], 1);
  EXPECT_EQ(server_offers["A"], 1);
  EXPECT_TRUE(rejections.empty());
  EXPECT_TRUE(errors.empty());
  // The offer made again carries the rolled-back one's tracks: same m-lines, kinds and SSRCs;
  // A's two m-lines get fresh mids ("4", "5": the rolled-back offer's "2" and "3" stay used,
  // as the client may have seen them).
  ASSERT_EQ(first->media.size(), 4U) << "B's audio and video, then A's audio and video";
  ASSERT_EQ(second->media.size(), first->media.size());
  const std::vector<std::string> first_mids = {"0", "1", "2", "3"};
  const std::vector<std::string> second_mids = {"0", "1", "4", "5"};
  for (std::size_t i = 0; i < first->media.size(); ++i) {
    EXPECT_EQ(first->media[i].mid, first_mids[i]) << i;
    EXPECT_EQ(second->media[i].mid, second_mids[i]) << i;
    EXPECT_EQ(second->media[i].media, first->media[i].media) << i;
    EXPECT_EQ(ssrcs_of(second->media[i]), ssrcs_of(first->media[i])) << i;
  }
  EXPECT_EQ(second->media[2].direction, sdp::Direction::sendonly);
  EXPECT_EQ(second->media[3].direction, sdp::Direction::sendonly);
  const auto* audio = worker().find("sim")->find("B");
  ASSERT_NE(audio, nullptr);
  publish_for(500ms);
  ASSERT_NE(b.stream_of("A-audio"), nullptr);
  EXPECT_EQ(b.stream_of("A-audio")->ssrc, ssrcs_of(first->media[2]).front());
  EXPECT_TRUE(b.stream_of("A-audio")->missing.empty());
}

}  // namespace
}  // namespace rrtc::engine::test
