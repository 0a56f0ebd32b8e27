// The BMS nameplate (docs/compliance.md, "BMS nameplate energy"): converted at a nominal voltage,
// never the measured one, and used only once it has been stable (NameplateDebouncer).
#include <bessd/compliance/bms_nameplate.hpp>

#include <chrono>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace bessd::compliance {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

core::PackState pack_reporting(double capacity_ah, double voltage_v) {
  core::PackState p;
  p.capacity_ah = capacity_ah;
  p.voltage_v = voltage_v;
  return p;
}

// F2: with neither a nominal voltage nor a cell count, the measured voltage (which moves with the
// state of charge) must not make the nameplate: 750 Ah at 52.6 V vs 54.2 V flipped PAS-ENE-01.
TEST(BmsNameplate, NeverUsesTheMeasuredPackVoltage) {
  config::BatteryConfig battery;
  battery.nominal_energy_kwh = 38.4;
  // A BMS that sends a charge-voltage limit of 0 V: no voltage to convert at.
  auto at_empty = pack_reporting(750, 52.6);
  auto at_full = pack_reporting(750, 54.2);
  at_empty.limits.charge_voltage_limit_v = at_full.limits.charge_voltage_limit_v = 0.0;
  const auto empty = bms_nameplate(battery, at_empty);
  const auto full = bms_nameplate(battery, at_full);
  ASSERT_TRUE(empty && full);
  EXPECT_FALSE(empty->energy_kwh);
  EXPECT_FALSE(empty->nominal_voltage_v);
  EXPECT_THAT(empty->voltage_basis, HasSubstr("set battery.nominal_voltage_v"));
  EXPECT_EQ(*empty, *full);
}

TEST(BmsNameplate, NominalVoltageOrderConfiguredCellsThenChargeVoltageLimit) {
  config::BatteryConfig battery;
  battery.chemistry = config::Chemistry::LFP;
  auto pack = pack_reporting(100, 53.9);
  pack.limits.charge_voltage_limit_v = 56.0;

  auto n = bms_nameplate(battery, pack);
  ASSERT_TRUE(n && n->energy_kwh);
  EXPECT_DOUBLE_EQ(*n->nominal_voltage_v, 56.0);  // the BMS's CVL: stable, conservative
  EXPECT_NEAR(*n->energy_kwh, 5.6, 1e-9);
  EXPECT_TRUE(n->from_charge_voltage_limit);
  EXPECT_THAT(n->voltage_basis, HasSubstr("set battery.nominal_voltage_v"));
  // The measured voltage moving does not move it.
  pack.voltage_v = 50.1;
  EXPECT_EQ(*bms_nameplate(battery, pack), *n);
  // A pack that withdraws its CVL while it refuses charging gives no new nameplate (the
  // debouncer keeps the last one) rather than one without energy.
  auto refusing = pack;
  refusing.limits.charge_voltage_limit_v.reset();
  EXPECT_FALSE(bms_nameplate(battery, refusing));

  battery.series_cells = 16;
  n = bms_nameplate(battery, pack);
  EXPECT_NEAR(*n->nominal_voltage_v, 16 * 3.2, 1e-9);
  EXPECT_FALSE(n->from_charge_voltage_limit);
  EXPECT_THAT(n->voltage_basis, HasSubstr("battery.series_cells"));

  battery.nominal_voltage_v = 51.2;
  n = bms_nameplate(battery, pack);
  EXPECT_DOUBLE_EQ(*n->nominal_voltage_v, 51.2);
  EXPECT_EQ(n->voltage_basis, "battery.nominal_voltage_v");
}

TEST(BmsNameplate, NoInstalledCapacityNoNameplate) {
  config::BatteryConfig battery;
  battery.nominal_voltage_v = 51.2;
  core::PackState pack;
  pack.available_capacity_ah = 105;  // 0x35F: follows the SOC, never a nameplate
  EXPECT_FALSE(bms_nameplate(battery, pack));
  EXPECT_FALSE(bms_nameplate(battery, pack_reporting(0, 52)));
  EXPECT_FALSE(bms_nameplate(battery, pack_reporting(65535, 52)));
}

BmsNameplate nameplate_ah(double ah) {
  BmsNameplate n;
  n.capacity_ah = ah;
  n.nominal_voltage_v = 51.2;
  n.energy_kwh = ah * 51.2 / 1000.0;
  n.voltage_basis = "battery.nominal_voltage_v";
  return n;
}

// F7: one garbage frame must never reach the energy cap; a real change is used once stable.
TEST(NameplateDebouncer, UsesANameplateOnlyOnceItHasBeenStable) {
  NameplateDebouncer d(NameplateDebounceOptions{10s, 0.02});
  const TimePoint t0{};
  EXPECT_FALSE(d.update(nameplate_ah(188), t0));
  EXPECT_FALSE(d.accepted());
  EXPECT_FALSE(d.update(nameplate_ah(188), t0 + 9s));
  EXPECT_TRUE(d.update(nameplate_ah(188), t0 + 10s));
  ASSERT_TRUE(d.accepted());
  EXPECT_DOUBLE_EQ(d.accepted()->capacity_ah, 188);

  // One (or a few seconds of) garbage: never accepted, and the old nameplate stays.
  EXPECT_FALSE(d.update(nameplate_ah(65000), t0 + 11s));
  EXPECT_FALSE(d.update(nameplate_ah(65000), t0 + 15s));
  EXPECT_FALSE(d.update(nameplate_ah(188), t0 + 16s));
  EXPECT_FALSE(d.pending());
  EXPECT_FALSE(d.update(nameplate_ah(65000), t0 + 26s));  // a new candidate, its clock restarts
  EXPECT_DOUBLE_EQ(d.accepted()->capacity_ah, 188);

  // Within 2 %: the same nameplate, no re-check.
  EXPECT_FALSE(d.update(nameplate_ah(190), t0 + 40s));
  EXPECT_FALSE(d.update(nameplate_ah(190), t0 + 60s));
  // A flapping value never settles.
  for (int i = 0; i < 20; ++i)
    EXPECT_FALSE(d.update(nameplate_ah(i % 2 ? 300 : 400), t0 + 60s + i * 1s));
  EXPECT_DOUBLE_EQ(d.accepted()->capacity_ah, 188);

  // A real change, stable: used.
  EXPECT_FALSE(d.update(nameplate_ah(376), t0 + 100s));
  EXPECT_TRUE(d.update(nameplate_ah(377), t0 + 110s));
  EXPECT_DOUBLE_EQ(d.accepted()->capacity_ah, 376);
  // Nothing reported any more: the last one stays.
  EXPECT_FALSE(d.update(std::nullopt, t0 + 200s));
  EXPECT_DOUBLE_EQ(d.accepted()->capacity_ah, 376);
}

}  // namespace
}  // namespace bessd::compliance
