// rrtc-abuse-client: the hostile client of tests/abuse. Joins the real rrtc at --url with a calm
// publisher/subscriber pair and runs one scenario of issue 15's checklist against it, talking to
// the runner (abuse_test.py) over stdout/stdin (see rig.hpp).
//
//   rrtc-abuse-client --url ws://127.0.0.1:PORT/ws --scenario i2|d2|r14|r5-rate|r5-nack|c1
//
// "warmup" only connects the calm pair and leaves (the runner's baseline comes after it).

#include <cstring>
#include <iostream>
#include <map>
#include <string>

#include "rig.hpp"

int main(int argc, char** argv) {
  std::string url;
  std::string scenario;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--url") == 0) url = argv[i + 1];
    if (std::strcmp(argv[i], "--scenario") == 0) scenario = argv[i + 1];
  }
  const std::map<std::string, int (*)(rrtc::abuse::Rig&)> scenarios = {
      {"warmup", rrtc::abuse::scenario_warmup},
      {"i2", rrtc::abuse::scenario_i2},           {"d2", rrtc::abuse::scenario_d2},
      {"r14", rrtc::abuse::scenario_r14},         {"r5-rate", rrtc::abuse::scenario_r5_rate},
      {"r5-nack", rrtc::abuse::scenario_r5_nack}, {"c1", rrtc::abuse::scenario_c1}};
  const auto parsed = rrtc::loadgen::parse_ws_url(url);
  const auto it = scenarios.find(scenario);
  if (!parsed || it == scenarios.end()) {
    std::cerr << "usage: rrtc-abuse-client --url ws://HOST:PORT/ws --scenario "
                 "i2|d2|r14|r5-rate|r5-nack|c1\n";
    return 2;
  }
  rrtc::abuse::Rig rig(*parsed);
  return it->second(rig);
}
