// Loads the SDP fixtures under tests/data/sdp (see tests/data/sdp/capture/README.md).
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "sdp/model.hpp"
#include "sdp/parser.hpp"

namespace rrtc::sdp::test {

inline std::string load_fixture(const std::string& name) {
  std::ifstream in(std::string(RRTC_TEST_DATA_DIR) + "/sdp/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing fixture " << name;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline SessionDescription parse_fixture(const std::string& name) {
  auto parsed = parse(load_fixture(name));
  EXPECT_TRUE(parsed.has_value()) << name << ": "
                                  << (parsed.has_value() ? "" : parsed.error().message());
  return parsed.has_value() ? std::move(*parsed) : SessionDescription{};
}

inline const char* const kAllFixtures[] = {
    "chromium_offer.sdp",
    "chromium_offer_av.sdp",
    "chromium_answer.sdp",
    "chromium_offer_simulcast.sdp",
    "aiortc_offer.sdp",
    "firefox_offer.sdp",
    "safari_offer.sdp",
    "chromium_offer_simulcast_hml.sdp",
    "firefox_offer_simulcast.sdp",
    "firefox_offer_simulcast_hml.sdp",
    "chromium_offer_sim_legacy.sdp",
};

}  // namespace rrtc::sdp::test
