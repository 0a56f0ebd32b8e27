// bess-sim's Fox ESS H1 device seen from a Modbus client at unit 247, as on the H1's RS485 port:
// the readings in input registers from 11000 (Fox's signs decoded by hand here), the work mode
// and the remote control written with FC06 only (FC16 just for the charge periods), the active
// power at the AC port, the watchdog that only 44002 writes feed, and what a restart keeps.

#include <modbus.h>

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
namespace foxess_test {  // a namespace of its own: unity batches merge the tests' anonymous ones

constexpr int kUnit = 247;  // Fox's default
constexpr int kWorkMode = 41000;
constexpr int kMaxSoc = 41010;
constexpr int kMinSocOnGrid = 41011;
constexpr int kEnable = 44000;
constexpr int kTimeout = 44001;
constexpr int kActive = 44002;
constexpr std::uint16_t kSelfUse = 0, kBackUp = 2;

std::int16_t s16(std::uint16_t r) {
  return static_cast<std::int16_t>(r);
}
std::uint16_t word(int v) {
  return static_cast<std::uint16_t>(static_cast<std::int16_t>(v));
}
std::uint32_t hi_lo_u32(std::uint16_t hi, std::uint16_t lo) {
  return (static_cast<std::uint32_t>(hi) << 16) | lo;
}

class FoxEssDeviceTest : public test::DeviceTest {
 protected:
  void start_at(double hour) {
    WorldParams p;
    // A BMS that lets the 5 kW rating through (50 A would cap the pack near 2.6 kW both ways).
    p.bms.rated_charge_current_a = 120.0;
    p.bms.rated_discharge_current_a = 120.0;
    start_device(make_foxess_device, kUnit, hour, p);
  }
  /// Remote control as foxess_modbus and evcc start it: timeout, enable, then the power.
  void remote(int active_w, std::uint16_t timeout_s = 60) {
    write_fc06(kTimeout, timeout_s);
    write_fc06(kEnable, 1);
    write_fc06(kActive, word(active_w));
  }
  /// The battery power (+ = charge) that makes the AC port carry `ac_w` (+ = out).
  double from_ac(double ac_w) const {
    const auto rd = world->readings();
    const double into = rd.pv_w - ac_w;
    const double eff = world->inverter().params().efficiency;
    return into > 0 ? into * eff : into / eff;
  }
  std::int64_t timeouts() const {
    return device->status().at("timeouts_fired").get<std::int64_t>();
  }
};

TEST_F(FoxEssDeviceTest, IdentifiesItselfAsAnH1AndStartsInSelfUse) {
  start_at(12.0);
  // One character a register, as foxess_modbus tells an H1 from the packed G2 and H3-Pro.
  const auto model = holding(30000, 16);
  std::string name;
  for (const auto w : model) {
    EXPECT_EQ(w & 0xFF00, 0);
    name += static_cast<char>(w);
  }
  EXPECT_EQ(name, "H1-5.0-E        ");
  EXPECT_EQ(test::ascii_of(input(10008, 8)), "60SIMFOXH1000001");
  EXPECT_EQ(holding(30016, 3), (std::vector<std::uint16_t>{180, 102, 180}));
  EXPECT_EQ(input(11056, 1)[0], 2);  // on grid
  EXPECT_EQ(input(11058, 1)[0], 1);  // BMS connected
  EXPECT_EQ(input(kWorkMode, 1)[0], kSelfUse);
  EXPECT_EQ(holding(kWorkMode, 1)[0], kSelfUse);
  EXPECT_EQ(input(41009, 3), (std::vector<std::uint16_t>{10, 100, 10}));
  EXPECT_EQ(input(kEnable, 4), (std::vector<std::uint16_t>{0, 0, 0, 0}));
  EXPECT_EQ(holding(kEnable, 4), (std::vector<std::uint16_t>{0, 0, 0, 0}));
  EXPECT_EQ(input(11014, 1)[0], 5000);  // 50.00 Hz
  const auto s = device->status();
  EXPECT_EQ(s.at("profile"), "foxess_h1");
  EXPECT_EQ(s.at("work_mode_name"), "self_use");
  EXPECT_FALSE(s.at("remote_control").at("enabled").get<bool>());
  device->apply(*world);
  const auto rd = world->readings();
  EXPECT_NEAR(commanded_w(), rd.pv_w - rd.load_w, 1e-9);  // self use: the surplus charges
}

TEST_F(FoxEssDeviceTest, DischargingInTheEveningReadsPositiveBatteryAndExportingCt) {
  start_at(20.0);  // after sunset: no PV
  remote(3000);    // 3 kW out of the AC port: the house first, the rest exported
  step(2.0);
  const auto rd = world->readings();
  ASSERT_EQ(rd.pv_w, 0.0);
  ASSERT_NEAR(rd.ac_power_w, 3000, 1);
  ASSERT_NEAR(rd.battery_power_w, -3000 / 0.96, 1);  // the simulator's sign: + = charge
  ASSERT_LT(rd.grid_power_w, -1000);                 // exporting

  const auto r = input(11000, 40);
  const auto at = [&](int a) { return r.at(static_cast<std::size_t>(a - 11000)); };
  EXPECT_EQ(s16(at(11008)), std::lround(-rd.battery_power_w));  // + = discharge
  EXPECT_GT(s16(at(11008)), 3000);
  EXPECT_GT(s16(at(11007)), 0);  // the current follows the power's sign
  EXPECT_NEAR(s16(at(11007)) / 10.0, -rd.battery_power_w / world->pack().voltage_v(), 0.06);
  EXPECT_NEAR(at(11006) / 10.0, world->pack().voltage_v(), 0.06);
  EXPECT_EQ(s16(at(11011)), 3000);                           // inverter + = AC out
  EXPECT_EQ(s16(at(11021)), std::lround(-rd.grid_power_w));  // grid CT + = export
  EXPECT_GT(s16(at(11021)), 1000);
  EXPECT_EQ(s16(at(11023)), std::lround(rd.load_w));
  EXPECT_EQ(at(11036), std::lround(world->pack().soc_pct()));
  EXPECT_EQ(s16(at(11035)), s16(at(11007)));
  EXPECT_EQ(s16(at(11002)), 0);
  EXPECT_EQ(s16(at(11005)), 0);
  EXPECT_EQ(at(11009), 2300);  // 230.0 V
}

TEST_F(FoxEssDeviceTest, ChargingFromTheGridReadsNegativeBatteryAndImportingCt) {
  start_at(20.0);
  remote(-2000);  // 2 kW into the AC port: negative on the wire
  EXPECT_EQ(input(kActive, 1)[0], 0xF830);
  step(2.0);
  const auto rd = world->readings();
  ASSERT_NEAR(rd.battery_power_w, 2000 * 0.96, 1);
  const auto r = input(11000, 40);
  const auto at = [&](int a) { return r.at(static_cast<std::size_t>(a - 11000)); };
  EXPECT_EQ(s16(at(11008)), std::lround(-rd.battery_power_w));
  EXPECT_LT(s16(at(11008)), -1900);
  EXPECT_LT(s16(at(11007)), 0);
  EXPECT_EQ(s16(at(11011)), -2000);
  EXPECT_LT(s16(at(11021)), -2000);  // importing for the house and the battery
}

TEST_F(FoxEssDeviceTest, ActivePowerIsTheAcPortSoPvReachesTheBatteryFirst) {
  start_at(12.0);
  const auto rd = world->readings();  // unchanged while only apply() runs
  ASSERT_GT(rd.pv_w, 3000);
  remote(0);  // nothing through the AC port: all the PV into the battery, the house from the grid
  device->apply(*world);
  EXPECT_NEAR(commanded_w(), from_ac(0), 1e-9);
  EXPECT_GT(commanded_w(), 2800);
  write_fc06(kActive, 1000);  // 1 kW out: PV covers it, the rest charges
  device->apply(*world);
  EXPECT_NEAR(commanded_w(), from_ac(1000), 1e-9);
  write_fc06(kActive, word(-1000));  // 1 kW in as well: more charge
  device->apply(*world);
  EXPECT_NEAR(commanded_w(), std::min(from_ac(-1000), 5000.0), 1e-9);
  write_fc06(kActive, 5000);  // the rating out: PV and the battery
  device->apply(*world);
  EXPECT_NEAR(commanded_w(), from_ac(5000), 1e-9);
  EXPECT_LT(commanded_w(), 0);
  write_fc06(kActive, 20000);  // beyond the rating: clamped there
  device->apply(*world);
  EXPECT_NEAR(commanded_w(), from_ac(5000), 1e-9);
  step(2.0);
  const auto r = input(11000, 6);  // PV1/PV2 voltage, current and power, split 60/40
  const auto now = world->readings();
  EXPECT_EQ(s16(r[0]), 3600);
  EXPECT_EQ(s16(r[2]), std::lround(0.6 * now.pv_w));
  EXPECT_EQ(s16(r[5]), std::lround(0.4 * now.pv_w));
  const auto hist = device->history();
  ASSERT_FALSE(hist.empty());
  EXPECT_EQ(hist.back().at("address"), kActive);
  EXPECT_EQ(hist.back().at("lo_w"), hist.back().at("hi_w"));  // one power, from the PV then
}

TEST_F(FoxEssDeviceTest, OnlyBitZeroOfTheEnableRegisterTurnsRemoteControlOn) {
  start_at(20.0);
  write_fc06(kTimeout, 60);
  write_fc06(kActive, 2000);
  write_fc06(kEnable, 2);  // stored, but not enabled
  device->apply(*world);
  EXPECT_EQ(input(kEnable, 1)[0], 2);
  EXPECT_FALSE(device->status().at("remote_control").at("enabled").get<bool>());
  const auto rd = world->readings();
  EXPECT_NEAR(commanded_w(), rd.pv_w - rd.load_w, 1e-9);  // still self use
  write_fc06(kEnable, 7);  // what Fox's support told an owner to write
  device->apply(*world);
  EXPECT_NEAR(commanded_w(), -2000 / 0.96, 1e-6);
  write_fc06(kEnable, 0);
  device->apply(*world);
  EXPECT_NEAR(commanded_w(), rd.pv_w - rd.load_w, 1e-9);
}

TEST_F(FoxEssDeviceTest, WritesAreFc06ExceptTheChargePeriodsAndBadValuesAreRefused) {
  start_at(20.0);
  // FC16 on the remote-control registers (as one would write the H3's S32): exception 02.
  EXPECT_EQ(refused_fc16(kEnable, {1, 60}), 2);
  EXPECT_EQ(refused_fc16(kActive, {0xFFFF, 0xF830}), 2);
  EXPECT_EQ(refused_fc16(kActive, {1000}), 2);   // one register, but by FC16
  EXPECT_EQ(refused_fc16(kWorkMode, {2}), 2);    // settings too
  EXPECT_EQ(refused_fc06(41001, 1), 2);          // the charge periods: FC16 only
  EXPECT_EQ(refused_fc16(41001, {1, 0, 0}), 2);  // and only whole
  EXPECT_EQ(refused_fc16(41001, {1, 120, 300, 0, 0, 0}), 0);
  EXPECT_EQ(input(41001, 3), (std::vector<std::uint16_t>{1, 120, 300}));
  EXPECT_EQ(refused_fc06(11008, 0), 2);     // a reading
  EXPECT_EQ(refused_fc06(30000, 0x48), 2);  // the model
  EXPECT_EQ(refused_fc06(kWorkMode, 3), 3);
  EXPECT_EQ(refused_fc06(41009, 5), 3);
  EXPECT_EQ(refused_fc06(kMaxSoc, 101), 3);
  EXPECT_EQ(refused_fc06(kWorkMode, kBackUp), 0);
  EXPECT_EQ(input(kEnable, 4), (std::vector<std::uint16_t>{0, 0, 0, 0}));  // nothing taken
  EXPECT_EQ(holding(kWorkMode, 1)[0], kBackUp);
  const auto s = device->status();
  EXPECT_EQ(s.at("rejected_writes"), 11);
  EXPECT_EQ(s.at("rejections_by_code").at("02"), 8);
  EXPECT_EQ(s.at("rejections_by_code").at("03"), 3);
  EXPECT_EQ(s.at("last_rejection").at("address"), kMaxSoc);
  EXPECT_EQ(s.at("register_writes").at("41001"), 1);
  EXPECT_EQ(s.at("register_writes").at("41000"), 1);
  EXPECT_EQ(s.at("work_mode_name"), "back_up");
}

TEST_F(FoxEssDeviceTest, TheWatchdogIsFedByActivePowerWritesOnly) {
  start_at(20.0);
  remote(2000, 30);
  device->apply(*world);
  ASSERT_NEAR(commanded_w(), -2000 / 0.96, 1e-6);
  now_ms += 29'000;
  device->apply(*world);
  write_fc06(kActive, 2000);  // the same power again: the countdown restarts
  now_ms += 29'000;
  device->apply(*world);
  EXPECT_EQ(timeouts(), 0);
  EXPECT_NEAR(commanded_w(), -2000 / 0.96, 1e-6);
  // Reads, the timeout and the work mode do not feed it.
  input(11000, 40);
  write_fc06(kTimeout, 30);
  write_fc06(kWorkMode, kBackUp);
  now_ms += 1'000;
  device->apply(*world);
  EXPECT_EQ(timeouts(), 1);
  EXPECT_EQ(input(kEnable, 4), (std::vector<std::uint16_t>{0, 30, 2000, 0}));
  EXPECT_EQ(holding(kEnable, 1)[0], 0);
  EXPECT_FALSE(device->status().at("remote_control").at("enabled").get<bool>());
  EXPECT_DOUBLE_EQ(commanded_w(), 0);  // back-up after dark: no discharge
  // A 44002 write alone does not bring it back; enabling does, with the stored power.
  write_fc06(kActive, 2000);
  device->apply(*world);
  EXPECT_DOUBLE_EQ(commanded_w(), 0);
  write_fc06(kEnable, 1);
  device->apply(*world);
  EXPECT_NEAR(commanded_w(), -2000 / 0.96, 1e-6);
  now_ms += 30'000;
  device->apply(*world);
  EXPECT_EQ(timeouts(), 2);
}

TEST_F(FoxEssDeviceTest, ATimeoutOfZeroIsNoWatchdogAndARestartLosesTheTimeout) {
  start_at(20.0);
  write_fc06(kWorkMode, 1);
  remote(1500, 0);
  now_ms += 24L * 3600 * 1000;
  device->apply(*world);
  EXPECT_EQ(timeouts(), 0);
  EXPECT_NEAR(commanded_w(), -1500 / 0.96, 1e-6);

  write_fc06(kTimeout, 60);
  device->restart(*world);  // power cycle: connections dropped
  // Reconnect once the old connection is gone (a new one made earlier could be dropped too).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::uint16_t probe = 0;
  while (modbus_read_input_registers(ctx, kWorkMode, 1, &probe) == 1 &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  disconnect();
  connect();
  // Kept: the settings, the enable and the power; lost: the timeout, so nothing ends it.
  EXPECT_EQ(input(kWorkMode, 1)[0], 1);
  EXPECT_EQ(input(kEnable, 4), (std::vector<std::uint16_t>{1, 0, 1500, 0}));
  EXPECT_EQ(holding(kEnable, 4), (std::vector<std::uint16_t>{1, 0, 1500, 0}));
  EXPECT_EQ(holding(30000, 2), (std::vector<std::uint16_t>{'H', '1'}));
  now_ms += 3600L * 1000;
  device->apply(*world);
  EXPECT_EQ(timeouts(), 0);
  EXPECT_NEAR(commanded_w(), -1500 / 0.96, 1e-6);
  EXPECT_EQ(device->status().at("restarts"), 1);
}

TEST_F(FoxEssDeviceTest, MinSocOnGridStopsDischargeAndRemoteChargeIgnoresMaxSoc) {
  start_at(20.0);
  const double soc = world->pack().soc_pct();
  ASSERT_LT(soc, 90);
  write_fc06(kMinSocOnGrid, 90);  // above the SOC: no discharge, also in remote control
  remote(2000);
  device->apply(*world);
  EXPECT_DOUBLE_EQ(commanded_w(), 0);
  write_fc06(kMinSocOnGrid, 10);
  device->apply(*world);
  EXPECT_NEAR(commanded_w(), -2000 / 0.96, 1e-6);
  write_fc06(kMaxSoc, 10);  // below the SOC: remote charge goes on ("doesn't respect Max Soc")
  write_fc06(kActive, word(-2000));
  device->apply(*world);
  EXPECT_NEAR(commanded_w(), 2000 * 0.96, 1e-6);
  write_fc06(kEnable, 0);  // self use respects it: no charge (and none to charge from at night)
  write_fc06(41007, 50);   // 5.0 A
  write_fc06(41008, 50);
  device->apply(*world);
  EXPECT_LE(commanded_w(), 0);
  EXPECT_NEAR(commanded_w(), -5.0 * world->pack().voltage_v(), 1e-6);  // the discharge limit
}

TEST_F(FoxEssDeviceTest, FeedInFirstAndBackUpWhenRemoteControlIsOff) {
  start_at(12.0);
  const auto rd = world->readings();
  ASSERT_GT(rd.pv_w, rd.load_w);
  write_fc06(kWorkMode, 1);  // feed-in first: the house, then export up to the rating
  device->apply(*world);
  EXPECT_DOUBLE_EQ(commanded_w(), std::max(0.0, rd.pv_w - 5000));
  write_fc06(kWorkMode, kBackUp);
  device->apply(*world);
  EXPECT_NEAR(commanded_w(), rd.pv_w - rd.load_w, 1e-9);
  const auto hist = device->history();
  ASSERT_FALSE(hist.empty());
  EXPECT_EQ(hist.back().at("lo_w"), 0.0);  // back-up never discharges
}

TEST_F(FoxEssDeviceTest, EnergyCountersAreHighWordFirstWithTodayAfterEach) {
  start_at(20.0);
  remote(-5000);
  for (int i = 0; i < 20; ++i) step(60.0);  // 20 minutes of charging from the grid
  const auto& e = world->energy();
  ASSERT_GT(e.battery_charged_kwh, 1.0);
  const auto r = input(11069, 24);
  const auto at = [&](int a) { return r.at(static_cast<std::size_t>(a - 11069)); };
  EXPECT_EQ(hi_lo_u32(at(11072), at(11073)), std::lround(e.battery_charged_kwh * 10));
  EXPECT_EQ(at(11074), std::lround(e.battery_charged_kwh * 10));  // today
  EXPECT_EQ(hi_lo_u32(at(11081), at(11082)), std::lround(e.grid_import_kwh * 10));
  EXPECT_EQ(hi_lo_u32(at(11090), at(11091)), std::lround(e.load_kwh * 10));
  EXPECT_EQ(hi_lo_u32(at(11075), at(11076)), 0U);   // nothing discharged
  EXPECT_GT(hi_lo_u32(at(11087), at(11088)), 10U);  // the inverter's AC input
}

TEST_F(FoxEssDeviceTest, CountsWritesPerRegisterAndRewritesOfTheSameValue) {
  start_at(20.0);
  remote(1000);
  remote(1000);
  const auto s = device->status();
  EXPECT_EQ(s.at("register_writes").at("44000"), 2);
  EXPECT_EQ(s.at("register_writes").at("44001"), 2);
  EXPECT_EQ(s.at("register_writes").at("44002"), 2);
  EXPECT_EQ(s.at("unchanged_writes").at("44002"), 1);
  EXPECT_EQ(s.at("remote_control").at("active_power_w"), 1000.0);
  EXPECT_EQ(s.at("writes"), 6);
}

}  // namespace foxess_test
}  // namespace
}  // namespace bessd::sim
