// ProfileInverterDriver with the shipped vendor profiles and the control styles and write
// functions they need (docs/profiles.md "Control", "Shipped profiles"), against the libmodbus test
// server over real sockets.
#include <gtest/gtest.h>

#include <cstdint>
#include <mutex>
#include <vector>

#include <bessd/config/json_text.hpp>
#include <bessd/inverter/profile_inverter_driver.hpp>
#include <bessd/modbus/testing/modbus_test_server.hpp>

#include "driver_rig.hpp"
#include "driver_test_support.hpp"

namespace bessd::inverter {
namespace {

using modbus::testing::ModbusTestServer;
using namespace std::chrono_literals;
using test::log_writes;
using test::Rig;
using test::set_power;
using test::WriteLog;

// docs/profiles.md "Shipped profiles", sungrow_sh: forced mode set once, then the command and
// its power as one stored block: in one request, and only when either differs.
TEST(ProfileDriver, SungrowCommandAndPowerGoOutTogetherAndOnlyOnChange) {
  WriteLog log;  // outlives the server thread that fills it
  Rig r("sungrow_sh");
  r.bank.set("rated_power", 10000);
  r.bank.set("pv_power", 1500);
  r.bank.set("export_power", 400);  // device: + = export
  r.bank.set("battery_voltage", 402.3);
  r.bank.set("battery_power", 900);  // no usable sign
  r.bank.set("ems_mode", 0);
  r.bank.set("forced_command", 204);
  log_writes(r, log);
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  EXPECT_EQ(r.bank.get("ems_mode"), 2.0) << "the safe state: forced mode, stopped";
  EXPECT_EQ(r.bank.get("forced_command"), 204.0);
  r.driver->apply(set_power(2500));
  ASSERT_TRUE(r.wait_asserted(2500));
  EXPECT_EQ(r.bank.get("forced_command"), 170.0) << "0xAA, charge";
  EXPECT_EQ(r.bank.get("forced_power"), 2500.0);
  r.driver->apply(set_power(-1200));
  ASSERT_TRUE(r.wait_asserted(-1200));
  EXPECT_EQ(r.bank.get("forced_command"), 187.0) << "0xBB, discharge";
  EXPECT_EQ(r.bank.get("forced_power"), 1200.0);
  auto writes = log.snapshot();
  ASSERT_FALSE(writes.empty());
  std::size_t mode_writes = 0;
  for (const auto& w : writes) {
    if (w.address == 13049) {
      ++mode_writes;
      continue;
    }
    EXPECT_EQ(w.address, 13050) << "every command write starts at the command";
    EXPECT_EQ(w.count, 2u) << "command and power together";
  }
  EXPECT_EQ(mode_writes, 1u) << "forced mode written once, when it read otherwise";
  const std::size_t before = writes.size();
  for (int i = 0; i < 2; ++i) {  // two leases that find everything in place
    const auto requests = r.server->requests();
    r.clock.advance(11s);
    ASSERT_TRUE(r.wait([&] { return r.server->requests() > requests + 20; }));
  }
  EXPECT_EQ(log.snapshot().size(), before) << "stored settings are not re-written to re-assert";
  auto s = r.driver->latest_state();
  ASSERT_TRUE(s.has_value());
  EXPECT_FALSE(s->battery_power_w.has_value()) << "a battery power without a known sign";
  EXPECT_DOUBLE_EQ(*s->grid_power_w, -400.0) << "exporting, in bessd's sign";
}

// docs/profiles.md "Control", ac_setpoint: the battery gets PV + the AC setpoint, so a PV that
// moves by more than the deadband is followed at once, the safe state's 0 W included.
TEST(ProfileDriver, AnAcSetpointFollowsThePvBetweenLeases) {
  Rig r(test::pv_and_ac_profile(30));
  r.bank.set("pv", 1800);
  r.bank.set("bat", 0);
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  EXPECT_EQ(r.bank.get("ac"), 1800.0) << "the safe state: all PV out, the battery at 0 W";
  r.bank.set("pv", 600);  // a cloud: the same setpoint would now discharge 1200 W
  ASSERT_TRUE(r.wait([&] { return r.bank.get("ac") == 600.0; }))
      << "re-planned without waiting for the lease";
  r.driver->apply(set_power(1000));
  ASSERT_TRUE(r.wait_asserted(1000));
  EXPECT_EQ(r.bank.get("ac"), -400.0) << "400 W from the grid beside 600 W of PV";
  r.bank.set("pv", 630);  // within the deadband: left alone
  const auto requests = r.server->requests();
  ASSERT_TRUE(r.wait([&] { return r.server->requests() > requests + 20; }));
  EXPECT_EQ(r.bank.get("ac"), -400.0);
  r.bank.set("pv", 2000);
  ASSERT_TRUE(r.wait([&] { return r.bank.get("ac") == 1000.0; }))
      << "the sun is back: 1000 W of it out, not 1370 W more into the battery";
}

/// Function codes of the writes the server took (filled on its thread).
struct FunctionLog {
  void add(std::uint8_t function, std::uint16_t address, std::size_t count) {
    std::lock_guard lock(mutex);
    entries.push_back({function, address, count});
  }
  struct Entry {
    std::uint8_t function;
    std::uint16_t address;
    std::size_t count;
  };
  std::vector<Entry> snapshot() const {
    std::lock_guard lock(mutex);
    return entries;
  }
  mutable std::mutex mutex;
  std::vector<Entry> entries;
};

// docs/profiles.md "Points", write_function: an fc06 point goes out alone, as FC06, even beside
// another point it would otherwise share one FC16 request with.
TEST(ProfileDriver, AnFc06PointIsWrittenAloneAsASingleRegister) {
  FunctionLog log;  // outlives the server thread that fills it
  Rig r(parse_profile_text(R"({"name":"single","points":{
      "bat":{"address":1,"type":"s16","sign":"charge_positive"},
      "enable":{"address":20,"type":"u16","access":"rw","write_function":"fc06"},
      "power":{"address":21,"type":"s16","access":"rw","write_function":"fc06",
               "sign":"charge_positive"}},
    "readings":{"battery_power":"bat"},
    "control":{"style":"battery_setpoint","points":{"setpoint":"power","enable":"enable"},
      "safe_state":[{"point":"enable","value":0},{"point":"power","value":0}]}})",
                           "single.json"));
  r.bank.set("bat", 0);
  r.server->on_write_check([&log](std::uint8_t, std::uint8_t function, std::uint16_t address,
                                  const std::vector<std::uint16_t>& values) -> std::uint8_t {
    log.add(function, address, values.size());
    return 0;
  });
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  r.driver->apply(set_power(700));
  ASSERT_TRUE(r.wait_asserted(700));
  EXPECT_EQ(r.bank.get("power"), 700.0);
  EXPECT_EQ(r.bank.get("enable"), 1.0);
  const auto writes = log.snapshot();
  ASSERT_GE(writes.size(), 4u) << "the safe state's two, the target's two";
  for (const auto& w : writes) {
    EXPECT_EQ(w.function, 0x06) << "at " << w.address;
    EXPECT_EQ(w.count, 1u);
  }
}

// A device that shows a written register only among its input registers (a Fox ESS H1 on
// RS485): the write goes to the holding register, the read-back reads it as the profile does.
TEST(ProfileDriver, AWrittenInputPointIsReadBackAsAnInputRegister) {
  Rig r(parse_profile_text(R"({"name":"inp","points":{
      "bat":{"function":"input","address":1,"type":"s16","sign":"charge_positive"},
      "power":{"function":"input","address":30,"type":"s16","access":"rw",
               "write_function":"fc06","sign":"charge_positive"}},
    "readings":{"battery_power":"bat"},
    "control":{"style":"battery_setpoint","points":{"setpoint":"power"},
      "safe_state":[{"point":"power","value":0}]}})",
                           "inp.json"));
  r.bank.set("bat", 0);
  r.bank.set("power", 0);  // the input register the device shows
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  r.bank.set("power", 800);  // as the device would show the write to come
  r.driver->apply(set_power(800));
  ASSERT_TRUE(r.wait_asserted(800));
  EXPECT_EQ(r.server->holding(1, 30, 1), (std::vector<std::uint16_t>{800})) << "written there";
  r.driver->apply(set_power(900));  // the input register still shows 800: not taken
  ASSERT_TRUE(
      r.wait([&] { return r.count("inverter.readback_mismatch", core::EventEdge::raised) > 0; }));
}

// docs/profiles.md "Shipped profiles", foxess_h1: the watchdog armed and remote control on, then
// the AC power; all three by FC06, and the AC power re-planned from the PV.
TEST(ProfileDriver, FoxEssRemoteControlBySingleRegisterWrites) {
  FunctionLog log;  // outlives the server thread that fills it
  Rig r("foxess_h1", nullptr, 247);
  r.bank.set("pv1_power", 1500);
  r.bank.set("pv2_power", 500);
  r.bank.set("battery_voltage", 52.1);
  r.bank.set("battery_power", 0);
  r.bank.set("grid_power", 0);
  // The device shows its remote-control registers among its input registers: mirror each
  // write there, as a real H1 on RS485 does.
  ModbusTestServer* srv = r.server.get();
  r.server->on_write_check([&log](std::uint8_t, std::uint8_t function, std::uint16_t address,
                                  const std::vector<std::uint16_t>& values) -> std::uint8_t {
    log.add(function, address, values.size());
    return function == 0x10 && address >= 44000 && address <= 44002 ? 0x02 : 0;
  });
  r.server->on_write(
      [srv](std::uint8_t unit, std::uint16_t address, const std::vector<std::uint16_t>& values) {
        srv->set_input(unit, address, values);
      });
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  EXPECT_EQ(r.bank.get("remote_timeout"), 60.0) << "the safe state arms the watchdog";
  EXPECT_EQ(r.bank.get("remote_enable"), 1.0);
  EXPECT_EQ(r.bank.get("active_power"), 2000.0) << "all PV out, the battery at 0 W";
  r.driver->apply(set_power(3000));
  ASSERT_TRUE(r.wait_asserted(3000));
  EXPECT_EQ(r.bank.get("active_power"), -1000.0) << "1 kW in beside 2 kW of PV";
  r.driver->apply(set_power(-1000));
  ASSERT_TRUE(r.wait_asserted(-1000));
  EXPECT_EQ(r.bank.get("active_power"), 3000.0);
  for (const auto& w : log.snapshot()) EXPECT_EQ(w.function, 0x06) << "at " << w.address;
  auto s = r.driver->latest_state();
  ASSERT_TRUE(s.has_value());
  EXPECT_DOUBLE_EQ(*s->pv_power_w, 2000.0);
}

}  // namespace
}  // namespace bessd::inverter
