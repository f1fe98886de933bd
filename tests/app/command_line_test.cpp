// Command-line parsing and its errors.

#include "app/command_line.hpp"

#include <gtest/gtest.h>

#include "load_helper.hpp"
#include "temp_dir.hpp"

namespace rrtc::app::test {
namespace {

TEST(CommandLine, ParsesEveryOption) {
  std::vector<const char*> argv{"rrtc",     "--config", "x.toml",      "--port", "9",
                                "--listen", "::",       "--log-level", "debug",  "--check-config"};
  CommandLine line = parse_command_line(argv);
  EXPECT_EQ(line.action, Action::kCheckConfig);
  EXPECT_EQ(line.config_path, "x.toml");
  EXPECT_EQ(line.port, "9");
  EXPECT_EQ(line.listen, "::");
  EXPECT_EQ(line.log_level, "debug");
  EXPECT_NE(line.usage.find("Usage: rrtc [options] [config-file]"), std::string::npos);
}

TEST(CommandLine, ShortOptionsAndEqualsForm) {
  std::vector<const char*> argv{"rrtc", "-p",    "81", "-l", "127.0.0.1", "--log-level=warn",
                                "-c",   "a.json"};
  CommandLine line = parse_command_line(argv);
  EXPECT_EQ(line.action, Action::kRun);
  EXPECT_EQ(line.port, "81");
  EXPECT_EQ(line.listen, "127.0.0.1");
  EXPECT_EQ(line.log_level, "warn");
  EXPECT_EQ(line.config_path, "a.json");
}

TEST(CommandLine, HelpWinsOverVersionWinsOverCheckConfig) {
  std::vector<const char*> all{"rrtc", "--check-config", "--version", "--help"};
  EXPECT_EQ(parse_command_line(all).action, Action::kHelp);
  std::vector<const char*> two{"rrtc", "--check-config", "--version"};
  EXPECT_EQ(parse_command_line(two).action, Action::kVersion);
}

TEST(CommandLine, VersionIsTheProjectVersion) { EXPECT_EQ(version(), RRTC_TEST_PROJECT_VERSION); }

TEST(CommandLine, ErrorsAreOneLineNamingTheCommandLine) {
  TempDir dir;
  struct Case {
    std::vector<std::string> args;
    std::string line;
  };
  const std::vector<Case> cases{
      {{"--bogus"}, "command line: unrecognised option '--bogus'"},
      {{"--port"}, "command line: the required argument for option '--port' is missing"},
      {{"a.toml", "b.toml"}, "command line: expected one configuration file, got 2"},
      {{"--config", "a.toml", "b.toml"},
       "command line: expected one configuration file, got --config a.toml and b.toml"},
      {{"--port", "http"},
       "command line --port: signaling_port: expected an integer from 0 to 65535, got \"http\""},
      {{"--port", "65536"},
       "command line --port: signaling_port: expected an integer from 0 to 65535, got 65536"},
      {{"--listen", "example.org"},
       "command line --listen: listen_address: expected an IPv4 or IPv6 address, got "
       "\"example.org\""},
      {{"--log-level", "info,=debug"},
       "command line --log-level: log_level: expected logger=level, got \"=debug\""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.line);
    EXPECT_EQ(error_line(load(c.args, {}, dir.path())), c.line);
  }
}

}  // namespace
}  // namespace rrtc::app::test
