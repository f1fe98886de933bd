// Every environment variable, from the environment and from .env, and its errors.

#include <gtest/gtest.h>

#include <functional>

#include "app/config_keys.hpp"
#include "app/config_load.hpp"
#include "load_helper.hpp"
#include "temp_dir.hpp"

namespace rrtc::app::test {
namespace {

struct EnvCase {
  std::string name;
  std::string value;
  std::string key;  // the config key it sets
  std::function<bool(const Config&)> applied;
  Environment companions{};  // other variables the key is only valid with
};

constexpr const char* kApiSecret = "0123456789abcdef0123456789abcdef-api";

std::vector<EnvCase> env_cases() {
  using std::chrono::seconds;
  return {
      {"SIGNALING_PORT", "9001", "signaling_port",
       [](const Config& c) { return c.signaling_port == 9001; }},
      {"LISTEN_ADDRESS", "::1", "listen_address",
       [](const Config& c) { return c.listen_address == "::1"; }},
      {"MAX_PARTICIPANTS_PER_ROOM", "7", "max_participants_per_room",
       [](const Config& c) { return c.max_participants_per_room == 7; }},
      {"MAX_ROOMS", "12", "max_rooms", [](const Config& c) { return c.max_rooms == 12; }},
      {"EMPTY_ROOM_GRACE_SECONDS", "30", "empty_room_grace_seconds",
       [](const Config& c) { return c.empty_room_grace == seconds(30); }},
      {"MAX_MESSAGE_BYTES", "4096", "max_message_bytes",
       [](const Config& c) { return c.max_message_bytes == 4096; }},
      {"MAX_MESSAGES_PER_SECOND", "9", "max_messages_per_second",
       [](const Config& c) { return c.max_messages_per_second == 9; }},
      {"MAX_CONNECTIONS_PER_IP", "4", "max_connections_per_ip",
       [](const Config& c) { return c.max_connections_per_ip == 4; }},
      {"SEND_QUEUE_LIMIT", "64", "send_queue_limit",
       [](const Config& c) { return c.send_queue_limit == 64; }},
      {"PING_INTERVAL_SECONDS", "25", "ping_interval_seconds",
       [](const Config& c) { return c.ping_interval == seconds(25); }},
      {"MAX_MISSED_PONGS", "5", "max_missed_pongs",
       [](const Config& c) { return c.max_missed_pongs == 5; }},
      {"JOIN_SECRET", "0123456789abcdef0123456789abcdef", "join_secret",
       [](const Config& c) { return c.join_secret == "0123456789abcdef0123456789abcdef"; }},
      {"WEB_ROOT", "/", "web_root", [](const Config& c) { return c.web_root == "/"; }},
      {"MAX_CONNECTIONS", "500", "max_connections",
       [](const Config& c) { return c.max_connections == 500; }},
      {"MAX_PARTICIPANTS", "600", "max_participants",
       [](const Config& c) { return c.max_participants == 600; }},
      {"JOIN_TIMEOUT_SECONDS", "3", "join_timeout_seconds",
       [](const Config& c) { return c.join_timeout == seconds(3); }},
      {"MESSAGE_TIMEOUT_SECONDS", "4", "message_timeout_seconds",
       [](const Config& c) { return c.message_timeout == seconds(4); }},
      {"MAX_PROTOCOL_ERRORS", "5", "max_protocol_errors",
       [](const Config& c) { return c.max_protocol_errors == 5; }},
      {"PROTOCOL_ERROR_WINDOW_SECONDS", "120", "protocol_error_window_seconds",
       [](const Config& c) { return c.protocol_error_window == seconds(120); }},
      {"TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8,2001:db8::/32", "trusted_proxies",
       [](const Config& c) {
         return c.trusted_proxies ==
                std::vector<std::string>{"127.0.0.1", "10.0.0.0/8", "2001:db8::/32"};
       }},
      {"RTC_MIN_PORT", "15000", "rtc_min_port",
       [](const Config& c) { return c.rtc_min_port == 15000; }},
      {"RTC_MAX_PORT", "15010", "rtc_max_port",
       [](const Config& c) { return c.rtc_max_port == 15010; }},
      {"PUBLIC_IP", "203.0.113.7", "public_ip",
       [](const Config& c) { return c.public_ip == "203.0.113.7"; }},
      {"RTC_INTERFACES", " 127.0.0.1 , eth0,,", "interfaces",
       [](const Config& c) {
         return c.interfaces == std::vector<std::string>{"127.0.0.1", "eth0"};
       }},
      {"WORKERS", "3", "workers", [](const Config& c) { return c.workers == 3; }},
      {"REMB_MAX_BITRATE", "500000", "remb_max_bitrate",
       [](const Config& c) { return c.remb_max_bitrate == 500000; }},
      {"CONNECT_TIMEOUT_SECONDS", "12", "connect_timeout_seconds",
       [](const Config& c) { return c.connect_timeout == seconds(12); }},
      {"MAX_TRACK_PACKETS_PER_SECOND", "700", "max_track_packets_per_second",
       [](const Config& c) { return c.max_track_packets_per_second == 700; }},
      {"MAX_TRACK_BITRATE", "8000000", "max_track_bitrate",
       [](const Config& c) { return c.max_track_bitrate == 8000000; }},
      {"MAX_DATA_MESSAGES_PER_SECOND", "30", "max_data_messages_per_second",
       [](const Config& c) { return c.max_data_messages_per_second == 30; }},
      {"MAX_DATA_BYTES_PER_SECOND", "65536", "max_data_bytes_per_second",
       [](const Config& c) { return c.max_data_bytes_per_second == 65536; }},
      {"RETRANSMIT_BUDGET_PERCENT", "25", "retransmit_budget_percent",
       [](const Config& c) { return c.retransmit_budget_percent == 25; }},
      {"PACING_PERCENT", "0", "pacing_percent",
       [](const Config& c) { return c.pacing_percent == 0; }},
      {"SPREAD_MIN_SUBSCRIBERS", "0", "spread_min_subscribers",
       [](const Config& c) { return c.spread_min_subscribers == 0; }},
      {"IO_URING", "off", "io_uring", [](const Config& c) { return !c.io_uring; }},
      {"RRTC_LOG", "info,ice=debug,dtls=trace", "log_level",
       [](const Config& c) { return c.log_level == "info,ice=debug,dtls=trace"; }},
      {"LOG_FORMAT", "json", "log_format",
       [](const Config& c) { return c.log_format == LogFormat::kJson; }},
      {"STUN_URL", "stun:stun.example.org:3478", "stun",
       [](const Config& c) { return c.stun == "stun:stun.example.org:3478"; }},
      {"API_KEY", "backend-1", "api_key", [](const Config& c) { return c.api_key == "backend-1"; },
       {{"API_SECRET", kApiSecret}}},
      {"API_SECRET", kApiSecret, "api_secret",
       [](const Config& c) { return c.api_secret == kApiSecret; }, {{"API_KEY", "backend-1"}}},
      {"WEBHOOK_URLS", "http://127.0.0.1:9000/hook, https://hooks.example.org/rrtc",
       "webhook_urls",
       [](const Config& c) {
         return c.webhook_urls == std::vector<std::string>{"http://127.0.0.1:9000/hook",
                                                           "https://hooks.example.org/rrtc"};
       },
       {{"API_KEY", "backend-1"}, {"API_SECRET", kApiSecret}}},
      {"WEBHOOK_TIMEOUT_SECONDS", "2", "webhook_timeout_seconds",
       [](const Config& c) { return c.webhook_timeout == seconds(2); }},
      {"WEBHOOK_RETRY_SECONDS", "0", "webhook_retry_seconds",
       [](const Config& c) { return c.webhook_retry_for == seconds(0); }},
      {"WEBHOOK_QUEUE_SIZE", "250", "webhook_queue_size",
       [](const Config& c) { return c.webhook_queue_size == 250; }},
      {"TURN_SECRET", "coturn-static-auth-secret", "turn_secret",
       [](const Config& c) { return c.turn_secret == "coturn-static-auth-secret"; }},
      {"TURN_CREDENTIAL_TTL_SECONDS", "3600", "turn_credential_ttl_seconds",
       [](const Config& c) { return c.turn_credential_ttl == seconds(3600); }},
      {"REDIS_URL", "redis://:pw@10.0.0.5:6380/1", "redis_url",
       [](const Config& c) { return c.redis_url == "redis://:pw@10.0.0.5:6380/1"; }},
      {"NODE_ID", "eu-1", "node_id", [](const Config& c) { return c.node_id == "eu-1"; },
       {{"REDIS_URL", "redis://r"}}},
      {"NODE_SIGNALING_URL", "wss://eu-1.example.org/ws", "node_signaling_url",
       [](const Config& c) { return c.node_signaling_url == "wss://eu-1.example.org/ws"; },
       {{"REDIS_URL", "redis://r"}}},
      {"CLUSTER_HEARTBEAT_SECONDS", "1", "cluster_heartbeat_seconds",
       [](const Config& c) { return c.cluster_heartbeat == seconds(1); },
       {{"REDIS_URL", "redis://r"}}},
      {"CLUSTER_NODE_TTL_SECONDS", "10", "cluster_node_ttl_seconds",
       [](const Config& c) { return c.cluster_node_ttl == seconds(10); },
       {{"REDIS_URL", "redis://r"}}},
      {"DRAIN_TIMEOUT_SECONDS", "0", "drain_timeout_seconds",
       [](const Config& c) { return c.drain_timeout == seconds(0); },
       {{"REDIS_URL", "redis://r"}}},
  };
}

TEST(ConfigEnv, EveryVariableFromTheEnvironment) {
  TempDir dir;
  for (const auto& c : env_cases()) {
    SCOPED_TRACE(c.name);
    Environment env = c.companions;
    env[c.name] = c.value;
    LoadedConfig result = loaded(load({}, env, dir.path()));
    EXPECT_TRUE(c.applied(result.config));
    ASSERT_EQ(result.origins.count(c.key), 1u);
    EXPECT_EQ(result.origins.at(c.key).to_string(), "environment variable " + c.name);
  }
}

TEST(ConfigEnv, EveryVariableFromDotenv) {
  for (const auto& c : env_cases()) {
    SCOPED_TRACE(c.name);
    TempDir dir;
    dir.write(".env", "# comment\n\n" + c.name + "='" + c.value + "'\n");
    LoadedConfig result = loaded(load({}, c.companions, dir.path()));
    EXPECT_TRUE(c.applied(result.config));
    ASSERT_EQ(result.origins.count(c.key), 1u);
    EXPECT_EQ(result.origins.at(c.key).to_string(), (dir.path() / ".env").string() + ":3");
  }
}

TEST(ConfigEnv, TheTableHasAVariableForEveryScalarKey) {
  std::vector<std::string> tested;
  for (const auto& c : env_cases()) {
    tested.push_back(c.name);
  }
  for (const auto& key : config_keys()) {
    if (key.name.rfind("turn.", 0) == 0) {
      continue;  // TurnVariables below
    }
    EXPECT_NE(std::find(tested.begin(), tested.end(), key.env), tested.end()) << key.env;
  }
}

TEST(ConfigEnv, TurnVariablesSetTurnAndAddAnIceServer) {
  TempDir dir;
  Environment env{{"TURN_URL", "turn:turn.example.org:3478?transport=udp"},
                  {"TURN_USERNAME", "alice"},
                  {"TURN_CREDENTIAL", "s3cret"}};
  Config config = loaded(load({}, env, dir.path())).config;
  ASSERT_TRUE(config.turn.has_value());
  EXPECT_EQ(*config.turn,
            (TurnConfig{"turn:turn.example.org:3478?transport=udp", "alice", "s3cret"}));
  ASSERT_EQ(config.ice_servers.size(), 1u);
  EXPECT_EQ(config.ice_servers[0],
            (IceServerConfig{{"turn:turn.example.org:3478?transport=udp"}, "alice", "s3cret"}));
}

TEST(ConfigEnv, TurnIceTransportPolicyMakesTheServerRelayOnly) {
  TempDir dir;
  Environment env{{"TURN_URL", "turn:turn.example.org:3478"},
                  {"TURN_USERNAME", "alice"},
                  {"TURN_CREDENTIAL", "s3cret"},
                  {"TURN_ICE_TRANSPORT_POLICY", "relay"}};
  Config config = loaded(load({}, env, dir.path())).config;
  ASSERT_TRUE(config.turn.has_value());
  EXPECT_TRUE(config.turn->relay_only);
  env["TURN_ICE_TRANSPORT_POLICY"] = "all";
  EXPECT_FALSE(loaded(load({}, env, dir.path())).config.turn->relay_only);
}

TEST(ConfigEnv, StunUrlAddsAnIceServerAfterTheFileOnes) {
  TempDir dir;
  dir.write("rrtc.toml", "[[ice_servers]]\nurls = \"stun:a.example.org\"\n");
  Config config =
      loaded(load({"rrtc.toml"}, {{"STUN_URL", "stun:b.example.org"}}, dir.path())).config;
  EXPECT_EQ(config.stun, "stun:b.example.org");
  ASSERT_EQ(config.ice_servers.size(), 2u);
  EXPECT_EQ(config.ice_servers[0].urls, std::vector<std::string>{"stun:a.example.org"});
  EXPECT_EQ(config.ice_servers[1].urls, std::vector<std::string>{"stun:b.example.org"});
}

TEST(ConfigEnv, TurnCredentialFromEnvironmentReplacesTheFileOnesForTheSameUrl) {
  TempDir dir;
  dir.write(
      "rrtc.toml",
      "[turn]\nurl = \"turn:t.example.org\"\nusername = \"u\"\ncredential = \"old\"\n"
      "[[ice_servers]]\nurls = [\"turn:t.example.org\"]\nusername = \"u\"\ncredential = \"old\"\n");
  dir.write(".env", "TURN_URL=turn:t.example.org\n");
  Config config = loaded(load({"rrtc.toml"}, {{"TURN_CREDENTIAL", "new"}}, dir.path())).config;
  EXPECT_EQ(config.turn->credential, "new");
  ASSERT_EQ(config.ice_servers.size(), 1u);
  EXPECT_EQ(config.ice_servers[0].credential, "new");
}

TEST(ConfigEnv, EmptyValuesCountAsUnset) {
  TempDir dir;
  dir.write(".env", "SIGNALING_PORT=\nTURN_URL=\"\"\n");
  LoadedConfig result = loaded(load({}, {{"LISTEN_ADDRESS", ""}, {"PUBLIC_IP", " "}}, dir.path()));
  EXPECT_EQ(result.config, Config{});
}

TEST(ConfigEnv, UnrelatedEnvironmentIsIgnoredButUnknownDotenvVariablesWarn) {
  TempDir dir;
  dir.write(".env", "SIGNALING_PORT=9000\nSIGNALLING_PORT=9001\n");
  LoadedConfig result = loaded(load({}, {{"PATH", "/usr/bin"}, {"HOME", "/root"}}, dir.path()));
  EXPECT_EQ(result.config.signaling_port, 9000);
  ASSERT_EQ(result.warnings.size(), 1u);
  EXPECT_EQ(result.warnings[0].to_string(),
            (dir.path() / ".env").string() + ":2: SIGNALLING_PORT: unknown variable, ignored");
}

TEST(ConfigEnv, BadValuesNameTheVariable) {
  TempDir dir;
  struct Case {
    std::string name;
    std::string value;
    std::string line;
  };
  const std::vector<Case> cases{
      {"SIGNALING_PORT", "80a", "signaling_port: expected an integer from 0 to 65535, got \"80a\""},
      {"SIGNALING_PORT", "65536", "signaling_port: expected an integer from 0 to 65535, got 65536"},
      {"SIGNALING_PORT", "-1", "signaling_port: expected an integer from 0 to 65535, got -1"},
      {"SIGNALING_PORT", "99999999999999999999",
       "signaling_port: expected an integer from 0 to 65535, got \"99999999999999999999\""},
      {"RTC_MIN_PORT", "0", "rtc_min_port: expected an integer from 1 to 65535, got 0"},
      {"RTC_MAX_PORT", "70000", "rtc_max_port: expected an integer from 1 to 65535, got 70000"},
      {"RTC_MIN_PORT", "30000",
       "rtc_min_port: expected rtc_min_port <= rtc_max_port, got 30000 > 20000"},
      {"MAX_PARTICIPANTS_PER_ROOM", "0",
       "max_participants_per_room: expected an integer from 1 to 10000, got 0"},
      {"LISTEN_ADDRESS", "localhost",
       "listen_address: expected an IPv4 or IPv6 address, got \"localhost\""},
      {"PUBLIC_IP", "1.2.3", "public_ip: expected an IPv4 or IPv6 address, got \"1.2.3\""},
      {"RTC_INTERFACES", "eth0,bad/name",
       "interfaces: expected an interface name or an IP address, got \"bad/name\""},
      {"TURN_URL", "http://x", "turn.url: expected a turn: or turns: URL, got \"http://x\""},
      {"STUN_URL", "turn:x", "stun: expected a stun: or stuns: URL, got \"turn:x\""},
      {"LOG_FORMAT", "xml", "log_format: expected \"text\" or \"json\", got \"xml\""},
      {"RRTC_LOG", "verbose",
       "log_level: expected a log level (trace, debug, info, warn, error, critical, off) or "
       "logger=level, got \"verbose\""},
      {"WEB_ROOT", "does/not/exist", "web_root: expected a directory, got \"does/not/exist\""},
      {"WORKERS", "2000", "workers: expected an integer from 0 to 1024, got 2000"},
      {"TRUSTED_PROXIES", "10.0.0.0/33",
       "trusted_proxies: expected an IP address or CIDR (\"10.0.0.0/8\"), got \"10.0.0.0/33\""},
      {"TRUSTED_PROXIES", "2001:db8::/129",
       "trusted_proxies: expected an IP address or CIDR (\"10.0.0.0/8\"), got \"2001:db8::/129\""},
      {"TRUSTED_PROXIES", "10.0.0.0/",
       "trusted_proxies: expected an IP address or CIDR (\"10.0.0.0/8\"), got \"10.0.0.0/\""},
      {"TRUSTED_PROXIES", "proxy.local",
       "trusted_proxies: expected an IP address or CIDR (\"10.0.0.0/8\"), got \"proxy.local\""},
      {"IO_URING", "no", "io_uring: expected \"auto\" or \"off\", got \"no\""},
      {"JOIN_TIMEOUT_SECONDS", "0",
       "join_timeout_seconds: expected an integer from 1 to 3600, got 0"},
      {"WEBHOOK_TIMEOUT_SECONDS", "0",
       "webhook_timeout_seconds: expected an integer from 1 to 300, got 0"},
      {"WEBHOOK_RETRY_SECONDS", "86401",
       "webhook_retry_seconds: expected an integer from 0 to 86400, got 86401"},
      {"WEBHOOK_QUEUE_SIZE", "0",
       "webhook_queue_size: expected an integer from 1 to 1000000, got 0"},
      {"TURN_CREDENTIAL_TTL_SECONDS", "59",
       "turn_credential_ttl_seconds: expected an integer from 60 to 2592000, got 59"},
      {"TURN_CREDENTIAL_TTL_SECONDS", "2592001",
       "turn_credential_ttl_seconds: expected an integer from 60 to 2592000, got 2592001"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name + "=" + c.value);
    EXPECT_EQ(error_line(load({}, {{c.name, c.value}}, dir.path())),
              "environment variable " + c.name + ": " + c.line);
  }
}

TEST(ConfigEnv, TurnWithoutUrlOrCredentialsIsAnError) {
  TempDir dir;
  EXPECT_EQ(error_line(load({}, {{"TURN_USERNAME", "u"}}, dir.path())),
            "environment variable TURN_USERNAME: turn.url: expected a turn: or turns: URL when "
            "turn.username or turn.credential is set");
  EXPECT_EQ(error_line(load({}, {{"TURN_URL", "turn:t.example.org"}}, dir.path())),
            "environment variable TURN_URL: turn: expected turn.username and turn.credential with "
            "turn.url (or neither, with turn_secret)");
}

TEST(ConfigEnv, EnvironmentFromEnvp) {
  const char* envp[] = {"A=1", "B=x=y", "NOVALUE", "EMPTY=", nullptr};
  Environment env = environment_from(envp);
  EXPECT_EQ(env, (Environment{{"A", "1"}, {"B", "x=y"}, {"EMPTY", ""}}));
  EXPECT_TRUE(environment_from(nullptr).empty());
}

}  // namespace
}  // namespace rrtc::app::test
