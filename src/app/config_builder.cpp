#include "app/config_builder.hpp"

#include <algorithm>
#include <charconv>
#include <utility>

namespace rrtc::app {
namespace {

std::string integer_expectation(const KeySpec& key) {
  return "expected an integer from " + std::to_string(key.min) + " to " + std::to_string(key.max);
}

std::string_view trim(std::string_view text) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && is_space(text.front())) {
    text.remove_prefix(1);
  }
  while (!text.empty() && is_space(text.back())) {
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace

void ConfigBuilder::fail(Origin origin, std::string key, std::string message) {
  throw ConfigException(ConfigError{std::move(origin), std::move(key), std::move(message)});
}

void ConfigBuilder::warn(Origin origin, std::string key, std::string message) {
  warnings_.push_back(ConfigWarning{std::move(origin), std::move(key), std::move(message)});
}

void ConfigBuilder::set_integer(const KeySpec& key, std::int64_t value, const Origin& origin) {
  if (key.type != KeyType::kInteger) {
    fail(origin, std::string(key.name), "expected a string, got an integer");
  }
  if (value < key.min || value > key.max) {
    fail(origin, std::string(key.name),
         integer_expectation(key) + ", got " + std::to_string(value));
  }
  key.set_integer(config_, value);
  origins_[std::string(key.name)] = origin;
}

void ConfigBuilder::set_string(const KeySpec& key, std::string value, const Origin& origin) {
  if (key.type == KeyType::kInteger) {
    fail(origin, std::string(key.name), integer_expectation(key) + ", got a string");
  }
  if (key.type == KeyType::kStringList) {
    fail(origin, std::string(key.name), "expected an array of strings, got a string");
  }
  if (key.check) {
    if (auto problem = key.check(value)) {
      fail(origin, std::string(key.name), *problem);
    }
  }
  key.set_string(config_, std::move(value));
  origins_[std::string(key.name)] = origin;
}

void ConfigBuilder::set_list(const KeySpec& key, std::vector<std::string> value,
                             const Origin& origin) {
  if (key.type == KeyType::kInteger) {
    fail(origin, std::string(key.name), integer_expectation(key) + ", got an array");
  }
  if (key.type == KeyType::kString) {
    fail(origin, std::string(key.name), "expected a string, got an array");
  }
  for (const auto& item : value) {
    if (key.check) {
      if (auto problem = key.check(item)) {
        fail(origin, std::string(key.name), *problem);
      }
    }
  }
  key.set_list(config_, std::move(value));
  origins_[std::string(key.name)] = origin;
}

void ConfigBuilder::set_text(const KeySpec& key, std::string_view text, const Origin& origin) {
  switch (key.type) {
    case KeyType::kInteger: {
      std::string_view digits = trim(text);
      std::int64_t value = 0;
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
      if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
        fail(origin, std::string(key.name),
             integer_expectation(key) + ", got " + display_quoted(text));
      }
      set_integer(key, value, origin);
      return;
    }
    case KeyType::kStringList: {
      std::vector<std::string> items;
      while (!text.empty()) {
        std::size_t comma = text.find(',');
        std::string_view item = trim(text.substr(0, comma));
        if (!item.empty()) {
          items.emplace_back(item);
        }
        text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
      }
      set_list(key, std::move(items), origin);
      return;
    }
    case KeyType::kString:
      set_string(key, std::string(text), origin);
      return;
  }
}

void ConfigBuilder::set_ice_servers(std::vector<IceServerConfig> servers, const Origin& origin) {
  config_.ice_servers = std::move(servers);
  origins_["ice_servers"] = origin;
}

void ConfigBuilder::merge_ice_server(const std::string& url, const std::string& username,
                                     const std::string& credential, const Origin& origin) {
  auto& servers = config_.ice_servers;
  auto lists_url = [&](const IceServerConfig& s) {
    return std::find(s.urls.begin(), s.urls.end(), url) != s.urls.end();
  };
  auto it = std::find_if(servers.begin(), servers.end(), lists_url);
  if (it == servers.end()) {
    servers.push_back(IceServerConfig{{url}, username, credential});
  } else {
    it->username = username;
    it->credential = credential;
  }
  origins_["ice_servers"] = origin;
}

Origin ConfigBuilder::origin_of(std::string_view key) const {
  auto it = origins_.find(key);
  return it == origins_.end() ? Origin{"default", std::nullopt} : it->second;
}

}  // namespace rrtc::app
