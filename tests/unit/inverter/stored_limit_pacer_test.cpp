// Stored (flash) limits: tightened at once, never above the envelope, loosened only after the
// envelope has stayed looser for the interval; an envelope that keeps dipping costs no writes.

#include <bessd/inverter/planning/stored_limit_pacer.hpp>

#include <gtest/gtest.h>

namespace bessd::inverter {
namespace {

using namespace std::chrono_literals;

struct Paced {
  StoredLimitPacer pacer{60s};
  TimePoint now = TimePoint{} + 1000s;
  double held{-1.0};
  int changes{0};  // what the device would see written
  double feed(double wanted, Duration dt = 1s) {
    now += dt;
    const double v = pacer.next(wanted, now);
    EXPECT_LE(v, wanted) << "the device is never freer than the envelope";
    if (v != held) ++changes;
    held = v;
    return v;
  }
};

TEST(StoredLimitPacer, TightensAtOnce) {
  Paced p;
  EXPECT_EQ(p.feed(5000), 5000);
  EXPECT_EQ(p.feed(3000), 3000);
  EXPECT_EQ(p.feed(2900), 2900);
}

TEST(StoredLimitPacer, LoosensOnlyAfterTheEnvelopeStayedLooserForTheInterval) {
  Paced p;
  p.feed(3000);
  for (int i = 0; i < 60; ++i) EXPECT_EQ(p.feed(4000 + i), 3000) << i;
  EXPECT_EQ(p.feed(4100), 4000);  // the lowest value seen meanwhile, never the latest
  EXPECT_EQ(p.changes, 2);
}

TEST(StoredLimitPacer, AnEnvelopeThatKeepsDippingCostsNoWrites) {
  Paced p;
  p.feed(2500);
  for (int i = 0; i < 3600; ++i) p.feed(i % 7 == 0 ? 2500 : 3000);  // an hour of a busy house
  EXPECT_EQ(p.changes, 1);
  EXPECT_EQ(p.held, 2500);
}

TEST(StoredLimitPacer, ABlockThatEndsReopensAtOnce) {
  Paced p;
  p.feed(3000);
  EXPECT_EQ(p.feed(0), 0);
  EXPECT_EQ(p.feed(3000), 3000);
}

TEST(StoredLimitPacer, ASlowTaperWritesOncePerStepDown) {
  Paced p;
  int steps = 0;
  for (double a = 100; a >= 0; a -= 1, ++steps) p.feed(a, 30s);  // CV taper, whole amperes
  EXPECT_EQ(p.changes, steps);
  EXPECT_EQ(p.held, 0);
}

}  // namespace
}  // namespace bessd::inverter
