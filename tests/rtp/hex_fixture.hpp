// Loads annotated hex fixtures from tests/data: whitespace-separated hex byte pairs; '#'
// starts a comment running to the end of the line. Shared by the rtp and rtcp tests.
#pragma once

#include <cctype>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace rrtc::test {

inline std::vector<std::uint8_t> parse_hex(const std::string& text) {
  std::vector<std::uint8_t> bytes;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    line = line.substr(0, line.find('#'));
    std::string digits;
    for (const char c : line) {
      if (std::isxdigit(static_cast<unsigned char>(c))) {
        digits += c;
      } else if (!std::isspace(static_cast<unsigned char>(c))) {
        throw std::runtime_error("bad character in hex fixture: " + line);
      }
    }
    if (digits.size() % 2 != 0) throw std::runtime_error("odd hex digit count: " + line);
    for (std::size_t i = 0; i < digits.size(); i += 2) {
      bytes.push_back(static_cast<std::uint8_t>(std::stoul(digits.substr(i, 2), nullptr, 16)));
    }
  }
  return bytes;
}

// path relative to tests/data, e.g. "rtp/opus_audio_level.hex".
inline std::vector<std::uint8_t> load_hex_fixture(const std::string& path) {
  std::ifstream in(std::string(RRTC_TEST_DATA_DIR) + "/" + path);
  if (!in) throw std::runtime_error("cannot open fixture " + path);
  std::stringstream text;
  text << in.rdbuf();
  return parse_hex(text.str());
}

}  // namespace rrtc::test
