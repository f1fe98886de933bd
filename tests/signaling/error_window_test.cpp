// Unit: max_protocol_errors within protocol_error_window, on exact times.
#include "signaling/error_window.hpp"

#include <gtest/gtest.h>

namespace rrtc::signaling {
namespace {

using namespace std::chrono_literals;

TEST(ErrorWindowTest, TheErrorPastTheLimitWithinTheWindowCloses) {
  ErrorWindow window(3, 60s);
  ErrorWindow::Clock::time_point t0{};
  EXPECT_FALSE(window.add(t0));
  EXPECT_FALSE(window.add(t0 + 1s));
  EXPECT_FALSE(window.add(t0 + 2s));  // three: still allowed
  EXPECT_TRUE(window.add(t0 + 3s));   // the fourth within 60 s
}

TEST(ErrorWindowTest, ErrorsAWindowOldAreForgotten) {
  ErrorWindow window(1, 1s);
  ErrorWindow::Clock::time_point t0{};
  EXPECT_FALSE(window.add(t0));
  EXPECT_FALSE(window.add(t0 + 1s));  // the first is exactly a window old: gone
  EXPECT_TRUE(window.add(t0 + 1999ms));
  EXPECT_FALSE(window.add(t0 + 5s));
}

TEST(ErrorWindowTest, AnEndlessStreamOfErrorsStaysBounded) {
  ErrorWindow window(10, 3600s);
  ErrorWindow::Clock::time_point t0{};
  int over = 0;
  for (int i = 0; i < 100000; ++i) over += window.add(t0 + std::chrono::milliseconds(i)) ? 1 : 0;
  EXPECT_EQ(over, 100000 - 10);  // every error after the tenth is over the limit
}

}  // namespace
}  // namespace rrtc::signaling
