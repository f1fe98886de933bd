#include "app/logging.hpp"

#include <spdlog/details/registry.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>

namespace rrtc::app {
namespace {

constexpr std::array<std::string_view, 7> kKnownLoggers{"app",  "signaling", "room",     "ice",
                                                        "dtls", "sctp",      "transport"};

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

std::optional<spdlog::level::level_enum> parse_level(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  struct Name {
    std::string_view name;
    spdlog::level::level_enum level;
  };
  static constexpr std::array<Name, 8> kNames{{{"trace", spdlog::level::trace},
                                               {"debug", spdlog::level::debug},
                                               {"info", spdlog::level::info},
                                               {"warn", spdlog::level::warn},
                                               {"warning", spdlog::level::warn},
                                               {"error", spdlog::level::err},
                                               {"critical", spdlog::level::critical},
                                               {"off", spdlog::level::off}}};
  for (const auto& n : kNames) {
    if (n.name == lower) {
      return n.level;
    }
  }
  return std::nullopt;
}

// Appends `text` to `dest` as the inside of a JSON string (RFC 8259 section 7): quote, backslash
// and control characters escaped; other bytes copied, so UTF-8 passes through.
void append_json_escaped(std::string_view text, spdlog::memory_buf_t& dest) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        dest.append(std::string_view("\\\""));
        break;
      case '\\':
        dest.append(std::string_view("\\\\"));
        break;
      case '\n':
        dest.append(std::string_view("\\n"));
        break;
      case '\r':
        dest.append(std::string_view("\\r"));
        break;
      case '\t':
        dest.append(std::string_view("\\t"));
        break;
      default:
        if (byte < 0x20 || byte == 0x7f) {
          const std::array<char, 6> escaped{'\\', 'u', '0', '0', kHex[byte >> 4], kHex[byte & 0xf]};
          dest.append(escaped.data(), escaped.data() + escaped.size());
        } else {
          dest.push_back(c);
        }
    }
  }
}

// %* in the JSON pattern: the message, escaped.
class JsonMessageFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    append_json_escaped(std::string_view(msg.payload.data(), msg.payload.size()), dest);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessageFlag>();
  }
};

// %& in the JSON pattern: the logger name, escaped.
class JsonLoggerFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    append_json_escaped(std::string_view(msg.logger_name.data(), msg.logger_name.size()), dest);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonLoggerFlag>();
  }
};

std::unique_ptr<spdlog::formatter> make_formatter(LogFormat format) {
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  if (format == LogFormat::kJson) {
    formatter->add_flag<JsonMessageFlag>('*').add_flag<JsonLoggerFlag>('&').set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%f%z","level":"%l","logger":"%&","thread":%t,"message":"%*"})");
  } else {
    formatter->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-8l%$ [%n] %v");
  }
  return formatter;
}

}  // namespace

std::optional<LogFilter> parse_log_filter(std::string_view text, LogFilterProblem* problem) {
  auto fail = [&](LogFilterError error, std::string_view directive) -> std::optional<LogFilter> {
    if (problem) {
      *problem = LogFilterProblem{error, std::string(directive)};
    }
    return std::nullopt;
  };
  if (text.size() > kMaxLogFilterLength) {
    return fail(LogFilterError::kTooLong, text.substr(0, 32));
  }
  LogFilter filter;
  while (!text.empty()) {
    std::size_t comma = text.find(',');
    std::string_view directive = trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    if (directive.empty()) {
      continue;
    }
    std::size_t equals = directive.find('=');
    if (equals == std::string_view::npos) {
      if (auto level = parse_level(directive)) {
        filter.default_level = *level;
      } else {
        // RUST_LOG reads a bare word that is no level as a target at trace; a typo'd level
        // would silently turn into that, so only known logger names are taken this way.
        if (std::find(kKnownLoggers.begin(), kKnownLoggers.end(), directive) ==
            kKnownLoggers.end()) {
          return fail(LogFilterError::kUnknownLevel, directive);
        }
        filter.loggers.emplace_back(std::string(directive), spdlog::level::trace);
      }
      continue;
    }
    std::string_view name = trim(directive.substr(0, equals));
    std::string_view level_text = trim(directive.substr(equals + 1));
    if (name.empty()) {
      return fail(LogFilterError::kEmptyLoggerName, directive);
    }
    auto level = parse_level(level_text);
    if (!level) {
      return fail(LogFilterError::kUnknownLevel, directive);
    }
    auto same = [&](const auto& entry) { return entry.first == name; };
    filter.loggers.erase(std::remove_if(filter.loggers.begin(), filter.loggers.end(), same),
                         filter.loggers.end());
    filter.loggers.emplace_back(std::string(name), *level);
  }
  return filter;
}

std::string describe(const LogFilterProblem& problem) {
  switch (problem.error) {
    case LogFilterError::kUnknownLevel:
      return "expected a log level (trace, debug, info, warn, error, critical, off) or "
             "logger=level, got \"" +
             problem.directive + "\"";
    case LogFilterError::kEmptyLoggerName:
      return "expected logger=level, got \"" + problem.directive + "\"";
    case LogFilterError::kTooLong:
      return "expected a filter of at most " + std::to_string(kMaxLogFilterLength) + " characters";
  }
  return "invalid log filter";
}

std::span<const std::string_view> known_loggers() { return kKnownLoggers; }

void configure_logging(const LogFilter& filter, LogFormat format, spdlog::sink_ptr sink) {
  if (!sink) {
    if (format == LogFormat::kText && isatty(STDERR_FILENO) == 1) {
      sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    } else {
      sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    }
  }
  // rrtc::log::get() copies the default logger's sinks into each new layer logger.
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("", sink));
  spdlog::apply_all(
      [&](const std::shared_ptr<spdlog::logger>& logger) { logger->sinks().assign(1, sink); });
  spdlog::set_formatter(make_formatter(format));
  spdlog::details::registry::log_levels levels;
  for (const auto& [name, level] : filter.loggers) {
    levels[name] = level;
  }
  auto default_level = filter.default_level;
  spdlog::details::registry::instance().set_levels(std::move(levels), &default_level);
  spdlog::flush_on(spdlog::level::warn);
}

}  // namespace rrtc::app
