#include "room/received_window.hpp"

#include <gtest/gtest.h>

namespace rrtc::room {
namespace {

TEST(ReceivedWindow, EachNumberIsNewOnce) {
  ReceivedWindow window;
  EXPECT_TRUE(window.first_arrival(100));
  EXPECT_FALSE(window.first_arrival(100));
  EXPECT_TRUE(window.first_arrival(101));
  EXPECT_FALSE(window.first_arrival(100));
  EXPECT_FALSE(window.first_arrival(101));
}

TEST(ReceivedWindow, AGapIsNewWhenItArrivesLateAndThenSeen) {
  ReceivedWindow window;
  EXPECT_TRUE(window.first_arrival(10));
  EXPECT_TRUE(window.first_arrival(14));  // 11..13 missing
  EXPECT_TRUE(window.first_arrival(12));  // a repair or reordering
  EXPECT_FALSE(window.first_arrival(12));
  EXPECT_TRUE(window.first_arrival(11));
  EXPECT_TRUE(window.first_arrival(13));
  EXPECT_FALSE(window.first_arrival(13));
}

TEST(ReceivedWindow, ANumberFromTheSlotsLastLapIsNotTakenForThisOne) {
  ReceivedWindow window;
  const std::int64_t lap = ReceivedWindow::kWindow;
  EXPECT_TRUE(window.first_arrival(5));
  EXPECT_TRUE(window.first_arrival(6));
  // 5 + lap shares 5's bit: the slide clears 7 .. 5 + lap - 1, and sets 5 + lap.
  EXPECT_TRUE(window.first_arrival(5 + lap));
  EXPECT_FALSE(window.first_arrival(5 + lap));
  // 6 + lap was never received, although 6's bit was set a lap ago.
  EXPECT_TRUE(window.first_arrival(6 + lap));
  // Missing numbers inside the window are still new.
  EXPECT_TRUE(window.first_arrival(lap));
  EXPECT_FALSE(window.first_arrival(lap));
}

// A sender that restarted its numbering backwards with the same SSRC is not dropped until it
// catches up: what is older than the window passes, every time.
TEST(ReceivedWindow, OlderThanTheWindowIsNotJudged) {
  ReceivedWindow window;
  const std::int64_t lap = ReceivedWindow::kWindow;
  EXPECT_TRUE(window.first_arrival(3 * lap));
  EXPECT_TRUE(window.first_arrival(2 * lap));  // a lap behind
  EXPECT_TRUE(window.first_arrival(2 * lap));
  EXPECT_TRUE(window.first_arrival(2 * lap + 1));   // just inside: missing, so new once
  EXPECT_FALSE(window.first_arrival(2 * lap + 1));
  EXPECT_FALSE(window.first_arrival(3 * lap));
}

TEST(ReceivedWindow, NumbersBeforeTheFirstAreTrackedToo) {
  ReceivedWindow window;
  EXPECT_TRUE(window.first_arrival(2));
  EXPECT_TRUE(window.first_arrival(-3));  // reordered before the first the unwrapper saw
  EXPECT_FALSE(window.first_arrival(-3));
  EXPECT_TRUE(window.first_arrival(-1));
}

TEST(ReceivedWindow, AJumpPastTheWholeWindowForgetsIt) {
  ReceivedWindow window;
  const std::int64_t lap = ReceivedWindow::kWindow;
  for (std::int64_t s = 0; s < 10; ++s) EXPECT_TRUE(window.first_arrival(s));
  EXPECT_TRUE(window.first_arrival(10 * lap + 3));
  // Nothing of the new window was received: 10 * lap + 2 shares 2's bit.
  EXPECT_TRUE(window.first_arrival(10 * lap + 2));
  EXPECT_FALSE(window.first_arrival(10 * lap + 3));
}

}  // namespace
}  // namespace rrtc::room
