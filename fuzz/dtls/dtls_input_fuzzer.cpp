// libFuzzer target: arbitrary datagrams into a passive DTLS endpoint must neither crash nor leak.

#include <cstddef>
#include <cstdint>

#include "input_harness.hpp"

namespace {

struct Identities {
  std::shared_ptr<const rrtc::dtls::Certificate> server = rrtc::dtls::Certificate::generate();
  rrtc::dtls::Fingerprint client = rrtc::dtls::Certificate::generate()->fingerprint();
};

}  // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Identities identities;
  rrtc::dtls::fuzz::feed_passive_endpoint({data, size}, identities.server, identities.client);
  return 0;
}
