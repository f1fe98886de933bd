#include "app/config_file.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <boost/json/stream_parser.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

namespace rrtc::app {
namespace {

struct FileMember;

// Both formats are first turned into this small tree, so one walker applies either.
struct FileNode {
  enum class Kind { kInteger, kString, kArray, kTable, kOther };
  Kind kind = Kind::kOther;
  std::int64_t integer = 0;
  bool out_of_range = false;  // a JSON integer beyond int64
  std::string text;  // kString: the value; kOther: the type ("a boolean"); out_of_range: digits
  std::vector<FileNode> items;
  std::vector<FileMember> members;  // in document order for JSON, sorted for TOML
  std::optional<std::size_t> line;
};

struct FileMember {
  std::string name;
  FileNode value;
};

std::string type_name(const FileNode& node) {
  switch (node.kind) {
    case FileNode::Kind::kInteger:
      return "an integer";
    case FileNode::Kind::kString:
      return "a string";
    case FileNode::Kind::kArray:
      return "an array";
    case FileNode::Kind::kTable:
      return "a table";
    case FileNode::Kind::kOther:
      return node.text;
  }
  return "a value";
}

FileNode from_toml(const toml::node& node) {
  FileNode out;
  if (node.source().begin.line != 0) {
    out.line = node.source().begin.line;
  }
  if (const auto* table = node.as_table()) {
    out.kind = FileNode::Kind::kTable;
    for (const auto& [key, value] : *table) {
      out.members.push_back(FileMember{std::string(key.str()), from_toml(value)});
    }
  } else if (const auto* array = node.as_array()) {
    out.kind = FileNode::Kind::kArray;
    for (const auto& item : *array) {
      out.items.push_back(from_toml(item));
    }
  } else if (const auto* text = node.as_string()) {
    out.kind = FileNode::Kind::kString;
    out.text = text->get();
  } else if (const auto* integer = node.as_integer()) {
    out.kind = FileNode::Kind::kInteger;
    out.integer = integer->get();
  } else if (node.is_floating_point()) {
    out.text = "a floating-point number";
  } else if (node.is_boolean()) {
    out.text = "a boolean";
  } else {
    out.text = "a date or time";
  }
  return out;
}

FileNode from_json(const boost::json::value& value) {
  FileNode out;
  switch (value.kind()) {
    case boost::json::kind::object:
      out.kind = FileNode::Kind::kTable;
      for (const auto& member : value.get_object()) {
        out.members.push_back(FileMember{std::string(member.key()), from_json(member.value())});
      }
      break;
    case boost::json::kind::array:
      out.kind = FileNode::Kind::kArray;
      for (const auto& item : value.get_array()) {
        out.items.push_back(from_json(item));
      }
      break;
    case boost::json::kind::string:
      out.kind = FileNode::Kind::kString;
      out.text = std::string(value.get_string());
      break;
    case boost::json::kind::int64:
      out.kind = FileNode::Kind::kInteger;
      out.integer = value.get_int64();
      break;
    case boost::json::kind::uint64:
      out.kind = FileNode::Kind::kInteger;
      out.integer = std::numeric_limits<std::int64_t>::max();
      out.out_of_range = true;
      out.text = std::to_string(value.get_uint64());
      break;
    case boost::json::kind::double_:
      out.text = "a number with a fraction";
      break;
    case boost::json::kind::bool_:
      out.text = "a boolean";
      break;
    case boost::json::kind::null:
      out.text = "null";
      break;
  }
  return out;
}

FileNode parse_toml(std::string_view text, const std::string& source) {
  try {
    toml::table table = toml::parse(text, source);
    FileNode root = from_toml(table);
    root.line.reset();
    return root;
  } catch (const toml::parse_error& error) {
    Origin origin{source, std::nullopt};
    if (error.source().begin.line != 0) {
      origin.line = error.source().begin.line;
    }
    ConfigBuilder::fail(std::move(origin), "", "invalid TOML: " + std::string(error.description()));
  }
}

FileNode parse_json(std::string_view text, const std::string& source) {
  boost::json::stream_parser parser;
  boost::system::error_code ec;
  std::size_t consumed = parser.write(text.data(), text.size(), ec);
  if (!ec) {
    parser.finish(ec);
  }
  if (ec) {
    consumed = std::min(consumed, text.size());
    auto line = 1 + static_cast<std::size_t>(std::count(
                        text.begin(), text.begin() + static_cast<std::ptrdiff_t>(consumed), '\n'));
    ConfigBuilder::fail(Origin{source, line}, "", "invalid JSON: " + ec.message());
  }
  boost::json::value value = parser.release();
  if (!value.is_object()) {
    ConfigBuilder::fail(Origin{source, std::nullopt}, "",
                        "expected a JSON object at the top level");
  }
  return from_json(value);
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) {
    row[j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

void warn_unknown(ConfigBuilder& builder, const Origin& origin, const std::string& key) {
  constexpr std::size_t kMaxTypo = 2;
  std::string message = "unknown key, ignored";
  std::string_view best;
  std::size_t best_distance = kMaxTypo + 1;
  if (key.size() < 64) {
    for (const auto& spec : config_keys()) {
      std::size_t distance = edit_distance(key, spec.name);
      if (distance < best_distance) {
        best = spec.name;
        best_distance = distance;
      }
    }
  }
  if (!best.empty()) {
    message += " (did you mean \"" + std::string(best) + "\"?)";
  }
  builder.warn(origin, key, std::move(message));
}

void apply_value(const KeySpec& key, const FileNode& node, const Origin& origin,
                 ConfigBuilder& builder) {
  switch (node.kind) {
    case FileNode::Kind::kInteger:
      // Beyond int64 is beyond every range; a string key still reports its type first.
      if (node.out_of_range && key.type == KeyType::kInteger) {
        ConfigBuilder::fail(origin, std::string(key.name),
                            "expected an integer from " + std::to_string(key.min) + " to " +
                                std::to_string(key.max) + ", got " + node.text);
      }
      builder.set_integer(key, node.integer, origin);
      return;
    case FileNode::Kind::kString:
      builder.set_string(key, node.text, origin);
      return;
    case FileNode::Kind::kArray: {
      std::vector<std::string> items;
      for (const auto& item : node.items) {
        if (item.kind != FileNode::Kind::kString || key.type != KeyType::kStringList) {
          break;
        }
        items.push_back(item.text);
      }
      if (key.type == KeyType::kStringList && items.size() != node.items.size()) {
        ConfigBuilder::fail(origin, std::string(key.name),
                            "expected an array of strings, got an array holding " +
                                type_name(node.items[items.size()]));
      }
      builder.set_list(key, std::move(items), origin);
      return;
    }
    case FileNode::Kind::kTable:
    case FileNode::Kind::kOther:
      break;
  }
  std::string expected =
      key.type == KeyType::kInteger
          ? "an integer from " + std::to_string(key.min) + " to " + std::to_string(key.max)
      : key.type == KeyType::kStringList ? "an array of strings"
                                         : "a string";
  ConfigBuilder::fail(origin, std::string(key.name),
                      "expected " + expected + ", got " + type_name(node));
}

Origin origin_of(const std::string& source, const FileNode& node) {
  return Origin{source, node.line};
}

void apply_turn(const FileNode& node, const std::string& source, ConfigBuilder& builder) {
  if (node.kind != FileNode::Kind::kTable) {
    ConfigBuilder::fail(
        origin_of(source, node), "turn",
        "expected a table with url, username and credential, got " + type_name(node));
  }
  for (const auto& [name, value] : node.members) {
    std::string full = "turn." + name;
    if (const KeySpec* key = find_key(full)) {
      apply_value(*key, value, origin_of(source, value), builder);
    } else {
      builder.warn(origin_of(source, value), full, "unknown key, ignored");
    }
  }
}

std::string entry_string(const FileNode& value, const Origin& origin, const std::string& key) {
  if (value.kind != FileNode::Kind::kString) {
    ConfigBuilder::fail(origin, key, "expected a string, got " + type_name(value));
  }
  return value.text;
}

IceServerConfig ice_server_from(const FileNode& node, const std::string& source,
                                const std::string& prefix, ConfigBuilder& builder) {
  Origin origin = origin_of(source, node);
  if (node.kind != FileNode::Kind::kTable) {
    ConfigBuilder::fail(
        origin, prefix,
        "expected a table with urls, username and credential, got " + type_name(node));
  }
  IceServerConfig server;
  for (const auto& [name, value] : node.members) {
    Origin at = value.line ? origin_of(source, value) : origin;
    std::string key = prefix + "." + name;
    if (name == "urls" && value.kind == FileNode::Kind::kArray) {
      for (const auto& url : value.items) {
        server.urls.push_back(entry_string(url, at, key));
      }
    } else if (name == "urls") {
      server.urls.push_back(entry_string(value, at, key));
    } else if (name == "username") {
      server.username = entry_string(value, at, key);
    } else if (name == "credential") {
      server.credential = entry_string(value, at, key);
    } else {
      builder.warn(at, key, "unknown key, ignored");
    }
  }
  if (server.urls.empty()) {
    ConfigBuilder::fail(origin, prefix + ".urls",
                        "expected at least one stun:, stuns:, turn: or turns: URL");
  }
  for (const auto& url : server.urls) {
    if (auto problem = check_ice_url(url)) {
      ConfigBuilder::fail(origin, prefix + ".urls", *problem);
    }
    // A turn: URL's username and credential: config_validate.cpp (they may come from turn_secret).
  }
  return server;
}

void apply_ice_servers(const FileNode& node, const std::string& source, ConfigBuilder& builder) {
  if (node.kind != FileNode::Kind::kArray) {
    ConfigBuilder::fail(
        origin_of(source, node), "ice_servers",
        "expected an array of tables with urls, username and credential, got " + type_name(node));
  }
  std::vector<IceServerConfig> servers;
  for (std::size_t i = 0; i < node.items.size(); ++i) {
    std::string prefix = "ice_servers[" + std::to_string(i) + "]";
    servers.push_back(ice_server_from(node.items[i], source, prefix, builder));
  }
  builder.set_ice_servers(std::move(servers), origin_of(source, node));
}

}  // namespace

void apply_config_text(std::string_view text, FileFormat format, const std::string& source,
                       ConfigBuilder& builder) {
  FileNode root = format == FileFormat::kToml ? parse_toml(text, source) : parse_json(text, source);
  for (const auto& [name, value] : root.members) {
    if (name == "ice_servers") {
      apply_ice_servers(value, source, builder);
    } else if (name == "turn") {
      apply_turn(value, source, builder);
    } else if (const KeySpec* key = find_key(name); key && name.find('.') == std::string::npos) {
      apply_value(*key, value, origin_of(source, value), builder);
    } else {
      warn_unknown(builder, origin_of(source, value), name);
    }
  }
}

void apply_config_file(const std::string& path, const std::filesystem::path& working_dir,
                       ConfigBuilder& builder) {
  std::filesystem::path full = working_dir / path;  // an absolute `path` replaces working_dir
  std::string extension = full.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (extension != ".toml" && extension != ".json") {
    ConfigBuilder::fail(Origin{path, std::nullopt}, "", "expected a .toml or .json file");
  }
  std::ifstream in(full, std::ios::binary);
  std::error_code ec;
  int error = !in ? errno : std::filesystem::is_directory(full, ec) ? EISDIR : 0;
  if (error != 0) {
    ConfigBuilder::fail(Origin{path, std::nullopt}, "",
                        std::string("cannot read the file: ") + std::strerror(error));
  }
  std::string text;
  text.resize(kMaxConfigFileBytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxConfigFileBytes) {
    ConfigBuilder::fail(Origin{path, std::nullopt}, "", "file larger than 1 MiB");
  }
  apply_config_text(text, extension == ".toml" ? FileFormat::kToml : FileFormat::kJson, path,
                    builder);
}

}  // namespace rrtc::app
