#include "app/config_env.hpp"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <utility>

#include "app/config_file.hpp"

namespace rrtc::app {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_blank(text.front())) {
    text.remove_prefix(1);
  }
  while (!text.empty() && is_blank(text.back())) {
    text.remove_suffix(1);
  }
  return text;
}

bool is_name(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front()))) {
    return false;
  }
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') {
      return false;
    }
  }
  return true;
}

// After a closing quote only blanks and a comment may follow.
bool only_comment_after(std::string_view rest) {
  rest = trim(rest);
  return rest.empty() || rest.front() == '#';
}

// The value part of one line; nullopt with *problem set when malformed.
std::optional<std::string> parse_value(std::string_view raw, std::string* problem) {
  std::string_view text = trim(raw);
  bool blank_before = !raw.empty() && is_blank(raw.front());
  if (text.empty() || (blank_before && text.front() == '#')) {
    return std::string();  // "NAME=   # comment": an empty value
  }
  if (text.front() == '\'') {
    std::size_t close = text.find('\'', 1);
    if (close == std::string_view::npos) {
      *problem = "unterminated single-quoted value";
      return std::nullopt;
    }
    if (!only_comment_after(text.substr(close + 1))) {
      *problem = "unexpected text after the closing quote";
      return std::nullopt;
    }
    return std::string(text.substr(1, close - 1));
  }
  if (text.front() == '"') {
    std::string value;
    for (std::size_t i = 1; i < text.size(); ++i) {
      char c = text[i];
      if (c == '"') {
        if (!only_comment_after(text.substr(i + 1))) {
          *problem = "unexpected text after the closing quote";
          return std::nullopt;
        }
        return value;
      }
      if (c == '\\' && i + 1 < text.size()) {
        char next = text[++i];
        switch (next) {
          case 'n':
            value += '\n';
            break;
          case 'r':
            value += '\r';
            break;
          case 't':
            value += '\t';
            break;
          default:
            value += next;
            break;  // \" \\ and anything else: the character itself
        }
        continue;
      }
      value += c;
    }
    *problem = "unterminated double-quoted value";
    return std::nullopt;
  }
  // Unquoted: a '#' after white space starts a comment; "a#b" keeps its '#'.
  for (std::size_t i = 1; i < text.size(); ++i) {
    if (text[i] == '#' && is_blank(text[i - 1])) {
      text = text.substr(0, i);
      break;
    }
  }
  return std::string(trim(text));
}

}  // namespace

std::vector<DotenvEntry> parse_dotenv(std::string_view text, const std::string& source) {
  std::vector<DotenvEntry> entries;
  std::size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    std::size_t newline = text.find('\n');
    std::string_view line = trim(text.substr(0, newline));
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    if (line.empty() || line.front() == '#') {
      continue;
    }
    constexpr std::string_view kExport = "export ";
    if (line.substr(0, kExport.size()) == kExport) {
      line = trim(line.substr(kExport.size()));
    }
    std::size_t equals = line.find('=');
    std::string_view name = trim(line.substr(0, equals));
    if (equals == std::string_view::npos || !is_name(name)) {
      ConfigBuilder::fail(Origin{source, line_number}, "",
                          "expected NAME=value, got " + display_quoted(line));
    }
    std::string problem;
    auto value = parse_value(line.substr(equals + 1), &problem);
    if (!value) {
      ConfigBuilder::fail(Origin{source, line_number}, std::string(name), problem);
    }
    entries.push_back(DotenvEntry{std::string(name), std::move(*value), line_number});
  }
  return entries;
}

std::vector<DotenvEntry> read_dotenv(const std::filesystem::path& working_dir,
                                     std::string* source) {
  std::filesystem::path path = working_dir / ".env";
  *source = path.string();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return {};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in || std::filesystem::is_directory(path, ec)) {
    ConfigBuilder::fail(Origin{*source, std::nullopt}, "",
                        std::string("cannot read the file: ") + std::strerror(errno));
  }
  std::string text;
  text.resize(kMaxConfigFileBytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxConfigFileBytes) {
    ConfigBuilder::fail(Origin{*source, std::nullopt}, "", "file larger than 1 MiB");
  }
  return parse_dotenv(text, *source);
}

void apply_environment(const std::vector<DotenvEntry>& dotenv, const std::string& dotenv_source,
                       const Environment& env, ConfigBuilder& builder) {
  // The winning value of each known variable; applied in table order so errors are stable.
  std::map<std::string_view, std::pair<std::string, Origin>> values;
  for (const auto& entry : dotenv) {
    Origin origin{dotenv_source, entry.line};
    if (const KeySpec* key = find_env_variable(entry.name)) {
      if (!trim(entry.value).empty()) {
        values[key->env] = {entry.value, origin};
      }
    } else {
      builder.warn(origin, entry.name, "unknown variable, ignored");
    }
  }
  for (const auto& key : config_keys()) {
    if (key.env.empty()) {
      continue;
    }
    if (auto it = env.find(key.env); it != env.end() && !trim(it->second).empty()) {
      values[key.env] = {it->second,
                         Origin{"environment variable " + std::string(key.env), std::nullopt}};
    }
  }
  for (const auto& key : config_keys()) {
    if (auto it = values.find(key.env); !key.env.empty() && it != values.end()) {
      builder.set_text(key, it->second.first, it->second.second);
    }
  }
  // Hand clients the servers rrtc itself uses (issue 2: TURN_URL and STUN_URL add entries).
  const Config& config = builder.config();
  if (auto it = values.find("TURN_URL"); it != values.end() && config.turn) {
    builder.merge_ice_server(config.turn->url, config.turn->username, config.turn->credential,
                             it->second.second);
  }
  if (auto it = values.find("STUN_URL"); it != values.end() && !config.stun.empty()) {
    builder.merge_ice_server(config.stun, "", "", it->second.second);
  }
}

Environment environment_from(const char* const* envp) {
  Environment env;
  for (; envp && *envp; ++envp) {
    std::string_view entry(*envp);
    std::size_t equals = entry.find('=');
    if (equals != std::string_view::npos) {
      env.emplace(std::string(entry.substr(0, equals)), std::string(entry.substr(equals + 1)));
    }
  }
  return env;
}

}  // namespace rrtc::app
