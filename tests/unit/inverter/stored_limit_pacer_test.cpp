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

TEST(StoredLimitPacer, SaysWhatItHoldsBelowTheEnvelope) {
  Paced p;
  p.feed(3000);
  EXPECT_FALSE(p.pacer.held_below()) << "holding what the envelope says";
  p.feed(4000);
  ASSERT_TRUE(p.pacer.held_below());
  EXPECT_EQ(p.pacer.held_below()->first, 3000);
  EXPECT_EQ(p.pacer.held_below()->second, 4000);
  p.pacer.reset();
  EXPECT_FALSE(p.pacer.held_below());
}

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

// Red team 36a F1: a discharge envelope wandering around 100 W on a 100 W grid (0, 100, 0,
// ...) wrote 2720 about 19 times a minute, every 0 being "a block that ended".
TEST(StoredLimitPacer, AnEnvelopeWanderingAroundZeroReopensOncePerInterval) {
  Paced p;
  p.feed(100);
  for (int i = 0; i < 600; ++i) p.feed(i % 3 == 0 ? 0 : 100);  // ten minutes
  // The first value, then at most a reopen and a tightening in each of the 11 minutes begun.
  EXPECT_LE(p.changes, 1 + 2 * 11) << "before: a reopen and a tightening every 3 s";
  EXPECT_EQ(p.held, 0);  // it kept dipping: held at the lowest
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

namespace bessd::inverter {
namespace {

using namespace std::chrono_literals;

TEST(StoredLimitPacerDue, SaysWhenAHeldLimitMayBeLoosened) {
  StoredLimitPacer pacer{60s};
  const TimePoint t0 = TimePoint{} + 1000s;
  EXPECT_FALSE(pacer.loosen_due());
  pacer.next(3000, t0);
  EXPECT_FALSE(pacer.loosen_due()) << "at the envelope: nothing waits";
  pacer.next(4000, t0 + 5s);
  ASSERT_TRUE(pacer.loosen_due());
  EXPECT_EQ(*pacer.loosen_due(), t0 + 65s);
  EXPECT_EQ(pacer.next(4000, t0 + 65s), 4000);
  EXPECT_FALSE(pacer.loosen_due());
}

TEST(StoredLimitPacerDue, AResetWritesTheNextValueAsItIs) {
  StoredLimitPacer pacer{60s};
  const TimePoint t0 = TimePoint{} + 1000s;
  pacer.next(9, t0);
  EXPECT_EQ(pacer.next(50, t0 + 1s), 9);
  pacer.reset();
  EXPECT_FALSE(pacer.loosen_due());
  EXPECT_EQ(pacer.next(50, t0 + 2s), 50);
}

}  // namespace
}  // namespace bessd::inverter
