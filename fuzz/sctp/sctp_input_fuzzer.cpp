// libFuzzer target: arbitrary bytes as SCTP packets (and DCEP messages) into a DTLS-server-side
// Association, optionally after a real handshake with patched tags, TSNs and checksums (see
// input_harness.hpp). Must neither crash nor leak.

#include <cstddef>
#include <cstdint>

#include "input_harness.hpp"

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  rrtc::sctp::fuzz::feed_server({data, size});
  return 0;
}
