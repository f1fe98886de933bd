#include "signaling/messages.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace rrtc::signaling {
namespace {

namespace json = boost::json;

template <class T>
T parse_as(std::string_view text) {
  ParseResult r = parse_client_message(text);
  EXPECT_TRUE(r.message) << text << " -> " << r.error.message;
  if (!r.message) return T{};
  EXPECT_TRUE(std::holds_alternative<T>(*r.message)) << text;
  return std::get<T>(*r.message);
}

TEST(MessagesTest, ParsesJoinWithOptionalFields) {
  auto j = parse_as<JoinMessage>(R"({"type":"join","room":"r1"})");
  EXPECT_EQ(j.room, "r1");
  EXPECT_FALSE(j.participant);
  EXPECT_FALSE(j.name);
  EXPECT_FALSE(j.token);
  j = parse_as<JoinMessage>(
      R"({"type":"join","room":"r1","participant":"p","name":"Ann","token":"t","extra":[1]})");
  EXPECT_EQ(j.participant, "p");
  EXPECT_EQ(j.name, "Ann");
  EXPECT_EQ(j.token, "t");
  j = parse_as<JoinMessage>(R"({"type":"join","room":"r","participant":null})");
  EXPECT_FALSE(j.participant);
}

TEST(MessagesTest, ParsesOfferWithTracks) {
  auto o = parse_as<OfferMessage>(
      R"({"type":"offer","sdp":"v=0\r\n","tracks":[{"mid":"0","type":"audio"},{"mid":"1","type":"camera"},{"mid":"2","type":"screen"}]})");
  EXPECT_EQ(o.sdp, "v=0\r\n");
  ASSERT_TRUE(o.tracks);
  ASSERT_EQ(o.tracks->size(), 3u);
  EXPECT_EQ((*o.tracks)[0], (room::TrackInfo{"0", room::TrackType::audio}));
  EXPECT_EQ((*o.tracks)[1], (room::TrackInfo{"1", room::TrackType::camera}));
  EXPECT_EQ((*o.tracks)[2], (room::TrackInfo{"2", room::TrackType::screen}));
  EXPECT_FALSE(parse_as<OfferMessage>(R"({"type":"offer","sdp":"x"})").tracks);
}

TEST(MessagesTest, CandidateStripsPrefixAndAcceptsEndOfCandidates) {
  auto c = parse_as<CandidateMessage>(
      R"({"type":"candidate","candidate":"a=candidate:1 1 udp 1 1.2.3.4 5 typ host","sdpMid":"0","sdpMLineIndex":0})");
  EXPECT_EQ(c.candidate.candidate, "candidate:1 1 udp 1 1.2.3.4 5 typ host");
  EXPECT_EQ(c.candidate.sdp_mid, "0");
  EXPECT_EQ(c.candidate.sdp_mline_index, 0);
  c = parse_as<CandidateMessage>(
      R"({"type":"candidate","candidate":"candidate:2 1 udp 1 ::1 5 typ host"})");
  EXPECT_EQ(c.candidate.candidate, "candidate:2 1 udp 1 ::1 5 typ host");
  EXPECT_FALSE(c.candidate.sdp_mid);
  c = parse_as<CandidateMessage>(
      R"({"type":"candidate","candidate":"","sdpMid":null,"sdpMLineIndex":null})");
  EXPECT_EQ(c.candidate.candidate, "");
  EXPECT_FALSE(c.candidate.sdp_mline_index);
}

TEST(MessagesTest, StateUpdateKeepsOmittedFieldsAbsent) {
  auto s = parse_as<StateUpdateMessage>(R"({"type":"state_update","muted":true})");
  EXPECT_EQ(s.change, (room::StateChange{true, std::nullopt, std::nullopt}));
  s = parse_as<StateUpdateMessage>(
      R"({"type":"state_update","muted":false,"video_on":false,"screen_sharing":true})");
  EXPECT_EQ(s.change, (room::StateChange{false, false, true}));
  parse_as<StartScreenShareMessage>(R"({"type":"start_screen_share"})");
  parse_as<StopScreenShareMessage>(R"({"type":"stop_screen_share"})");
  parse_as<LeaveMessage>(R"({"type":"leave"})");
  parse_as<AnswerMessage>(R"({"type":"answer","sdp":"v=0"})");
}

struct BadCase {
  const char* text;
  const char* message_fragment;
};

TEST(MessagesTest, RejectsBadInputWith400) {
  const BadCase cases[] = {
      {"", "malformed JSON"},
      {"{", "malformed JSON"},
      {"not json", "malformed JSON"},
      {"[1,2]", "JSON object"},
      {"\"join\"", "JSON object"},
      {"{}", "missing field 'type'"},
      {R"({"type":5})", "'type' must be a string"},
      {R"({"type":"dance"})", "unknown message type 'dance'"},
      {R"({"type":"join"})", "missing field 'room'"},
      {R"({"type":"join","room":7})", "'room' must be a string"},
      {R"({"type":"join","room":""})", "'room' must not be empty"},
      {R"({"type":"join","room":"r","participant":""})", "'participant' must not be empty"},
      {R"({"type":"join","room":"r","name":false})", "'name' must be a string"},
      {R"({"type":"offer"})", "missing field 'sdp'"},
      {R"({"type":"offer","sdp":""})", "'sdp' must not be empty"},
      {R"({"type":"offer","sdp":"x","tracks":{}})", "'tracks' must be an array"},
      {R"({"type":"offer","sdp":"x","tracks":[5]})", "must be an object"},
      {R"({"type":"offer","sdp":"x","tracks":[{"mid":"0"}]})", "missing field 'type'"},
      {R"({"type":"offer","sdp":"x","tracks":[{"mid":0,"type":"audio"}]})",
       "'mid' must be a string"},
      {R"({"type":"offer","sdp":"x","tracks":[{"mid":"0","type":"video"}]})",
       "audio, camera or screen"},
      {R"({"type":"answer","sdp":1})", "'sdp' must be a string"},
      {R"({"type":"candidate"})", "missing field 'candidate'"},
      {R"({"type":"candidate","candidate":"c","sdpMLineIndex":-1})", "0 to 65535"},
      {R"({"type":"candidate","candidate":"c","sdpMLineIndex":1.5})", "0 to 65535"},
      {R"({"type":"candidate","candidate":"c","sdpMid":3})", "'sdpMid' must be a string"},
      {R"({"type":"state_update","muted":"yes"})", "'muted' must be a boolean"},
      {R"({"type":"state_update","video_on":1})", "'video_on' must be a boolean"},
  };
  for (const auto& c : cases) {
    ParseResult r = parse_client_message(c.text);
    EXPECT_FALSE(r.message) << c.text;
    EXPECT_EQ(r.error.code, ErrorCode::bad_request) << c.text;
    EXPECT_NE(r.error.message.find(c.message_fragment), std::string::npos)
        << c.text << " -> " << r.error.message;
  }
}

TEST(MessagesTest, RejectsOversizedFieldsAndDeepNesting) {
  std::string long_room(kMaxIdBytes + 1, 'r');
  EXPECT_FALSE(parse_client_message(R"({"type":"join","room":")" + long_room + "\"}").message);
  std::string big_sdp(kMaxSdpBytes + 1, 's');
  EXPECT_FALSE(parse_client_message(R"({"type":"offer","sdp":")" + big_sdp + "\"}").message);
  std::string tracks = "[";
  for (std::size_t i = 0; i <= kMaxTracks; ++i)
    tracks += std::string(i ? "," : "") + R"({"mid":"m","type":"audio"})";
  tracks += "]";
  EXPECT_FALSE(
      parse_client_message(R"({"type":"offer","sdp":"x","tracks":)" + tracks + "}").message);
  std::string deep =
      R"({"type":"leave","x":)" + std::string(200, '[') + std::string(200, ']') + "}";
  EXPECT_FALSE(parse_client_message(deep).message);
}

TEST(MessagesTest, ClientMessagesRoundTrip) {
  const ClientMessage messages[] = {
      JoinMessage{"room", "p", "Ann \"quoted\"", "tok"},
      JoinMessage{"room", std::nullopt, std::nullopt, std::nullopt},
      OfferMessage{"v=0\r\n", std::vector<room::TrackInfo>{{"0", room::TrackType::screen}}},
      OfferMessage{"v=0\r\n", std::nullopt},
      AnswerMessage{"v=0\r\n"},
      CandidateMessage{{"candidate:1", "0", 3}},
      CandidateMessage{{"", std::nullopt, std::nullopt}},
      StateUpdateMessage{{true, std::nullopt, false}},
      StartScreenShareMessage{},
      StopScreenShareMessage{},
      LeaveMessage{},
      TrackSettingsMessage{{"a-camera", true, 640, 360, 15}},
      TrackSettingsMessage{{"a-screen-2", std::nullopt, std::nullopt, 0, std::nullopt}},
  };
  for (const auto& m : messages) {
    std::string text = to_json(m);
    ParseResult r = parse_client_message(text);
    ASSERT_TRUE(r.message) << text;
    EXPECT_EQ(*r.message, m) << text;
    EXPECT_EQ(r.type, type_name(m));
  }
}

TEST(MessagesTest, TrackSettingsKeepsOnlyTheFieldsGiven) {
  auto t = parse_as<TrackSettingsMessage>(
      R"({"type":"track_settings","track_id":"alice-camera","paused":false,"max_width":640,)"
      R"("max_height":360,"max_fps":15,"future_field":{"x":[1]}})");
  EXPECT_EQ(t.update, (room::TrackSettingsUpdate{"alice-camera", false, 640, 360, 15}));
  t = parse_as<TrackSettingsMessage>(R"({"type":"track_settings","track_id":"b-screen-2"})");
  EXPECT_EQ(t.update, (room::TrackSettingsUpdate{"b-screen-2", std::nullopt, std::nullopt,
                                                 std::nullopt, std::nullopt}));
  // null is absent; 0 is "no limit", kept as a value; the bounds are inclusive.
  t = parse_as<TrackSettingsMessage>(
      R"({"type":"track_settings","track_id":"c-camera","paused":null,"max_width":0,)"
      R"("max_height":16384,"max_fps":240})");
  EXPECT_EQ(t.update, (room::TrackSettingsUpdate{"c-camera", std::nullopt, 0, 16384, 240}));
  EXPECT_EQ(parse_client_message(R"({"type":"track_settings","track_id":"x"})").type,
            "track_settings");
}

TEST(MessagesTest, TrackSettingsRejectsEachBadFieldWithItsReason) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {R"({"type":"track_settings"})", "missing field 'track_id'"},
      {R"({"type":"track_settings","track_id":null})", "missing field 'track_id'"},
      {R"({"type":"track_settings","track_id":7})", "field 'track_id' must be a string"},
      {R"({"type":"track_settings","track_id":""})", "field 'track_id' must not be empty"},
      {R"({"type":"track_settings","track_id":"a","paused":"yes"})",
       "field 'paused' must be a boolean"},
      {R"({"type":"track_settings","track_id":"a","paused":1})",
       "field 'paused' must be a boolean"},
      {R"({"type":"track_settings","track_id":"a","max_width":-1})",
       "field 'max_width' must be an integer from 0 to 16384"},
      {R"({"type":"track_settings","track_id":"a","max_width":16385})",
       "field 'max_width' must be an integer from 0 to 16384"},
      {R"({"type":"track_settings","track_id":"a","max_height":360.5})",
       "field 'max_height' must be an integer from 0 to 16384"},
      {R"({"type":"track_settings","track_id":"a","max_height":"360"})",
       "field 'max_height' must be an integer from 0 to 16384"},
      {R"({"type":"track_settings","track_id":"a","max_fps":241})",
       "field 'max_fps' must be an integer from 0 to 240"},
      {R"({"type":"track_settings","track_id":"a","max_fps":18446744073709551615})",
       "field 'max_fps' must be an integer from 0 to 240"},
      {R"({"type":"track_settings","track_id":"a","max_fps":true})",
       "field 'max_fps' must be an integer from 0 to 240"},
  };
  for (const auto& [text, reason] : cases) {
    ParseResult r = parse_client_message(text);
    EXPECT_FALSE(r.message) << text;
    EXPECT_EQ(r.error.code, ErrorCode::bad_request) << text;
    EXPECT_EQ(r.error.message, reason) << text;
    EXPECT_EQ(r.type, "track_settings") << text;
  }
  const std::string long_id(kMaxTrackIdBytes + 1, 'x');
  ParseResult r =
      parse_client_message(R"({"type":"track_settings","track_id":")" + long_id + R"("})");
  EXPECT_EQ(r.error.message, "field 'track_id' is longer than 160 bytes");
}

TEST(MessagesTest, StreamStateAndPublishLayersAreExactJson) {
  EXPECT_EQ(stream_state_json({"a-camera", room::StreamPause::none, 640, 360}),
            R"({"type":"stream_state","track_id":"a-camera","state":"active","width":640,)"
            R"("height":360})");
  EXPECT_EQ(stream_state_json({"a-camera", room::StreamPause::none, 0, 0}),
            R"({"type":"stream_state","track_id":"a-camera","state":"active"})");
  EXPECT_EQ(stream_state_json({"a-camera", room::StreamPause::bandwidth, 0, 0}),
            R"({"type":"stream_state","track_id":"a-camera","state":"paused",)"
            R"("reason":"bandwidth"})");
  EXPECT_EQ(stream_state_json({"b-screen", room::StreamPause::requested, 0, 0}),
            R"({"type":"stream_state","track_id":"b-screen","state":"paused",)"
            R"("reason":"requested"})");
  EXPECT_EQ(stream_state_json({"b-camera-2", room::StreamPause::publisher, 320, 0}),
            R"({"type":"stream_state","track_id":"b-camera-2","state":"paused",)"
            R"("reason":"publisher"})");
  EXPECT_EQ(publish_layers_json("1", {"q", "h"}),
            R"({"type":"publish_layers","mid":"1","active":["q","h"]})");
  EXPECT_EQ(publish_layers_json("video0", {}),
            R"({"type":"publish_layers","mid":"video0","active":[]})");
}

TEST(MessagesTest, ServerMessagesHaveExactFieldNames) {
  std::vector<ParticipantInfo> others{{"b", "Bob", {true, false, true}}};
  std::vector<IceServer> ice{{{"stun:stun.example:3478"}, "", ""},
                             {{"turn:t:3478?transport=udp", "turns:t:5349"}, "u", "c"}};
  auto joined = json::parse(joined_json("a", "r", others, ice)).as_object();
  EXPECT_EQ(joined.at("type"), "joined");
  EXPECT_EQ(joined.at("your_id"), "a");
  EXPECT_EQ(joined.at("room"), "r");
  auto& p = joined.at("participants").as_array().at(0).as_object();
  EXPECT_EQ(p.at("id"), "b");
  EXPECT_EQ(p.at("name"), "Bob");
  EXPECT_EQ(p.at("muted"), true);
  EXPECT_EQ(p.at("video_on"), false);
  EXPECT_EQ(p.at("screen_sharing"), true);
  auto& servers = joined.at("ice_servers").as_array();
  ASSERT_EQ(servers.size(), 2u);
  EXPECT_FALSE(servers[0].as_object().contains("username"));
  EXPECT_EQ(servers[1].as_object().at("urls").as_array().size(), 2u);
  EXPECT_EQ(servers[1].as_object().at("username"), "u");
  EXPECT_EQ(servers[1].as_object().at("credential"), "c");

  auto pj = json::parse(participant_joined_json({"n", "New", {}})).as_object();
  EXPECT_EQ(pj.at("type"), "participant_joined");
  EXPECT_EQ(pj.at("id"), "n");
  EXPECT_EQ(pj.at("name"), "New");
  EXPECT_EQ(pj.at("video_on"), true);
  auto pl = json::parse(participant_left_json("n")).as_object();
  EXPECT_EQ(pl.at("type"), "participant_left");
  EXPECT_EQ(pl.at("participant_id"), "n");
  auto su = json::parse(state_update_json("n", {true, true, false})).as_object();
  EXPECT_EQ(su.at("type"), "state_update");
  EXPECT_EQ(su.at("participant_id"), "n");
  EXPECT_EQ(su.at("muted"), true);
  EXPECT_EQ(su.at("screen_sharing"), false);
  auto ans = json::parse(sdp_json("answer", "v=0")).as_object();
  EXPECT_EQ(ans.at("type"), "answer");
  EXPECT_EQ(ans.at("sdp"), "v=0");
  auto cand = json::parse(candidate_json({"candidate:1", "0", 0})).as_object();
  EXPECT_EQ(cand.at("candidate"), "candidate:1");
  EXPECT_EQ(cand.at("sdpMid"), "0");
  EXPECT_EQ(cand.at("sdpMLineIndex"), 0);
  auto err = json::parse(error_json(ErrorCode::conflict, "dup")).as_object();
  EXPECT_EQ(err.at("type"), "error");
  EXPECT_EQ(err.at("code"), 409);
  EXPECT_EQ(err.at("message"), "dup");
}

}  // namespace
}  // namespace rrtc::signaling
