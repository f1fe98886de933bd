// Config -> signaling::ServerOptions.

#include "app/server_options.hpp"

#include <gtest/gtest.h>

namespace rrtc::app::test {
namespace {

TEST(ServerOptions, DefaultsMatchTheSignalingDefaults) {
  signaling::ServerOptions mapped = to_server_options(Config{}, "1.2.3");
  signaling::ServerOptions defaults;
  EXPECT_EQ(mapped.listen_address, defaults.listen_address);
  EXPECT_EQ(mapped.port, defaults.port);
  EXPECT_EQ(mapped.max_participants_per_room, defaults.max_participants_per_room);
  EXPECT_EQ(mapped.max_rooms, defaults.max_rooms);
  EXPECT_EQ(mapped.empty_room_grace, defaults.empty_room_grace);
  EXPECT_EQ(mapped.max_message_bytes, defaults.max_message_bytes);
  EXPECT_EQ(mapped.max_messages_per_second, defaults.max_messages_per_second);
  EXPECT_EQ(mapped.max_connections_per_ip, defaults.max_connections_per_ip);
  EXPECT_EQ(mapped.send_queue_limit, defaults.send_queue_limit);
  EXPECT_EQ(mapped.ping_interval, defaults.ping_interval);
  EXPECT_EQ(mapped.max_missed_pongs, defaults.max_missed_pongs);
  EXPECT_EQ(mapped.join_secret, defaults.join_secret);
  EXPECT_EQ(mapped.web_root, defaults.web_root);
  EXPECT_EQ(mapped.api_key, defaults.api_key);
  EXPECT_EQ(mapped.api_secret, defaults.api_secret);
  EXPECT_EQ(mapped.webhook_urls, defaults.webhook_urls);
  EXPECT_EQ(mapped.webhook_timeout, defaults.webhook_timeout);
  EXPECT_EQ(mapped.webhook_retry_for, defaults.webhook_retry_for);
  EXPECT_EQ(mapped.webhook_queue_size, defaults.webhook_queue_size);
  EXPECT_EQ(mapped.turn_secret, defaults.turn_secret);
  EXPECT_EQ(mapped.turn_credential_ttl, defaults.turn_credential_ttl);
  EXPECT_TRUE(mapped.ice_servers.empty());
  EXPECT_EQ(mapped.version, "1.2.3");
}

TEST(ServerOptions, EveryFieldIsCarriedOver) {
  Config c;
  c.listen_address = "127.0.0.1";
  c.signaling_port = 0;
  c.max_participants_per_room = 3;
  c.max_rooms = 4;
  c.empty_room_grace = std::chrono::seconds(5);
  c.ice_servers = {IceServerConfig{{"turn:a", "turns:b"}, "u", "p"}};
  c.max_message_bytes = 2048;
  c.max_messages_per_second = 6;
  c.max_connections_per_ip = 7;
  c.send_queue_limit = 8;
  c.ping_interval = std::chrono::seconds(9);
  c.max_missed_pongs = 10;
  c.join_secret = "secret";
  c.web_root = "/srv/web";
  c.max_connections = 11;
  c.max_participants = 12;
  c.join_timeout = std::chrono::seconds(13);
  c.message_timeout = std::chrono::seconds(14);
  c.max_protocol_errors = 15;
  c.protocol_error_window = std::chrono::seconds(16);
  c.trusted_proxies = {"10.0.0.0/8"};
  c.api_key = "backend";
  c.api_secret = "api-secret";
  c.webhook_urls = {"http://a/hook", "https://b/hook"};
  c.webhook_timeout = std::chrono::seconds(17);
  c.webhook_retry_for = std::chrono::seconds(18);
  c.webhook_queue_size = 19;
  c.turn_secret = "turn-secret";
  c.turn_credential_ttl = std::chrono::seconds(20);
  signaling::ServerOptions o = to_server_options(c, "0.1.0");
  EXPECT_EQ(o.listen_address, "127.0.0.1");
  EXPECT_EQ(o.port, 0);
  EXPECT_EQ(o.max_participants_per_room, 3u);
  EXPECT_EQ(o.max_rooms, 4u);
  EXPECT_EQ(o.empty_room_grace, std::chrono::seconds(5));
  ASSERT_EQ(o.ice_servers.size(), 1u);
  EXPECT_EQ(o.ice_servers[0].urls, (std::vector<std::string>{"turn:a", "turns:b"}));
  EXPECT_EQ(o.ice_servers[0].username, "u");
  EXPECT_EQ(o.ice_servers[0].credential, "p");
  EXPECT_EQ(o.max_message_bytes, 2048u);
  EXPECT_EQ(o.max_messages_per_second, 6u);
  EXPECT_EQ(o.max_connections_per_ip, 7u);
  EXPECT_EQ(o.send_queue_limit, 8u);
  EXPECT_EQ(o.ping_interval, std::chrono::seconds(9));
  EXPECT_EQ(o.max_connections, 11u);
  EXPECT_EQ(o.max_participants, 12u);
  EXPECT_EQ(o.join_timeout, std::chrono::seconds(13));
  EXPECT_EQ(o.message_timeout, std::chrono::seconds(14));
  EXPECT_EQ(o.max_protocol_errors, 15u);
  EXPECT_EQ(o.protocol_error_window, std::chrono::seconds(16));
  EXPECT_EQ(o.trusted_proxies, (std::vector<std::string>{"10.0.0.0/8"}));
  EXPECT_EQ(o.max_missed_pongs, 10u);
  EXPECT_EQ(o.join_secret, "secret");
  EXPECT_EQ(o.web_root, "/srv/web");
  EXPECT_EQ(o.api_key, "backend");
  EXPECT_EQ(o.api_secret, "api-secret");
  EXPECT_EQ(o.webhook_urls, (std::vector<std::string>{"http://a/hook", "https://b/hook"}));
  EXPECT_EQ(o.webhook_timeout, std::chrono::seconds(17));
  EXPECT_EQ(o.webhook_retry_for, std::chrono::seconds(18));
  EXPECT_EQ(o.webhook_queue_size, 19u);
  EXPECT_EQ(o.turn_secret, "turn-secret");
  EXPECT_EQ(o.turn_credential_ttl, std::chrono::seconds(20));
}

}  // namespace
}  // namespace rrtc::app::test
