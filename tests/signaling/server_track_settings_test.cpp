// Integration (real server, real WebSocket clients on 127.0.0.1): the v1.1 messages of issue 17.
// track_settings from a client reaches the MediaBackend exactly as sent, or gets error 400 and
// the participant stays; stream_state and publish_layers from the media stack reach only the
// participant they name.
#include <gtest/gtest.h>

#include <thread>

#include "recording_backend.hpp"
#include "test_client.hpp"

namespace rrtc::signaling::testing {
namespace {

namespace json = boost::json;

std::string metric(std::uint16_t port, std::string_view series) {
  const auto body = http_request(port, "/metrics").body;
  const auto at = body.find(std::string(series) + " ");
  if (at == std::string::npos) return "absent";
  const auto value = at + series.size() + 1;
  return body.substr(value, body.find('\n', value) - value);
}

TEST(ServerTrackSettingsTest, ValidTrackSettingsReachTheBackendExactly) {
  RecordingBackend backend;
  ServerFixture server(test_options(), &backend);
  WsClient a(server.port());
  ASSERT_EQ(a.join("r", "a").at("type"), "joined");
  a.send(json::object{{"type", "track_settings"},
                      {"track_id", "b-camera"},
                      {"paused", false},
                      {"max_width", 640},
                      {"max_height", 360},
                      {"max_fps", 15}});
  a.send(json::object{{"type", "track_settings"}, {"track_id", "b-screen"}});
  // null is absent, unknown fields are ignored, 0 (no limit) is a value.
  a.send(json::object{{"type", "track_settings"},
                      {"track_id", "b-camera-2"},
                      {"paused", true},
                      {"max_width", nullptr},
                      {"max_fps", 0},
                      {"layer_hint", "q"}});
  const std::vector<std::string> expected = {
      "join r a m0v1s0",
      "track_settings r a b-camera p0 w640 h360 f15",
      "track_settings r a b-screen p- w- h- f-",
      "track_settings r a b-camera-2 p1 w- h- f0",
  };
  EXPECT_EQ(backend.wait_for(expected.size()), expected);
  EXPECT_EQ(
      metric(server.port(), R"(rrtc_signaling_messages_received_total{type="track_settings"})"),
      "3");
  EXPECT_EQ(metric(server.port(), R"(rrtc_signaling_errors_total{code="400"})"), "0");
}

TEST(ServerTrackSettingsTest, EachInvalidFormGets400AndTheParticipantStays) {
  RecordingBackend backend;
  auto options = test_options();
  options.max_protocol_errors = 64;  // every case below earns one error reply
  ServerFixture server(options, &backend);
  WsClient before(server.port());
  before.send(json::object{{"type", "track_settings"}, {"track_id", "b-camera"}});
  auto early = before.read();
  ASSERT_TRUE(early);
  EXPECT_EQ(*early,
            (json::object{
                {"type", "error"}, {"message", "'track_settings' before 'join'"}, {"code", 400}}));

  WsClient a(server.port());
  ASSERT_EQ(a.join("r", "a").at("type"), "joined");
  const std::pair<json::object, std::string_view> cases[] = {
      {{{"type", "track_settings"}}, "missing field 'track_id'"},
      {{{"type", "track_settings"}, {"track_id", 3}}, "field 'track_id' must be a string"},
      {{{"type", "track_settings"}, {"track_id", ""}}, "field 'track_id' must not be empty"},
      {{{"type", "track_settings"}, {"track_id", std::string(161, 'x')}},
       "field 'track_id' is longer than 160 bytes"},
      {{{"type", "track_settings"}, {"track_id", "b-camera"}, {"paused", "no"}},
       "field 'paused' must be a boolean"},
      {{{"type", "track_settings"}, {"track_id", "b-camera"}, {"max_width", -640}},
       "field 'max_width' must be an integer from 0 to 16384"},
      {{{"type", "track_settings"}, {"track_id", "b-camera"}, {"max_height", 100000}},
       "field 'max_height' must be an integer from 0 to 16384"},
      {{{"type", "track_settings"}, {"track_id", "b-camera"}, {"max_height", 359.5}},
       "field 'max_height' must be an integer from 0 to 16384"},
      {{{"type", "track_settings"}, {"track_id", "b-camera"}, {"max_fps", 1000}},
       "field 'max_fps' must be an integer from 0 to 240"},
      {{{"type", "track_settings"}, {"track_id", "b-camera"}, {"max_fps", json::array{30}}},
       "field 'max_fps' must be an integer from 0 to 240"},
  };
  for (const auto& [message, reason] : cases) {
    a.send(message);
    auto reply = a.read();
    ASSERT_TRUE(reply) << reason;
    EXPECT_EQ(*reply, (json::object{{"type", "error"}, {"message", reason}, {"code", 400}}));
  }
  // Still in the room: a valid one after all that is submitted, and nothing invalid was.
  a.send(json::object{{"type", "track_settings"}, {"track_id", "b-camera"}, {"paused", true}});
  const std::vector<std::string> expected = {"join r a m0v1s0",
                                             "track_settings r a b-camera p1 w- h- f-"};
  EXPECT_EQ(backend.wait_for(expected.size()), expected);
  EXPECT_EQ(server.participants(), 1u);
  EXPECT_FALSE(a.closed());
  // The media stack's verdict on an unknown track id (MediaRoom): 400, and it stays too.
  auto channel = backend.channel();
  std::thread([&] {
    channel->send_error("r", "a", 400, "track_settings: unknown track_id zz-camera", false);
  }).join();
  auto unknown = a.read();
  ASSERT_TRUE(unknown);
  EXPECT_EQ(*unknown, (json::object{{"type", "error"},
                                    {"message", "track_settings: unknown track_id zz-camera"},
                                    {"code", 400}}));
  EXPECT_EQ(server.participants(), 1u);
  EXPECT_EQ(metric(server.port(), R"(rrtc_signaling_errors_total{code="400"})"), "12");
}

TEST(ServerTrackSettingsTest, StreamStateAndPublishLayersReachOnlyTheParticipantNamed) {
  RecordingBackend backend;
  ServerFixture server(test_options(), &backend);
  WsClient a(server.port());
  WsClient b(server.port());
  WsClient other(server.port());  // the same participant id in another room
  ASSERT_EQ(a.join("r", "a").at("type"), "joined");
  ASSERT_EQ(b.join("r", "b").at("type"), "joined");
  ASSERT_EQ(other.join("elsewhere", "a").at("type"), "joined");
  ASSERT_TRUE(a.read_type("participant_joined"));
  auto channel = backend.channel();
  // From another thread, as a media worker would; posts run in order on the signaling thread.
  std::thread([&] {
    channel->send_stream_state("r", "a", {"b-camera", room::StreamPause::none, 640, 360});
    channel->send_stream_state("r", "gone", {"b-camera", room::StreamPause::bandwidth, 0, 0});
    channel->send_stream_state("r", "a", {"b-camera", room::StreamPause::bandwidth, 0, 0});
    channel->send_publish_layers("r", "b", "1", {"q", "h"});
    channel->send_publish_layers("elsewhere", "a", "0", {});
    channel->send_stream_state("r", "b", {"a-screen", room::StreamPause::requested, 0, 0});
  }).join();
  const auto expect_next = [](WsClient& client, const json::object& expected) {
    auto message = client.read();
    ASSERT_TRUE(message);
    EXPECT_EQ(*message, expected);
  };
  expect_next(a, {{"type", "stream_state"},
                  {"track_id", "b-camera"},
                  {"state", "active"},
                  {"width", 640},
                  {"height", 360}});
  expect_next(a, {{"type", "stream_state"},
                  {"track_id", "b-camera"},
                  {"state", "paused"},
                  {"reason", "bandwidth"}});
  // b's first messages are its own: nothing of a's reached it (the posts keep their order).
  expect_next(b, {{"type", "publish_layers"}, {"mid", "1"}, {"active", json::array{"q", "h"}}});
  expect_next(b, {{"type", "stream_state"},
                  {"track_id", "a-screen"},
                  {"state", "paused"},
                  {"reason", "requested"}});
  expect_next(other, {{"type", "publish_layers"}, {"mid", "0"}, {"active", json::array{}}});
  EXPECT_EQ(metric(server.port(), R"(rrtc_signaling_messages_sent_total{type="stream_state"})"),
            "3");
  EXPECT_EQ(metric(server.port(), R"(rrtc_signaling_messages_sent_total{type="publish_layers"})"),
            "2");
}

}  // namespace
}  // namespace rrtc::signaling::testing
