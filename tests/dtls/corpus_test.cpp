// Replays the committed fuzz corpus (fuzz/corpus/dtls_input) through the fuzz harness: every
// seed is a real ClientHello recorded from a handshake, so a fresh passive endpoint must answer it.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "../../fuzz/dtls/input_harness.hpp"

namespace rrtc::dtls {
namespace {

std::vector<std::uint8_t> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(DtlsCorpus, EverySeedIsAnsweredWithoutCrashing) {
  const std::filesystem::path corpus =
      std::filesystem::path(RRTC_SOURCE_DIR) / "fuzz/corpus/dtls_input";
  const auto server = Certificate::generate();
  const auto client = Certificate::generate();
  std::size_t seeds = 0;
  for (const auto& entry : std::filesystem::directory_iterator(corpus)) {
    const auto bytes = read_file(entry.path());
    const auto result = fuzz::feed_passive_endpoint(bytes, server, client->fingerprint());
    ++seeds;
    EXPECT_GE(result.datagrams_in, 1u) << entry.path();
    EXPECT_GE(result.datagrams_out, 1u) << entry.path() << ": a ClientHello seed got no answer";
    EXPECT_EQ(result.state, EndpointState::Closed) << entry.path();
  }
  EXPECT_GE(seeds, 3u);
}

}  // namespace
}  // namespace rrtc::dtls
