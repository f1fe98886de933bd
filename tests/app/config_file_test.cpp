// TOML and JSON config files: every key, nested tables, syntax errors with their line, wrong
// types, ranges and unknown keys.

#include "app/config_file.hpp"

#include <gtest/gtest.h>

#include "app/config_load.hpp"
#include "load_helper.hpp"
#include "temp_dir.hpp"

namespace rrtc::app::test {
namespace {

constexpr const char* kFullToml = R"(signaling_port = 9000
listen_address = "127.0.0.1"
max_participants_per_room = 8
max_rooms = 100
empty_room_grace_seconds = 15
max_message_bytes = 32768
max_messages_per_second = 20
max_connections_per_ip = 4
send_queue_limit = 256
ping_interval_seconds = 5
max_missed_pongs = 2
join_secret = "0123456789abcdef0123456789abcdef"
web_root = "."
rtc_min_port = 40000
rtc_max_port = 40100
public_ip = "198.51.100.4"
interfaces = ["127.0.0.1", "eth0"]
stun = "stun:stun.example.org:3478"
workers = 2
remb_max_bitrate = 1500000
log_level = "info,ice=debug"
log_format = "json"
api_key = "backend-1"
api_secret = "0123456789abcdef0123456789abcdef-api"
webhook_urls = ["https://hooks.example.org/rrtc", "http://10.0.0.5:8000/events"]
webhook_timeout_seconds = 3
webhook_retry_seconds = 120
webhook_queue_size = 2000
turn_secret = "coturn-static-auth-secret"
turn_credential_ttl_seconds = 7200

[turn]
url = "turn:turn.example.org:3478"
username = "rrtc"
credential = "relay-secret"

[[ice_servers]]
urls = ["stun:stun.example.org:3478"]

[[ice_servers]]
urls = "turn:turn.example.org:3478?transport=udp"
username = "web"
credential = "web-secret"
)";

constexpr const char* kFullJson = R"({
  "signaling_port": 9000, "listen_address": "127.0.0.1", "max_participants_per_room": 8,
  "max_rooms": 100, "empty_room_grace_seconds": 15, "max_message_bytes": 32768,
  "max_messages_per_second": 20, "max_connections_per_ip": 4, "send_queue_limit": 256,
  "ping_interval_seconds": 5, "max_missed_pongs": 2,
  "join_secret": "0123456789abcdef0123456789abcdef", "web_root": ".",
  "rtc_min_port": 40000, "rtc_max_port": 40100, "public_ip": "198.51.100.4",
  "interfaces": ["127.0.0.1", "eth0"], "stun": "stun:stun.example.org:3478", "workers": 2,
  "remb_max_bitrate": 1500000, "log_level": "info,ice=debug", "log_format": "json",
  "api_key": "backend-1", "api_secret": "0123456789abcdef0123456789abcdef-api",
  "webhook_urls": ["https://hooks.example.org/rrtc", "http://10.0.0.5:8000/events"],
  "webhook_timeout_seconds": 3, "webhook_retry_seconds": 120, "webhook_queue_size": 2000,
  "turn_secret": "coturn-static-auth-secret", "turn_credential_ttl_seconds": 7200,
  "turn": {"url": "turn:turn.example.org:3478", "username": "rrtc", "credential": "relay-secret"},
  "ice_servers": [
    {"urls": ["stun:stun.example.org:3478"]},
    {"urls": "turn:turn.example.org:3478?transport=udp", "username": "web", "credential": "web-secret"}
  ]
})";

Config expected_full(const TempDir& dir) {
  Config c;
  c.signaling_port = 9000;
  c.listen_address = "127.0.0.1";
  c.max_participants_per_room = 8;
  c.max_rooms = 100;
  c.empty_room_grace = std::chrono::seconds(15);
  c.max_message_bytes = 32768;
  c.max_messages_per_second = 20;
  c.max_connections_per_ip = 4;
  c.send_queue_limit = 256;
  c.ping_interval = std::chrono::seconds(5);
  c.max_missed_pongs = 2;
  c.join_secret = "0123456789abcdef0123456789abcdef";
  c.web_root = dir.path().lexically_normal().string();
  c.rtc_min_port = 40000;
  c.rtc_max_port = 40100;
  c.public_ip = "198.51.100.4";
  c.interfaces = {"127.0.0.1", "eth0"};
  c.stun = "stun:stun.example.org:3478";
  c.workers = 2;
  c.remb_max_bitrate = 1500000;
  c.log_level = "info,ice=debug";
  c.log_format = LogFormat::kJson;
  c.api_key = "backend-1";
  c.api_secret = "0123456789abcdef0123456789abcdef-api";
  c.webhook_urls = {"https://hooks.example.org/rrtc", "http://10.0.0.5:8000/events"};
  c.webhook_timeout = std::chrono::seconds(3);
  c.webhook_retry_for = std::chrono::seconds(120);
  c.webhook_queue_size = 2000;
  c.turn_secret = "coturn-static-auth-secret";
  c.turn_credential_ttl = std::chrono::seconds(7200);
  c.turn = TurnConfig{"turn:turn.example.org:3478", "rrtc", "relay-secret"};
  c.ice_servers = {
      IceServerConfig{{"stun:stun.example.org:3478"}, "", ""},
      IceServerConfig{{"turn:turn.example.org:3478?transport=udp"}, "web", "web-secret"}};
  return c;
}

TEST(ConfigFile, TomlSetsEveryKey) {
  TempDir dir;
  dir.write("rrtc.toml", kFullToml);
  LoadedConfig result = loaded(load({"rrtc.toml"}, {}, dir.path()));
  EXPECT_EQ(result.config, expected_full(dir));
  EXPECT_TRUE(result.warnings.empty());
  EXPECT_EQ(result.origins.at("rtc_max_port").to_string(), "rrtc.toml:15");
  EXPECT_EQ(result.origins.at("turn.credential").to_string(), "rrtc.toml:35");
  EXPECT_EQ(result.origins.at("webhook_urls").to_string(), "rrtc.toml:25");
  EXPECT_EQ(result.origins.at("turn_secret").to_string(), "rrtc.toml:29");
}

TEST(ConfigFile, JsonSetsEveryKey) {
  TempDir dir;
  dir.write("rrtc.json", kFullJson);
  LoadedConfig result = loaded(load({"rrtc.json"}, {}, dir.path()));
  EXPECT_EQ(result.config, expected_full(dir));
  EXPECT_TRUE(result.warnings.empty());
}

TEST(ConfigFile, ExtensionIsCaseInsensitive) {
  TempDir dir;
  dir.write("RRTC.TOML", "signaling_port = 1\n");
  EXPECT_EQ(loaded(load({"RRTC.TOML"}, {}, dir.path())).config.signaling_port, 1);
}

struct BadFile {
  std::string name;
  std::string text;
  std::string line;  // expected error, after the file name
};

void expect_errors(const std::vector<BadFile>& cases) {
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    TempDir dir;
    dir.write(c.name, c.text);
    EXPECT_EQ(error_line(load({c.name}, {}, dir.path())), c.name + c.line);
  }
}

TEST(ConfigFile, BadTomlNamesTheLine) {
  expect_errors({
      {"a.toml", "signaling_port = 8080\nlisten_address = \n",
       ":2: invalid TOML: Error while parsing key-value pair: expected value, saw '\\n'"},
      {"a.toml", "signaling_port = 8080\n[turn\nurl = \"x\"\n",
       ":2: invalid TOML: Error while parsing table header: expected ']', saw '\\n'"},
      {"a.toml", "a = 1\na = 2\n",
       ":2: invalid TOML: Error while parsing key-value pair: cannot redefine existing integer "
       "'a'"},
      {"a.toml", "x = \"unterminated\n",
       ":1: invalid TOML: Error while parsing string: unescaped control characters other than TAB "
       "(U+0009) are explicitly prohibited"},
  });
}

TEST(ConfigFile, BadJsonNamesTheLine) {
  expect_errors({
      {"a.json", "{\n  \"signaling_port\": 8080,\n  ,\n}\n", ":3: invalid JSON: syntax error"},
      {"a.json", "{\"signaling_port\": 80", ":1: invalid JSON: incomplete JSON"},
      {"a.json", "[1, 2]", ": expected a JSON object at the top level"},
      {"a.json", "", ":1: invalid JSON: incomplete JSON"},
  });
}

TEST(ConfigFile, WrongTypesNameKeyAndExpectation) {
  expect_errors({
      {"a.toml", "\nsignaling_port = \"8080\"\n",
       ":2: signaling_port: expected an integer from 0 to 65535, got a string"},
      {"a.toml", "signaling_port = 80.5\n",
       ":1: signaling_port: expected an integer from 0 to 65535, got a floating-point number"},
      {"a.toml", "workers = true\n",
       ":1: workers: expected an integer from 0 to 1024, got a boolean"},
      {"a.toml", "listen_address = 1\n", ":1: listen_address: expected a string, got an integer"},
      {"a.toml", "listen_address = [\"::\"]\n",
       ":1: listen_address: expected a string, got an array"},
      {"a.toml", "interfaces = \"eth0\"\n",
       ":1: interfaces: expected an array of strings, got a string"},
      {"a.toml", "interfaces = [\"eth0\", 5]\n",
       ":1: interfaces: expected an array of strings, got an array holding an integer"},
      {"a.toml", "log_format = 1979-05-27\n",
       ":1: log_format: expected a string, got a date or time"},
      {"a.toml", "turn = \"turn:x\"\n",
       ":1: turn: expected a table with url, username and credential, got a string"},
      {"a.toml", "[turn]\nurl = 5\n", ":2: turn.url: expected a string, got an integer"},
      {"a.toml", "ice_servers = \"stun:x\"\n",
       ":1: ice_servers: expected an array of tables with urls, username and credential, got a "
       "string"},
      {"a.toml", "ice_servers = [\"stun:x\"]\n",
       ":1: ice_servers[0]: expected a table with urls, username and credential, got a string"},
      {"a.json", R"({"signaling_port": "8080"})",
       ": signaling_port: expected an integer from 0 to 65535, got a string"},
      {"a.json", R"({"max_rooms": 1.5})",
       ": max_rooms: expected an integer from 1 to 1000000, got a number with a fraction"},
      {"a.json", R"({"public_ip": null})", ": public_ip: expected a string, got null"},
      {"a.json", R"({"turn": {"url": "turn:x", "username": []}})",
       ": turn.username: expected a string, got an array"},
  });
}

TEST(ConfigFile, OutOfRangeValues) {
  expect_errors({
      {"a.toml", "signaling_port = 70000\n",
       ":1: signaling_port: expected an integer from 0 to 65535, got 70000"},
      {"a.toml", "rtc_min_port = 0\n",
       ":1: rtc_min_port: expected an integer from 1 to 65535, got 0"},
      {"a.toml", "rtc_max_port = -5\n",
       ":1: rtc_max_port: expected an integer from 1 to 65535, got -5"},
      {"a.toml", "rtc_min_port = 5000\nrtc_max_port = 4000\n",
       ":2: rtc_max_port: expected rtc_min_port <= rtc_max_port, got 5000 > 4000"},
      {"a.toml", "rtc_min_port = 30000\n",
       ":1: rtc_min_port: expected rtc_min_port <= rtc_max_port, got 30000 > 20000"},
      {"a.toml", "max_message_bytes = 10\n",
       ":1: max_message_bytes: expected an integer from 1024 to 16777216, got 10"},
      {"a.toml", "ping_interval_seconds = 0\n",
       ":1: ping_interval_seconds: expected an integer from 1 to 3600, got 0"},
      {"a.json", R"({"signaling_port": 18446744073709551615})",
       ": signaling_port: expected an integer from 0 to 65535, got 18446744073709551615"},
      {"a.json", R"({"workers": 9223372036854775808})",
       ": workers: expected an integer from 0 to 1024, got 9223372036854775808"},
      {"a.json", R"({"stun": 9223372036854775808})", ": stun: expected a string, got an integer"},
  });
}

TEST(ConfigFile, BadIceServersAndTurn) {
  expect_errors({
      {"a.toml", "[[ice_servers]]\nurls = \"http://x\"\n",
       ":1: ice_servers[0].urls: expected a stun:, stuns:, turn: or turns: URL, got \"http://x\""},
      {"a.toml", "[[ice_servers]]\nurls = []\n",
       ":1: ice_servers[0].urls: expected at least one stun:, stuns:, turn: or turns: URL"},
      {"a.toml", "[[ice_servers]]\nurls = \"turn:x\"\nusername = \"u\"\n",
       ":1: ice_servers[0]: a turn: or turns: URL needs username and credential (or neither, "
       "with turn_secret)"},
      {"a.toml", "[[ice_servers]]\nurls = [\"stun:x\", 3]\n",
       ":2: ice_servers[0].urls: expected a string, got an integer"},
      {"a.toml", "[turn]\nusername = \"u\"\ncredential = \"c\"\n",
       ":2: turn.url: expected a turn: or turns: URL when turn.username or turn.credential is set"},
      {"a.toml", "[turn]\nurl = \"turn:x\"\n",
       ":2: turn: expected turn.username and turn.credential with turn.url (or neither, with "
       "turn_secret)"},
      {"a.toml", "[turn]\nice_transport_policy = \"relay\"\n",
       ":2: turn.url: expected a turn: or turns: URL when turn.ice_transport_policy is set"},
      {"a.toml",
       "[turn]\nurl = \"turn:x\"\nusername = \"u\"\ncredential = \"c\"\n"
       "ice_transport_policy = \"none\"\n",
       ":5: turn.ice_transport_policy: expected \"all\" or \"relay\", got \"none\""},
  });
}

TEST(ConfigFile, UnreadableFiles) {
  TempDir dir;
  EXPECT_EQ(error_line(load({"missing.toml"}, {}, dir.path())),
            "missing.toml: cannot read the file: No such file or directory");
  dir.write("rrtc.yaml", "signaling_port: 1\n");
  EXPECT_EQ(error_line(load({"rrtc.yaml"}, {}, dir.path())),
            "rrtc.yaml: expected a .toml or .json file");
  std::filesystem::create_directory(dir.path() / "d.toml");
  EXPECT_EQ(error_line(load({"d.toml"}, {}, dir.path())),
            "d.toml: cannot read the file: Is a directory");
}

TEST(ConfigFile, UnknownKeysAreWarningsWithASuggestion) {
  TempDir dir;
  dir.write("a.toml",
            "signalling_port = 1\nsomething_else = 2\nsignaling_port = 3\n"
            "[turn]\nurl = \"turn:x\"\nusername = \"u\"\ncredential = \"c\"\nrealm = \"r\"\n"
            "[[ice_servers]]\nurls = \"stun:x\"\nextra = 1\n");
  LoadedConfig result = loaded(load({"a.toml"}, {}, dir.path()));
  EXPECT_EQ(result.config.signaling_port, 3);
  std::vector<std::string> lines;
  for (const auto& w : result.warnings) {
    lines.push_back(w.to_string());
  }
  // toml++ tables are ordered by key.
  EXPECT_EQ(
      lines,
      (std::vector<std::string>{
          "a.toml:11: ice_servers[0].extra: unknown key, ignored",
          "a.toml:1: signalling_port: unknown key, ignored (did you mean \"signaling_port\"?)",
          "a.toml:2: something_else: unknown key, ignored",
          "a.toml:8: turn.realm: unknown key, ignored",
      }));
}

TEST(ConfigFile, JsonUnknownKeysKeepDocumentOrder) {
  TempDir dir;
  dir.write("a.json", R"({"zz": 1, "max_room": 2, "turn.url": "turn:x"})");
  LoadedConfig result = loaded(load({"a.json"}, {}, dir.path()));
  ASSERT_EQ(result.warnings.size(), 3u);
  EXPECT_EQ(result.warnings[0].to_string(), "a.json: zz: unknown key, ignored");
  EXPECT_EQ(result.warnings[1].to_string(),
            "a.json: max_room: unknown key, ignored (did you mean \"max_rooms\"?)");
  EXPECT_EQ(result.warnings[2].key, "turn.url");
  EXPECT_FALSE(result.config.turn.has_value());
}

TEST(ConfigFile, WeakJoinSecretAndUnknownLoggerAreWarnings) {
  TempDir dir;
  dir.write("a.toml", "join_secret = \"short\"\nlog_level = \"info,icee=debug\"\n");
  LoadedConfig result = loaded(load({"a.toml"}, {}, dir.path()));
  ASSERT_EQ(result.warnings.size(), 2u);
  EXPECT_EQ(result.warnings[0].to_string(),
            "a.toml:2: log_level: no logger named \"icee\" (known: app, signaling, room, ice, "
            "dtls, sctp, "
            "transport)");
  EXPECT_EQ(result.warnings[1].to_string(),
            "a.toml:1: join_secret: shorter than 32 bytes: weak for HS256");
}

TEST(ConfigFile, ApplyConfigTextNeedsNoFile) {
  ConfigBuilder builder;
  apply_config_text("workers = 4\n", FileFormat::kToml, "inline", builder);
  EXPECT_EQ(builder.config().workers, 4u);
  EXPECT_EQ(builder.origin_of("workers").to_string(), "inline:1");
  EXPECT_EQ(builder.origin_of("max_rooms").to_string(), "default");
}

}  // namespace
}  // namespace rrtc::app::test
