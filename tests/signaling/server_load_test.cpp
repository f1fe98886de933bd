// Integration: 200 clients in 20 rooms join, exchange state and leave; nothing is left behind.
#include <gtest/gtest.h>

#include "test_client.hpp"

namespace rrtc::signaling::testing {
namespace {

namespace json = boost::json;
namespace websocket = boost::beast::websocket;

TEST(ServerLoadTest, TwoHundredClientsInTwentyRoomsLeaveNothingBehind) {
  constexpr int kRooms = 20;
  constexpr int kPerRoom = 10;
  auto options = test_options();
  options.max_connections_per_ip = 1000;
  ServerFixture server(options);

  std::vector<std::unique_ptr<WsClient>> clients;
  auto room_of = [](int i) { return "room-" + std::to_string(i % kRooms); };
  auto id_of = [](int i) { return "p" + std::to_string(i); };
  for (int i = 0; i < kRooms * kPerRoom; ++i) {
    clients.push_back(std::make_unique<WsClient>(server.port()));
    auto joined = clients.back()->join(room_of(i), id_of(i));
    ASSERT_EQ(joined.at("type"), "joined") << i;
    ASSERT_EQ(joined.at("participants").as_array().size(), static_cast<std::size_t>(i / kRooms));
  }
  EXPECT_EQ(server.rooms(), static_cast<std::size_t>(kRooms));
  EXPECT_EQ(server.participants(), static_cast<std::size_t>(kRooms * kPerRoom));

  for (int i = 0; i < kRooms * kPerRoom; ++i) {
    clients[i]->send(
        json::object{{"type", "state_update"}, {"muted", true}, {"video_on", i % 2 == 0}});
  }
  // Each client sees everyone who joined after it, and everyone else's state, from its room only.
  for (int i = 0; i < kRooms * kPerRoom; ++i) {
    int joined_after = kPerRoom - 1 - i / kRooms;
    int joins = 0;
    int updates = 0;
    while (joins < joined_after || updates < kPerRoom - 1) {
      auto m = clients[i]->read();
      ASSERT_TRUE(m) << "client " << i << " joins " << joins << " updates " << updates;
      std::string other(m->at("type") == "participant_joined"
                            ? m->at("id").as_string()
                            : m->at("participant_id").as_string());
      int j = std::stoi(other.substr(1));
      EXPECT_EQ(j % kRooms, i % kRooms) << "message from another room";
      if (m->at("type") == "participant_joined") {
        ++joins;
      } else {
        ASSERT_EQ(m->at("type"), "state_update");
        EXPECT_EQ(m->at("muted"), true);
        EXPECT_EQ(m->at("video_on"), j % 2 == 0);
        ++updates;
      }
    }
    EXPECT_EQ(joins, joined_after);
  }

  for (auto& client : clients) client->send(json::object{{"type", "leave"}});
  for (auto& client : clients) EXPECT_TRUE(client->wait_closed(websocket::close_code::normal));
  EXPECT_TRUE(server.wait_until(
      [](Server& s) { return s.rooms() == 0 && s.participants() == 0 && s.sessions() == 0; }));
  auto health = json::parse(http_request(server.port(), "/healthz").body).as_object();
  EXPECT_EQ(health.at("rooms"), 0);
  EXPECT_EQ(health.at("sessions"), 0);
}

TEST(ServerLoadTest, EmptyRoomLingersForItsGracePeriodThenGoes) {
  auto options = test_options();
  options.empty_room_grace = std::chrono::seconds(1);
  ServerFixture server(options);
  {
    WsClient a(server.port());
    ASSERT_EQ(a.join("r", "a").at("type"), "joined");
    a.send(json::object{{"type", "leave"}});
    ASSERT_TRUE(a.wait_closed(websocket::close_code::normal));
  }
  auto left_at = std::chrono::steady_clock::now();
  EXPECT_EQ(server.rooms(), 1u);
  EXPECT_EQ(server.participants(), 0u);
  EXPECT_TRUE(server.wait_until([](Server& s) { return s.rooms() == 0; }, 5s));
  EXPECT_GE(std::chrono::steady_clock::now() - left_at, 900ms);
}

}  // namespace
}  // namespace rrtc::signaling::testing
