// The webhook body, signature, event id and URL parsing (docs/webhooks.md).

#include "signaling/webhook_event.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <set>

namespace rrtc::signaling {
namespace {

using std::chrono::milliseconds;

RoomEvent event_at(RoomEventKind kind, std::int64_t unix_ms) {
  RoomEvent e;
  e.kind = kind;
  e.room = "standup";
  e.at = std::chrono::system_clock::time_point(milliseconds(unix_ms));
  return e;
}

TEST(WebhookBody, RoomEventHasNoParticipantOrTrack) {
  auto e = event_at(RoomEventKind::room_started, 1733482097123);
  EXPECT_EQ(webhook_body(e, "00ff", ""),
            R"({"id":"00ff","event":"room_started","created_at":1733482097.123,"room":"standup"})");
}

TEST(WebhookBody, MillisecondsKeepTheirLeadingZeros) {
  auto e = event_at(RoomEventKind::room_finished, 1733482097005);
  EXPECT_EQ(webhook_body(e, "a", ""),
            R"({"id":"a","event":"room_finished","created_at":1733482097.005,"room":"standup"})");
}

TEST(WebhookBody, ParticipantWithAndWithoutName) {
  auto e = event_at(RoomEventKind::participant_joined, 1000);
  e.participant = "alice-1";
  EXPECT_EQ(webhook_body(e, "i", "Alice \"A\" \xc3\xa9"),
            R"({"id":"i","event":"participant_joined","created_at":1.000,"room":"standup",)"
            R"("participant":{"id":"alice-1","name":"Alice \"A\" )"
            "\xc3\xa9"
            R"("}})");
  e.kind = RoomEventKind::participant_left;
  EXPECT_EQ(webhook_body(e, "i", ""),
            R"({"id":"i","event":"participant_left","created_at":1.000,"room":"standup",)"
            R"("participant":{"id":"alice-1"}})");
}

TEST(WebhookBody, TrackEvent) {
  auto e = event_at(RoomEventKind::track_published, 2500);
  e.participant = "bob";
  e.track = room::PublishedTrackInfo{"bob-camera", "1", room::TrackType::camera, "VP8"};
  std::string body = webhook_body(e, "x", "Bob");
  EXPECT_EQ(body, R"({"id":"x","event":"track_published","created_at":2.500,"room":"standup",)"
                  R"("participant":{"id":"bob","name":"Bob"},)"
                  R"("track":{"track_id":"bob-camera","mid":"1","type":"camera","codec":"VP8"}})");
  // Valid JSON whatever the room name holds.
  e.room = "a\"b\\c\n";
  auto parsed = boost::json::parse(webhook_body(e, "x", "Bob"));
  EXPECT_EQ(parsed.at("room").as_string(), "a\"b\\c\n");
  EXPECT_EQ(parsed.at("track").at("type").as_string(), "camera");
}

TEST(WebhookSignature, Rfc4231TestCase2) {
  EXPECT_EQ(webhook_signature("Jefe", "what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(WebhookSignature, EmptySecretAndBody) {
  // HMAC-SHA256 with an empty key over an empty message.
  EXPECT_EQ(webhook_signature("", ""),
            "sha256=b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(WebhookEventId, ThirtyTwoHexDigitsAndUnique) {
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) {
    auto id = webhook_event_id();
    ASSERT_EQ(id.size(), 32u);
    ASSERT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 1000u);
}

struct UrlCase {
  const char* text;
  bool tls;
  const char* host;
  std::uint16_t port;
  const char* target;
  const char* host_header;
};

TEST(WebhookUrl, Parses) {
  const UrlCase cases[] = {
      {"http://example.com", false, "example.com", 80, "/", "example.com"},
      {"http://example.com/hook", false, "example.com", 80, "/hook", "example.com"},
      {"http://127.0.0.1:8081/a/b?x=1", false, "127.0.0.1", 8081, "/a/b?x=1", "127.0.0.1:8081"},
      {"https://hooks.example.com/rrtc", true, "hooks.example.com", 443, "/rrtc",
       "hooks.example.com"},
      {"https://h:8443", true, "h", 8443, "/", "h:8443"},
      {"http://[::1]:9000/x", false, "::1", 9000, "/x", "[::1]:9000"},
      {"http://[::1]", false, "::1", 80, "/", "[::1]"},
      {"http://h?q", false, "h", 80, "/?q", "h"},
  };
  for (const auto& c : cases) {
    auto url = parse_webhook_url(c.text);
    ASSERT_TRUE(url) << c.text;
    EXPECT_EQ(url->tls, c.tls) << c.text;
    EXPECT_EQ(url->host, c.host) << c.text;
    EXPECT_EQ(url->port, c.port) << c.text;
    EXPECT_EQ(url->target, c.target) << c.text;
    EXPECT_EQ(url->host_header(), c.host_header) << c.text;
  }
}

TEST(WebhookUrl, Refuses) {
  for (const char* text : {"", "ftp://h/", "http://", "http:///x", "http://h:", "http://h:0",
                           "http://h:65536", "http://h:80x", "http://user@h/", "http://h/a b",
                           "http://h/#frag", "http://[::1", "http://[::1]x", "HTTP://h"}) {
    EXPECT_FALSE(parse_webhook_url(text)) << text;
  }
}

}  // namespace
}  // namespace rrtc::signaling
