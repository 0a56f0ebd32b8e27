// Red team 26p N1: at its reserve the pack gives nothing to the inverter, but a DC load the
// inverter does not carry (a Victron GX without a DC meter keeps the Multi within a cold pack's
// charge limit) still drains it; that is said, on the mean over a minute.
#include <string>

#include <gtest/gtest.h>

#include <bessd/control/reserve_drain_check.hpp>

#include "harness.hpp"

namespace bessd::control {
namespace {

using std::chrono::seconds;

TEST(ReserveDrainCheck, ACyclingLoadAtTheReserveIsSaidStandbyIsNot) {
  ReserveDrainCheck c(200.0);
  TimePoint t{};
  // Standby draw and a sensor offset (1.5 A at 52 V): never.
  for (int i = 0; i < 300; ++i) EXPECT_FALSE(c.update(true, -80.0, t += seconds{1}));
  // A cycling load, 650 W for 20 s in every 45 s: said on the first minute's mean.
  int steps = 0;
  while (!c.update(true, (steps % 45) < 20 ? -650.0 : -60.0, t += seconds{1}))
    ASSERT_LT(++steps, 200);
  EXPECT_TRUE(c.draining());
  EXPECT_GT(c.drain_w(), 100.0);
  EXPECT_LT(c.drain_w(), 650.0);
  // Above the reserve (or bessd discharging on purpose) it ends at once.
  EXPECT_TRUE(c.update(false, -650.0, t += seconds{1}));
  EXPECT_FALSE(c.draining());
  // A missing measurement keeps the window waiting.
  EXPECT_FALSE(c.update(true, std::nullopt, t += seconds{100}));
}

// Red team 26q N1: 26p's load, 330 W from the pack for 20 s in every 45 s, is 143-196 W on a
// minute's mean: below the 200 W standby tolerance, above half of it.
TEST(ReserveDrainCheck, TheCyclingLoadOfTheRedTeamIsSaid) {
  ReserveDrainCheck c(200.0);
  TimePoint t{};
  bool said = false;
  for (int i = 0; i < 300 && !said; ++i)
    said = c.update(true, (i % 45) < 20 ? -330.0 : 0.0, t += seconds{1}) && c.draining();
  EXPECT_TRUE(said);
}

TEST(ReserveDrainCheck, TheControllerSaysItAtTheReserve) {
  testing::Harness h;
  h.in.snapshot.pack.soc_pct = h.limits.min_soc_pct - 0.1;
  h.start(config::OperatingMode::idle);
  const double volts = h.measure_at_battery();
  bool raised = false;
  int steps = 0;
  for (; steps < 150 && !raised; ++steps) {
    h.in.snapshot.pack.current_a = -6.4;  // 1 kW load, the Multi held at a cold CCL of 13.2 A
    h.step();
    for (const auto& e : h.out.events)
      if (e.code == "control.reserve_drained" && e.edge == core::EventEdge::raised) {
        raised = true;
        EXPECT_NE(e.message.find("reserve although bessd does not discharge"), std::string::npos)
            << e.message;
        EXPECT_NEAR(std::stod(e.message.substr(e.message.find("gives ") + 6)), 6.4 * volts,
                    0.1 * 6.4 * volts)
            << e.message;
      }
  }
  EXPECT_TRUE(raised);
  EXPECT_GE(steps, 55) << "on a minute's mean (the window began at start)";
  // The load goes: cleared after the next window.
  bool cleared = false;
  for (int i = 0; i < 150 && !cleared; ++i) {
    h.in.snapshot.pack.current_a = 0.0;
    h.step();
    cleared = h.has_event("control.reserve_drained", core::EventEdge::cleared);
  }
  EXPECT_TRUE(cleared);
}

}  // namespace
}  // namespace bessd::control
