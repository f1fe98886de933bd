// The admin API, webhook and ephemeral TURN credential keys: how they depend on each other
// (validation). What turn_secret does to rrtc's own relay: media_options_test.cpp.

#include <gtest/gtest.h>

#include "load_helper.hpp"
#include "temp_dir.hpp"

namespace rrtc::app::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kApiSecret = "0123456789abcdef0123456789abcdef-api";

TEST(ConfigApi, KeyAndSecretGoTogether) {
  TempDir dir;
  EXPECT_EQ(error_line(load({}, {{"API_KEY", "backend-1"}}, dir.path())),
            "environment variable API_KEY: api_secret: expected an api_secret with api_key");
  EXPECT_EQ(error_line(load({}, {{"API_SECRET", kApiSecret}}, dir.path())),
            "environment variable API_SECRET: api_key: expected an api_key with api_secret "
            "(admin tokens carry it as iss)");
  dir.write("rrtc.toml", "\napi_key = \"backend-1\"\n");
  EXPECT_EQ(error_line(load({"rrtc.toml"}, {}, dir.path())),
            "rrtc.toml:2: api_secret: expected an api_secret with api_key");
  LoadedConfig both = loaded(load({"rrtc.toml"}, {{"API_SECRET", kApiSecret}}, dir.path()));
  EXPECT_EQ(both.config.api_key, "backend-1");
  EXPECT_EQ(both.config.api_secret, kApiSecret);
  EXPECT_TRUE(both.warnings.empty());
}

TEST(ConfigApi, WebhooksNeedTheSecretThatSignsThem) {
  TempDir dir;
  EXPECT_EQ(error_line(load({}, {{"WEBHOOK_URLS", "https://hooks.example.org/rrtc"}}, dir.path())),
            "environment variable WEBHOOK_URLS: api_secret: expected an api_secret with "
            "webhook_urls (it signs every event)");
  dir.write("rrtc.toml", "webhook_timeout_seconds = 2\n\nwebhook_urls = [\"http://a/hook\"]\n");
  EXPECT_EQ(error_line(load({"rrtc.toml"}, {}, dir.path())),
            "rrtc.toml:3: api_secret: expected an api_secret with webhook_urls (it signs every "
            "event)");
  // Timeouts, retries and the queue size alone are harmless (no URL, no webhook).
  LoadedConfig alone = loaded(load({}, {{"WEBHOOK_RETRY_SECONDS", "30"}}, dir.path()));
  EXPECT_EQ(alone.config.webhook_retry_for, 30s);
}

TEST(ConfigApi, BadWebhookUrlsNameTheUrl) {
  TempDir dir;
  const Environment api{{"API_KEY", "backend-1"}, {"API_SECRET", kApiSecret}};
  struct Case {
    std::string value;
    std::string got;
  };
  for (const Case& c : std::vector<Case>{{"ftp://a/hook", "\"ftp://a/hook\""},
                                         {"hooks.example.org/rrtc", "\"hooks.example.org/rrtc\""},
                                         {"http://", "\"http://\""},
                                         {"https://a/b c", "\"https://a/b c\""}}) {
    SCOPED_TRACE(c.value);
    Environment env = api;
    env["WEBHOOK_URLS"] = "http://ok.example.org/hook," + c.value;
    EXPECT_EQ(error_line(load({}, env, dir.path())),
              "environment variable WEBHOOK_URLS: webhook_urls: expected an http:// or https:// "
              "URL, got " +
                  c.got);
  }
  dir.write("rrtc.json", R"({"api_key": "k", "webhook_urls": ["ws://a/hook"]})");
  EXPECT_EQ(error_line(load({"rrtc.json"}, api, dir.path())),
            "rrtc.json: webhook_urls: expected an http:// or https:// URL, got \"ws://a/hook\"");
}

TEST(ConfigApi, ShortApiSecretIsAWarning) {
  TempDir dir;
  LoadedConfig result = loaded(load({}, {{"API_KEY", "k"}, {"API_SECRET", "short"}}, dir.path()));
  ASSERT_EQ(result.warnings.size(), 1u);
  EXPECT_EQ(result.warnings[0].to_string(),
            "environment variable API_SECRET: api_secret: shorter than 32 bytes: weak for HS256");
}

TEST(ConfigTurnSecret, TurnEntriesWithoutCredentialsNeedTheSecret) {
  TempDir dir;
  dir.write("rrtc.toml", "[[ice_servers]]\nurls = [\"turn:t.example.org:3478\"]\n");
  EXPECT_EQ(error_line(load({"rrtc.toml"}, {}, dir.path())),
            "rrtc.toml:1: ice_servers[0]: a turn: or turns: URL needs username and credential "
            "(or neither, with turn_secret)");
  LoadedConfig minted = loaded(load({"rrtc.toml"}, {{"TURN_SECRET", "coturn-secret"}}, dir.path()));
  ASSERT_EQ(minted.config.ice_servers.size(), 1u);
  EXPECT_EQ(minted.config.ice_servers[0], (IceServerConfig{{"turn:t.example.org:3478"}, "", ""}));
  EXPECT_TRUE(minted.warnings.empty());
  // Half a static credential is still an error: the secret fills entries with neither only.
  dir.write("half.toml",
            "turn_secret = \"coturn-secret\"\n[[ice_servers]]\nurls = [\"stun:s\"]\n"
            "[[ice_servers]]\nurls = [\"stun:s\", \"turns:t\"]\nusername = \"u\"\n");
  EXPECT_EQ(error_line(load({"half.toml"}, {}, dir.path())),
            "half.toml:2: ice_servers[1]: a turn: or turns: URL needs username and credential "
            "(or neither, with turn_secret)");
}

TEST(ConfigTurnSecret, ServerRelayWithoutCredentialsNeedsTheSecret) {
  TempDir dir;
  EXPECT_EQ(error_line(load({}, {{"TURN_URL", "turn:t.example.org"}}, dir.path())),
            "environment variable TURN_URL: turn: expected turn.username and turn.credential "
            "with turn.url (or neither, with turn_secret)");
  // TURN_URL alone with TURN_SECRET: rrtc's relay and the clients' entry both get minted ones.
  LoadedConfig result = loaded(
      load({}, {{"TURN_URL", "turn:t.example.org"}, {"TURN_SECRET", "coturn-secret"}}, dir.path()));
  ASSERT_TRUE(result.config.turn.has_value());
  EXPECT_EQ(*result.config.turn, (TurnConfig{"turn:t.example.org", "", ""}));
  ASSERT_EQ(result.config.ice_servers.size(), 1u);
  EXPECT_EQ(result.config.ice_servers[0], (IceServerConfig{{"turn:t.example.org"}, "", ""}));
  EXPECT_EQ(error_line(load({},
                            {{"TURN_URL", "turn:t.example.org"},
                             {"TURN_USERNAME", "u"},
                             {"TURN_SECRET", "coturn-secret"}},
                            dir.path())),
            "environment variable TURN_URL: turn: expected turn.username and turn.credential "
            "with turn.url (or neither, with turn_secret)");
}

}  // namespace
}  // namespace rrtc::app::test
