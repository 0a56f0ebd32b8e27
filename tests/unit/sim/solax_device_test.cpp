// bess-sim's SolaX X1/X3-Hybrid Gen4 device seen from a Modbus client at unit 1: its input
// register image (signs and the low-word-first order decoded by hand here), the unlock, the
// remote-control block at 0x7C taken only whole with FC16, Mode 1 in both directions, the
// duration running out back to self use, restart behaviour and the EEPROM write counters.

#include <modbus.h>

#include <cerrno>
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
namespace solax_test {  // a namespace of its own: unity builds merge the tests' anonymous ones

using test::ascii_of;

constexpr int kUnit = 1;  // SolaX's default ("Inverter default 0x01")
constexpr int kBlock = 0x7C;
constexpr std::uint16_t kPassword = 2014;

// Two registers, the low word first (at the lower address), as a signed 32-bit value.
std::int32_t lo_hi_s32(std::uint16_t lo, std::uint16_t hi) {
  return static_cast<std::int32_t>((static_cast<std::uint32_t>(hi) << 16) | lo);
}

// A mode-1 block as the vendor lists it: 0x7C mode, 0x7D set type, 0x7E/0x7F active power
// (LSB, MSB), 0x80/0x81 reactive power, 0x82 duration, 0x83 target SOC, 0x84/0x85 target energy,
// 0x86/0x87 charge/discharge power, 0x88 timeout; the encoding done by hand.
std::vector<std::uint16_t> mode1(std::int32_t active_w, std::uint16_t duration_s,
                                 std::uint16_t set_type = 1) {
  const auto p = static_cast<std::uint32_t>(active_w);
  return {1,
          set_type,
          static_cast<std::uint16_t>(p & 0xFFFF),
          static_cast<std::uint16_t>(p >> 16),
          0,
          0,
          duration_s,
          0,
          0,
          0,
          0,
          0,
          0};
}

class SolaxDeviceTest : public test::DeviceTest {
 protected:
  void start_at(double hour) { start_device(make_solax_device, kUnit, hour); }
  void unlock() { write_fc06(0x0000, kPassword); }
};

TEST_F(SolaxDeviceTest, IdentifiesItselfLockedAndWithoutRemoteControl) {
  start_at(12.0);
  EXPECT_EQ(ascii_of(holding(0x0000, 7)), "H4502SIM000001");  // "H450": Gen4 X1 5 kW
  EXPECT_EQ(input(0x0054, 1)[0], 0);                          // locked
  EXPECT_EQ(input(0x0100, 1)[0], 0);                          // remote control disabled
  EXPECT_EQ(holding(0x008B, 1)[0], 0);                        // self use
  const auto s = device->status();
  EXPECT_EQ(s.at("profile"), "solax_gen4");
  EXPECT_EQ(s.at("lock"), "locked");
  EXPECT_EQ(s.at("work_mode_name"), "self_use");
}

TEST_F(SolaxDeviceTest, WritesAreRefusedUntilUnlockedAndAWrongPasswordLocksAgain) {
  start_at(20.0);
  EXPECT_EQ(refused_fc16(kBlock, mode1(-1000, 60)), 4);  // server device failure
  EXPECT_EQ(refused_fc06(0x001F, 3), 4);
  step(1.0);
  EXPECT_FALSE(remote());
  unlock();
  EXPECT_EQ(input(0x0054, 1)[0], 1);
  EXPECT_EQ(refused_fc16(kBlock, mode1(-1000, 60)), 0);
  step(1.0);
  EXPECT_TRUE(remote());
  write_fc06(0x0000, 1234);  // an invalid password locks again
  EXPECT_EQ(input(0x0054, 1)[0], 0);
  EXPECT_EQ(refused_fc16(kBlock, mode1(500, 60)), 4);
  EXPECT_EQ(device->status().at("refused_locked_writes"), 3);
  EXPECT_EQ(device->status().at("active_power_w"), -1000);
}

TEST_F(SolaxDeviceTest, DischargeInTheEveningReadsNegativeBatteryLowWordFirst) {
  start_at(20.0);  // after sunset: no PV
  unlock();
  write_fc16(kBlock, mode1(-1500, 600));
  step(2.0);
  const auto rd = world->readings();
  ASSERT_EQ(rd.pv_w, 0.0);
  ASSERT_NEAR(rd.battery_power_w, -1500, 1);  // the simulator's sign: + = charge

  const auto bat = input(0x0014, 3);
  EXPECT_NEAR(static_cast<std::int16_t>(bat[0]) / 10.0, world->pack().voltage_v(), 0.06);
  EXPECT_LT(static_cast<std::int16_t>(bat[1]), 0);  // discharging current is negative
  EXPECT_EQ(bat[2], 0xFA24);                        // -1500 as int16: + = charge
  EXPECT_EQ(input(0x0019, 1)[0], 0);                // BDC status: discharge

  // Feed-in (+ = export), LSB word at 0x46, MSB at 0x47.
  const auto feed = input(0x0046, 2);
  const long feed_w = std::lround(-rd.grid_power_w);
  EXPECT_EQ(lo_hi_s32(feed[0], feed[1]), feed_w);
  EXPECT_EQ(feed[1], feed_w < 0 ? 0xFFFF : 0x0000);  // the sign lives in the second word

  // The read-back: mode 1, target -1500 = 0xFFFFFA24 with its LSB word first.
  const auto rc = input(0x0100, 4);
  EXPECT_EQ(rc[0], 1);
  EXPECT_EQ(rc[1], 0);  // not finished
  EXPECT_EQ(rc[2], 0xFA24);
  EXPECT_EQ(rc[3], 0xFFFF);
  EXPECT_EQ(input(0x011A, 1)[0], 600);
  // Active power real: + = into the AC port; discharging pushes power out.
  const auto real = input(0x0106, 2);
  EXPECT_EQ(lo_hi_s32(real[0], real[1]), std::lround(-rd.ac_power_w));
  EXPECT_LT(lo_hi_s32(real[0], real[1]), -1000);
  const auto ac = input(0x0002, 1);
  EXPECT_EQ(static_cast<std::int16_t>(ac[0]), std::lround(rd.ac_power_w));  // + = AC output
  EXPECT_GT(static_cast<std::int16_t>(ac[0]), 1000);
}

TEST_F(SolaxDeviceTest, ChargeInTheEveningImportsForHouseAndBattery) {
  start_at(20.0);
  unlock();
  write_fc16(kBlock, mode1(2000, 600));
  step(2.0);
  const auto rd = world->readings();
  ASSERT_NEAR(rd.battery_power_w, 2000, 1);
  EXPECT_NEAR(static_cast<std::int16_t>(input(0x0016, 1)[0]), 2000, 1);  // + = charge
  EXPECT_GT(static_cast<std::int16_t>(input(0x0015, 1)[0]), 0);
  EXPECT_EQ(input(0x0019, 1)[0], 1);  // BDC status: charge
  const auto feed = input(0x0046, 2);
  EXPECT_EQ(feed[1], 0xFFFF);  // importing: negative feed-in, sign-extended high word
  EXPECT_EQ(lo_hi_s32(feed[0], feed[1]), std::lround(-rd.grid_power_w));
  EXPECT_LT(lo_hi_s32(feed[0], feed[1]), -2000);
  const auto target = input(0x0102, 2);
  EXPECT_EQ(target[0], 2000);  // 0x000007D0: LSB word first
  EXPECT_EQ(target[1], 0);
  const auto s = device->status();
  EXPECT_EQ(s.at("remote_mode_name"), "power_control");
  EXPECT_EQ(s.at("active_power_w"), 2000);
  EXPECT_EQ(s.at("block_writes"), 1);
  const auto h = device->history();
  ASSERT_EQ(h.size(), 1u);  // the unlock is no control write
  EXPECT_EQ(h[0].at("address"), kBlock);
  EXPECT_DOUBLE_EQ(h[0].at("lo_w").get<double>(), 2000);  // no PV: the battery takes all of it
  EXPECT_DOUBLE_EQ(h[0].at("hi_w").get<double>(), 2000);
}

TEST_F(SolaxDeviceTest, ActivePowerIsTheAcPortSoPvGoesToTheBatteryOnTop) {
  start_at(12.0);
  unlock();
  const auto rd = world->readings();
  const double pv = rd.pv_w;
  ASSERT_GT(pv, 2000);
  ASSERT_LT(pv, 4500);
  write_fc16(kBlock, mode1(0, 600));  // 0 at the AC port: all the PV into the battery
  device->apply(*world);
  EXPECT_TRUE(remote());
  EXPECT_DOUBLE_EQ(commanded_w(), pv);
  write_fc16(kBlock, mode1(500, 600));  // 500 W from the grid on top
  device->apply(*world);
  EXPECT_DOUBLE_EQ(commanded_w(), std::min(pv + 500, 5000.0));
  write_fc16(kBlock, mode1(static_cast<std::int32_t>(-std::lround(pv)) - 1000, 600));
  device->apply(*world);
  EXPECT_NEAR(commanded_w(), -1000, 1);   // PV and 1000 W of battery out of the AC port
  write_fc16(kBlock, mode1(-9000, 600));  // clamped at the rating, then the battery too
  device->apply(*world);
  EXPECT_DOUBLE_EQ(commanded_w(), std::max(pv - 5000, -5000.0));

  // The PV strings as the inverter reports them (60/40 split), and the AC port's power.
  step(2.0);
  const auto strings = input(0x000A, 2);
  const auto now = world->readings();
  EXPECT_EQ(strings[0], std::lround(0.6 * now.pv_w));
  EXPECT_EQ(strings[1], std::lround(0.4 * now.pv_w));
  EXPECT_EQ(input(0x001C, 1)[0], std::lround(world->pack().soc_pct()));
}

TEST_F(SolaxDeviceTest, TheDurationRunsOutBackToSelfUse) {
  start_at(20.0);
  unlock();
  write_fc16(kBlock, mode1(-800, 20));
  step(1.0);
  ASSERT_TRUE(remote());
  now_ms += 19'000;
  step(1.0);
  EXPECT_TRUE(remote());
  EXPECT_NEAR(device->status().at("duration_left_s").get<double>(), 1.0, 1e-9);
  now_ms += 1'000;  // 20 s after the write, nothing new
  step(1.0);
  EXPECT_FALSE(remote());  // the inverter's own self use
  EXPECT_EQ(input(0x0100, 1)[0], 0);
  EXPECT_EQ(input(0x0101, 1)[0], 1);  // finished
  auto s = device->status();
  EXPECT_EQ(s.at("remote_mode"), 0);
  EXPECT_EQ(s.at("expiries"), 1);
  EXPECT_EQ(s.at("duration_left_s"), 0.0);
  // A new block before the end keeps it going: the duration restarts at every write.
  write_fc16(kBlock, mode1(-800, 20));
  now_ms += 15'000;
  step(1.0);
  write_fc16(kBlock, mode1(-600, 20, 2));  // Update
  now_ms += 15'000;
  step(1.0);
  EXPECT_TRUE(remote());
  EXPECT_DOUBLE_EQ(commanded_w(), -600);
  write_fc16(kBlock, {0});  // mode 0, one word: disables at once
  step(1.0);
  EXPECT_FALSE(remote());
  EXPECT_EQ(device->status().at("disable_writes"), 1);
}

TEST_F(SolaxDeviceTest, APartialOrSingleRegisterWriteIsRefused) {
  start_at(20.0);
  unlock();
  write_fc16(kBlock, mode1(-700, 600));
  step(1.0);
  ASSERT_DOUBLE_EQ(commanded_w(), -700);
  auto shorter = mode1(2000, 600);
  shorter.resize(6);  // up to the reactive power: no duration
  EXPECT_EQ(refused_fc16(kBlock, shorter), 3);
  EXPECT_EQ(refused_fc16(kBlock + 2, {0x07D0, 0x0000}), 3);  // the active power alone
  EXPECT_EQ(refused_fc16(kBlock, {1}), 3);                   // mode 1 alone
  auto mode4 = mode1(2000, 600);
  mode4[0] = 4;  // modes 4-7 need 15 words
  EXPECT_EQ(refused_fc16(kBlock, mode4), 3);
  EXPECT_EQ(refused_fc16(kBlock, mode1(2000, 600, 0)), 3);  // no set type
  step(1.0);
  EXPECT_DOUBLE_EQ(commanded_w(), -700);  // nothing of it took
  // FC06 into the block reaches the FC06 map's power-factor settings, not remote control.
  EXPECT_EQ(refused_fc06(kBlock, 0), 0);
  EXPECT_EQ(refused_fc06(kBlock + 2, 0x07D0), 0);
  step(1.0);
  EXPECT_TRUE(remote());
  EXPECT_DOUBLE_EQ(commanded_w(), -700);
  const auto s = device->status();
  EXPECT_EQ(s.at("refused_partial_writes"), 4);
  EXPECT_EQ(s.at("refused_values"), 1);
  EXPECT_EQ(s.at("fc06_block_writes"), 2);
  EXPECT_EQ(s.at("eeprom_writes").at("0x007C-0x008A"), 2);
  EXPECT_EQ(s.at("block_writes"), 1);
  // What FC03 reads at 0x7C is the read map's firmware words, not what was written.
  const auto fw = holding(kBlock, 9);
  EXPECT_EQ(fw[1], 57);  // 0x7D DSP minor
  EXPECT_EQ(fw[8], 15);  // 0x84 bootloader
}

TEST_F(SolaxDeviceTest, TheWorkModeIsStoredAndCountedAndReadBackElsewhere) {
  start_at(20.0);
  unlock();
  write_fc06(0x0020, 1);  // force charge
  write_fc06(0x001F, 3);  // manual
  step(1.0);
  EXPECT_DOUBLE_EQ(commanded_w(), 5000);
  EXPECT_EQ(holding(0x008B, 2), (std::vector<std::uint16_t>{3, 1}));
  EXPECT_NE(holding(0x001F, 1)[0], 3);  // FC03 0x1F is a grid-protection value
  write_fc06(0x0020, 0);                // stop: hold the battery
  step(1.0);
  EXPECT_TRUE(remote());
  EXPECT_DOUBLE_EQ(commanded_w(), 0);
  EXPECT_EQ(refused_fc06(0x001F, 6), 3);  // out of range 0..5
  write_fc06(0x001F, 3);                  // the same again: an EEPROM write all the same
  write_fc06(0x0042, 3000);               // export limit, also EEPROM
  const auto s = device->status();
  EXPECT_EQ(s.at("eeprom_writes").at("0x001F"), 2);
  EXPECT_EQ(s.at("eeprom_writes").at("0x0042"), 1);
  EXPECT_EQ(s.at("work_mode_name"), "manual");
  write_fc06(0x001F, 0);
  step(1.0);
  EXPECT_FALSE(remote());
}

TEST_F(SolaxDeviceTest, ARestartEndsRemoteControlLocksAndKeepsTheWorkMode) {
  start_at(20.0);
  unlock();
  write_fc06(0x001F, 3);  // manual (EEPROM)
  write_fc06(0x0020, 2);  // force discharge (not EEPROM)
  write_fc16(kBlock, mode1(1000, 3600));
  step(2.0);
  ASSERT_NEAR(world->readings().battery_power_w, 1000, 1);

  device->restart(*world);
  EXPECT_EQ(world->inverter().battery_power_w(), 0.0);
  // Reconnect once the old connection is gone.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::uint16_t probe = 0;
  while (modbus_read_registers(ctx, 0, 1, &probe) == 1 &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  disconnect();
  connect();
  step(2.0);
  EXPECT_EQ(input(0x0100, 1)[0], 0);                                  // remote control gone
  EXPECT_EQ(input(0x0054, 1)[0], 0);                                  // locked again
  EXPECT_EQ(holding(0x008B, 2), (std::vector<std::uint16_t>{3, 0}));  // manual kept, mode stop
  EXPECT_TRUE(remote());
  EXPECT_NEAR(world->readings().battery_power_w, 0, 1);  // manual + stop holds the battery
  EXPECT_EQ(refused_fc16(kBlock, mode1(1000, 3600)), 4);
  const auto s = device->status();
  EXPECT_EQ(s.at("restarts"), 1);
  EXPECT_EQ(s.at("work_mode"), 3);
  EXPECT_EQ(s.at("remote_mode"), 0);
}

}  // namespace solax_test
}  // namespace
}  // namespace bessd::sim
