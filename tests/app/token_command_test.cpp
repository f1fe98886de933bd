// `rrtc token`: its command line, TTLs, and tokens signed from the configuration loaded as for
// the server (file, .env, environment, command line). The real binary is exercised by
// tests/integration/admin_api_test.py.

#include "app/token_command.hpp"

#include <gtest/gtest.h>

#include "load_helper.hpp"
#include "signaling/jwt.hpp"
#include "temp_dir.hpp"

namespace rrtc::app::test {
namespace {

using namespace std::chrono_literals;

const auto kNow = std::chrono::system_clock::time_point(1'700'000'000s);

TEST(TokenCommand, TtlUnits) {
  EXPECT_EQ(parse_ttl("90"), 90s);
  EXPECT_EQ(parse_ttl("90s"), 90s);
  EXPECT_EQ(parse_ttl("10m"), 600s);
  EXPECT_EQ(parse_ttl("1h"), 3600s);
  EXPECT_EQ(parse_ttl("7d"), 7 * 86400s);
  EXPECT_EQ(parse_ttl("365d"), 365 * 86400s);
  for (std::string_view bad :
       {"", "0", "0h", "h", "1x", "-1h", "1.5h", "1 h", "366d", "99999999999999d", "1hh", " 1h"}) {
    EXPECT_FALSE(parse_ttl(bad)) << bad;
  }
}

TEST(TokenCommand, ParsesTheSubcommand) {
  std::vector<const char*> join{"rrtc", "token", "--room", "r1",       "--identity",
                                "ann",  "--ttl", "10m",    "--config", "x.toml"};
  CommandLine line = parse_command_line(join);
  EXPECT_EQ(line.action, Action::kToken);
  ASSERT_TRUE(line.token);
  EXPECT_FALSE(line.token->api);
  EXPECT_EQ(line.token->room, "r1");
  EXPECT_EQ(line.token->identity, "ann");
  EXPECT_EQ(line.token->ttl, 600s);
  EXPECT_EQ(line.config_path, "x.toml");
  std::vector<const char*> api{"rrtc", "token", "--api"};
  line = parse_command_line(api);
  EXPECT_EQ(line.action, Action::kToken);
  EXPECT_TRUE(line.token->api);
  EXPECT_EQ(line.token->ttl, 3600s);  // the default
  // Token options mean nothing to the server itself.
  std::vector<const char*> server{"rrtc", "--room", "r1"};
  EXPECT_THROW(parse_command_line(server), ConfigException);
  EXPECT_NE(line.usage.find("rrtc token --room ROOM [--identity ID] [--ttl TTL]"),
            std::string::npos);
  EXPECT_NE(line.usage.find("--api"), std::string::npos);
}

TEST(TokenCommand, CommandLineMistakesAreConfigErrors) {
  TempDir dir;
  struct Case {
    std::vector<std::string> args;
    std::string error;
  };
  const Case cases[] = {
      {{"token"}, "command line: rrtc token needs --room ROOM (or --api)"},
      {{"token", "--identity", "a"}, "command line: rrtc token needs --room ROOM (or --api)"},
      {{"token", "--api", "--room", "r"},
       "command line: rrtc token --api makes an admin token, which has no --room or --identity"},
      {{"token", "--room", "r", "--ttl", "1y"},
       "command line: --ttl 1y: expected a lifetime like 90, 90s, 10m, 1h or 7d (at most 365d)"},
      {{"token", "--room", ""}, "command line: --room must not be empty"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(error_line(load(c.args, {}, dir.path())), c.error);
  }
}

TEST(TokenCommand, JoinTokenFromTheEnvironmentVerifiesForItsRoomAndIdentity) {
  TempDir dir;
  auto config = loaded(load({"token", "--room", "r1", "--identity", "ann", "--ttl", "1h"},
                            {{"JOIN_SECRET", "from-env"}}, dir.path()));
  ASSERT_EQ(config.action, Action::kToken);
  auto issued = issue_token(config.config, *config.token, kNow);
  ASSERT_EQ(issued.error, "");
  EXPECT_EQ(issued.expires_at, 1'700'003'600);
  auto verdict = signaling::verify_hs256(issued.token, "from-env", kNow);
  ASSERT_TRUE(verdict.claims);
  EXPECT_EQ(verdict.claims->room, "r1");
  EXPECT_EQ(verdict.claims->subject, "ann");
  EXPECT_EQ(verdict.claims->expires_at, 1'700'003'600.0);
  EXPECT_EQ(signaling::verify_hs256(issued.token, "from-env", kNow + 3600s).error,
            signaling::JwtError::expired);
}

TEST(TokenCommand, AdminTokenFromTheConfigFile) {
  TempDir dir;
  dir.write("rrtc.toml", "api_key = \"k1\"\napi_secret = \"file-secret\"\n");
  auto config = loaded(load({"token", "--api", "--ttl", "10m", "rrtc.toml"}, {}, dir.path()));
  auto issued = issue_token(config.config, *config.token, kNow);
  ASSERT_EQ(issued.error, "");
  auto verdict = signaling::verify_admin_token(issued.token, "file-secret", "k1", kNow);
  ASSERT_TRUE(verdict.claims);
  EXPECT_EQ(verdict.claims->expires_at, 1'700'000'600.0);
  EXPECT_EQ(signaling::verify_admin_token(issued.token, "file-secret", "k1", kNow + 600s).error,
            signaling::JwtError::expired);
}

TEST(TokenCommand, NoSecretNoToken) {
  TempDir dir;
  auto join = loaded(load({"token", "--room", "r"}, {}, dir.path()));
  auto issued = issue_token(join.config, *join.token, kNow);
  EXPECT_EQ(issued.token, "");
  EXPECT_EQ(issued.error,
            "join_secret is not set (JOIN_SECRET): this server admits joins without a token, so "
            "there is nothing to sign");
  auto api = loaded(load({"token", "--api"}, {}, dir.path()));
  issued = issue_token(api.config, *api.token, kNow);
  EXPECT_EQ(issued.token, "");
  EXPECT_EQ(issued.error,
            "the admin API is off: set api_key and api_secret (API_KEY, API_SECRET) to use rrtc "
            "token --api");
}

}  // namespace
}  // namespace rrtc::app::test
