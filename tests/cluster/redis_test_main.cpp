// main() of the tests that need a real redis-server: exit 77 (CTest SKIP_RETURN_CODE) when it is
// not installed, so the suite stays green on a machine without it (scripts/install-deps.sh
// --test installs it).
#include <gtest/gtest.h>

#include <cstdio>

#include "redis_server.hpp"

int main(int argc, char** argv) {
  if (rrtc::cluster::test::redis_server_binary().empty()) {
    std::puts("SKIPPED: redis-server is not installed (scripts/install-deps.sh --test)");
    return 77;
  }
  signal(SIGPIPE, SIG_IGN);
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
