// The room the discharge limit keeps for a DC load (docs/protection.md "DC loads"): the largest
// load measured within the last 30 minutes, sliding.
#include <gtest/gtest.h>

#include <bessd/control/load_room.hpp>

namespace bessd::control {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

const TimePoint kStart = TimePoint{} + seconds{1000};

TEST(LoadRoom, AFridgeKeepsItsRoomBetweenItsStarts) {
  LoadRoom room(50.0);
  TimePoint t = kStart;
  for (int cycle = 0; cycle < 6; ++cycle) {  // 5 minutes on, 15 off, for two hours
    for (int s = 0; s < 300; s += 10) room.record(1500.0, t += seconds{10});
    for (int s = 0; s < 900; s += 10) {
      room.record(0.0, t += seconds{10});
      EXPECT_DOUBLE_EQ(room.room_w(t), 1500.0);
    }
  }
}

// Red team 26h N5: after the hold the room is the largest load drawn since, not the one drawing
// at that moment.
TEST(LoadRoom, AfterTheHoldTheRoomIsTheLargestLoadDrawnSince) {
  LoadRoom room(50.0);
  room.record(2500.0, kStart);  // a one-off load
  room.record(1200.0, kStart + minutes{10});
  room.record(600.0, kStart + minutes{20});
  room.record(0.0, kStart + minutes{25});
  EXPECT_DOUBLE_EQ(room.room_w(kStart + minutes{29}), 2500.0);
  EXPECT_EQ(room.lowers_at(kStart + minutes{29}), kStart + minutes{30});
  EXPECT_DOUBLE_EQ(room.room_w(kStart + minutes{31}), 1200.0);
  EXPECT_EQ(room.lowers_at(kStart + minutes{31}), kStart + minutes{40});
  EXPECT_DOUBLE_EQ(room.room_w(kStart + minutes{45}), 600.0);
  EXPECT_DOUBLE_EQ(room.room_w(kStart + minutes{51}), 0.0);
  EXPECT_FALSE(room.lowers_at(kStart + minutes{51}));
}

TEST(LoadRoom, ALoadDrawnAgainRestartsItsHold) {
  LoadRoom room(50.0);
  room.record(1500.0, kStart);
  room.record(1480.0, kStart + minutes{20});  // the same load, within the resolution
  EXPECT_DOUBLE_EQ(room.room_w(kStart + minutes{45}), 1500.0);
  EXPECT_EQ(room.lowers_at(kStart + minutes{45}), kStart + minutes{50});
  room.clear();
  EXPECT_DOUBLE_EQ(room.room_w(kStart + minutes{45}), 0.0);
}

}  // namespace
}  // namespace bessd::control
