// Unit: the admin API's pure parts: admin token verification, routing, bearer headers and the
// JSON in and out (docs/admin-api.md).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "signaling/admin_json.hpp"
#include "signaling/admin_route.hpp"
#include "signaling/jwt.hpp"

namespace rrtc::signaling {
namespace {

using namespace std::chrono_literals;
namespace http = boost::beast::http;
namespace json = boost::json;

const auto kNow = std::chrono::system_clock::time_point(1'700'000'000s);
constexpr std::string_view kSecret = "api-secret";
constexpr std::string_view kKey = "APIkey1";

TEST(AdminTokenTest, AcceptsTokenForTheKeyAndReadsClaims) {
  auto verdict =
      verify_admin_token(make_admin_token(kKey, 1'700'000'060, kSecret), kSecret, kKey, kNow);
  ASSERT_TRUE(verdict.claims);
  EXPECT_EQ(verdict.claims->issuer, "APIkey1");
  EXPECT_EQ(verdict.claims->expires_at, 1'700'000'060.0);
  // nbf in the past is fine.
  auto with_nbf = sign_hs256(R"({"iss":"APIkey1","exp":1700000060,"nbf":1699999999})", kSecret);
  EXPECT_TRUE(verify_admin_token(with_nbf, kSecret, kKey, kNow).claims);
}

TEST(AdminTokenTest, RefusesEachWayATokenCanBeWrong) {
  struct Case {
    std::string token;
    JwtError error;
  };
  const Case cases[] = {
      {sign_hs256(R"({"iss":"APIkey1","exp":1700000000})", kSecret), JwtError::expired},
      {sign_hs256(R"({"iss":"APIkey1","exp":1600000000})", kSecret), JwtError::expired},
      {sign_hs256(R"({"iss":"APIkey1","exp":1700000060})", "other"), JwtError::bad_signature},
      {sign_hs256(R"({"iss":"APIkey2","exp":1700000060})", kSecret), JwtError::wrong_issuer},
      {sign_hs256(R"({"iss":"APIkey","exp":1700000060})", kSecret), JwtError::wrong_issuer},
      {sign_hs256(R"({"exp":1700000060})", kSecret), JwtError::missing_claim},
      {sign_hs256(R"({"iss":"APIkey1"})", kSecret), JwtError::missing_claim},
      {sign_hs256(R"({"iss":7,"exp":1700000060})", kSecret), JwtError::missing_claim},
      {sign_hs256(R"({"iss":"APIkey1","exp":1700000060,"nbf":1700000001})", kSecret),
       JwtError::not_yet_valid},
      // A join token for the same secret is not an admin token: it has no iss.
      {make_join_token("r", std::string_view("a"), 1'700'000'060, kSecret),
       JwtError::missing_claim},
      {"", JwtError::malformed},
      {"a.b", JwtError::malformed},
      {"not a token at all", JwtError::malformed},
      {base64url_encode(R"({"alg":"none"})") + "." +
           base64url_encode(R"({"iss":"APIkey1","exp":1700000060})") + ".",
       JwtError::unsupported_algorithm},
  };
  for (const auto& c : cases) {
    auto verdict = verify_admin_token(c.token, kSecret, kKey, kNow);
    EXPECT_FALSE(verdict.claims) << c.token;
    EXPECT_EQ(verdict.error, c.error) << c.token;
  }
  EXPECT_EQ(admin_token_error_text(JwtError::expired), "API token has expired");
  EXPECT_EQ(admin_token_error_text(JwtError::wrong_issuer),
            "API token was issued for another API key");
}

TEST(AdminTokenTest, JoinTokensMadeHereVerifyAsJoinTokens) {
  auto token = make_join_token("room 1", std::string_view("alice"), 1'700'000'060, "join");
  auto verdict = verify_hs256(token, "join", kNow);
  ASSERT_TRUE(verdict.claims);
  EXPECT_EQ(verdict.claims->room, "room 1");
  EXPECT_EQ(verdict.claims->subject, "alice");
  EXPECT_EQ(verdict.claims->expires_at, 1'700'000'060.0);
  auto anyone =
      verify_hs256(make_join_token("r", std::nullopt, 1'700'000'060, "join"), "join", kNow);
  ASSERT_TRUE(anyone.claims);
  EXPECT_FALSE(anyone.claims->subject);
}

TEST(AdminRouteTest, MatchesEveryEndpoint) {
  struct Case {
    http::verb method;
    std::string_view target;
    AdminEndpoint endpoint;
    std::string_view room;
    std::string_view participant;
  };
  const Case cases[] = {
      {http::verb::get, "/api/rooms", AdminEndpoint::list_rooms, "", ""},
      {http::verb::get, "/api/rooms?x=1", AdminEndpoint::list_rooms, "", ""},
      {http::verb::get, "/api/rooms/r1", AdminEndpoint::get_room, "r1", ""},
      {http::verb::delete_, "/api/rooms/r1", AdminEndpoint::close_room, "r1", ""},
      {http::verb::delete_, "/api/rooms/r1/participants/alice", AdminEndpoint::remove_participant,
       "r1", "alice"},
      {http::verb::post, "/api/rooms/r1/participants/alice/mute", AdminEndpoint::mute_participant,
       "r1", "alice"},
      {http::verb::post, "/api/tokens", AdminEndpoint::create_token, "", ""},
      {http::verb::get, "/api/rooms/a%2Fb%20c", AdminEndpoint::get_room, "a/b c", ""},
  };
  for (const auto& c : cases) {
    auto match = match_admin_route(c.method, c.target);
    ASSERT_TRUE(match.route) << c.target;
    EXPECT_EQ(match.route->endpoint, c.endpoint) << c.target;
    EXPECT_EQ(match.route->room, c.room) << c.target;
    EXPECT_EQ(match.route->participant, c.participant) << c.target;
  }
}

TEST(AdminRouteTest, UnknownPathsAre404AndWrongMethods405WithAllow) {
  for (std::string_view target :
       {"/api/", "/api/room", "/api/rooms/", "/api/rooms//participants/a", "/api/rooms/r/x",
        "/api/rooms/r/participants", "/api/rooms/r/participants/a/unmute",
        "/api/rooms/r/participants/a/mute/x", "/api/rooms/%zz", "/api/rooms/%4", "/api/rooms/%00",
        "/api/tokens/x", "/healthz"}) {
    auto match = match_admin_route(http::verb::get, target);
    EXPECT_FALSE(match.route) << target;
    EXPECT_EQ(match.status, 404u) << target;
  }
  EXPECT_FALSE(match_admin_route(http::verb::get, "/api/rooms/" + std::string(129, 'r')).route);
  EXPECT_TRUE(match_admin_route(http::verb::get, "/api/rooms/" + std::string(128, 'r')).route);
  struct Case {
    http::verb method;
    std::string_view target;
    std::string_view allow;
  };
  const Case cases[] = {
      {http::verb::post, "/api/rooms", "GET"},
      {http::verb::put, "/api/rooms/r", "GET, DELETE"},
      {http::verb::get, "/api/rooms/r/participants/a", "DELETE"},
      {http::verb::get, "/api/rooms/r/participants/a/mute", "POST"},
      {http::verb::get, "/api/tokens", "POST"},
      {http::verb::head, "/api/rooms", "GET"},
  };
  for (const auto& c : cases) {
    auto match = match_admin_route(c.method, c.target);
    EXPECT_FALSE(match.route) << c.target;
    EXPECT_EQ(match.status, 405u) << c.target;
    EXPECT_EQ(match.allow, c.allow) << c.target;
  }
}

TEST(AdminRouteTest, AdminPathsAndBearerHeaders) {
  EXPECT_TRUE(is_admin_path("/api"));
  EXPECT_TRUE(is_admin_path("/api/"));
  EXPECT_TRUE(is_admin_path("/api/rooms?x"));
  EXPECT_FALSE(is_admin_path("/apix"));
  EXPECT_FALSE(is_admin_path("/"));
  EXPECT_FALSE(is_admin_path("/ws"));
  EXPECT_EQ(bearer_token("Bearer abc.def.ghi"), "abc.def.ghi");
  EXPECT_EQ(bearer_token("bearer   abc  "), "abc");
  EXPECT_EQ(bearer_token("BEARER abc"), "abc");
  EXPECT_FALSE(bearer_token("Basic dXNlcjpwYXNz"));
  EXPECT_FALSE(bearer_token("Bearer"));
  EXPECT_FALSE(bearer_token("Bearer "));
  EXPECT_FALSE(bearer_token("Bearerabc"));
  EXPECT_FALSE(bearer_token("Bearer a b"));
  EXPECT_FALSE(bearer_token(""));
}

TEST(AdminJsonTest, MuteBodies) {
  auto by_id = parse_mute_body(R"({"track_id":"alice-audio"})");
  ASSERT_TRUE(by_id.value);
  EXPECT_EQ(by_id.value->track_id, "alice-audio");
  EXPECT_FALSE(by_id.value->type);
  auto by_type = parse_mute_body(R"({"type":"screen"})");
  ASSERT_TRUE(by_type.value);
  EXPECT_EQ(by_type.value->type, room::TrackType::screen);
  struct Case {
    std::string_view body;
    std::string_view error;
  };
  const Case cases[] = {
      {"", "request body must be a JSON object"},
      {"[]", "request body must be a JSON object"},
      {"{}", "give exactly one of 'track_id' and 'type'"},
      {R"({"track_id":"a-audio","type":"audio"})", "give exactly one of 'track_id' and 'type'"},
      {R"({"type":"video"})", R"('type' must be "audio", "camera" or "screen")"},
      {R"({"type":1})", R"('type' must be "audio", "camera" or "screen")"},
      {R"({"track_id":""})", "'track_id' must be a string of 1 to 160 bytes"},
  };
  for (const auto& c : cases) {
    auto parsed = parse_mute_body(c.body);
    EXPECT_FALSE(parsed.value) << c.body;
    EXPECT_EQ(parsed.error, c.error) << c.body;
  }
}

TEST(AdminJsonTest, TokenBodies) {
  auto full = parse_token_body(R"({"room":"r1","identity":"bob","ttl_seconds":600})");
  ASSERT_TRUE(full.value);
  EXPECT_EQ(full.value->room, "r1");
  EXPECT_EQ(full.value->identity, "bob");
  EXPECT_EQ(full.value->ttl_seconds, 600);
  auto minimal = parse_token_body(R"({"room":"r1"})");
  ASSERT_TRUE(minimal.value);
  EXPECT_FALSE(minimal.value->identity);
  EXPECT_EQ(minimal.value->ttl_seconds, 3600);
  EXPECT_EQ(parse_token_body(R"({"room":"r","ttl_seconds":60.0})").value->ttl_seconds, 60);
  const std::string ttl_error =
      "'ttl_seconds' must be a whole number of seconds from 1 to 31536000";
  struct Case {
    std::string_view body;
    std::string error;
  };
  const Case cases[] = {
      {"nope", "request body must be a JSON object"},
      {R"({"identity":"bob"})", "'room' is required"},
      {R"({"room":""})", "'room' must be a string of 1 to 128 bytes"},
      {R"({"room":5})", "'room' must be a string of 1 to 128 bytes"},
      {R"({"room":"r","identity":""})", "'identity' must be a string of 1 to 128 bytes"},
      {R"({"room":"r","ttl_seconds":0})", ttl_error},
      {R"({"room":"r","ttl_seconds":-5})", ttl_error},
      {R"({"room":"r","ttl_seconds":1.5})", ttl_error},
      {R"({"room":"r","ttl_seconds":"60"})", ttl_error},
      {R"({"room":"r","ttl_seconds":31536001})", ttl_error},
      {R"({"room":"r","ttl_seconds":1e300})", ttl_error},
      {R"({"room":"r","ttl_seconds":18446744073709551615})", ttl_error},
  };
  for (const auto& c : cases) {
    auto parsed = parse_token_body(c.body);
    EXPECT_FALSE(parsed.value) << c.body;
    EXPECT_EQ(parsed.error, c.error) << c.body;
  }
}

TEST(AdminJsonTest, TrackIdsNameTheirType) {
  EXPECT_EQ(track_type_of("alice-audio", "alice"), room::TrackType::audio);
  EXPECT_EQ(track_type_of("alice-camera-2", "alice"), room::TrackType::camera);
  EXPECT_EQ(track_type_of("a-b-screen", "a-b"), room::TrackType::screen);
  EXPECT_FALSE(track_type_of("bob-audio", "alice"));
  EXPECT_FALSE(track_type_of("alice-video", "alice"));
  EXPECT_FALSE(track_type_of("alice-audio-", "alice"));
  EXPECT_FALSE(track_type_of("alice-audio-x", "alice"));
  EXPECT_FALSE(track_type_of("aliceaudio", "alice"));
  EXPECT_FALSE(track_type_of("alice-", "alice"));
}

TEST(AdminJsonTest, ResponsesHaveExactShapes) {
  EXPECT_EQ(admin_error_json(404, "no such room"),
            R"({"error":{"code":404,"message":"no such room"}})");
  EXPECT_EQ(rooms_json({{"a", 2, 1'700'000'000}, {"b", 0, std::nullopt}}),
            R"({"rooms":[{"name":"a","participants":2,"created_at":1700000000},)"
            R"({"name":"b","participants":0}]})");
  EXPECT_EQ(rooms_json({}), R"({"rooms":[]})");
  EXPECT_EQ(token_json("t.o.k", 1'700'003'600), R"({"token":"t.o.k","expires_at":1700003600})");
  EXPECT_EQ(participant_state_json("r", "a", {true, true, false}),
            R"({"room":"r","participant":"a","state":{"muted":true,"video_on":true,)"
            R"("screen_sharing":false}})");
}

TEST(AdminJsonTest, RoomJoinsStateTracksAndCounters) {
  AdminRoomDetail detail;
  detail.name = "r";
  detail.created_at = 1'700'000'000;
  room::PublishedTrackInfo audio{"alice-audio", "0", room::TrackType::audio, "opus"};
  room::PublishedTrackInfo video{"alice-camera", "1", room::TrackType::camera, "VP8"};
  detail.participants.push_back({"alice", "Alice", {false, true, false}, {audio, video}});
  detail.participants.push_back({"bob", "", {true, false, false}, {}});
  room::ParticipantStats alice;
  alice.participant = "alice";
  alice.connected = true;
  alice.packets_received = 10;
  alice.bytes_received = 1000;
  alice.packets_sent = 5;
  alice.bytes_sent = 500;
  alice.tracks.push_back({audio, true, 7, 700});
  auto room = json::parse(room_json(detail, {alice})).as_object();
  EXPECT_EQ(room.at("name"), "r");
  EXPECT_EQ(room.at("created_at"), 1'700'000'000);
  const auto& people = room.at("participants").as_array();
  ASSERT_EQ(people.size(), 2u);
  const auto& a = people[0].as_object();
  EXPECT_EQ(a.at("id"), "alice");
  EXPECT_EQ(a.at("name"), "Alice");
  EXPECT_EQ(json::serialize(a.at("state")),
            R"({"muted":false,"video_on":true,"screen_sharing":false})");
  EXPECT_EQ(json::serialize(a.at("tracks")),
            R"([{"track_id":"alice-audio","mid":"0","type":"audio","codec":"opus",)"
            R"("forwarding":true,"packets":7,"bytes":700},)"
            R"({"track_id":"alice-camera","mid":"1","type":"camera","codec":"VP8"}])");
  EXPECT_EQ(json::serialize(a.at("stats")),
            R"({"connected":true,"packets_received":10,"bytes_received":1000,)"
            R"("packets_sent":5,"bytes_sent":500})");
  const auto& b = people[1].as_object();
  EXPECT_EQ(b.at("id"), "bob");
  EXPECT_EQ(json::serialize(b.at("state")),
            R"({"muted":true,"video_on":false,"screen_sharing":false})");
  EXPECT_TRUE(b.at("tracks").as_array().empty());
  EXPECT_TRUE(b.at("stats").is_null());
}

}  // namespace
}  // namespace rrtc::signaling
