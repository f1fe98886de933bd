// --check-config output: masked credentials, origins, and a round trip through the TOML parser.

#include "app/config_print.hpp"

#include <gtest/gtest.h>

#include "app/config_file.hpp"
#include "app/config_validate.hpp"
#include "load_helper.hpp"
#include "temp_dir.hpp"

namespace rrtc::app::test {
namespace {

Config with_secrets() {
  Config c;
  c.join_secret = "0123456789abcdef0123456789abcdef";
  c.turn = TurnConfig{"turn:t.example.org:3478", "relay-user", "relay-pass", true};
  c.ice_servers = {
      IceServerConfig{{"stun:s.example.org"}, "", ""},
      IceServerConfig{
          {"turn:t.example.org:3478", "turns:t.example.org:5349"}, "web-user", "web-pass"}};
  c.interfaces = {"127.0.0.1"};
  c.api_key = "backend-1";
  c.api_secret = "api-secret-0123456789abcdef0123456789";
  c.webhook_urls = {"https://hooks.example.org/rrtc"};
  c.webhook_timeout = std::chrono::seconds(2);
  c.webhook_retry_for = std::chrono::seconds(60);
  c.webhook_queue_size = 500;
  c.turn_secret = "coturn-static-auth-secret";
  c.turn_credential_ttl = std::chrono::seconds(3600);
  return c;
}

Config reparse(const std::string& text) {
  ConfigBuilder builder;
  apply_config_text(text, FileFormat::kToml, "printed", builder);
  validate_config(builder, "/");
  EXPECT_TRUE(builder.warnings().empty());
  return builder.config();
}

TEST(ConfigPrint, MasksEveryCredential) {
  std::string text = print_config(with_secrets());
  EXPECT_EQ(text.find("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(text.find("relay-pass"), std::string::npos);
  EXPECT_EQ(text.find("web-pass"), std::string::npos);
  EXPECT_EQ(text.find("api-secret-"), std::string::npos);
  EXPECT_EQ(text.find("coturn-static-auth-secret"), std::string::npos);
  EXPECT_NE(text.find("\napi_key = \"backend-1\"\napi_secret = \"****\"\n"), std::string::npos);
  EXPECT_NE(text.find("\nwebhook_urls = [\"https://hooks.example.org/rrtc\"]\n"
                      "webhook_timeout_seconds = 2\nwebhook_retry_seconds = 60\n"
                      "webhook_queue_size = 500\n"),
            std::string::npos);
  EXPECT_NE(text.find("\nturn_secret = \"****\"\nturn_credential_ttl_seconds = 3600\n"),
            std::string::npos);
  EXPECT_NE(text.find("join_secret = \"****\"\n"), std::string::npos);
  EXPECT_NE(text.find("[turn]\nurl = \"turn:t.example.org:3478\"\nusername = "
                      "\"relay-user\"\ncredential = \"****\"\n"),
            std::string::npos);
  EXPECT_NE(text.find("username = \"web-user\"\ncredential = \"****\"\n"), std::string::npos);
}

TEST(ConfigPrint, EmptySecretsStayEmpty) {
  std::string text = print_config(Config{});
  EXPECT_NE(text.find("join_secret = \"\"\n"), std::string::npos);
  EXPECT_NE(text.find("api_secret = \"\"\n"), std::string::npos);
  EXPECT_NE(text.find("turn_secret = \"\"\n"), std::string::npos);
  EXPECT_NE(text.find("webhook_urls = []\n"), std::string::npos);
  EXPECT_NE(text.find("turn_credential_ttl_seconds = 86400\n"), std::string::npos);
  EXPECT_NE(text.find("# turn: not set\n"), std::string::npos);
  EXPECT_NE(text.find("ice_servers = []\n"), std::string::npos);
}

TEST(ConfigPrint, UnmaskedOutputParsesBackToTheSameConfig) {
  for (const Config& config : {Config{}, with_secrets()}) {
    EXPECT_EQ(reparse(print_config(config, {.mask_secrets = false})), config);
  }
  Config odd;
  odd.join_secret =
      std::string("quote\" backslash\\ tab\t nl\n cr\r nul") + '\0' + " del\x7f \xc3\xa9";
  odd.log_level = "debug";
  odd.log_format = LogFormat::kJson;
  EXPECT_EQ(reparse(print_config(odd, {.mask_secrets = false})), odd);
}

TEST(ConfigPrint, ShowsWhereNonDefaultValuesCameFrom) {
  TempDir dir;
  dir.write("rrtc.toml",
            "\nmax_rooms = 5\n[turn]\nurl = \"turn:x\"\nusername = \"u\"\ncredential = \"c\"\n");
  LoadedConfig result = loaded(load({"rrtc.toml", "--port", "81"}, {{"WORKERS", "2"}}, dir.path()));
  std::string text = print_config(result.config, {.origins = &result.origins});
  EXPECT_NE(text.find("\nsignaling_port = 81  # command line --port\n"), std::string::npos);
  EXPECT_NE(text.find("\nmax_rooms = 5  # rrtc.toml:2\n"), std::string::npos);
  EXPECT_NE(text.find("\nworkers = 2  # environment variable WORKERS\n"), std::string::npos);
  EXPECT_NE(text.find("\ncredential = \"****\"  # rrtc.toml:6\n"), std::string::npos);
  EXPECT_NE(text.find("\nmax_participants_per_room = 50\n"), std::string::npos);
}

TEST(ConfigPrint, TomlStringEscapes) {
  EXPECT_EQ(toml_string("a\"b\\c\n\x01\x7f"), "\"a\\\"b\\\\c\\n\\u0001\\u007F\"");
  EXPECT_EQ(toml_string(""), "\"\"");
}

}  // namespace
}  // namespace rrtc::app::test
