// RRTC_LOG filter parsing, per-logger levels, and the JSON line format.

#include "app/logging.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <boost/json/parse.hpp>
#include <sstream>

#include "log/log.hpp"

namespace rrtc::app::test {
namespace {

using spdlog::level::level_enum;

TEST(LogFilter, ParsesLevelsAndDirectives) {
  struct Case {
    std::string text;
    LogFilter filter;
  };
  const std::vector<Case> cases{
      {"", {level_enum::info, {}}},
      {"info", {level_enum::info, {}}},
      {"DEBUG", {level_enum::debug, {}}},
      {"warning", {level_enum::warn, {}}},
      {"warn", {level_enum::warn, {}}},
      {"error", {level_enum::err, {}}},
      {"critical", {level_enum::critical, {}}},
      {"off", {level_enum::off, {}}},
      {"info,ice=debug,dtls=trace",
       {level_enum::info, {{"ice", level_enum::debug}, {"dtls", level_enum::trace}}}},
      {" ice = Debug , , error ", {level_enum::err, {{"ice", level_enum::debug}}}},
      {"signaling", {level_enum::info, {{"signaling", level_enum::trace}}}},
      {"ice=debug,ice=error", {level_enum::info, {{"ice", level_enum::err}}}},
      {"debug,info", {level_enum::info, {}}},
      {"custom_layer=off", {level_enum::info, {{"custom_layer", level_enum::off}}}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    auto filter = parse_log_filter(c.text);
    ASSERT_TRUE(filter.has_value());
    EXPECT_EQ(*filter, c.filter);
  }
}

TEST(LogFilter, RejectsWhatItCannotRead) {
  struct Case {
    std::string text;
    LogFilterError error;
    std::string directive;
  };
  const std::vector<Case> cases{
      {"verbose", LogFilterError::kUnknownLevel, "verbose"},
      {"info,ice=loud", LogFilterError::kUnknownLevel, "ice=loud"},
      {"ice=", LogFilterError::kUnknownLevel, "ice="},
      {"=debug", LogFilterError::kEmptyLoggerName, "=debug"},
      {std::string(kMaxLogFilterLength + 1, 'a'), LogFilterError::kTooLong, std::string(32, 'a')},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    LogFilterProblem problem;
    EXPECT_FALSE(parse_log_filter(c.text, &problem).has_value());
    EXPECT_EQ(problem.error, c.error);
    EXPECT_EQ(problem.directive, c.directive);
    EXPECT_FALSE(describe(problem).empty());
  }
  EXPECT_FALSE(parse_log_filter("nope").has_value());  // no problem pointer: still no crash
}

class LoggingTest : public ::testing::Test {
 protected:
  void configure(std::string_view filter, LogFormat format) {
    auto parsed = parse_log_filter(filter);
    ASSERT_TRUE(parsed.has_value());
    configure_logging(*parsed, format, std::make_shared<spdlog::sinks::ostream_sink_mt>(out_));
  }
  std::vector<std::string> lines() {
    std::vector<std::string> result;
    std::string line;
    std::istringstream in(out_.str());
    while (std::getline(in, line)) {
      result.push_back(line);
    }
    return result;
  }
  void TearDown() override { spdlog::drop_all(); }

  std::ostringstream out_;
};

TEST_F(LoggingTest, PerLoggerLevelsApplyToExistingAndLaterLoggers) {
  auto& early = rrtc::log::get("ice");  // created before configuration
  configure("warn,ice=debug,room=off", LogFormat::kText);
  auto& late = rrtc::log::get("dtls");
  early.debug("ice debug shown");
  early.trace("ice trace hidden");
  late.info("dtls info hidden");
  late.warn("dtls warn shown");
  rrtc::log::get("room").critical("room critical hidden");
  auto output = lines();
  ASSERT_EQ(output.size(), 2u) << out_.str();
  EXPECT_NE(output[0].find("[ice] ice debug shown"), std::string::npos) << output[0];
  EXPECT_NE(output[0].find("debug"), std::string::npos);
  EXPECT_NE(output[1].find("[dtls] dtls warn shown"), std::string::npos) << output[1];
}

TEST_F(LoggingTest, JsonLinesAreValidJsonWithTheMessageEscaped) {
  configure("info", LogFormat::kJson);
  std::string tricky =
      std::string("quote \" backslash \\ newline \n tab \t ctl \x01 utf8 \xc3\xa9 brace {} %v");
  rrtc::log::get("signaling").info("{}", tricky);
  rrtc::log::get("app").error("plain");
  auto output = lines();
  ASSERT_EQ(output.size(), 2u) << out_.str();
  boost::json::value first = boost::json::parse(output[0]);
  EXPECT_EQ(first.at("message").as_string(), tricky);
  EXPECT_EQ(first.at("logger").as_string(), "signaling");
  EXPECT_EQ(first.at("level").as_string(), "info");
  EXPECT_TRUE(first.at("thread").is_number());
  EXPECT_EQ(first.at("time").as_string().size(),
            std::string("2026-01-01T00:00:00.000000+00:00").size());
  boost::json::value second = boost::json::parse(output[1]);
  EXPECT_EQ(second.at("message").as_string(), "plain");
  EXPECT_EQ(second.at("level").as_string(), "error");
}

TEST(Logging, KnownLoggersAreTheLayers) {
  auto known = known_loggers();
  EXPECT_EQ(std::vector<std::string_view>(known.begin(), known.end()),
            (std::vector<std::string_view>{"app", "signaling", "room", "ice", "dtls", "sctp",
                                           "transport"}));
}

}  // namespace
}  // namespace rrtc::app::test
