// direction_blocks(): the ids GET /v1/status lists as holding each direction at zero, read from
// the real controller's output (docs/protection.md), so that a 0 W explains itself.
#include <bessd/control/direction_blocks.hpp>

#include <algorithm>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harness.hpp"

namespace bessd::control {
namespace {

using ::testing::ElementsAre;
using testing::Harness;

TEST(DirectionBlocks, AHealthyPackBlocksNothing) {
  Harness h;
  h.start();
  const auto d = direction_blocks(h.out);
  EXPECT_TRUE(d.charge.empty()) << ::testing::PrintToString(d.charge);
  EXPECT_TRUE(d.discharge.empty()) << ::testing::PrintToString(d.discharge);
}

TEST(DirectionBlocks, ACellOverVoltageNamesOnlyCharging) {
  Harness h;
  h.start();
  h.in.snapshot.pack.cell_voltage_max_v = 3.70;
  h.step();
  const auto d = direction_blocks(h.out);
  EXPECT_THAT(d.charge, ElementsAre("OP-V-01"));
  EXPECT_TRUE(d.discharge.empty()) << ::testing::PrintToString(d.discharge);
}

TEST(DirectionBlocks, AColdNightNamesOnlyCharging) {
  Harness h;
  h.start();
  h.in.snapshot.pack.cell_temperature_min_c = -5.0;
  h.in.snapshot.pack.cell_temperature_max_c = -4.0;
  h.in.snapshot.pack.temperature_c = -4.5;
  h.step();
  const auto d = direction_blocks(h.out);
  ASSERT_FALSE(d.charge.empty());
  EXPECT_EQ(d.charge.front(), "OP-T-01");
  EXPECT_TRUE(d.discharge.empty()) << ::testing::PrintToString(d.discharge);
}

TEST(DirectionBlocks, TheSocReserveNamesDischarging) {
  Harness h;
  h.start(config::OperatingMode::manual, -1000.0);
  h.in.snapshot.pack.soc_pct = 9.0;  // floor 10 %, above floor - margin: no recovery charge
  h.step();
  const auto d = direction_blocks(h.out);
  EXPECT_TRUE(d.charge.empty()) << ::testing::PrintToString(d.charge);
  EXPECT_THAT(d.discharge, ElementsAre("OP-SOC-01"));
}

TEST(DirectionBlocks, ALatchedFireAlarmNamesBothDirectionsUntilAcknowledged) {
  Harness h;
  h.settings.fire_alarm_configured = true;
  h.in.snapshot.fire_alarm_configured = true;
  h.start();
  h.in.snapshot.fire_alarm_active = true;
  h.step();
  h.in.snapshot.fire_alarm_active = false;
  h.step();  // cause gone, still latched
  auto d = direction_blocks(h.out);
  EXPECT_NE(std::find(d.charge.begin(), d.charge.end(), "ALM-01"), d.charge.end());
  EXPECT_NE(std::find(d.discharge.begin(), d.discharge.end(), "ALM-01"), d.discharge.end());
  h.in.ack_faults = true;
  h.steps(3);
  d = direction_blocks(h.out);
  EXPECT_EQ(std::find(d.charge.begin(), d.charge.end(), "ALM-01"), d.charge.end());
}

TEST(DirectionBlocks, EachIdIsListedOnce) {
  Harness h;
  h.start();
  h.in.snapshot.pack.cell_voltage_max_v = 3.70;
  h.in.snapshot.pack.protections.set(core::BmsCondition::cell_over_voltage,
                                     core::FlagState::active);
  h.step();
  const auto d = direction_blocks(h.out);
  for (const auto& id : d.charge)
    EXPECT_EQ(std::count(d.charge.begin(), d.charge.end(), id), 1) << id;
}

}  // namespace
}  // namespace bessd::control
