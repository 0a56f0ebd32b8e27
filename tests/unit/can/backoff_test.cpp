#include <bessd/can/backoff.hpp>

#include <gtest/gtest.h>

namespace bessd::can {
namespace {

using std::chrono::milliseconds;

TEST(Backoff, DoublesUpToMaxAndResets) {
  Backoff b(milliseconds{100}, milliseconds{500});
  EXPECT_EQ(b.next(), milliseconds{100});
  EXPECT_EQ(b.next(), milliseconds{200});
  EXPECT_EQ(b.next(), milliseconds{400});
  EXPECT_EQ(b.next(), milliseconds{500});
  EXPECT_EQ(b.next(), milliseconds{500});
  b.reset();
  EXPECT_EQ(b.next(), milliseconds{100});
}

TEST(Backoff, MaxBelowMinIsRaisedToMin) {
  Backoff b(milliseconds{100}, milliseconds{10});
  EXPECT_EQ(b.next(), milliseconds{100});
  EXPECT_EQ(b.next(), milliseconds{100});
}

}  // namespace
}  // namespace bessd::can
