#pragma once
// Log set-up: RRTC_LOG filters, the default sink and the text or JSON line format.
//
// Filter syntax, in the style of RUST_LOG: comma-separated directives, each one of
//   level            the level of every logger without a directive of its own
//   logger=level     the level of one layer's logger ("ice=debug")
//   logger           that logger at trace
// Levels: trace, debug, info, warn (or warning), error, critical, off; case does not matter.
// Later directives win. Example: "info,ice=debug,dtls=trace".

#include <spdlog/common.h>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "app/config.hpp"

namespace rrtc::app {

struct LogFilter {
  spdlog::level::level_enum default_level = spdlog::level::info;
  std::vector<std::pair<std::string, spdlog::level::level_enum>> loggers;

  bool operator==(const LogFilter&) const = default;
};

enum class LogFilterError { kUnknownLevel, kEmptyLoggerName, kTooLong };

struct LogFilterProblem {
  LogFilterError error = LogFilterError::kUnknownLevel;
  std::string directive;  // the offending directive
};

// Longer filters are refused: nobody types them, and they would only come from garbage.
inline constexpr std::size_t kMaxLogFilterLength = 512;

// Parses a filter; on failure returns nullopt and fills *problem when given. Never throws.
std::optional<LogFilter> parse_log_filter(std::string_view text,
                                          LogFilterProblem* problem = nullptr);
std::string describe(const LogFilterProblem& problem);

// The names rrtc::log::get() is called with; a filter naming another logger gets a warning.
std::span<const std::string_view> known_loggers();

// Installs one sink (stderr unless `sink` is given) as the default logger's and every existing
// logger's, the text or JSON line format, and the filter's levels, which loggers created later
// also pick up. Call once at start-up, before other threads log.
void configure_logging(const LogFilter& filter, LogFormat format, spdlog::sink_ptr sink = nullptr);

}  // namespace rrtc::app
