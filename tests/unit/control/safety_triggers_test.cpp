#include <functional>

#include <gtest/gtest.h>

#include <bessd/control/safety_triggers.hpp>

#include "../limits/snapshot_fixture.hpp"

namespace bessd::control {
namespace {

TEST(SafetyTriggers, WhichChangesRunAStepImmediately) {
  struct Row {
    const char* name;
    std::function<void(limits::LimitsInput&)> change;
    bool relevant;
  };
  const Row rows[] = {
      {"alarm flag",
       [](limits::LimitsInput& in) {
         in.pack.protections.set(core::BmsCondition::general, core::FlagState::active);
       },
       true},
      {"charge enable", [](limits::LimitsInput& in) { in.pack.requests.charge_enable = false; },
       true},
      {"fire input", [](limits::LimitsInput& in) { in.fire_alarm_active = true; }, true},
      {"compliance", [](limits::LimitsInput& in) { in.compliance.blocked = true; }, true},
      {"inverter link", [](limits::LimitsInput& in) { in.inverter.online = false; }, true},
      {"data lost", [](limits::LimitsInput& in) { in.pack.cells_at.reset(); }, true},
      {"over-voltage edge", [](limits::LimitsInput& in) { in.pack.cell_voltage_max_v = 3.7; },
       true},
      {"below 0 °C edge", [](limits::LimitsInput& in) { in.pack.cell_temperature_min_c = -0.5; },
       true},
      {"value inside window", [](limits::LimitsInput& in) { in.pack.cell_voltage_max_v = 3.3; },
       false},
      {"soc moves", [](limits::LimitsInput& in) { in.pack.soc_pct = 51.0; }, false},
      {"warning flag",
       [](limits::LimitsInput& in) {
         in.pack.warnings.set(core::BmsCondition::general, core::FlagState::active);
       },
       false},
  };
  const auto settings = testing::lfp_settings();
  for (const Row& r : rows) {
    const auto before = testing::healthy_snapshot(TimePoint{});
    auto after = before;
    r.change(after);
    EXPECT_EQ(is_safety_relevant_change(before, after, settings), r.relevant) << r.name;
    EXPECT_FALSE(is_safety_relevant_change(before, before, settings));
    // The pack-only form (used for every BMS frame) agrees wherever only the pack changed.
    const bool only_pack = before.fire_alarm_active == after.fire_alarm_active &&
                           before.compliance.blocked == after.compliance.blocked &&
                           before.inverter.online == after.inverter.online;
    if (only_pack)
      EXPECT_EQ(is_safety_relevant_change(before.pack, after.pack, settings), r.relevant) << r.name;
    else
      EXPECT_FALSE(is_safety_relevant_change(before.pack, after.pack, settings)) << r.name;
  }
}

}  // namespace
}  // namespace bessd::control
