// bess-sim's Sofar HYD G3 device seen from a Modbus client at unit 1: its register image (signs
// and word order decoded by hand here), the energy storage mode at 0x1110, the passive block at
// 0x1187 taken only whole by FC16, the passive timeout at 0x1184 (any request keeps it from
// firing), restart persistence and the EEPROM-wear write counters.

#include <modbus.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <bessd/sim/sim_world.hpp>

#include <bessd/sim/devices/inverter_device.hpp>

#include "device_test_fixture.hpp"

namespace bessd::sim {
namespace {
namespace sofar_test {  // a namespace of its own: unity batches merge the tests' anonymous ones

using test::ascii_of;

constexpr int kUnit = 1;  // Sofar's default
constexpr int kMode = 0x1110;
constexpr int kTimeout = 0x1184;
constexpr int kPassive = 0x1187;
constexpr std::uint16_t kSelfUse = 0, kPassiveMode = 3;
constexpr std::int32_t kAsMuchAsPossible = 0x7FFFFFFF;  // what evcc writes for "no limit"

std::int16_t s16(std::uint16_t r) {
  return static_cast<std::int16_t>(r);
}
// Two registers, high word first.
std::int32_t hi_lo_s32(std::uint16_t hi, std::uint16_t lo) {
  return static_cast<std::int32_t>((static_cast<std::uint32_t>(hi) << 16) | lo);
}
std::uint32_t hi_lo_u32(std::uint16_t hi, std::uint16_t lo) {
  return (static_cast<std::uint32_t>(hi) << 16) | lo;
}
// The passive block as a client writes it: three S32, high word first.
std::vector<std::uint16_t> block(std::int32_t grid, std::int32_t lo, std::int32_t hi) {
  std::vector<std::uint16_t> out;
  for (const std::int32_t v : {grid, lo, hi}) {
    const auto u = static_cast<std::uint32_t>(v);
    out.push_back(static_cast<std::uint16_t>(u >> 16));
    out.push_back(static_cast<std::uint16_t>(u & 0xFFFFU));
  }
  return out;
}
class SofarDeviceTest : public test::DeviceTest {
 protected:
  void start_at(double hour) {
    WorldParams p;
    // A BMS that lets the 5 kW rating through (50 A would cap the pack near 2.6 kW both ways).
    p.bms.rated_charge_current_a = 120.0;
    p.bms.rated_discharge_current_a = 120.0;
    start_device(make_sofar_device, kUnit, hour, p);
  }
  void passive(std::int32_t grid, std::int32_t lo, std::int32_t hi) {
    write_fc16(kMode, {kPassiveMode});
    write_fc16(kPassive, block(grid, lo, hi));
  }
  void follow_grid_targets(double hour);
  // The battery power (+ = charge) that makes the grid read `grid_w`, the inverter's losses
  // included (the world's AC balance: load = grid + PV - battery_ac).
  double toward_grid(double grid_w) const {
    const auto rd = world->readings();
    const double ac = grid_w - rd.load_w + rd.pv_w;
    const double eff = world->inverter().params().efficiency;
    return ac > 0 ? ac * eff : ac / eff;
  }
};

TEST_F(SofarDeviceTest, IdentifiesItselfAndStartsInSelfUseWithNoTimeout) {
  start_at(12.0);
  EXPECT_EQ(ascii_of(holding(0x0445, 8)), "SP1ES105N6SIM001");
  EXPECT_EQ(holding(0x0404, 1)[0], 2);  // grid-connected
  EXPECT_EQ(holding(kMode, 1)[0], kSelfUse);
  EXPECT_EQ(holding(kTimeout, 2), (std::vector<std::uint16_t>{0, 0}));  // disabled, force standby
  EXPECT_EQ(holding(kPassive, 6), block(0, 0, 0));
  EXPECT_EQ(holding(0x0484, 1)[0], 5000);  // 50.00 Hz
  const auto s = device->status();
  EXPECT_EQ(s.at("profile"), "sofar_hyd_g3");
  EXPECT_EQ(s.at("energy_storage_mode_name"), "self_use");
  device->apply(*world);
  EXPECT_FALSE(remote());
}

TEST_F(SofarDeviceTest, DischargingAtNoonReadsNegativeBatteryAndExportingPcc) {
  start_at(12.0);
  passive(0, -1500, -1500);  // a fixed discharge whatever the grid does
  step(2.0);
  const auto rd = world->readings();
  ASSERT_NEAR(rd.battery_power_w, -1500, 1);  // the simulator's sign: + = charge
  ASSERT_GT(-rd.grid_power_w, 1000);          // PV and battery export
  ASSERT_GT(rd.pv_w, 2000);
  const auto pb = holding(kPassive, 6);  // read back as written: -1500 sign-extends
  EXPECT_EQ(pb[2], 0xFFFF);
  EXPECT_EQ(hi_lo_s32(pb[2], pb[3]), -1500);

  const auto bat = holding(0x0604, 6);
  EXPECT_NEAR(bat[0] / 10.0, world->pack().voltage_v(), 0.06);
  const double amps = s16(bat[1]) / 100.0;
  EXPECT_LT(amps, 0);  // discharging is negative on the wire
  EXPECT_NEAR(amps, -1500 / world->pack().voltage_v(), 0.006);
  EXPECT_EQ(s16(bat[2]), -150);  // 0.01 kW: -1.50 kW
  EXPECT_EQ(bat[4], std::lround(world->pack().soc_pct()));
  EXPECT_EQ(bat[5], 100);                      // SOH
  EXPECT_EQ(s16(holding(0x0667, 1)[0]), -15);  // the total in 0.1 kW
  EXPECT_EQ(holding(0x0668, 1)[0], std::lround(world->pack().soc_pct()));

  const auto grid = holding(0x0484, 0x04B0 - 0x0484);
  const auto at = [&](int a) { return grid.at(static_cast<std::size_t>(a - 0x0484)); };
  EXPECT_EQ(s16(at(0x0488)), std::lround(-rd.grid_power_w / 10));  // PCC, + = export
  EXPECT_GT(s16(at(0x0488)), 100);
  EXPECT_EQ(s16(at(0x0485)), std::lround(rd.ac_power_w / 10));  // output, + = AC out
  EXPECT_GT(s16(at(0x0485)), 0);
  EXPECT_NEAR(s16(at(0x0493)) + s16(at(0x049E)) + s16(at(0x04A9)), s16(at(0x0488)), 2);
  EXPECT_NEAR(s16(at(0x048F)) + s16(at(0x049A)) + s16(at(0x04A5)), s16(at(0x0485)), 2);
  EXPECT_EQ(at(0x04AF), std::lround(rd.load_w / 10));
  EXPECT_EQ(at(0x04AE), 0);

  const auto pv = holding(0x0584, 12);
  EXPECT_EQ(pv[2], std::lround(0.6 * rd.pv_w / 10));             // PV1, 0.01 kW
  EXPECT_EQ(pv[5], std::lround(0.4 * rd.pv_w / 10));             // PV2
  EXPECT_EQ(pv[8], 0);                                           // PV3
  EXPECT_EQ(pv[11], 0);                                          // PV4
  EXPECT_EQ(pv[0], 3600);                                        // 360.0 V
  EXPECT_EQ(holding(0x05C4, 1)[0], std::lround(rd.pv_w / 100));  // the total, 0.1 kW
}

TEST_F(SofarDeviceTest, ChargingInTheEveningReadsPositiveBatteryAndImportingPcc) {
  start_at(20.0);  // after sunset: no PV
  passive(0, 2000, 2000);
  step(2.0);
  const auto rd = world->readings();
  ASSERT_NEAR(rd.battery_power_w, 2000, 1);
  ASSERT_EQ(rd.pv_w, 0.0);
  const auto bat = holding(0x0605, 2);
  EXPECT_GT(s16(bat[0]), 0);    // charging current is positive
  EXPECT_EQ(s16(bat[1]), 200);  // +2.00 kW
  EXPECT_EQ(s16(holding(0x0667, 1)[0]), 20);
  const auto pcc = s16(holding(0x0488, 1)[0]);
  EXPECT_EQ(pcc, std::lround(-rd.grid_power_w / 10));
  EXPECT_LT(pcc, -200);  // importing for the house and the battery
  EXPECT_EQ(holding(0x05C4, 1)[0], 0);
}

TEST_F(SofarDeviceTest, EnergyCountersAreHighWordFirst) {
  start_at(20.0);
  passive(0, 5000, 5000);
  for (int i = 0; i < 20; ++i) step(60.0);  // 20 minutes at up to 5 kW into the battery
  const auto& e = world->energy();
  ASSERT_GT(e.battery_charged_kwh, 1.0);
  const auto r = holding(0x0684, 0x069C - 0x0684);
  const auto at = [&](int a) { return r.at(static_cast<std::size_t>(a - 0x0684)); };
  EXPECT_EQ(at(0x0694), 0);  // battery in, today (0.01 kWh): below 65536, an empty high word
  EXPECT_EQ(hi_lo_u32(at(0x0694), at(0x0695)), std::lround(e.battery_charged_kwh * 100));
  EXPECT_GT(at(0x0695), 100);
  EXPECT_EQ(hi_lo_u32(at(0x0696), at(0x0697)), std::lround(e.battery_charged_kwh * 10));
  EXPECT_EQ(hi_lo_u32(at(0x068E), at(0x068F)), std::lround(e.grid_import_kwh * 10));
  EXPECT_EQ(hi_lo_u32(at(0x068A), at(0x068B)), std::lround(e.load_kwh * 10));
  EXPECT_EQ(hi_lo_u32(at(0x069A), at(0x069B)), 0U);  // nothing discharged
}

TEST_F(SofarDeviceTest, PassiveModeBringsTheGridClosestToTheTargetWithinTheWindow) {
  start_at(12.0);                     // PV well above the load
  const auto rd = world->readings();  // unchanged while only apply() runs
  ASSERT_GT(rd.pv_w - rd.load_w, 2500);
  ASSERT_LT(rd.pv_w - rd.load_w, 5000);
  const auto set = [&](std::int32_t g, std::int32_t lo, std::int32_t hi) {
    write_fc16(kPassive, block(g, lo, hi));
    device->apply(*world);
  };
  write_fc16(kMode, {kPassiveMode});
  set(0, -5000, 5000);  // self use by the passive block: the surplus into the battery
  EXPECT_TRUE(remote());
  EXPECT_NEAR(commanded_w(), toward_grid(0), 1e-9);
  EXPECT_GT(commanded_w(), 2000);
  set(0, -5000, 1000);  // charging capped
  EXPECT_DOUBLE_EQ(commanded_w(), 1000);
  set(-1000, 0, 5000);  // feed in 1 kW first, the rest into the battery
  EXPECT_NEAR(commanded_w(), toward_grid(-1000), 1e-9);
  set(0, 0, 0);  // hold
  EXPECT_DOUBLE_EQ(commanded_w(), 0);
  set(0, -2000, -2000);  // forced discharge although PV covers the house
  EXPECT_DOUBLE_EQ(commanded_w(), -2000);
  set(-3000, 4000, 5000);  // at least 4 kW: the export target cannot be met
  EXPECT_DOUBLE_EQ(commanded_w(), 4000);
  set(0, kAsMuchAsPossible, kAsMuchAsPossible);  // evcc's "charge": clamped at the rating
  EXPECT_DOUBLE_EQ(commanded_w(), 5000);
  set(0, 0, kAsMuchAsPossible);  // evcc's "hold": never discharge, take the surplus
  EXPECT_NEAR(commanded_w(), toward_grid(0), 1e-9);
  set(0, -kAsMuchAsPossible, -kAsMuchAsPossible);
  EXPECT_DOUBLE_EQ(commanded_w(), -5000);
  const auto s = device->status();
  EXPECT_EQ(s.at("passive").at("battery_min_w"), -kAsMuchAsPossible);
  EXPECT_EQ(s.at("passive").at("window_w"), (nlohmann::json{-5000.0, -5000.0}));

  write_fc16(kMode, {kSelfUse});  // the block stays, but self use is the inverter's own
  device->apply(*world);
  EXPECT_FALSE(remote());
  EXPECT_EQ(holding(kPassive, 6), block(0, -kAsMuchAsPossible, -kAsMuchAsPossible));
}

// A whole block moves the battery to hold the PCC at its target, step after step.
void SofarDeviceTest::follow_grid_targets(double hour) {
  start_at(hour);
  passive(0, -5000, 5000);  // hold the PCC at 0 W
  const auto run = [&] {
    for (int i = 0; i < 6; ++i) step(0.5);
    return world->readings();
  };
  const auto at_zero = run();
  EXPECT_NEAR(at_zero.grid_power_w, 0, 120);
  if (at_zero.pv_w > 0)
    EXPECT_GT(at_zero.battery_power_w, 2000);  // the PV surplus charges
  else
    EXPECT_LT(at_zero.battery_power_w, -200);      // the house load discharges
  write_fc16(kPassive, block(1000, -5000, 5000));  // import 1 kW: more charge
  const auto importing = run();
  EXPECT_NEAR(importing.grid_power_w, 1000, 120);
  EXPECT_GT(importing.battery_power_w, at_zero.battery_power_w + 700);
  write_fc16(kPassive, block(-1000, -5000, 5000));  // export 1 kW: less charge, or discharge
  const auto exporting = run();
  EXPECT_NEAR(exporting.grid_power_w, -1000, 120);
  EXPECT_LT(exporting.battery_power_w, at_zero.battery_power_w - 700);
}

TEST_F(SofarDeviceTest, AWholeBlockMovesTheBatteryWithPv) {
  follow_grid_targets(12.0);
  EXPECT_GT(world->readings().pv_w, 3000);
}

TEST_F(SofarDeviceTest, AWholeBlockMovesTheBatteryWithoutPv) {
  follow_grid_targets(21.0);
  EXPECT_EQ(world->readings().pv_w, 0.0);
}

TEST_F(SofarDeviceTest, APartialBlockWriteIsRefusedAndChangesNothing) {
  start_at(20.0);
  passive(0, -1000, -1000);
  device->apply(*world);
  ASSERT_DOUBLE_EQ(commanded_w(), -1000);
  const auto good = block(0, -1000, -1000);
  const auto other = block(500, 2000, 3000);
  EXPECT_EQ(refused_fc16(kPassive, {other[0], other[1]}), 2);  // the grid target alone
  EXPECT_EQ(refused_fc16(kPassive + 2, {other[2], other[3], other[4], other[5]}), 2);  // min, max
  EXPECT_EQ(refused_fc16(kPassive + 1, std::vector<std::uint16_t>(6, 0)), 2);  // shifted by one
  auto longer = other;
  longer.push_back(0);
  EXPECT_EQ(refused_fc16(kPassive, longer), 2);  // one register too many
  EXPECT_EQ(refused_fc16(kTimeout,
                         {60, 0, 0, other[0], other[1], other[2], other[3], other[4], other[5]}),
            2);                                // the timeout pair and the block in one request
  EXPECT_EQ(refused_fc16(kTimeout, {60}), 2);  // the timeout without its action
  EXPECT_EQ(refused_fc16(kMode - 1, {0, kSelfUse}), 2);  // the mode within a wider request
  EXPECT_EQ(refused_fc06(kPassive + 3, 0x0BB8), 1);      // FC06: no single-register function
  EXPECT_EQ(refused_fc06(kMode, kSelfUse), 1);
  device->apply(*world);
  EXPECT_DOUBLE_EQ(commanded_w(), -1000);
  EXPECT_EQ(holding(kPassive, 6), good);
  EXPECT_EQ(holding(kMode, 1)[0], kPassiveMode);
  EXPECT_EQ(holding(kTimeout, 2), (std::vector<std::uint16_t>{0, 0}));
  const auto s = device->status();
  EXPECT_EQ(s.at("rejected_writes"), 9);
  EXPECT_EQ(s.at("rejections_by_code").at("02"), 7);
  EXPECT_EQ(s.at("rejections_by_code").at("01"), 2);
  EXPECT_EQ(s.at("last_rejection").at("function"), 6);
  EXPECT_EQ(s.at("last_rejection").at("address"), kMode);
  EXPECT_EQ(s.at("register_writes").at("0x1187"), 1);  // only the whole one
  EXPECT_EQ(s.at("register_writes").at("0x1110"), 1);
  EXPECT_EQ(s.at("passive").at("battery_max_w"), -1000);
  write_fc16(0x1200, {1, 2});  // elsewhere: stored, no effect
  EXPECT_EQ(holding(0x1200, 2), (std::vector<std::uint16_t>{1, 2}));
}

TEST_F(SofarDeviceTest, AMinimumAboveTheMaximumIsRefused) {
  start_at(20.0);
  passive(0, 1000, 1000);
  EXPECT_EQ(refused_fc16(kPassive, block(0, 2000, 1000)), 3);
  EXPECT_EQ(refused_fc16(kPassive, block(0, 0, -1)), 3);
  EXPECT_EQ(refused_fc16(kMode, {8}), 3);         // no such mode
  EXPECT_EQ(refused_fc16(kTimeout, {60, 2}), 3);  // no such action
  write_fc16(kPassive, block(0, -300, -300));     // min = max is fine
  device->apply(*world);
  EXPECT_DOUBLE_EQ(commanded_w(), -300);
  EXPECT_EQ(holding(kPassive, 6), block(0, -300, -300));
  const auto s = device->status();
  EXPECT_EQ(s.at("rejections_by_code").at("03"), 4);
  EXPECT_EQ(s.at("register_writes").at("0x1187"), 2);
  EXPECT_EQ(s.at("passive_timeout_s"), 0);
}

TEST_F(SofarDeviceTest, TheTimeoutForcesStandbyAfterSilenceButNotWhileReadsContinue) {
  start_at(20.0);
  passive(0, -1500, -1500);
  write_fc16(kTimeout, {10, 0});  // 10 s, force standby
  EXPECT_EQ(device->status().at("passive_timeout_s"), 10);
  // A minute of reads every 2 s and no write: reads are communication.
  for (int i = 0; i < 30; ++i) {
    now_ms += 2000;
    holding(0x0606, 1);
    step(0.1);
    ASSERT_DOUBLE_EQ(commanded_w(), -1500) << i;
  }
  now_ms += 9'900;  // silence
  step(0.1);
  EXPECT_DOUBLE_EQ(commanded_w(), -1500);
  EXPECT_EQ(device->status().at("timeouts_fired"), 0);
  now_ms += 200;  // 10.1 s without a request
  step(0.1);
  EXPECT_DOUBLE_EQ(commanded_w(), 0);  // standby
  auto s = device->status();
  EXPECT_EQ(s.at("timeouts_fired"), 1);
  EXPECT_EQ(s.at("last_timeout_ms"), now_ms);
  EXPECT_TRUE(s.at("standby").get<bool>());
  // The registers do not show it, and reading them does not end it.
  EXPECT_EQ(holding(kMode, 1)[0], kPassiveMode);
  EXPECT_EQ(holding(kPassive, 6), block(0, -1500, -1500));
  for (int i = 0; i < 5; ++i) {
    now_ms += 2000;
    step(1.0);
  }
  EXPECT_NEAR(world->readings().battery_power_w, 0, 1);
  EXPECT_EQ(device->status().at("timeouts_fired"), 1);
  write_fc16(kTimeout, {10, 0});  // rewriting the timeout does not end it either
  step(0.1);
  EXPECT_DOUBLE_EQ(commanded_w(), 0);
  write_fc16(kPassive, block(0, -1500, -1500));  // the same block again does
  step(0.1);
  EXPECT_DOUBLE_EQ(commanded_w(), -1500);
  s = device->status();
  EXPECT_FALSE(s.at("standby").get<bool>());
  EXPECT_EQ(s.at("unchanged_writes").at("0x1187"), 1);
  EXPECT_EQ(s.at("unchanged_writes").at("0x1184"), 1);
  now_ms += 10'000;  // and the timer runs again
  step(0.1);
  EXPECT_DOUBLE_EQ(commanded_w(), 0);
  EXPECT_EQ(device->status().at("timeouts_fired"), 2);
}

TEST_F(SofarDeviceTest, TheTimeoutCanReturnToThePreviousMode) {
  start_at(12.0);
  write_fc16(kMode, {kSelfUse});
  passive(0, -2000, -2000);
  write_fc16(kTimeout, {300, 1});  // five minutes, return to the previous mode
  device->apply(*world);
  ASSERT_TRUE(remote());
  now_ms += 299'000;
  step(0.1);
  EXPECT_TRUE(remote());
  now_ms += 1'000;
  step(0.1);
  EXPECT_FALSE(remote());  // self use again
  EXPECT_EQ(holding(kMode, 1)[0], kSelfUse);
  const auto s = device->status();
  EXPECT_EQ(s.at("timeouts_fired"), 1);
  EXPECT_EQ(s.at("energy_storage_mode_name"), "self_use");
  EXPECT_EQ(s.at("register_writes").at("0x1110"), 2);  // the device's own change is not counted
  now_ms += 3'600'000;  // outside passive mode the timer does nothing
  step(0.1);
  EXPECT_EQ(device->status().at("timeouts_fired"), 1);
}

TEST_F(SofarDeviceTest, WithoutATimeoutAForcedPowerHoldsForHours) {
  start_at(12.0);
  passive(0, -300, -300);
  for (int minute = 0; minute < 6 * 60; ++minute) {
    now_ms += std::int64_t{60'000};
    step(60.0);
    ASSERT_TRUE(remote()) << minute;
    ASSERT_DOUBLE_EQ(commanded_w(), -300) << minute;
  }
  EXPECT_EQ(device->status().at("timeouts_fired"), 0);
}

TEST_F(SofarDeviceTest, ModeWritesAreCountedIncludingUnchangedRewrites) {
  start_at(20.0);
  write_fc16(kMode, {kPassiveMode});
  write_fc16(kMode, {kPassiveMode});  // the same value again: an EEPROM write all the same
  write_fc16(kMode, {kSelfUse});
  write_fc16(kMode, {kSelfUse});
  write_fc16(kMode, {kSelfUse});
  write_fc16(kPassive, block(0, 100, 200));
  write_fc16(kPassive, block(0, 100, 200));
  write_fc16(kPassive, block(0, 100, 300));
  write_fc16(kTimeout, {0, 0});  // the power-on values
  const auto s = device->status();
  EXPECT_EQ(s.at("register_writes").at("0x1110"), 5);
  EXPECT_EQ(s.at("unchanged_writes").at("0x1110"), 3);
  EXPECT_EQ(s.at("register_writes").at("0x1187"), 3);
  EXPECT_EQ(s.at("unchanged_writes").at("0x1187"), 1);
  EXPECT_EQ(s.at("register_writes").at("0x1184"), 1);
  EXPECT_EQ(s.at("unchanged_writes").at("0x1184"), 1);
  EXPECT_EQ(s.at("energy_storage_mode"), kSelfUse);
  EXPECT_EQ(s.at("previous_mode"), kSelfUse);
  EXPECT_EQ(s.at("last_write_ms"), now_ms);
}

TEST_F(SofarDeviceTest, ARestartKeepsTheModeAndBlockButLosesTheTimeout) {
  start_at(20.0);
  passive(0, -1000, -1000);
  write_fc16(kTimeout, {60, 0});
  step(2.0);
  ASSERT_NEAR(world->readings().battery_power_w, -1000, 1);
  const auto before = device->status();

  device->restart(*world);  // power cycle: connections dropped, the world's inverter restarts
  EXPECT_EQ(world->inverter().battery_power_w(), 0.0);
  // Reconnect once the old connection is gone (a new one made earlier could be dropped too).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::uint16_t probe = 0;
  while (modbus_read_registers(ctx, kMode, 1, &probe) == 1 &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  disconnect();
  connect();
  EXPECT_EQ(holding(kMode, 1)[0], kPassiveMode);
  EXPECT_EQ(holding(kPassive, 6), block(0, -1000, -1000));
  EXPECT_EQ(holding(kTimeout, 2), (std::vector<std::uint16_t>{0, 0}));  // the watchdog is gone
  EXPECT_EQ(ascii_of(holding(0x0445, 8)), "SP1ES105N6SIM001");
  step(2.0);  // no controller wrote anything: the stored forced discharge comes back
  EXPECT_TRUE(remote());
  EXPECT_NEAR(world->readings().battery_power_w, -1000, 1);
  now_ms += 3'600'000;  // and no timeout ends it
  step(1.0);
  EXPECT_DOUBLE_EQ(commanded_w(), -1000);
  const auto after = device->status();
  EXPECT_EQ(after.at("restarts"), 1);
  EXPECT_EQ(after.at("passive_timeout_s"), 0);
  EXPECT_EQ(after.at("timeouts_fired"), 0);
  EXPECT_EQ(after.at("register_writes"), before.at("register_writes"));
}

}  // namespace sofar_test
}  // namespace
}  // namespace bessd::sim
