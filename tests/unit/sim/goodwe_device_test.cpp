// bess-sim's GoodWe ET device seen from a Modbus client at unit 247: its register image (signs
// and word order decoded by hand here), the EMS power modes at 47511/47512 written with FC06 and
// FC16, the missing watchdog, restart persistence and the EEPROM-wear write counters.

#include <modbus.h>

#include <chrono>
#include <cmath>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include <bessd/sim/sim_world.hpp>

#include <bessd/sim/devices/inverter_device.hpp>

#include "device_test_fixture.hpp"

namespace bessd::sim {
namespace {

using test::ascii_of;

constexpr int kUnit = 247;  // GoodWe's default
constexpr int kMode = 47511;
constexpr int kSet = 47512;
// Mode codes as the vendor's table 8-16 numbers them.
constexpr std::uint16_t kAuto = 1, kChargePv = 2, kDischargePv = 3, kImportAc = 4, kExportAc = 5,
                        kConserve = 6, kOffGrid = 7, kStandby = 8, kBuyPower = 9, kSellPower = 10,
                        kChargeBat = 11, kDischargeBat = 12, kStopped = 0xFF;

// Two registers, high word first, as a signed 32-bit value.
std::int32_t hi_lo_s32(std::uint16_t hi, std::uint16_t lo) {
  return static_cast<std::int32_t>((static_cast<std::uint32_t>(hi) << 16) | lo);
}

class GoodWeDeviceTest : public test::DeviceTest {
 protected:
  void start_at(double hour) { start_device(make_goodwe_device, kUnit, hour); }
};

TEST_F(GoodWeDeviceTest, IdentifiesItselfAndStartsInAuto) {
  start_at(12.0);
  EXPECT_EQ(holding(35001, 1)[0], 5000);  // rated power, W
  EXPECT_EQ(ascii_of(holding(35003, 8)), "95000ETUSIM00001");
  EXPECT_EQ(ascii_of(holding(35011, 5)), "GW5K-ET   ");
  const auto ems = holding(kMode, 2);
  EXPECT_EQ(ems[0], kAuto);
  EXPECT_EQ(ems[1], 0);
  EXPECT_EQ(holding(36003, 2), (std::vector<std::uint16_t>{1, 1}));  // meter connected, OK
  EXPECT_EQ(device->status().at("profile"), "goodwe_et");
}

TEST_F(GoodWeDeviceTest, DischargingAtNoonReadsPositiveBatteryAndExportingMeter) {
  start_at(12.0);
  write_fc16(kMode, {kDischargeBat, 1500});
  step(2.0);
  const auto rd = world->readings();
  ASSERT_NEAR(rd.battery_power_w, -1500, 1);  // the simulator's sign: + = charge
  ASSERT_GT(-rd.grid_power_w, 1000);          // PV and battery export

  const auto bat = holding(35180, 5);
  EXPECT_NEAR(bat[0] / 10.0, world->pack().voltage_v(), 0.06);
  const double amps = static_cast<std::int16_t>(bat[1]) / 10.0;
  EXPECT_GT(amps, 0);  // discharging is positive on the wire
  EXPECT_NEAR(amps, 1500 / world->pack().voltage_v(), 0.06);
  EXPECT_EQ(bat[2], 0x0000);  // high word first: a positive 1500 has an empty high word
  EXPECT_EQ(bat[3], 1500);
  EXPECT_EQ(hi_lo_s32(bat[2], bat[3]), 1500);
  EXPECT_EQ(bat[4], 2);  // battery mode: discharge

  const auto meter = holding(36025, 2);
  EXPECT_EQ(meter[0], 0x0000);
  EXPECT_EQ(hi_lo_s32(meter[0], meter[1]), std::lround(-rd.grid_power_w));  // + = export
  EXPECT_EQ(static_cast<std::int16_t>(holding(36008, 1)[0]), std::lround(-rd.grid_power_w));
  const auto phases = holding(36019, 6);
  EXPECT_NEAR(hi_lo_s32(phases[0], phases[1]) + hi_lo_s32(phases[2], phases[3]) +
                  hi_lo_s32(phases[4], phases[5]),
              -rd.grid_power_w, 2);
  const auto ac = holding(35137, 4);
  EXPECT_EQ(hi_lo_s32(ac[0], ac[1]), std::lround(rd.ac_power_w));  // + = AC output
  EXPECT_GT(hi_lo_s32(ac[0], ac[1]), 0);
  EXPECT_EQ(hi_lo_s32(ac[2], ac[3]), std::lround(-rd.grid_power_w));  // the meter's power

  const auto pv = holding(35105, 6);
  const auto u32 = [](std::uint16_t hi, std::uint16_t lo) {
    return static_cast<long>((static_cast<std::uint32_t>(hi) << 16) | lo);
  };
  EXPECT_EQ(u32(pv[0], pv[1]), std::lround(0.6 * rd.pv_w));
  EXPECT_EQ(u32(pv[4], pv[5]), std::lround(0.4 * rd.pv_w));
  EXPECT_GT(rd.pv_w, 2000);
  EXPECT_EQ(holding(37007, 1)[0], std::lround(world->pack().soc_pct()));
  const auto load = holding(35171, 2);
  EXPECT_EQ(hi_lo_s32(load[0], load[1]), std::lround(rd.load_w));
}

TEST_F(GoodWeDeviceTest, ChargingInTheEveningReadsNegativeBatteryAndImportingMeter) {
  start_at(20.0);  // after sunset: no PV
  write_fc16(kMode, {kChargeBat, 2000});
  step(2.0);
  const auto rd = world->readings();
  ASSERT_NEAR(rd.battery_power_w, 2000, 1);
  ASSERT_EQ(rd.pv_w, 0.0);

  const auto bat = holding(35181, 4);
  EXPECT_LT(static_cast<std::int16_t>(bat[0]), 0);  // charging current is negative
  EXPECT_EQ(bat[1], 0xFFFF);  // a negative value sign-extends into the high word
  EXPECT_EQ(bat[2], 0xF830);  // -2000 in the low word
  EXPECT_EQ(hi_lo_s32(bat[1], bat[2]), -2000);
  EXPECT_EQ(bat[3], 3);  // battery mode: charge

  const auto meter = holding(36025, 2);
  EXPECT_EQ(meter[0], 0xFFFF);
  EXPECT_EQ(hi_lo_s32(meter[0], meter[1]), std::lround(-rd.grid_power_w));
  EXPECT_LT(hi_lo_s32(meter[0], meter[1]), -2000);  // importing for the house and the battery
}

TEST_F(GoodWeDeviceTest, EachModeMovesTheBatteryAsTheVendorTableSays) {
  start_at(12.0);
  const auto rd = world->readings();  // unchanged while only apply() runs
  const double pv = rd.pv_w;
  const double load = rd.load_w;
  ASSERT_GT(pv, 3000);
  const auto mode = [&](std::uint16_t code, std::uint16_t set) {
    write_fc16(kMode, {code, set});
    device->apply(*world);
  };
  mode(kChargeBat, 2000);
  EXPECT_TRUE(remote());
  EXPECT_DOUBLE_EQ(commanded_w(), 2000);
  mode(kDischargeBat, 1200);
  EXPECT_DOUBLE_EQ(commanded_w(), -1200);
  mode(kDischargeBat, 9000);  // the magnitude clamps at the rating
  EXPECT_DOUBLE_EQ(commanded_w(), -5000);
  EXPECT_EQ(holding(kSet, 1)[0], 9000);  // the register keeps what was written
  mode(kStandby, 1000);
  EXPECT_DOUBLE_EQ(commanded_w(), 0);
  mode(kStopped, 0);
  EXPECT_DOUBLE_EQ(commanded_w(), 0);
  mode(kChargePv, 500);  // PV plus at most 500 W from the grid
  EXPECT_DOUBLE_EQ(commanded_w(), std::min(pv + 500, 5000.0));
  mode(kChargePv, 0);  // PV only: the battery never discharges
  EXPECT_DOUBLE_EQ(commanded_w(), std::min(pv, 5000.0));
  mode(kImportAc, 300);
  EXPECT_DOUBLE_EQ(commanded_w(), std::min(pv + 300, 5000.0));
  mode(kDischargePv, 800);
  EXPECT_DOUBLE_EQ(commanded_w(), -800);
  ASSERT_LT(pv, 4500);
  mode(kExportAc, 4500);  // more export than PV: the battery adds the rest
  EXPECT_DOUBLE_EQ(commanded_w(), pv - 4500);
  mode(kExportAc, 1000);  // PV covers it: the battery does not charge
  EXPECT_DOUBLE_EQ(commanded_w(), 0);
  mode(kConserve, 0);
  EXPECT_DOUBLE_EQ(commanded_w(), std::min(pv, 5000.0));
  mode(kBuyPower, 1000);
  EXPECT_DOUBLE_EQ(commanded_w(), std::min(pv - load + 1000, 5000.0));
  mode(kSellPower, 1000);
  EXPECT_DOUBLE_EQ(commanded_w(), pv - load - 1000);
  mode(kOffGrid, 0);
  EXPECT_FALSE(remote());  // the inverter's own regulation
  mode(kDischargeBat, 700);
  EXPECT_TRUE(remote());
  mode(kAuto, 0);
  EXPECT_FALSE(remote());  // self-use: the battery takes PV minus load
  world->advance(2.0);
  EXPECT_GT(world->readings().battery_power_w, 1000);
  EXPECT_EQ(device->status().at("ems_mode_name"), "AUTO");
}

TEST_F(GoodWeDeviceTest, AForcedModeHoldsForHoursWithoutAnotherWrite) {
  start_at(12.0);
  write_fc16(kMode, {kDischargeBat, 300});
  const auto writes = device->status().at("writes").get<std::size_t>();
  // Six simulated hours and a day on the device's clock: no keep-alive, no revert.
  for (int minute = 0; minute < 6 * 60; ++minute) {
    now_ms += std::int64_t{4} * 60'000;
    step(60.0);
    ASSERT_TRUE(remote()) << minute;
    ASSERT_DOUBLE_EQ(commanded_w(), -300) << minute;
  }
  EXPECT_NEAR(world->readings().battery_power_w, -300, 1);
  EXPECT_EQ(holding(kMode, 2), (std::vector<std::uint16_t>{kDischargeBat, 300}));
  EXPECT_EQ(device->status().at("writes"), writes);
  EXPECT_LT(world->pack().soc_pct(), 40);  // it really discharged all along
}

TEST_F(GoodWeDeviceTest, ARestartKeepsTheStoredModeAndItsMagnitude) {
  start_at(20.0);
  write_fc16(kMode, {kDischargeBat, 1000});
  step(2.0);
  ASSERT_NEAR(world->readings().battery_power_w, -1000, 1);
  const auto before = device->status();

  device->restart(*world);  // power cycle: connections dropped, the world's inverter restarts
  EXPECT_EQ(world->inverter().battery_power_w(), 0.0);
  // Reconnect once the old connection is gone (a new one made earlier could be dropped too).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::uint16_t probe = 0;
  while (modbus_read_registers(ctx, 35001, 1, &probe) == 1 &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  disconnect();
  connect();
  EXPECT_EQ(holding(kMode, 2), (std::vector<std::uint16_t>{kDischargeBat, 1000}));
  EXPECT_EQ(holding(35001, 1)[0], 5000);
  step(2.0);  // no controller wrote anything: the stored forced discharge comes back
  EXPECT_TRUE(remote());
  EXPECT_NEAR(world->readings().battery_power_w, -1000, 1);
  const auto after = device->status();
  EXPECT_EQ(after.at("restarts"), 1);
  EXPECT_EQ(after.at("register_writes"), before.at("register_writes"));
}

TEST_F(GoodWeDeviceTest, SingleAndMultipleRegisterWritesBothTakeEffect) {
  start_at(20.0);
  write_fc06(kSet, 1500);         // FC06, the magnitude first
  write_fc06(kMode, kChargeBat);  // FC06, then the mode (evcc's order)
  device->apply(*world);
  EXPECT_DOUBLE_EQ(commanded_w(), 1500);
  write_fc16(kMode, {kDischargeBat, 700});  // FC16 over both
  device->apply(*world);
  EXPECT_DOUBLE_EQ(commanded_w(), -700);
  write_fc16(kSet, {900});  // FC16 over the magnitude alone: the mode stays
  device->apply(*world);
  EXPECT_DOUBLE_EQ(commanded_w(), -900);
  EXPECT_EQ(holding(kMode, 2), (std::vector<std::uint16_t>{kDischargeBat, 900}));
}

TEST_F(GoodWeDeviceTest, WriteCountersCountEveryWriteAndTheUnchangedOnes) {
  start_at(20.0);
  write_fc06(kMode, kChargeBat);
  write_fc06(kSet, 2000);
  write_fc06(kSet, 2000);                 // the same value again: an EEPROM write all the same
  write_fc16(kMode, {kChargeBat, 2000});  // both unchanged
  write_fc16(kMode, {kChargeBat, 2500});  // the mode unchanged, the magnitude new
  write_fc06(47509, 1);                   // another setting: not counted here
  const auto s = device->status();
  EXPECT_EQ(s.at("register_writes").at("47511"), 3);
  EXPECT_EQ(s.at("register_writes").at("47512"), 4);
  EXPECT_EQ(s.at("unchanged_writes").at("47511"), 2);
  EXPECT_EQ(s.at("unchanged_writes").at("47512"), 2);
  EXPECT_EQ(s.at("ems_power_set_w"), 2500);
  EXPECT_EQ(s.at("last_write_ms"), now_ms);
}

TEST_F(GoodWeDeviceTest, AnUnknownModeIsRefusedAndThePreviousBehaviourHolds) {
  start_at(20.0);
  write_fc16(kMode, {kDischargeBat, 1000});
  device->apply(*world);
  ASSERT_DOUBLE_EQ(commanded_w(), -1000);
  write_fc06(kMode, 0);  // STOPPED in an older OpenEMS enum; 0xFF today
  write_fc06(kMode, 13);
  write_fc16(kMode, {0xFE, 3000});  // refused as a whole: the magnitude stays too
  device->apply(*world);
  EXPECT_DOUBLE_EQ(commanded_w(), -1000);
  EXPECT_EQ(holding(kMode, 2), (std::vector<std::uint16_t>{kDischargeBat, 1000}));
  const auto s = device->status();
  EXPECT_EQ(s.at("rejected_modes"), 3);
  EXPECT_EQ(s.at("last_rejected_mode"), 0xFE);
  EXPECT_EQ(s.at("register_writes").at("47511"), 4);  // counted: they reached the device
  EXPECT_EQ(s.at("ems_mode_name"), "DISCHARGE_BAT");
}

}  // namespace
}  // namespace bessd::sim
