// bytes -> client message. Never crashes; whatever parses serializes and re-parses to the same
// value, and every rejection carries an error code and message.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "signaling/messages.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = rrtc::signaling::parse_client_message(text);
  if (!parsed.message) {
    if (parsed.error.code != rrtc::signaling::ErrorCode::bad_request ||
        parsed.error.message.empty()) {
      std::abort();
    }
    return 0;
  }
  std::string json = rrtc::signaling::to_json(*parsed.message);
  auto again = rrtc::signaling::parse_client_message(json);
  if (!again.message || !(*again.message == *parsed.message)) std::abort();
  if (rrtc::signaling::to_json(*again.message) != json) std::abort();
  return 0;
}
