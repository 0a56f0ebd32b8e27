// bess-sim's Sungrow SH hybrid device seen from a Modbus client at unit 1: the register numbers
// of Sungrow's protocol read at their number - 1, measurements as input registers (FC04), 32-bit
// values low word first and Sungrow's signs decoded by hand here, the EMS mode 13050 with the
// command 13051 and power 13052 written with FC06 and FC16, forced mode without a timeout, the
// external EMS heartbeat 13080 counting down back to self-consumption, exception 04 for values out
// of range, restart persistence, the write counters and both battery-sign firmware variants.

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
namespace sungrow_test {  // a namespace of its own: unity batches merge the tests' anonymous ones

using test::ascii_of;

constexpr int kUnit = 1;  // Sungrow's default
/// The wire address of Sungrow's register number `n` ("subtracting 1 from the register address").
constexpr int reg(int n) {
  return n - 1;
}
constexpr int kMode = 13050, kCommand = 13051, kPower = 13052, kMaxSoc = 13058, kMinSoc = 13059,
              kHeartbeat = 13080, kMaxCharge = 33047, kMaxDischarge = 33048, kPowerWide = 33148,
              kStartStop = 13000;
constexpr std::uint16_t kSelfConsumption = 0, kForced = 2, kExternalEms = 3;
constexpr std::uint16_t kCharge = 0xAA, kDischarge = 0xBB, kStop = 0xCC;
constexpr int kServerDeviceFailure = 4;

std::int16_t s16(std::uint16_t r) {
  return static_cast<std::int16_t>(r);
}
// Two registers, low word first.
std::int32_t lo_hi_s32(std::uint16_t lo, std::uint16_t hi) {
  return static_cast<std::int32_t>((static_cast<std::uint32_t>(hi) << 16) | lo);
}
std::uint32_t lo_hi_u32(std::uint16_t lo, std::uint16_t hi) {
  return (static_cast<std::uint32_t>(hi) << 16) | lo;
}

class SungrowDeviceTest : public test::DeviceTest {
 protected:
  void start_at(double hour, SungrowOptions options = {}) {
    WorldParams p;
    // A BMS that lets the 5 kW rating through (50 A would cap the pack near 2.6 kW both ways).
    p.bms.rated_charge_current_a = 120.0;
    p.bms.rated_discharge_current_a = 120.0;
    start_at(hour, p, options);
  }
  void start_at(double hour, WorldParams p, SungrowOptions options) {
    start_device(
        [options](std::uint8_t unit, const SimWorld& w, std::function<std::int64_t()> clock) {
          return make_sungrow_device(unit, w, std::move(clock), options);
        },
        kUnit, hour, p);
  }
  // Input registers by Sungrow's numbers.
  std::vector<std::uint16_t> in(int n, int count) { return input(reg(n), count); }
  std::uint16_t in1(int n) { return in(n, 1)[0]; }
  std::int32_t in_s32(int n) {
    const auto r = in(n, 2);
    return lo_hi_s32(r[0], r[1]);
  }
  std::vector<std::uint16_t> hold(int n, int count) { return holding(reg(n), count); }
  void set6(int n, std::uint16_t v) { write_fc06(reg(n), v); }
  // What evcc and Home Assistant do: one FC06 per register, the mode last.
  void forced(std::uint16_t command, std::uint16_t power_w) {
    set6(kCommand, command);
    set6(kPower, power_w);
    set6(kMode, kForced);
  }
  int refused6(int n, std::uint16_t v) { return refused_fc06(reg(n), v); }
  void reconnect_after_restart() {
    // Reconnect once the old connection is gone (a new one made earlier could be dropped too).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    std::uint16_t probe = 0;
    while (modbus_read_input_registers(ctx, reg(5000), 1, &probe) == 1 &&
           std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    disconnect();
    connect();
  }
};

TEST_F(SungrowDeviceTest, IdentifiesItselfAtTheNumberMinusOneAndStartsInSelfConsumption) {
  start_at(12.0);
  // [V] 4.1: "01 04 13 87 00 01" reads the device type code 5000 at address 4999.
  EXPECT_EQ(input(4999, 1)[0], 0x0E00);  // SH5.0RT
  EXPECT_EQ(in1(5001), 50);              // 5.0 kW
  EXPECT_EQ(in1(5002), 1);               // three-phase, four wire
  EXPECT_EQ(ascii_of(in(4990, 10)), std::string("A26SIM00001") + std::string(9, '\0'));
  EXPECT_EQ(in1(5628), 50);                                              // BDC rated power, 0.1 kW
  EXPECT_EQ(in(5015, 2), (std::vector<std::uint16_t>{0xFFFF, 0xFFFF}));  // no MPPT 3
  EXPECT_EQ(in1(13000), 0x0040);                                         // running
  EXPECT_EQ(hold(kMode, 3), (std::vector<std::uint16_t>{kSelfConsumption, kStop, 1000}));
  EXPECT_EQ(hold(kHeartbeat, 1)[0], 20);                                   // [V]: "Default: 20s"
  EXPECT_EQ(hold(kMaxCharge, 2), (std::vector<std::uint16_t>{500, 500}));  // 0.01 kW
  EXPECT_EQ(hold(kMaxSoc, 2), (std::vector<std::uint16_t>{1000, 50}));
  EXPECT_EQ(hold(kStartStop, 1)[0], 0xCF);
  const auto s = device->status();
  EXPECT_EQ(s.at("profile"), "sungrow_sh");
  EXPECT_EQ(s.at("model"), "SH5.0RT");
  EXPECT_EQ(s.at("ems_mode_name"), "self_consumption");
  EXPECT_EQ(s.at("battery_sign"), "signed");
  device->apply(*world);
  EXPECT_FALSE(remote());
}

TEST_F(SungrowDeviceTest, ForcedDischargeAtNoonReadsPositiveBatteryAndExport) {
  start_at(12.0);
  forced(kDischarge, 1500);
  step(2.0);
  const auto rd = world->readings();
  ASSERT_NEAR(rd.battery_power_w, -1500, 1);  // the simulator's sign: + = charge
  ASSERT_GT(-rd.grid_power_w, 1000);          // PV and battery export
  ASSERT_GT(rd.pv_w, 2000);

  const auto bp = in(5214, 2);
  EXPECT_EQ(bp[0], 1500);  // low word first: +1500 W, discharging positive
  EXPECT_EQ(bp[1], 0x0000);
  const double amps = s16(in1(5631)) / 10.0;
  EXPECT_GT(amps, 0);
  EXPECT_NEAR(amps, 1500 / world->pack().voltage_v(), 0.06);
  const auto b = in(13020, 6);
  EXPECT_NEAR(b[0] / 10.0, world->pack().voltage_v(), 0.06);
  EXPECT_GT(s16(b[1]), 0);
  EXPECT_EQ(s16(b[2]), 1500);
  EXPECT_EQ(b[3], std::lround(world->pack().soc_pct() * 10));  // 0.1 %
  EXPECT_EQ(b[4], 1000);                                       // SOH 100.0 %
  EXPECT_EQ(s16(b[5]), std::lround(world->pack().temperature_c() * 10));

  EXPECT_EQ(in_s32(13010), std::lround(-rd.grid_power_w));  // export power, + = export
  EXPECT_GT(in_s32(13010), 1000);
  EXPECT_EQ(in_s32(5601), std::lround(rd.grid_power_w));  // the meter, + = import
  EXPECT_LT(in_s32(5601), -1000);
  EXPECT_EQ(in(5601, 2)[1], 0xFFFF);  // a negative value sign-extends into the second word
  EXPECT_NEAR(in_s32(5603) + in_s32(5605) + in_s32(5607), rd.grid_power_w, 2);
  EXPECT_EQ(in_s32(13034), std::lround(rd.ac_power_w));  // total active power, + = out
  EXPECT_GT(in_s32(13034), 0);
  EXPECT_EQ(in_s32(13008), std::lround(rd.load_w));
  const auto pv = in(5017, 2);
  EXPECT_EQ(lo_hi_u32(pv[0], pv[1]), std::lround(rd.pv_w));
  EXPECT_EQ(in1(5011), 3600);  // MPPT 1 at 360.0 V

  const std::uint16_t flow = in1(13001);
  EXPECT_TRUE(flow & 0x01);       // PV
  EXPECT_FALSE(flow & 0x02);      // not charging
  EXPECT_TRUE(flow & 0x04);       // discharging
  EXPECT_TRUE(flow & 0x08);       // load
  EXPECT_TRUE(flow & 0x10);       // feed-in
  EXPECT_FALSE(flow & 0x20);      // no import
  EXPECT_EQ(in1(13000), 0x0800);  // running in compulsory mode
  EXPECT_EQ(device->status().at("ems_mode_name"), "compulsory");
}

TEST_F(SungrowDeviceTest, ForcedChargeInTheEveningReadsNegativeBatteryAndImport) {
  start_at(20.0);  // after sunset: no PV
  forced(kCharge, 2000);
  step(2.0);
  const auto rd = world->readings();
  ASSERT_NEAR(rd.battery_power_w, 2000, 1);
  ASSERT_EQ(rd.pv_w, 0.0);
  const auto bp = in(5214, 2);
  EXPECT_EQ(bp[0], 0xF830);  // -2000, low word first
  EXPECT_EQ(bp[1], 0xFFFF);
  EXPECT_EQ(in_s32(5214), -2000);
  EXPECT_LT(s16(in1(5631)), 0);
  EXPECT_EQ(s16(in1(13022)), -2000);  // the signed firmware
  EXPECT_LT(s16(in1(13021)), 0);
  EXPECT_LT(in_s32(13010), -2000);  // importing for the house and the battery
  EXPECT_GT(in_s32(5601), 2000);
  const std::uint16_t flow = in1(13001);
  EXPECT_EQ(flow & 0x07, 0x02);  // charging, no PV
  EXPECT_TRUE(flow & 0x20);      // import
}

TEST_F(SungrowDeviceTest, LegacyFirmwareServesMagnitudesWithTheDirectionInThePowerFlowBits) {
  start_at(20.0, SungrowOptions{.single_phase = false, .legacy_battery_sign = true});
  forced(kCharge, 2000);
  step(2.0);
  ASSERT_NEAR(world->readings().battery_power_w, 2000, 1);
  EXPECT_EQ(in1(13022), 2000);  // unsigned: charging reads like discharging
  EXPECT_GT(s16(in1(13021)), 0);
  EXPECT_EQ(in1(13001) & 0x06, 0x02);  // only the bits tell: charging
  EXPECT_EQ(in_s32(5214), -2000);      // the recommended register is signed all the same
  EXPECT_EQ(device->status().at("battery_sign"), "legacy_unsigned");
  forced(kDischarge, 1200);
  step(2.0);
  EXPECT_EQ(in1(13022), 1200);
  EXPECT_EQ(in1(13001) & 0x06, 0x04);  // discharging
}

TEST_F(SungrowDeviceTest, SinglePhaseRsIsSignedAndMarksPhasesBAndCUnavailable) {
  start_at(20.0, SungrowOptions{.single_phase = true, .legacy_battery_sign = true});
  EXPECT_EQ(in1(5000), 0x0D0F);  // SH5.0RS
  EXPECT_EQ(in1(5002), 0);       // single phase
  EXPECT_EQ(in(5019, 3), (std::vector<std::uint16_t>{2300, 0xFFFF, 0xFFFF}));
  forced(kDischarge, 1000);
  step(2.0);
  EXPECT_EQ(s16(in1(13022)), 1000);  // [V]: S16 on the SH-RS, whatever the option says
  EXPECT_EQ(in(13032, 2), (std::vector<std::uint16_t>{0x7FFF, 0x7FFF}));
  EXPECT_EQ(in(5605, 2), (std::vector<std::uint16_t>{0xFFFF, 0x7FFF}));  // 0x7FFFFFFF
  EXPECT_EQ(in_s32(5603), in_s32(5601));
  EXPECT_EQ(device->status().at("model"), "SH5.0RS");
}

TEST_F(SungrowDeviceTest, ForcedModeHoldsForHoursWithoutAnotherWrite) {
  start_at(12.0);
  forced(kDischarge, 300);
  const auto writes = device->status().at("writes").get<std::size_t>();
  for (int minute = 0; minute < 6 * 60; ++minute) {
    now_ms += std::int64_t{4} * 60'000;  // a day on the device's clock: no timer of any kind
    step(60.0);
    ASSERT_TRUE(remote()) << minute;
    ASSERT_DOUBLE_EQ(commanded_w(), -300) << minute;
  }
  EXPECT_EQ(hold(kMode, 3), (std::vector<std::uint16_t>{kForced, kDischarge, 300}));
  EXPECT_EQ(device->status().at("writes"), writes);
  EXPECT_EQ(device->status().at("heartbeat_expiries"), 0);
}

TEST_F(SungrowDeviceTest, ExternalEmsFallsBackToSelfConsumptionWhenTheHeartbeatRunsOut) {
  start_at(20.0);
  set6(kCommand, kCharge);
  set6(kPower, 2000);
  set6(kMode, kExternalEms);
  set6(kHeartbeat, 30);
  step(1.0);
  EXPECT_DOUBLE_EQ(commanded_w(), 2000);
  EXPECT_EQ(in1(13000), 0x4000);  // running in external EMS mode
  now_ms += 10'000;
  step(1.0);
  EXPECT_EQ(hold(kHeartbeat, 1)[0], 20);      // it counts down ([I] #377)
  for (int i = 0; i < 50; ++i) in(13020, 4);  // reads are no heartbeat
  set6(kCommand, kCharge);                    // nor is another register's write
  now_ms += 19'500;
  step(1.0);
  EXPECT_EQ(hold(kHeartbeat, 1)[0], 1);
  EXPECT_DOUBLE_EQ(commanded_w(), 2000);
  set6(kHeartbeat, 30);  // the heartbeat: from 30 s again
  now_ms += 29'000;
  step(1.0);
  EXPECT_EQ(hold(kMode, 1)[0], kExternalEms);
  EXPECT_TRUE(remote());
  now_ms += 1'000;
  step(1.0);  // run out: self-consumption, 13050 and 13080 read 0
  EXPECT_EQ(hold(kMode, 1)[0], kSelfConsumption);
  EXPECT_EQ(hold(kHeartbeat, 1)[0], 0);
  EXPECT_EQ(hold(kCommand, 2), (std::vector<std::uint16_t>{kCharge, 2000}));  // kept
  EXPECT_FALSE(remote());
  EXPECT_EQ(in1(13000), 0x0040);
  const auto s = device->status();
  EXPECT_EQ(s.at("heartbeat_expiries"), 1);
  EXPECT_EQ(s.at("last_expiry_ms"), now_ms);
  // Back to mode 3 without a heartbeat: 13080 holds 0, so it falls back at the next step.
  set6(kMode, kExternalEms);
  step(1.0);
  EXPECT_EQ(hold(kMode, 1)[0], kSelfConsumption);
  EXPECT_EQ(device->status().at("heartbeat_expiries"), 2);
}

TEST_F(SungrowDeviceTest, ExternalEmsStartsFromTheDefaultHeartbeatAndVppCountsToo) {
  start_at(20.0);
  forced(kDischarge, 800);
  set6(kMode, 4);  // VPP: "The same as External EMS mode"
  now_ms += 19'000;
  step(1.0);
  EXPECT_DOUBLE_EQ(commanded_w(), -800);
  EXPECT_EQ(hold(kHeartbeat, 1)[0], 1);
  now_ms += 1'000;
  step(1.0);
  EXPECT_EQ(hold(kMode, 1)[0], kSelfConsumption);
  // Leaving mode 3 freezes the countdown where it was.
  set6(kHeartbeat, 60);
  set6(kMode, kExternalEms);
  now_ms += 15'000;
  step(1.0);
  set6(kMode, kForced);
  now_ms += 600'000;
  step(1.0);
  EXPECT_EQ(hold(kHeartbeat, 1)[0], 45);
  EXPECT_EQ(hold(kMode, 1)[0], kForced);  // forced mode has no timeout
  EXPECT_DOUBLE_EQ(commanded_w(), -800);
}

TEST_F(SungrowDeviceTest, ValuesOutOfRangeAreAnsweredWithException04AndChangeNothing) {
  start_at(20.0);
  forced(kDischarge, 1000);
  EXPECT_EQ(refused6(kMode, 1), kServerDeviceFailure);  // not a documented mode
  EXPECT_EQ(refused6(kMode, 8), kServerDeviceFailure);
  EXPECT_EQ(refused6(kCommand, 0), kServerDeviceFailure);
  EXPECT_EQ(refused6(kPower, 5001), kServerDeviceFailure);  // above the BDC rating
  EXPECT_EQ(refused6(kMaxCharge, 0), kServerDeviceFailure);
  EXPECT_EQ(refused6(kMaxDischarge, 3000), kServerDeviceFailure);  // evcc's 30 kW
  EXPECT_EQ(refused6(kMaxSoc, 400), kServerDeviceFailure);
  EXPECT_EQ(refused6(kMinSoc, 600), kServerDeviceFailure);
  EXPECT_EQ(refused6(kHeartbeat, 1001), kServerDeviceFailure);
  EXPECT_EQ(refused6(kStartStop, 1), kServerDeviceFailure);
  // One bad value refuses the whole FC16 request.
  EXPECT_EQ(refused_fc16(reg(kMode), {kForced, kCharge, 9000}), kServerDeviceFailure);
  device->apply(*world);
  EXPECT_DOUBLE_EQ(commanded_w(), -1000);
  EXPECT_EQ(hold(kMode, 3), (std::vector<std::uint16_t>{kForced, kDischarge, 1000}));
  EXPECT_EQ(hold(kMaxCharge, 2), (std::vector<std::uint16_t>{500, 500}));
  const auto s = device->status();
  EXPECT_EQ(s.at("rejected_writes"), 11);
  EXPECT_EQ(s.at("rejections_by_code").at("04"), 11);
  EXPECT_EQ(s.at("last_rejection").at("register"), kMode);
  EXPECT_EQ(s.at("last_rejection").at("address"), reg(kMode));
  EXPECT_EQ(s.at("last_rejection").at("function"), 16);
  EXPECT_EQ(s.at("register_writes").at("13050"), 1);  // the refused ones are not counted
  // The edges are in range.
  set6(kPower, 5000);
  set6(kMaxCharge, 1);
  set6(kMinSoc, 0);
  set6(kHeartbeat, 0);
  EXPECT_EQ(device->status().at("rejected_writes"), 11);
}

TEST_F(SungrowDeviceTest, Fc16AcrossTheBlockAndTheWidePowerRegisterWork) {
  start_at(20.0);
  write_fc16(reg(kMode), {kForced, kCharge, 2500});  // Tinkerforge writes with FC16
  device->apply(*world);
  EXPECT_DOUBLE_EQ(commanded_w(), 2500);
  EXPECT_EQ(hold(kPowerWide, 1)[0], 250);  // the same power in 0.01 kW
  write_fc16(reg(kPowerWide), {120});
  device->apply(*world);
  EXPECT_DOUBLE_EQ(commanded_w(), 1200);
  EXPECT_EQ(hold(kPower, 1)[0], 1200);
  set6(kCommand, kStop);  // forced mode, stop: the battery held at 0 W
  device->apply(*world);
  EXPECT_TRUE(remote());
  EXPECT_DOUBLE_EQ(commanded_w(), 0);
}

TEST_F(SungrowDeviceTest, MaxPowersAndTheSocWindowCapTheBattery) {
  start_at(20.0);
  forced(kCharge, 4000);
  set6(kMaxCharge, 150);  // 1.5 kW
  device->apply(*world);
  EXPECT_DOUBLE_EQ(commanded_w(), 1500);
  set6(kMaxSoc, 500);  // 50.0 %, the pack starts at 50 %: charging stops once there
  world->advance(60.0);
  device->apply(*world);
  ASSERT_GE(world->pack().soc_pct(), 50.0);
  EXPECT_DOUBLE_EQ(commanded_w(), 0);
  forced(kDischarge, 3000);
  set6(kMaxDischarge, 200);
  device->apply(*world);
  EXPECT_DOUBLE_EQ(commanded_w(), -2000);
  set6(kMinSoc, 500);  // discharging stops at min SOC
  world->advance(600.0);
  device->apply(*world);
  EXPECT_DOUBLE_EQ(commanded_w(), 0);
  // Self-consumption within the caps: evcc's "hold" writes 33048 = 1 (10 W).
  set6(kMinSoc, 50);
  set6(kMaxDischarge, 1);
  set6(kMode, kSelfConsumption);
  device->apply(*world);
  EXPECT_TRUE(remote());
  EXPECT_DOUBLE_EQ(commanded_w(), -10);
  set6(kMaxDischarge, 500);
  device->apply(*world);
  EXPECT_FALSE(remote());  // nothing binds: the inverter's own regulation
}

TEST_F(SungrowDeviceTest, StopHoldsTheBatteryAtZeroUntilStart) {
  start_at(20.0);
  forced(kDischarge, 1000);
  set6(kStartStop, 0xCE);
  step(2.0);
  EXPECT_DOUBLE_EQ(commanded_w(), 0);
  EXPECT_EQ(in1(13000), 0x8000);
  set6(kStartStop, 0xCF);
  step(2.0);
  EXPECT_DOUBLE_EQ(commanded_w(), -1000);
  EXPECT_EQ(in1(13000), 0x0800);
}

TEST_F(SungrowDeviceTest, ARestartKeepsTheForcedModeItsCommandAndItsPower) {
  start_at(20.0);
  forced(kDischarge, 1000);
  set6(kMaxCharge, 300);
  step(2.0);
  ASSERT_NEAR(world->readings().battery_power_w, -1000, 1);
  const auto before = device->status();
  device->restart(*world);  // power cycle: connections dropped, the world's inverter restarts
  EXPECT_EQ(world->inverter().battery_power_w(), 0.0);
  reconnect_after_restart();
  EXPECT_EQ(hold(kMode, 3), (std::vector<std::uint16_t>{kForced, kDischarge, 1000}));
  EXPECT_EQ(hold(kMaxCharge, 2), (std::vector<std::uint16_t>{300, 500}));
  step(2.0);  // no controller wrote anything: the stored forced discharge comes back
  EXPECT_EQ(in1(5000), 0x0E00);
  EXPECT_TRUE(remote());
  EXPECT_NEAR(world->readings().battery_power_w, -1000, 1);
  const auto after = device->status();
  EXPECT_EQ(after.at("restarts"), 1);
  EXPECT_EQ(after.at("register_writes"), before.at("register_writes"));
}

TEST_F(SungrowDeviceTest, ARestartInExternalEmsModeKeepsTheCountdownGoing) {
  start_at(20.0);
  forced(kCharge, 1000);
  set6(kMode, kExternalEms);
  set6(kHeartbeat, 30);
  now_ms += 10'000;
  device->restart(*world);
  reconnect_after_restart();
  EXPECT_EQ(hold(kHeartbeat, 1)[0], 20);
  now_ms += 20'000;
  step(1.0);
  EXPECT_EQ(hold(kMode, 1)[0], kSelfConsumption);
}

TEST_F(SungrowDeviceTest, WriteCountersCountEveryWriteAndTheUnchangedOnes) {
  start_at(20.0);
  set6(kMode, kForced);
  set6(kMode, kForced);   // the same value again: counted as unchanged
  set6(kCommand, kStop);  // the default: unchanged
  set6(kPower, 1000);     // the default: unchanged
  write_fc16(reg(kMode), {kForced, kCharge, 1500});
  set6(kHeartbeat, 20);  // unchanged while not counting
  set6(13074, 3000);     // another setting: not counted
  const auto s = device->status();
  EXPECT_EQ(s.at("register_writes").at("13050"), 3);
  EXPECT_EQ(s.at("register_writes").at("13051"), 2);
  EXPECT_EQ(s.at("register_writes").at("13052"), 2);
  EXPECT_EQ(s.at("register_writes").at("13080"), 1);
  EXPECT_EQ(s.at("unchanged_writes").at("13050"), 2);
  EXPECT_EQ(s.at("unchanged_writes").at("13051"), 1);
  EXPECT_EQ(s.at("unchanged_writes").at("13052"), 1);
  EXPECT_EQ(s.at("unchanged_writes").at("13080"), 1);
  EXPECT_EQ(s.at("command_name"), "charge");
  EXPECT_EQ(s.at("power_w"), 1500);
  EXPECT_EQ(s.at("last_write_ms"), now_ms);
  EXPECT_EQ(hold(13074, 1)[0], 3000);
}

TEST_F(SungrowDeviceTest, TheWriteHistoryShowsWhatTheBatteryMayDo) {
  start_at(20.0);
  set6(kCommand, kDischarge);  // self-consumption still: the whole rating
  set6(kPower, 1200);
  set6(kMode, kForced);  // now a fixed discharge
  set6(kMaxDischarge, 100);
  set6(kHeartbeat, 40);  // no battery command in it: not recorded
  const auto h = device->history();
  ASSERT_EQ(h.size(), 4U);
  EXPECT_EQ(h[0].at("lo_w"), -5000.0);
  EXPECT_EQ(h[0].at("hi_w"), 5000.0);
  EXPECT_EQ(h[0].at("address"), reg(kCommand));
  EXPECT_EQ(h[2].at("lo_w"), -1200.0);
  EXPECT_EQ(h[2].at("hi_w"), -1200.0);
  EXPECT_EQ(h[3].at("lo_w"), -1000.0);  // capped by 33048
  EXPECT_EQ(device->status().at("writes"), 4);
}

}  // namespace sungrow_test
}  // namespace
}  // namespace bessd::sim
