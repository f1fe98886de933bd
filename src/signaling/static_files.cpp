#include "signaling/static_files.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <system_error>

namespace rrtc::signaling {

namespace {

constexpr std::size_t kMaxFileBytes = 16 * 1024 * 1024;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::string_view content_type_for(std::string_view path) {
  struct Entry {
    std::string_view extension;
    std::string_view type;
  };
  static constexpr Entry kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},
      {".webmanifest", "application/manifest+json"},
      {".wasm", "application/wasm"},
  };
  for (const auto& e : kTypes) {
    if (ends_with(path, e.extension)) return e.type;
  }
  return "application/octet-stream";
}

std::optional<std::string> relative_web_path(std::string_view target) {
  target = target.substr(0, target.find_first_of("?#"));
  if (target.empty() || target.front() != '/') return std::nullopt;
  std::string decoded;
  for (std::size_t i = 0; i < target.size(); ++i) {
    if (target[i] == '%') {
      if (i + 2 >= target.size()) return std::nullopt;
      int hi = hex_value(target[i + 1]);
      int lo = hex_value(target[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      decoded += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      decoded += target[i];
    }
  }
  if (decoded == "/") return std::string("index.html");
  std::string_view rest = std::string_view(decoded).substr(1);
  // Every segment must be a plain, visible name: this refuses "..", "." and dot files alike.
  for (std::size_t start = 0; start <= rest.size();) {
    std::size_t end = rest.find('/', start);
    if (end == std::string_view::npos) end = rest.size();
    std::string_view segment = rest.substr(start, end - start);
    if (segment.empty() || segment.front() == '.') return std::nullopt;
    for (char c : segment) {
      if (c == '\\' || c == '\0' || static_cast<unsigned char>(c) < 0x20) return std::nullopt;
    }
    start = end + 1;
  }
  return std::string(rest);
}

std::optional<StaticFile> StaticFiles::find(std::string_view target) const {
  auto relative = relative_web_path(target);
  if (!relative) return std::nullopt;
  if (web_root_.empty()) {
    for (const auto& file : embedded_web_files()) {
      if (file.path == *relative)
        return StaticFile{std::string(file.bytes), content_type_for(file.path)};
    }
    return std::nullopt;
  }
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path root = fs::weakly_canonical(fs::path(web_root_), ec);
  if (ec) return std::nullopt;
  fs::path full = fs::weakly_canonical(root / *relative, ec);
  if (ec) return std::nullopt;
  // A symlink inside the root could still point outside it: compare the resolved paths.
  auto [root_end, unused] = std::mismatch(root.begin(), root.end(), full.begin(), full.end());
  (void)unused;
  if (root_end != root.end()) return std::nullopt;
  if (!fs::is_regular_file(full, ec) || fs::file_size(full, ec) > kMaxFileBytes || ec) {
    return std::nullopt;
  }
  std::ifstream in(full, std::ios::binary);
  if (!in) return std::nullopt;
  std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return StaticFile{std::move(body), content_type_for(*relative)};
}

}  // namespace rrtc::signaling
