// Every source overrides the one before it: defaults < file < .env < environment < command line.

#include <gtest/gtest.h>

#include "app/config_load.hpp"
#include "load_helper.hpp"
#include "temp_dir.hpp"

namespace rrtc::app::test {
namespace {

TEST(ConfigPrecedence, DefaultsWhenNoSourceIsGiven) {
  TempDir dir;
  LoadedConfig result = loaded(load({}, {}, dir.path()));
  EXPECT_EQ(result.action, Action::kRun);
  EXPECT_EQ(result.config, Config{});
  EXPECT_TRUE(result.origins.empty());
  EXPECT_TRUE(result.warnings.empty());
  EXPECT_EQ(result.config.signaling_port, 8080);
  EXPECT_EQ(result.config.listen_address, "0.0.0.0");
  EXPECT_EQ(result.config.max_participants_per_room, 50u);
  EXPECT_EQ(result.config.rtc_min_port, 10000);
  EXPECT_EQ(result.config.rtc_max_port, 20000);
  EXPECT_EQ(result.config.log_format, LogFormat::kText);
}

struct Layers {
  bool file = false;
  bool dotenv = false;
  bool env = false;
  bool cli = false;
};

struct Expected {
  std::uint16_t port;
  std::string listen;
  std::string log_level;
  std::string port_origin;
};

// Each layer sets the same three keys; the strongest present layer must win each of them.
LoadedConfig load_layers(const TempDir& dir, Layers layers) {
  std::vector<std::string> args;
  Environment env;
  if (layers.file) {
    dir.write(
        "rrtc.toml",
        "# layer 1\nsignaling_port = 1001\nlisten_address = \"10.0.0.1\"\nlog_level = \"error\"\n");
    args.push_back("rrtc.toml");
  }
  if (layers.dotenv) {
    dir.write(".env", "SIGNALING_PORT=1002\nLISTEN_ADDRESS=10.0.0.2\nRRTC_LOG=warn\n");
  }
  if (layers.env) {
    env = {{"SIGNALING_PORT", "1003"}, {"LISTEN_ADDRESS", "10.0.0.3"}, {"RRTC_LOG", "debug"}};
  }
  if (layers.cli) {
    args.insert(args.end(), {"--port", "1004", "--listen", "10.0.0.4", "--log-level", "trace"});
  }
  return loaded(load(args, env, dir.path()));
}

TEST(ConfigPrecedence, EachSourceOverridesTheOneBeforeIt) {
  struct Case {
    Layers layers;
    Expected expected;
  };
  const std::vector<Case> cases{
      {{}, {8080, "0.0.0.0", "info", "default"}},
      {{.file = true}, {1001, "10.0.0.1", "error", "rrtc.toml:2"}},
      {{.file = true, .dotenv = true}, {1002, "10.0.0.2", "warn", ".env:1"}},
      {{.file = true, .dotenv = true, .env = true},
       {1003, "10.0.0.3", "debug", "environment variable SIGNALING_PORT"}},
      {{.file = true, .dotenv = true, .env = true, .cli = true},
       {1004, "10.0.0.4", "trace", "command line --port"}},
      // Skipping layers: the strongest one still wins.
      {{.file = true, .cli = true}, {1004, "10.0.0.4", "trace", "command line --port"}},
      {{.dotenv = true, .env = true},
       {1003, "10.0.0.3", "debug", "environment variable SIGNALING_PORT"}},
      {{.file = true, .env = true},
       {1003, "10.0.0.3", "debug", "environment variable SIGNALING_PORT"}},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE("case " + std::to_string(i));
    TempDir dir;
    LoadedConfig result = load_layers(dir, cases[i].layers);
    const Expected& e = cases[i].expected;
    EXPECT_EQ(result.config.signaling_port, e.port);
    EXPECT_EQ(result.config.listen_address, e.listen);
    EXPECT_EQ(result.config.log_level, e.log_level);
    std::string origin = result.origins.count("signaling_port")
                             ? result.origins.at("signaling_port").to_string()
                             : "default";
    // File origins are shown as given (relative) or as the full path for .env.
    if (e.port_origin == ".env:1") {
      EXPECT_EQ(origin, (dir.path() / ".env").string() + ":1");
    } else {
      EXPECT_EQ(origin, e.port_origin);
    }
  }
}

TEST(ConfigPrecedence, KeysALaterSourceDoesNotSetKeepTheEarlierValue) {
  TempDir dir;
  dir.write("rrtc.toml", "signaling_port = 1001\nmax_rooms = 7\n");
  dir.write(".env", "MAX_ROOMS=8\n");
  LoadedConfig result = loaded(load({"rrtc.toml"}, {{"WORKERS", "3"}}, dir.path()));
  EXPECT_EQ(result.config.signaling_port, 1001);
  EXPECT_EQ(result.config.max_rooms, 8u);
  EXPECT_EQ(result.config.workers, 3u);
}

TEST(ConfigPrecedence, ConfigFileByOptionOrPositionalOrAbsolutePath) {
  TempDir dir;
  std::string full = dir.write("a.json", R"({"signaling_port": 2000})");
  EXPECT_EQ(loaded(load({"--config", "a.json"}, {}, dir.path())).config.signaling_port, 2000);
  EXPECT_EQ(loaded(load({"-c", "a.json"}, {}, dir.path())).config.signaling_port, 2000);
  EXPECT_EQ(loaded(load({"a.json"}, {}, dir.path())).config.signaling_port, 2000);
  EXPECT_EQ(loaded(load({full}, {}, "/")).config.signaling_port, 2000);
  EXPECT_EQ(loaded(load({"--config", "a.json", "a.json"}, {}, dir.path())).config.signaling_port,
            2000);
}

TEST(ConfigPrecedence, HelpAndVersionReadNoSource) {
  TempDir dir;
  dir.write(".env", "this line is broken\n");
  Environment bad_env{{"SIGNALING_PORT", "nope"}};
  LoadedConfig help = loaded(load({"--help", "missing.toml"}, bad_env, dir.path()));
  EXPECT_EQ(help.action, Action::kHelp);
  EXPECT_NE(help.usage.find("--check-config"), std::string::npos);
  EXPECT_EQ(loaded(load({"--version"}, bad_env, dir.path())).action, Action::kVersion);
  EXPECT_EQ(loaded(load({"-V"}, bad_env, dir.path())).action, Action::kVersion);
}

TEST(ConfigPrecedence, CheckConfigStillReadsEverySource) {
  TempDir dir;
  dir.write(".env", "SIGNALING_PORT=nope\n");
  EXPECT_EQ(error_line(load({"--check-config"}, {}, dir.path())),
            (dir.path() / ".env").string() +
                ":1: signaling_port: expected an integer from 0 to 65535, got \"nope\"");
}

}  // namespace
}  // namespace rrtc::app::test
