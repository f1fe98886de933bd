// The sctp_input fuzz seeds: regenerated from live sessions (and written to the corpus when
// RRTC_SCTP_WRITE_SEEDS=1), and the committed corpus replayed through the fuzz harness.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "../../fuzz/sctp/seeds.hpp"

namespace rrtc::sctp {
namespace {

std::filesystem::path corpus_dir() {
  return std::filesystem::path(RRTC_SOURCE_DIR) / "fuzz/corpus/sctp_input";
}

std::vector<std::uint8_t> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// What each named seed must make the server do.
void expect_effect(const std::string& name, const fuzz::FeedResult& result) {
  if (name == "open_text_binary_close") {
    EXPECT_EQ(result.channels_opened, 1u) << name;
    EXPECT_EQ(result.messages, 3u) << name;
  } else if (name == "unordered_partial_reliable") {
    EXPECT_EQ(result.channels_opened, 2u) << name;
    EXPECT_EQ(result.messages, 8u) << name;
  } else if (name == "fragmented_message") {
    EXPECT_EQ(result.channels_opened, 1u) << name;
    EXPECT_EQ(result.messages, 1u) << name;
  } else if (name == "lone_init") {
    EXPECT_GE(result.packets_out, 1u) << name << ": no INIT-ACK";
  }
  EXPECT_NE(result.state, AssociationState::Failed) << name;
}

TEST(SctpCorpus, FreshSeedsReplayIntoANewAssociation) {
  const bool write = std::getenv("RRTC_SCTP_WRITE_SEEDS") != nullptr;
  for (const fuzz::Seed& seed : fuzz::make_seeds()) {
    // The recorded session used other tags and TSNs: kPatch must make it land anyway.
    expect_effect(seed.name, fuzz::feed_server(seed.bytes));
    if (write) {
      std::ofstream out(corpus_dir() / seed.name, std::ios::binary);
      out.write(reinterpret_cast<const char*>(seed.bytes.data()),
                static_cast<std::streamsize>(seed.bytes.size()));
    }
  }
}

TEST(SctpCorpus, CommittedSeedsReplayWithoutCrashing) {
  std::size_t seeds = 0;
  for (const auto& entry : std::filesystem::directory_iterator(corpus_dir())) {
    const auto result = fuzz::feed_server(read_file(entry.path()));
    expect_effect(entry.path().filename().string(), result);
    ++seeds;
  }
  EXPECT_GE(seeds, 4u);
}

}  // namespace
}  // namespace rrtc::sctp
