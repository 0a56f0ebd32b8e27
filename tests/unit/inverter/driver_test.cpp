// ProfileInverterDriver against the libmodbus test server over real sockets and ptys.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <optional>

#include <boost/asio/io_context.hpp>

#include <bessd/inverter/profile_inverter_driver.hpp>
#include <bessd/modbus/libmodbus_client.hpp>
#include <bessd/modbus/testing/modbus_test_server.hpp>

#include <bessd/config/json_text.hpp>
#include <bessd/config/text_file.hpp>

#include "device_images.hpp"
#include "driver_rig.hpp"
#include "driver_test_support.hpp"
#include "register_bank.hpp"

namespace bessd::inverter {
namespace {

using core::CommandKind;
using core::EventEdge;
using core::InverterCommand;
using modbus::testing::ModbusTestServer;
using namespace std::chrono_literals;
using test::build_sunspec;
using test::fill_dummy;
using test::fill_sunspec;
using test::fill_victron;
using test::kProfiles;
using test::log_writes;
using test::Rig;
using test::set_power;
using test::SunSpecImage;
using test::WriteLog;

TEST(ProfileDriver, ReadsStateInBessdConvention) {
  Rig r("test_dummy");
  fill_dummy(r.bank);
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  std::optional<Result<core::InverterState>> got;
  r.driver->read_state([&](Result<core::InverterState> s) { got.emplace(std::move(s)); });
  ASSERT_TRUE(r.wait([&] { return got.has_value(); }));
  ASSERT_TRUE(*got) << got->error().message;
  const auto& s = got->value();
  EXPECT_TRUE(s.online);
  EXPECT_DOUBLE_EQ(*s.battery_power_w, -500.0);  // discharging
  EXPECT_FALSE(s.battery_power_includes_dc_loads) << "the inverter's own share";
  EXPECT_FALSE(s.target_at_battery);
  EXPECT_NEAR(*s.battery_current_a, -9.8, 1e-9);
  EXPECT_NEAR(*s.battery_voltage_v, 51.2, 1e-9);
  EXPECT_DOUBLE_EQ(*s.grid_power_w, -1200.0);
  EXPECT_DOUBLE_EQ(*s.ac_power_w, 480.0);
  EXPECT_DOUBLE_EQ(*s.rated_power_w, 5000.0);
  EXPECT_EQ(s.operating, core::InverterOperating::running);
  EXPECT_EQ(s.model, "DUMMY-5K");
  EXPECT_EQ(s.serial, "SN0042");
}

// A rating typed for the bigger model (or in the wrong unit) is not believed over the device's:
// an AC setpoint or a limit planned with it would ask for power the inverter cannot carry.
TEST(ProfileDriver, AConfiguredRatingAboveTheDevicesIsNotUsed) {
  Rig r("test_dummy");
  fill_dummy(r.bank);  // reports 5000 W
  r.options.rated_power_w = 10000.0;
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready() && r.driver->latest_state(); }));
  EXPECT_DOUBLE_EQ(*r.driver->latest_state()->rated_power_w, 5000.0);
  ASSERT_EQ(r.count("inverter.rating_above_device", EventEdge::raised), 1);
  const auto raised = std::find_if(r.events.begin(), r.events.end(), [](const core::Event& e) {
    return e.code == "inverter.rating_above_device";
  });
  EXPECT_NE(raised->message.find("10000 W"), std::string::npos) << raised->message;
  EXPECT_NE(raised->message.find("5000 W"), std::string::npos) << raised->message;
  // A rating read that fails (a busy device) keeps the device's rating, not the configured one.
  r.server->add_exception(3, 100, 101, 0x06);
  const auto polls = r.server->requests();
  ASSERT_TRUE(r.wait([&] { return r.server->requests() > polls + 10; }));
  ASSERT_TRUE(r.driver->latest_state()->rated_power_w);
  EXPECT_DOUBLE_EQ(*r.driver->latest_state()->rated_power_w, 5000.0);
  EXPECT_EQ(r.count("inverter.rating_above_device", EventEdge::cleared), 0);
}

// A device that reports its rating in kW (or a model code where the map says watts): 5 is not
// a rating, and the smaller of the two would plan a 5 W inverter. The configured one is used.
TEST(ProfileDriver, AnImplausibleReportedRatingIsNotUsed) {
  Rig r("test_dummy");
  fill_dummy(r.bank);
  r.bank.set("rated_power", 5);
  r.options.rated_power_w = 5000.0;
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready() && r.driver->latest_state(); }));
  EXPECT_DOUBLE_EQ(*r.driver->latest_state()->rated_power_w, 5000.0);
  EXPECT_EQ(r.count("inverter.rating_implausible", EventEdge::raised), 1);
  EXPECT_EQ(r.count("inverter.rating_above_device", EventEdge::raised), 0);
}

// Below the device's rating it is a derating on purpose: used, and nothing to warn about.
TEST(ProfileDriver, AConfiguredRatingBelowTheDevicesDeratesIt) {
  Rig r("test_dummy");
  fill_dummy(r.bank);
  r.options.rated_power_w = 3000.0;
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready() && r.driver->latest_state(); }));
  EXPECT_DOUBLE_EQ(*r.driver->latest_state()->rated_power_w, 3000.0);
  EXPECT_EQ(r.count("inverter.rating_above_device", EventEdge::raised), 0);
}

TEST(ProfileDriver, ReadsBeforeWritingAndWritesTheSafeStateFirst) {
  WriteLog log;  // outlives the server thread that fills it
  Rig r("test_dummy");
  fill_dummy(r.bank);
  log_writes(r, log);
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  const auto writes = log.snapshot();
  ASSERT_GE(writes.size(), 1u);
  EXPECT_EQ(writes[0].address, 200);  // setpoint (+ enable, merged into one request)
  EXPECT_EQ(writes[0].count, 3u);
  EXPECT_GT(writes[0].requests_before, 1u) << "the device was read before the first write";
  EXPECT_EQ(r.bank.get("setpoint"), 0.0);
  EXPECT_EQ(r.bank.get("enable"), 0.0);
  EXPECT_EQ(r.count("inverter.link_lost", EventEdge::raised), 0) << "first connect: no edge";
}

TEST(ProfileDriver, SetPowerIsWrittenInTheDeviceSignAndReadBack) {
  Rig r("test_dummy");
  fill_dummy(r.bank);
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  r.driver->apply(set_power(2000));  // charge 2 kW
  ASSERT_TRUE(
      r.wait([&] { return r.bank.get("setpoint") == -2000.0 && r.bank.get("enable") == 1.0; }));
  ASSERT_TRUE(r.wait([&] {
    auto s = r.driver->latest_state();
    return s && s->setpoint_readback_w == 2000.0;
  }));
  // Limits clamp the target.
  auto c = set_power(-4000);
  c.discharge_power_max_w = 1500;
  r.driver->apply(c);
  ASSERT_TRUE(r.wait([&] { return r.bank.get("setpoint") == 1500.0; }));
  EXPECT_EQ(r.count("inverter.readback_mismatch", EventEdge::raised), 0);
}

// The daemon's SIGTERM path waits for this: a read-back of 0 W alone can be the previous safe
// state while a setpoint write is still queued or on the wire.
TEST(ProfileDriver, CommandConfirmedOnlyOnceTheLatestCommandIsReadBack) {
  Rig r("test_dummy");
  fill_dummy(r.bank);
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  InverterCommand safe;
  safe.kind = CommandKind::safe_state;
  safe.reason = "test";
  r.driver->apply(safe);
  ASSERT_TRUE(r.wait([&] { return r.driver->command_confirmed(); }));
  ASSERT_TRUE(r.wait_asserted(0.0));

  r.driver->apply(set_power(-2000));
  EXPECT_FALSE(r.driver->command_confirmed());
  ASSERT_TRUE(r.wait([&] { return r.bank.get("setpoint") == 2000.0; }));  // on the wire
  r.driver->apply(safe);
  EXPECT_FALSE(r.driver->command_confirmed());
  ASSERT_TRUE(r.wait([&] { return r.driver->command_confirmed(); }));
  EXPECT_EQ(r.bank.get("setpoint"), 0.0);
  EXPECT_EQ(r.driver->latest_state()->setpoint_readback_w, 0.0);
}

TEST(ProfileDriver, TargetIsReassertedEveryLease) {
  Rig r("test_dummy");
  fill_dummy(r.bank);
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  r.driver->apply(set_power(1000));
  ASSERT_TRUE(r.wait_asserted(1000));
  EXPECT_EQ(r.bank.get("setpoint"), -1000.0);
  r.bank.set("setpoint", 0);  // the inverter reverted on its own
  // Not before the lease is due...
  const auto writes = r.server->writes();
  r.clock.advance(5s);
  ASSERT_TRUE(r.wait([&] { return r.server->requests() > writes + 20; }));
  EXPECT_EQ(r.bank.get("setpoint"), 0.0);
  // ...but once it is.
  r.clock.advance(6s);
  ASSERT_TRUE(r.wait([&] { return r.bank.get("setpoint") == -1000.0; }));
}

TEST(ProfileDriver, RestartedServerGetsSafeStateThenTheTargetAgain) {
  Rig r("test_dummy");
  fill_dummy(r.bank);
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  r.driver->apply(set_power(1500));
  ASSERT_TRUE(r.wait([&] { return r.bank.get("setpoint") == -1500.0; }));
  r.server->restart();  // power cycle: connection dropped, setpoint back to 777
  ASSERT_TRUE(r.wait([&] { return r.count("inverter.link_lost", EventEdge::raised) == 1; }));
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  EXPECT_EQ(r.count("inverter.link_lost", EventEdge::cleared), 1);
  EXPECT_EQ(r.bank.get("setpoint"), 0.0) << "safe state first after a reconnect";
  r.driver->apply(set_power(1500));  // the controller's next step
  ASSERT_TRUE(r.wait([&] { return r.bank.get("setpoint") == -1500.0; }));
  EXPECT_EQ(r.server->connections_accepted(), 2u);
}

// A site meter is read through this driver: its events name the meter, source and code.
TEST(ProfileDriver, EventsNameTheDeviceTheyAreAbout) {
  Rig r("test_dummy");
  r.options.event_source = "meter";
  fill_dummy(r.bank);
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  r.server->restart();
  ASSERT_TRUE(r.wait([&] { return r.count("meter.link_lost", EventEdge::raised) == 1; }));
  EXPECT_EQ(r.count("inverter.link_lost", EventEdge::raised), 0);
  for (const auto& e : r.events) EXPECT_EQ(e.source, "meter") << e.code;
}

// The reaction to a safety input is timed from the input to the device's acknowledgement of
// the first write of the command it caused; a command that is no reaction, or that changes
// nothing, is not counted.
TEST(ProfileDriver, TimesTheReactionToASafetyInput) {
  Rig r("test_dummy");
  fill_dummy(r.bank);
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  const LatencyHistogram* h = r.driver->safety_reactions();
  ASSERT_NE(h, nullptr);
  r.driver->apply(set_power(1500));
  ASSERT_TRUE(r.wait([&] { return r.driver->command_confirmed(); }));
  EXPECT_EQ(h->count(), 0U) << "not a reaction";

  r.driver->note_safety_input(r.clock.now() - 3ms);  // the alarm reached the loop 3 ms ago
  InverterCommand safe;
  safe.kind = CommandKind::safe_state;
  r.driver->apply(safe);
  ASSERT_TRUE(r.wait([&] { return r.driver->command_confirmed(); }));
  ASSERT_EQ(h->count(), 1U);
  EXPECT_NEAR(h->sum_s(), 0.003, 1e-9);  // the manual clock does not move by itself

  r.driver->note_safety_input(r.clock.now());
  r.driver->apply(safe);  // already held: nothing to write, nothing to time
  r.clock.advance(1s);
  ASSERT_TRUE(r.wait([&] { return r.server->requests() > 20; }));
  EXPECT_EQ(h->count(), 1U);

  r.driver->note_safety_input(r.clock.now());
  r.driver->apply(set_power(1500));  // the cause has gone: a release, not a protective reaction
  ASSERT_TRUE(r.wait([&] { return r.driver->command_confirmed(); }));
  EXPECT_EQ(h->count(), 1U);
  r.driver->note_safety_input(r.clock.now() - 2ms);
  r.driver->apply(set_power(500));  // a lowered limit: protective
  ASSERT_TRUE(r.wait([&] { return r.driver->command_confirmed(); }));
  EXPECT_EQ(h->count(), 2U);
}

// Red team 36a F3: a reaction whose first write the inverter refuses goes on until a retry's
// write is acknowledged; it is not lost.
TEST(ProfileDriver, AReactionRefusedAtFirstCountsUntilItsRetryTakes) {
  Rig r("test_dummy");
  fill_dummy(r.bank);
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  r.driver->apply(set_power(1500));
  ASSERT_TRUE(r.wait([&] { return r.driver->command_confirmed(); }));
  r.server->add_exception(16, 200, 201, 0x04);  // the setpoint register refuses writes
  r.driver->note_safety_input(r.clock.now());
  r.driver->apply(set_power(0));
  ASSERT_TRUE(r.wait([&] { return r.count("inverter.write_failed", EventEdge::once) >= 1; }));
  EXPECT_EQ(r.driver->safety_reactions()->count(), 0U);
  r.server->clear_faults();
  r.clock.advance(6s);  // the retry interval
  ASSERT_TRUE(r.wait([&] { return r.driver->command_confirmed(); }));
  ASSERT_EQ(r.driver->safety_reactions()->count(), 1U);
  EXPECT_NEAR(r.driver->safety_reactions()->sum_s(), 6.0, 1e-9);
}

// A lowered charge-voltage limit (Victron 2710) is a protective reaction too.
TEST(VictronLimits, ALoweredChargeVoltageLimitIsTimedAsAReaction) {
  Rig r("victron_ess");
  fill_victron(r.bank);
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  auto c = set_power(500);
  c.discharge_power_max_w = 3000;
  c.charge_current_max_a = 50;
  c.charge_voltage_max_v = 56.8;
  r.driver->apply(c);
  ASSERT_TRUE(r.wait([&] { return r.driver->command_confirmed(); }));
  c.charge_voltage_max_v = 52.2;
  r.driver->note_safety_input(r.clock.now());
  r.driver->apply(c);
  ASSERT_TRUE(r.wait([&] { return r.driver->command_confirmed(); }));
  EXPECT_EQ(r.driver->safety_reactions()->count(), 1U);
}

TEST(ProfileDriver, IgnoredWritesRaiseReadbackMismatch) {
  Rig r("test_dummy");
  fill_dummy(r.bank);
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  r.server->set_ignore_writes(true);
  r.driver->apply(set_power(800));
  ASSERT_TRUE(
      r.wait([&] { return r.count("inverter.readback_mismatch", EventEdge::raised) == 1; }));
  const auto& e = r.events.back();
  EXPECT_EQ(e.fields.at("point"), "setpoint");
  EXPECT_EQ(r.bank.get("setpoint"), 0.0);
  // The mismatch is told once, by its own event, not again as a failed write.
  EXPECT_EQ(r.count("inverter.write_failed", EventEdge::once), 0);
  // The device accepts writes again: the next lease clears the condition.
  r.server->set_ignore_writes(false);
  r.clock.advance(11s);
  ASSERT_TRUE(
      r.wait([&] { return r.count("inverter.readback_mismatch", EventEdge::cleared) == 1; }));
  EXPECT_EQ(r.bank.get("setpoint"), -800.0);
}

TEST(ProfileDriver, NotObeyingIsRaisedAfterTheWindowAndCleared) {
  Rig r("test_dummy");
  fill_dummy(r.bank);
  r.bank.set("battery_power", 0);
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  r.driver->apply(set_power(2000));
  ASSERT_TRUE(r.wait([&] { return r.bank.get("setpoint") == -2000.0; }));
  const auto polls = r.server->requests();
  ASSERT_TRUE(r.wait([&] { return r.server->requests() > polls + 10; }));
  EXPECT_EQ(r.count("inverter.not_obeying", EventEdge::raised), 0) << "inside the window";
  r.clock.advance(6s);
  ASSERT_TRUE(r.wait([&] { return r.count("inverter.not_obeying", EventEdge::raised) == 1; }));
  r.bank.set("battery_power", -1950);  // now charging 1950 W, within 100 W
  ASSERT_TRUE(r.wait([&] { return r.count("inverter.not_obeying", EventEdge::cleared) == 1; }));
}

// Red team 26l N4: on a GX the battery power includes DC loads, so the warning does not blame the
// Multi alone for a battery that is not where it was commanded.
TEST(Victron, NotObeyingSaysADcLoadMayDrawBeyondTheCover) {
  Rig r("victron_ess");
  fill_victron(r.bank);
  r.bank.set("battery_power", -800);  // a DC load the Multi does not take over
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  r.driver->apply(set_power(0));
  // The command is carried out (grid 150 + 800 + 0) before the clock moves: the check's window
  // starts there.
  ASSERT_TRUE(r.wait([&] { return r.bank.get("setpoint") == 950.0; }));
  const auto polls = r.server->requests();
  ASSERT_TRUE(r.wait([&] { return r.server->requests() > polls + 10; }));
  r.clock.advance(6s);
  ASSERT_TRUE(r.wait([&] { return r.count("inverter.not_obeying", EventEdge::raised) == 1; }));
  for (const auto& e : r.events)
    if (e.code == "inverter.not_obeying") {
      EXPECT_NE(e.message.find("a DC load draws more than it covers"), std::string::npos)
          << e.message;
      EXPECT_EQ(e.message.find("inverter does not follow the command"), std::string::npos)
          << e.message;
    }
}

TEST(ProfileDriver, WriteExceptionIsAnEventAndNotAsserted) {
  Rig r("test_dummy");
  fill_dummy(r.bank);
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  r.server->add_exception(16, 200, 201, 0x04);
  r.driver->apply(set_power(500));
  ASSERT_TRUE(r.wait([&] { return r.count("inverter.write_failed", EventEdge::once) >= 1; }));
  EXPECT_NE(r.events.back().message.find("Server Device Failure"), std::string::npos)
      << r.events.back().message;
  EXPECT_EQ(r.bank.get("setpoint"), 0.0);
}

TEST(ProfileDriver, WorksOverRtu) {
  Rig r("test_dummy", ModbusTestServer::rtu({115200, 5, false}), 5);
  fill_dummy(r.bank);
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  r.driver->apply(set_power(-700));
  ASSERT_TRUE(r.wait([&] { return r.bank.get("setpoint") == 700.0; }));
  auto s = r.driver->latest_state();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->model, "DUMMY-5K");
}

// ------------------------------------------------------------------ SunSpec

class SunSpecDiscovery : public ::testing::TestWithParam<std::uint16_t> {};

TEST_P(SunSpecDiscovery, FindsTheChainAndCommandsModel124) {
  Rig r("sunspec");
  const auto img = build_sunspec(*r.server, GetParam(), true);
  test::RegisterBank b(*r.server, r.profile, 1, img.starts);
  fill_sunspec(b);
  b.set("bat_W", -800);
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  EXPECT_EQ(r.driver->sunspec_models(), img.starts);
  auto s = r.driver->latest_state();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->model, "HybridX 6.0");
  EXPECT_NEAR(*s->ac_power_w, 123.4, 1e-9);
  EXPECT_NEAR(*s->battery_voltage_v, 51.2, 1e-9);
  EXPECT_FALSE(s->battery_power_w.has_value()) << "802 W has an unknown sign: unused";
  EXPECT_EQ(s->operating, core::InverterOperating::running);
  // Safe state first: both rates 0, limits applied, and no revert timer: the hold holds.
  EXPECT_EQ(b.get("StorCtl_Mod"), 3.0);
  EXPECT_EQ(b.get("InWRte", -2), 0.0);
  EXPECT_EQ(b.get("InOutWRte_RvrtTms"), 0.0);

  r.driver->apply(set_power(2500));  // 50 % of WChaMax, forced charge
  ASSERT_TRUE(r.wait([&] { return b.get("StorCtl_Mod") == 3.0 && b.get("ChaGriSet") == 1.0; }));
  EXPECT_EQ(b.get("InWRte", -2), 50.0);
  EXPECT_EQ(b.get("OutWRte", -2), -50.0);
  EXPECT_EQ(b.get("InOutWRte_RvrtTms"), 120.0) << "a forced target reverts if bessd stops";
  r.driver->apply(set_power(-1000));  // 20 % discharge
  ASSERT_TRUE(r.wait([&] { return b.get("OutWRte", -2) == 20.0 && b.get("InWRte", -2) == -20.0; }));
}

INSTANTIATE_TEST_SUITE_P(Bases, SunSpecDiscovery, ::testing::Values(40000, 0, 50000));

TEST(SunSpec, LeaseIsAQuarterOfTheRevertTimeout) {
  Rig r("sunspec");
  r.options.lease = 100s;  // too long: clamped to 120 s / 4
  const auto img = build_sunspec(*r.server, 40000, false);
  test::RegisterBank b(*r.server, r.profile, 1, img.starts);
  fill_sunspec(b);
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  r.driver->apply(set_power(1000));
  ASSERT_TRUE(r.wait_asserted(1000));
  EXPECT_EQ(b.get("InWRte", -2), 20.0);
  b.set("InWRte", 0, -2);
  r.clock.advance(31s);
  ASSERT_TRUE(r.wait([&] { return b.get("InWRte", -2) == 20.0; }));
}

TEST(SunSpec, SentinelsMakeValuesUnavailable) {
  Rig r("sunspec");
  const auto img = build_sunspec(*r.server, 40000, false);
  test::RegisterBank b(*r.server, r.profile, 1, img.starts);
  fill_sunspec(b);
  b.set_raw("W_SF", {0x8000});
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  auto s = r.driver->latest_state();
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->ac_power_w.has_value());
}

TEST(SunSpec, MissingMarkerIsReported) {
  Rig r("sunspec");
  r.server->set_holding(1, 0, {0});
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.count("inverter.discovery_failed", EventEdge::once) == 1; }));
  EXPECT_FALSE(r.driver->ready());
}

// ------------------------------------------------------------------ Victron

TEST(Victron, GridSetpointFollowsTheBatteryTarget) {
  Rig r("victron_ess");
  fill_victron(r.bank);
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  auto s = r.driver->latest_state();
  ASSERT_TRUE(s);
  EXPECT_DOUBLE_EQ(*s->grid_power_w, 150.0);
  EXPECT_DOUBLE_EQ(*s->battery_power_w, -300.0);
  EXPECT_TRUE(s->battery_power_includes_dc_loads) << "842 is the GX's battery service";
  EXPECT_TRUE(s->target_at_battery) << "2716 is computed from 842";
  // Safe state: no discharge, no charge, setpoint 0.
  EXPECT_EQ(r.bank.get("max_discharge_power"), 0.0);
  EXPECT_EQ(r.bank.get("max_charge_current"), 0.0);
  r.driver->apply(set_power(1000));
  // grid' = grid - battery + target = 150 + 300 + 1000
  ASSERT_TRUE(r.wait([&] { return r.bank.get("setpoint") == 1450.0; }));
  EXPECT_EQ(r.bank.get("max_discharge_power"), 5000.0);
  EXPECT_EQ(r.bank.get("max_charge_current"), 100.0) << "the envelope, never -1 (no limit)";
  // The site changes: the setpoint follows beyond the deadband.
  r.bank.set("battery_power", 1000);
  r.bank.set("grid_l1", 1500);
  ASSERT_TRUE(r.wait([&] { return r.bank.get("setpoint") == 1550.0; }));
}

// The house load moves, the re-planned grid setpoint is refused once (a busy GX): the next poll
// writes it again, not the next lease (the clock stands still here).
TEST(Victron, AFailedDriftRewriteIsRetriedAtTheNextPoll) {
  std::atomic<bool> refuse_next{false};
  Rig r("victron_ess");
  fill_victron(r.bank);
  r.server->on_write_check([&refuse_next](std::uint8_t, std::uint8_t, std::uint16_t address,
                                          const std::vector<std::uint16_t>&) -> std::uint8_t {
    if (address == 2716 && refuse_next.exchange(false)) return 0x06;
    return 0;
  });
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  r.driver->apply(set_power(1000));
  ASSERT_TRUE(r.wait([&] { return r.bank.get("setpoint") == 1450.0; }));
  refuse_next = true;
  r.bank.set("grid_l1", 1100);  // the kettle: 1000 W more in the house
  ASSERT_TRUE(r.wait([&] { return !refuse_next.load(); })) << "the drift re-plan was tried";
  EXPECT_TRUE(r.wait([&] { return r.bank.get("setpoint") == 2450.0; }, 3000ms))
      << "the GX still holds " << r.bank.get("setpoint")
      << " W: the battery no longer gives 1000 W";
}

// The GX's DC system (860) is reported as the DC loads' power. A GX without "Has DC system" may
// not answer it: read alone, that fails only this read, not the battery readings beside it.
TEST(Victron, TheDcSystemIsReadAloneSoAGxWithoutItKeepsItsReadings) {
  Rig r("victron_ess");
  fill_victron(r.bank);
  r.bank.set("dc_system_power", 700);
  r.start();
  ASSERT_TRUE(r.wait([&] {
    const auto s = r.driver->latest_state();
    return s && s->dc_load_power_w;
  }));
  EXPECT_DOUBLE_EQ(*r.driver->latest_state()->dc_load_power_w, 700.0);
  r.server->add_exception(3, 860, 860, 0x02);
  ASSERT_TRUE(r.wait([&] {
    const auto s = r.driver->latest_state();
    return s && !s->dc_load_power_w;
  }));
  const auto s = r.driver->latest_state();
  ASSERT_TRUE(s->battery_power_w);
  EXPECT_DOUBLE_EQ(*s->battery_power_w, -300.0);
  ASSERT_TRUE(s->battery_voltage_v);
  EXPECT_TRUE(s->online);
}

TEST(Victron, OldVenusFallsBackTo2700) {
  Rig r("victron_ess");
  fill_victron(r.bank);
  r.server->add_exception(16, 2716, 2717, 0x02);
  r.server->add_exception(3, 2716, 2717, 0x02);
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  EXPECT_EQ(r.count("inverter.setpoint_fallback", EventEdge::once), 1);
  r.driver->apply(set_power(-200));
  ASSERT_TRUE(r.wait([&] { return r.bank.get("setpoint_legacy") == 250.0; }));
}

// A busy answer to the Hub4Mode read says nothing about the setting: control goes on.
TEST(Victron, ABusyHub4ModeReadKeepsTheLastVerdict) {
  Rig r("victron_ess");
  fill_victron(r.bank);
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  r.server->add_exception(3, 2902, 2903, 0x06);
  const auto req = r.server->requests();
  ASSERT_TRUE(r.wait([&] { return r.server->requests() > req + 10; }));
  EXPECT_EQ(r.count("inverter.precondition", EventEdge::raised), 0);
  r.driver->apply(set_power(1000));
  ASSERT_TRUE(r.wait([&] { return r.bank.get("setpoint") == 1450.0; }));
}

// ESS switched to external control while bessd's target runs: failing from the next poll on,
// not from the target's next write (a lease later).
TEST(Victron, Hub4ModeChangedMidSessionFailsTheCommandAtOnce) {
  Rig r("victron_ess");
  fill_victron(r.bank);
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  r.driver->apply(set_power(1000));
  ASSERT_TRUE(r.wait([&] { return r.driver->command_confirmed(); }));
  r.bank.set("hub4_mode", 3);
  ASSERT_TRUE(r.wait([&] {
    const auto s = r.driver->latest_state();
    return s && s->command_failing_since.has_value();
  }));
  EXPECT_NE(r.driver->latest_state()->command_failure.find("(read 3)"), std::string::npos);
}

TEST(Victron, WrongHub4ModeBlocksControl) {
  Rig r("victron_ess");
  fill_victron(r.bank);
  r.bank.set("hub4_mode", 3);
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  EXPECT_EQ(r.count("inverter.precondition", EventEdge::raised), 1);
  r.driver->apply(set_power(1000));
  const auto writes = r.server->writes();
  const auto req = r.server->requests();
  ASSERT_TRUE(r.wait([&] { return r.server->requests() > req + 10; }));
  EXPECT_EQ(r.server->writes(), writes);
  // Reported as a command that fails (INV-CMD once it lasts), naming the register's reading.
  const auto failing = r.driver->latest_state();
  ASSERT_TRUE(failing && failing->command_failing_since.has_value());
  EXPECT_NE(failing->command_failure.find("(read 3)"), std::string::npos)
      << failing->command_failure;
  // The hold that follows is written, but the device still cannot take a target: still failing.
  InverterCommand hold;
  hold.kind = CommandKind::safe_state;
  r.driver->apply(hold);
  ASSERT_TRUE(r.wait([&] { return r.driver->command_confirmed(); }));
  EXPECT_TRUE(r.driver->latest_state()->command_failing_since.has_value());
  r.bank.set("hub4_mode", 2);
  ASSERT_TRUE(r.wait([&] { return r.count("inverter.precondition", EventEdge::cleared) == 1; }));
  r.driver->apply(set_power(1000));
  ASSERT_TRUE(r.wait([&] { return r.bank.get("setpoint") == 1450.0; }));
  // The device stores the write before the driver has its answer: awaited, not assumed.
  EXPECT_TRUE(r.wait([&] { return !r.driver->latest_state()->command_failing_since.has_value(); }));
}

}  // namespace
}  // namespace bessd::inverter

namespace bessd::inverter {
namespace {

TEST(ProfileDriverStartup, FailedSafeStateIsRetriedUntilItTakes) {
  Rig r("test_dummy");
  fill_dummy(r.bank);
  r.server->add_exception(16, 200, 201, 0x06);  // busy: the safe state cannot be written yet
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.count("inverter.write_failed", EventEdge::once) >= 1; }));
  EXPECT_FALSE(r.driver->ready());
  r.server->clear_faults();
  r.clock.advance(6s);
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  EXPECT_EQ(r.bank.get("setpoint"), 0.0);
}

}  // namespace
}  // namespace bessd::inverter

namespace bessd::inverter {
namespace {

TEST(ProfileDriverStartup, UnreachableInverterRaisesLinkLost) {
  Rig r("test_dummy");
  auto probe = ModbusTestServer::tcp();  // reserve-and-release a free port: nobody listens
  const auto closed_port = probe->port();
  probe.reset();
  modbus::LinkOptions lo;
  lo.tcp_link.port = closed_port;
  lo.reconnect_min = 20ms;
  modbus::LibmodbusClient client(r.io, lo);
  ProfileInverterDriver driver(r.io, client, r.profile, r.options, r.clock);
  std::vector<core::Event> events;
  driver.set_event_handler([&](const core::Event& e) { events.push_back(e); });
  driver.start();
  ASSERT_TRUE(r.wait([&] {
    return std::any_of(events.begin(), events.end(), [](const core::Event& e) {
      return e.code == "inverter.link_lost" && e.edge == EventEdge::raised;
    });
  }));
  EXPECT_FALSE(driver.ready());
  auto s = driver.latest_state();
  EXPECT_FALSE(s);
  driver.stop();
  client.stop();
}

}  // namespace
}  // namespace bessd::inverter

namespace bessd::inverter {
namespace {

// docs/profiles.md "Control", sunspec_storage: the window the rates leave, [-OutWRte, InWRte],
// never closes, not even between the two rates, for a device that judges it register by
// register (this server refuses such a write as the Fronius GEN24 does, exception 03): where
// OutWRte first would close it, InWRte goes first, in a request of its own.
/// A SunSpec server that judges model 124's window [-OutWRte, InWRte] after each register, as a
/// Fronius GEN24 may, refusing with exception 03 what would close it (StorCtl_Mod aside).
struct WindowJudge {
  WindowJudge(Rig& r, test::RegisterBank& b, int out_pct, int in_pct) {
    const std::uint16_t out_addr = b.address_of("OutWRte");
    b.set("OutWRte", out_pct, -2);
    b.set("InWRte", in_pct, -2);
    out_raw = out_pct * 100;
    in_raw = in_pct * 100;
    r.server->on_write_check([this, out_addr](std::uint8_t, std::uint8_t, std::uint16_t address,
                                              const std::vector<std::uint16_t>& v) -> std::uint8_t {
      int out = out_raw;
      int in = in_raw;
      bool rates = false;
      for (std::size_t i = 0; i < v.size(); ++i) {
        const auto a = address + i;
        if (a != out_addr && a != out_addr + 1u) continue;
        rates = true;
        (a == out_addr ? out : in) = static_cast<std::int16_t>(v[i]);
        if (out + in < 0) {
          ++closed;
          return 0x03;
        }
      }
      if (rates && v.size() == 1) ++single_rate_writes;
      out_raw = out;
      in_raw = in;
      return 0;
    });
  }
  std::atomic<int> out_raw{0};  // the server's rates, judged on its thread
  std::atomic<int> in_raw{0};
  std::atomic<int> closed{0};
  std::atomic<int> single_rate_writes{0};
};

TEST(SunSpec, TheRatesChangeInAnOrderThatKeepsTheWindowOpen) {
  Rig r("sunspec");
  const auto img = build_sunspec(*r.server, 40000, false);
  test::RegisterBank b(*r.server, r.profile, 1, img.starts);
  fill_sunspec(b);
  WindowJudge judge(r, b, 0, 0);
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  for (const double w : {-1000.0, 1500.0, -500.0, 0.0, 2000.0, -2000.0}) {
    r.driver->apply(set_power(w));
    ASSERT_TRUE(r.wait_asserted(w)) << w;
  }
  EXPECT_EQ(b.get("OutWRte", -2), 40.0);
  EXPECT_EQ(b.get("InWRte", -2), -40.0);
  EXPECT_EQ(judge.closed, 0) << "a request closed the window halfway";
  // Three of the changes (to a charge from a discharge or a hold, to a hold from a discharge)
  // need InWRte first: two requests each. The others keep one.
  EXPECT_GE(judge.single_rate_writes, 6);
  EXPECT_EQ(r.count("inverter.write_failed", EventEdge::once), 0);
}

// bessd killed during a forced discharge (or another controller left one): the device still
// holds OutWRte 28 % / InWRte -28 %. The first write of the new process, the safe state's hold,
// must not close the window (OutWRte 0 beside InWRte -28 %): the rates are polled, so it is
// written InWRte first, and the battery stops at once rather than when the revert timer ends.
TEST(SunSpec, AHoldAfterARestartMidDischargeKeepsTheWindowOpen) {
  Rig r("sunspec");
  const auto img = build_sunspec(*r.server, 40000, false);
  test::RegisterBank b(*r.server, r.profile, 1, img.starts);
  fill_sunspec(b);
  b.set("StorCtl_Mod", 3);
  WindowJudge judge(r, b, 28, -28);
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  EXPECT_EQ(judge.closed, 0) << "the safe state was refused";
  EXPECT_EQ(b.get("OutWRte", -2), 0.0);
  EXPECT_EQ(b.get("InWRte", -2), 0.0);
}

}  // namespace
}  // namespace bessd::inverter

// ------------------------------------------------------------------ issue 15: holds and limits

namespace bessd::inverter {
namespace {

struct SunSpecRig {
  SunSpecRig()
      : img(build_sunspec(*r.server, 40000, true)), b(*r.server, r.profile, 1, img.starts) {
    fill_sunspec(b);
  }
  Rig r{"sunspec"};
  SunSpecImage img;
  test::RegisterBank b;
};

// A zero target is a hold: written without a revert timer, like the safe state; only forced
// targets carry the timer.
TEST(SunSpecHold, ZeroTargetHoldsWithoutARevertTimer) {
  SunSpecRig s;
  s.r.start();
  ASSERT_TRUE(s.r.wait([&] { return s.r.driver->ready(); }));
  s.r.driver->apply(set_power(-1000));
  ASSERT_TRUE(s.r.wait_asserted(-1000));
  EXPECT_EQ(s.b.get("InOutWRte_RvrtTms"), 120.0);
  s.r.driver->apply(set_power(0));
  ASSERT_TRUE(s.r.wait_asserted(0));
  EXPECT_EQ(s.b.get("InOutWRte_RvrtTms"), 0.0);
  EXPECT_EQ(s.b.get("InWRte", -2), 0.0);
  EXPECT_EQ(s.b.get("OutWRte", -2), 0.0);
  EXPECT_EQ(s.b.get("StorCtl_Mod"), 3.0);
  // An envelope of 0 in the commanded direction is a hold too (0 means 0, not "no limit").
  auto c = set_power(-1000);
  c.discharge_power_max_w = 0;
  s.r.driver->apply(c);
  ASSERT_TRUE(s.r.wait([&] { return s.r.driver->command_confirmed(); }));
  EXPECT_EQ(s.b.get("OutWRte", -2), 0.0);
  EXPECT_EQ(s.b.get("InOutWRte_RvrtTms"), 0.0);
}

// 2000 W of 3000 W is 66.666… %: the device gets 66.66 %, never 66.67 % (above the envelope).
TEST(SunSpecHold, RatesRoundTowardZero) {
  SunSpecRig s;
  s.b.set("WChaMax", 3000);
  s.r.start();
  ASSERT_TRUE(s.r.wait([&] { return s.r.driver->ready(); }));
  s.r.driver->apply(set_power(2000));
  ASSERT_TRUE(s.r.wait([&] { return s.r.driver->command_confirmed(); }));
  EXPECT_DOUBLE_EQ(s.b.get("InWRte", -2), 66.66);
  EXPECT_DOUBLE_EQ(s.b.get("OutWRte", -2), -66.66);
  s.r.driver->apply(set_power(-2000));
  ASSERT_TRUE(s.r.wait([&] { return s.r.driver->command_confirmed(); }));
  EXPECT_DOUBLE_EQ(s.b.get("OutWRte", -2), 66.66);
  EXPECT_DOUBLE_EQ(s.b.get("InWRte", -2), -66.66);
  // Below one step of the rate: a hold, not a forced 0.01 %.
  s.r.driver->apply(set_power(0.2));
  ASSERT_TRUE(s.r.wait([&] { return s.r.driver->command_confirmed(); }));
  EXPECT_EQ(s.b.get("InWRte", -2), 0.0);
  EXPECT_EQ(s.b.get("InOutWRte_RvrtTms"), 0.0);
}

TEST(SunSpecHold, ReleaseHandsTheInverterBack) {
  SunSpecRig s;
  s.r.start();
  ASSERT_TRUE(s.r.wait([&] { return s.r.driver->ready(); }));
  InverterCommand release;
  release.kind = CommandKind::release;
  s.r.driver->apply(release);
  ASSERT_TRUE(s.r.wait([&] { return s.r.driver->command_confirmed(); }));
  EXPECT_EQ(s.b.get("StorCtl_Mod"), 0.0);
  EXPECT_EQ(s.b.get("InWRte", -2), 100.0);
  EXPECT_EQ(s.b.get("OutWRte", -2), 100.0);
  EXPECT_EQ(s.b.get("InOutWRte_RvrtTms"), 0.0);
}

// Victron: 2705 / 2720 always carry the envelope (0 while a direction is blocked, never -1), the
// BMS's charge-voltage limit goes to 2710, and every value is rounded toward zero.
TEST(VictronLimits, DeviceLimitsMirrorTheEnvelope) {
  Rig r("victron_ess");
  fill_victron(r.bank);
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  auto c = set_power(0);
  c.discharge_power_max_w = 0;  // e.g. BMS stale, below 0 °C, at the SOC floor
  c.charge_power_max_w = 0;
  c.charge_current_max_a = 0;
  c.discharge_current_max_a = 0;
  r.driver->apply(c);
  ASSERT_TRUE(r.wait([&] { return r.driver->command_confirmed(); }));
  EXPECT_EQ(r.bank.get("max_discharge_power"), 0.0);
  EXPECT_EQ(r.bank.get("max_charge_current"), 0.0);
  EXPECT_EQ(r.bank.get("max_charge_voltage"), 0.0) << "no CVL known: 2710 untouched, never 0";

  c = set_power(500);
  c.discharge_power_max_w = 1234.9;
  c.charge_current_max_a = 99.7;
  c.charge_voltage_max_v = 55.27;
  r.driver->apply(c);
  ASSERT_TRUE(r.wait([&] { return r.driver->command_confirmed(); }));
  EXPECT_EQ(r.bank.get("max_discharge_power"), 1200.0) << "a 100 W grid (a stored setting)";
  EXPECT_EQ(r.bank.get("max_charge_current"), 99.0);
  EXPECT_NEAR(r.bank.get("max_charge_voltage"), 55.2, 1e-9);
}

// 2705/2710/2720 are stored in the GX's flash: a tighter envelope is written at once, a looser one
// only after it has stayed looser for a minute (docs/profiles.md, "Stored limits").
TEST(VictronLimits, StoredLimitsTightenAtOnceAndLoosenAfterAMinute) {
  Rig r("victron_ess");
  fill_victron(r.bank);
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  auto with = [](double power_w, double discharge_max_w) {
    auto c = set_power(power_w);
    c.discharge_power_max_w = discharge_max_w;
    c.charge_current_max_a = 50;
    return c;
  };
  r.driver->apply(with(500, 3000));
  ASSERT_TRUE(r.wait([&] { return r.driver->command_confirmed(); }));
  EXPECT_EQ(r.bank.get("max_discharge_power"), 3000.0);
  r.driver->apply(with(600, 2500));
  ASSERT_TRUE(r.wait([&] { return r.driver->command_confirmed(); }));
  EXPECT_EQ(r.bank.get("max_discharge_power"), 2500.0) << "tighter: at once";
  r.driver->apply(with(700, 3000));
  ASSERT_TRUE(r.wait([&] { return r.driver->command_confirmed(); }));
  EXPECT_EQ(r.bank.get("max_discharge_power"), 2500.0) << "looser: held for now";
  r.clock.advance(61s);
  r.driver->apply(with(800, 3000));
  ASSERT_TRUE(r.wait([&] { return r.driver->command_confirmed(); }));
  EXPECT_EQ(r.bank.get("max_discharge_power"), 3000.0) << "looser for a minute: loosened";
}

// The driver lets a held limit up when its minute is over, by itself: not a lease later, and
// not only when the next command happens to differ.
TEST(VictronLimits, AHeldLimitIsLoosenedWhenItsIntervalEndsWithoutANewCommand) {
  Rig r("victron_ess");
  r.options.lease = 600s;  // no lease re-assertion within the test
  fill_victron(r.bank);
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  auto c = set_power(0);
  c.discharge_power_max_w = 2500;
  c.charge_current_max_a = 50;
  c.charge_voltage_max_v = 52.2;  // a BMS dipping its CVL for a while
  r.driver->apply(c);
  ASSERT_TRUE(r.wait([&] { return r.driver->command_confirmed(); }));
  c.charge_voltage_max_v = 56.8;  // and raising it again
  c.discharge_power_max_w = 3000;
  r.driver->apply(c);
  ASSERT_TRUE(r.wait([&] { return r.driver->command_confirmed(); }));
  EXPECT_NEAR(r.bank.get("max_charge_voltage"), 52.2, 1e-9) << "looser: held for now";
  // The state says so, for status: which limit, held at what, the envelope's, and until when.
  {
    const auto held = r.driver->latest_state()->held_limits;
    const auto cvl = std::find_if(held.begin(), held.end(), [](const core::HeldDeviceLimit& h) {
      return h.limit == "charge_voltage_limit_v";
    });
    ASSERT_NE(cvl, held.end()) << held.size() << " held limits";
    EXPECT_NEAR(cvl->held, 52.2, 1e-9);
    EXPECT_NEAR(cvl->envelope, 56.8, 1e-9);
    ASSERT_TRUE(cvl->loosen_at.has_value());
    EXPECT_GT(*cvl->loosen_at, r.clock.now());
  }
  r.clock.advance(61s);
  ASSERT_TRUE(r.wait([&] { return r.bank.get("max_discharge_power") == 3000.0; }));
  ASSERT_TRUE(r.wait([&] { return std::fabs(r.bank.get("max_charge_voltage") - 56.8) < 1e-9; }));
  ASSERT_TRUE(r.wait([&] { return r.driver->latest_state()->held_limits.empty(); }))
      << "once written, nothing is held below the envelope";
}

// The safe state at a reconnection overwrites 2705 and 2720 with 0: the next command writes the
// envelope as it is, never a value held from the session before (which would keep the device
// below the envelope for another minute after every reconnection).
TEST(VictronLimits, AfterTheSafeStateTheEnvelopeIsWrittenAtOnce) {
  Rig r("victron_ess");
  fill_victron(r.bank);
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  auto c = set_power(500);
  c.discharge_power_max_w = 3000;
  c.charge_current_max_a = 9;  // a CCL dip
  r.driver->apply(c);
  ASSERT_TRUE(r.wait([&] { return r.driver->command_confirmed(); }));
  c.charge_current_max_a = 50;
  r.driver->apply(c);
  ASSERT_TRUE(r.wait([&] { return r.driver->command_confirmed(); }));
  EXPECT_EQ(r.bank.get("max_charge_current"), 9.0) << "looser: held for now";
  r.server->restart();
  ASSERT_TRUE(r.wait([&] { return r.count("inverter.link_lost", EventEdge::cleared) == 1; }));
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  EXPECT_EQ(r.bank.get("max_charge_current"), 0.0) << "the safe state first";
  r.driver->apply(c);  // the controller's next step
  ASSERT_TRUE(r.wait([&] { return r.driver->command_confirmed(); }));
  EXPECT_EQ(r.bank.get("max_charge_current"), 50.0);
}

// Write failures that persist are reported in the state (the controller's INV-CMD fault) and
// cleared by the next command that is written and read back.
TEST(ProfileDriverSupervision, PersistentWriteFailureIsReportedInTheState) {
  Rig r("test_dummy");
  fill_dummy(r.bank);
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  EXPECT_FALSE(r.driver->latest_state()->command_failing_since.has_value());
  r.server->add_exception(16, 200, 201, 0x04);
  const TimePoint t0 = r.clock.now();
  r.driver->apply(set_power(500));
  ASSERT_TRUE(r.wait([&] {
    auto st = r.driver->latest_state();
    return st && st->command_failing_since.has_value();
  }));
  EXPECT_EQ(*r.driver->latest_state()->command_failing_since, t0);
  EXPECT_NE(r.driver->latest_state()->command_failure.find("Server Device Failure"),
            std::string::npos);
  // Still failing on the retry: the start time stays.
  r.clock.advance(6s);
  const auto req = r.server->requests();
  ASSERT_TRUE(r.wait([&] { return r.server->requests() > req + 10; }));
  EXPECT_EQ(*r.driver->latest_state()->command_failing_since, t0);
  r.server->clear_faults();
  r.clock.advance(6s);
  ASSERT_TRUE(r.wait([&] {
    auto st = r.driver->latest_state();
    return st && !st->command_failing_since && r.bank.get("setpoint") == -500.0;
  }));
}

TEST(ProfileDriverSupervision, ReadbackMismatchIsReportedInTheState) {
  Rig r("test_dummy");
  fill_dummy(r.bank);
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  r.server->set_ignore_writes(true);
  r.driver->apply(set_power(800));
  ASSERT_TRUE(r.wait([&] {
    auto st = r.driver->latest_state();
    return st && st->command_failing_since.has_value();
  }));
  EXPECT_NE(r.driver->latest_state()->command_failure.find("read-back mismatch"),
            std::string::npos);
}

// SunSpec 802 W has no declared sign: battery power stays empty (the obey check then uses the
// BMS's V × I) rather than a value that may have the wrong sign.
TEST(SunSpecHold, UnknownSignLeavesBatteryPowerEmpty) {
  SunSpecRig s;
  s.b.set("bat_W", -800);
  s.b.set("bat_A", -15);
  s.r.start();
  ASSERT_TRUE(s.r.wait([&] { return s.r.driver->ready(); }));
  auto st = s.r.driver->latest_state();
  ASSERT_TRUE(st);
  EXPECT_FALSE(st->battery_power_w.has_value());
  EXPECT_FALSE(st->battery_current_a.has_value());
}

// A shipped profile changed by `edit` (a write budget, a verification level).
Profile edited(const std::string& name, const std::function<void(nlohmann::json&)>& edit) {
  const auto path = kProfiles / (name + ".json");
  auto doc = config::parse_json_text(config::read_text_file(path, 1 << 20).value(), path.string());
  edit(doc);
  return parse_profile(doc, path.string());
}

// docs/profiles.md "Write budget": a spent budget holds the battery in the safe state (written
// whatever the budget says) until the budget has room again.
TEST(ProfileDriver, ASpentWriteBudgetHoldsTheSafeStateUntilItHasRoom) {
  Rig r(edited("test_dummy", [](nlohmann::json& d) {
    d["points"]["setpoint"]["persistent"] = true;
    d["points"]["setpoint"]["write_budget_per_day"] = 3;
  }));
  fill_dummy(r.bank);  // the device holds 777 W
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));  // the safe state: write 1
  r.driver->apply(set_power(1000));                        // 2
  ASSERT_TRUE(r.wait_asserted(1000));
  r.driver->apply(set_power(2000));  // 3
  ASSERT_TRUE(r.wait_asserted(2000));
  // A lease's re-assertion of a stored setting reads it first: no write, nothing spent.
  r.clock.advance(11s);
  const auto polls = r.server->requests();
  ASSERT_TRUE(r.wait([&] { return r.server->requests() > polls + 10; }));
  EXPECT_EQ(r.count("inverter.write_budget", EventEdge::raised), 0);
  EXPECT_EQ(r.bank.get("setpoint"), -2000.0);

  r.driver->apply(set_power(3000));  // over the budget: the safe state instead
  ASSERT_TRUE(r.wait([&] { return r.count("inverter.write_budget", EventEdge::raised) == 1; }));
  ASSERT_TRUE(r.wait([&] { return r.bank.get("setpoint") == 0.0; }))
      << "not left forcing the old command";
  EXPECT_FALSE(r.driver->command_confirmed());
  // The hold is bessd's own protection of the device and ends by itself: a raised warning (in
  // the status's warnings[]), not a failing command that would latch INV-CMD and keep the
  // battery idle after the budget has room again. A retry refused again says nothing new.
  r.clock.advance(6s);
  const auto retried = r.server->requests();
  ASSERT_TRUE(r.wait([&] { return r.server->requests() > retried + 10; }));
  const auto held = r.driver->latest_state();
  ASSERT_TRUE(held);
  EXPECT_FALSE(held->command_failing_since) << held->command_failure;
  EXPECT_EQ(r.count("inverter.write_budget", EventEdge::raised), 1);
  EXPECT_EQ(r.count("inverter.write_failed", EventEdge::once), 0) << "the budget's own event";
  for (const auto& e : r.events)
    if (e.code == "inverter.write_budget" && e.edge == EventEdge::raised) {
      EXPECT_EQ(e.fields.at("point"), "setpoint");
      EXPECT_EQ(e.fields.at("budget_per_day"), "3");
      EXPECT_NE(e.message.find("held in the safe state"), std::string::npos) << e.message;
    }
  // A day later the budget has room again and the command goes out.
  r.clock.advance(std::chrono::hours{24} + 1s);
  ASSERT_TRUE(r.wait([&] { return r.bank.get("setpoint") == -3000.0; }));
  EXPECT_TRUE(r.wait([&] { return r.count("inverter.write_budget", EventEdge::cleared) == 1; }));
}

// docs/profiles.md "Write budget": a stored setting the device does not keep (it acknowledges and
// keeps the old value) is not written by every retry of the safe state: at most twice its budget.
TEST(ProfileDriver, ASafeStateTheDeviceDoesNotKeepStopsAtTwiceTheBudget) {
  std::atomic<int> setpoint_writes{0};  // outlives the server thread that counts into it
  Rig r(edited("test_dummy", [](nlohmann::json& d) {
    d["points"]["setpoint"]["persistent"] = true;
    d["points"]["setpoint"]["write_budget_per_day"] = 2;
  }));
  fill_dummy(r.bank);  // the device holds 777 W, and keeps it
  r.server->on_write([&](std::uint8_t, std::uint16_t a, const std::vector<std::uint16_t>&) {
    if (a == 200) ++setpoint_writes;  // test_dummy's setpoint register
  });
  r.server->set_ignore_writes(true);
  r.start();
  // Each safe state is written, read back as 777 and retried (every 5 s of the driver's clock).
  for (int i = 0; i < 8; ++i) {
    const auto requests = r.server->requests();
    ASSERT_TRUE(r.wait([&] { return r.server->requests() > requests + 10; }));
    r.clock.advance(6s);
  }
  EXPECT_EQ(setpoint_writes.load(), 4) << "twice the budget of 2, then no more";
  bool said = false;
  for (const auto& e : r.events)
    said = said || (e.code == "inverter.write_budget" &&
                    e.message.find("not even the safe state") != std::string::npos);
  EXPECT_TRUE(said);
}

// docs/profiles.md "Control", directional: GoodWe's mode and power change in one request.
TEST(ProfileDriver, GoodWeModeAndPowerGoOutInOneRequest) {
  WriteLog log;  // outlives the server thread that fills it
  Rig r("goodwe_et");
  r.bank.set("battery_voltage", 410.5);
  r.bank.set("battery_power", -300);  // device: + = discharging
  r.bank.set("meter_power", 200);     // device: + = export
  r.bank.set("ems_mode", 1);
  log_writes(r, log);
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  EXPECT_EQ(r.bank.get("ems_mode"), 11.0) << "the safe state: a charge at 0 W";
  r.driver->apply(set_power(-1500));
  ASSERT_TRUE(r.wait_asserted(-1500));
  EXPECT_EQ(r.bank.get("ems_mode"), 12.0);
  EXPECT_EQ(r.bank.get("ems_power"), 1500.0);
  for (const auto& w : log.snapshot()) {
    EXPECT_EQ(w.address, 47511) << "every control write starts at the mode";
    EXPECT_EQ(w.count, 2u) << "mode and power together";
  }
  auto s = r.driver->latest_state();
  ASSERT_TRUE(s.has_value());
  EXPECT_DOUBLE_EQ(*s->battery_power_w, 300.0) << "charging, in bessd's sign";
  EXPECT_DOUBLE_EQ(*s->grid_power_w, -200.0) << "exporting, in bessd's sign";
}

// docs/profiles.md "Blocks": a block goes out whole, in one request, for every plan.
TEST(ProfileDriver, ABlockIsWrittenWholeInOneRequest) {
  WriteLog log;  // outlives the server thread that fills it
  Rig r(parse_profile_text(R"({"name":"blk","points":{
      "bat":{"address":130,"type":"s16","sign":"charge_positive"},
      "mode":{"address":124,"type":"u16","access":"rw"},
      "set_type":{"address":125,"type":"u16","access":"rw"},
      "power":{"address":126,"type":"s32","word_order":"low_first","access":"rw","sign":"charge_positive"},
      "duration":{"address":128,"type":"u16","access":"rw"}},
    "readings":{"battery_power":"bat"},
    "control":{"style":"battery_setpoint","points":{"setpoint":"power"},
      "blocks":[{"points":["mode","set_type","power","duration"],
                 "fill":{"mode":1,"set_type":1,"power":0,"duration":20}}],
      "safe_state":[{"point":"power","value":0}]}})",
                           "blk.json"));
  r.bank.set("bat", -100);  // the unit answers once it has registers
  log_writes(r, log);
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); })) << [&] {
    std::string all;
    for (const auto& e : r.events) all += e.code + ": " + e.message + "\n";
    all += "writes: " + std::to_string(log.snapshot().size()) +
           ", requests: " + std::to_string(r.server->requests());
    auto st = r.driver->latest_state();
    if (st)
      all += ", failure: " + st->command_failure;
    else
      all += ", state: " + st.error().message;
    return all;
  }();
  EXPECT_EQ(r.bank.get("duration"), 20.0) << "the safe state wrote the whole block";
  r.driver->apply(set_power(-900));
  ASSERT_TRUE(r.wait_asserted(-900));
  EXPECT_EQ(r.bank.get("power"), -900.0);
  EXPECT_EQ(r.bank.get("mode"), 1.0);
  const auto writes = log.snapshot();
  ASSERT_GE(writes.size(), 2u);
  for (const auto& w : writes) {
    EXPECT_EQ(w.address, 124);
    EXPECT_EQ(w.count, 5u) << "mode, set type, power (two words), duration";
  }
}

// docs/profiles.md "Blocks": a stored block (Sofar's passive window) is read and compared whole;
// a lease that finds it in place writes nothing, and a new target writes it in one request.
TEST(ProfileDriver, AStoredBlockIsWrittenWholeAndOnlyWhenItChanges) {
  WriteLog log;  // outlives the server thread that fills it
  Rig r("sofar_hyd_g3");
  r.bank.set("battery_power", 0);
  r.bank.set("grid_power", 300);
  log_writes(r, log);
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  EXPECT_EQ(r.bank.get("storage_mode"), 3.0) << "the safe state is passive mode at 0 W";
  r.driver->apply(set_power(2500));
  ASSERT_TRUE(r.wait_asserted(2500));
  EXPECT_EQ(r.bank.get("passive_battery_min"), 2500.0);
  EXPECT_EQ(r.bank.get("passive_battery_max"), 2500.0);
  auto writes = log.snapshot();
  ASSERT_FALSE(writes.empty());
  EXPECT_EQ(writes.back().address, 4487);
  EXPECT_EQ(writes.back().count, 6u) << "grid, min and max in one request";
  const std::size_t before = writes.size();
  // Two leases later the window is still in place: read and compared, never written again.
  for (int i = 0; i < 2; ++i) {
    const auto requests = r.server->requests();
    r.clock.advance(11s);
    ASSERT_TRUE(r.wait([&] { return r.server->requests() > requests + 20; }));
  }
  EXPECT_EQ(log.snapshot().size(), before) << "a stored window is not re-written to re-assert it";
  // Someone changed the maximum on the inverter: the next lease writes the whole block back.
  r.bank.set("passive_battery_max", 5000);
  r.clock.advance(11s);
  ASSERT_TRUE(r.wait([&] { return r.bank.get("passive_battery_max") == 2500.0; }));
  writes = log.snapshot();
  ASSERT_EQ(writes.size(), before + 1);
  EXPECT_EQ(writes.back().address, 4487);
  EXPECT_EQ(writes.back().count, 6u);
}

// docs/profiles.md "Watchdog": a device timer only writes restart gets the target re-written
// within a quarter of it, whatever the configured lease.
TEST(ProfileDriver, AWriteFedWatchdogShortensTheLease) {
  Rig r(parse_profile_text(R"({"name":"wd","points":{
      "bat":{"address":1,"type":"s16","sign":"charge_positive"},
      "timeout":{"address":20,"type":"u16","access":"rw"},
      "power":{"address":30,"type":"s16","access":"rw","sign":"charge_positive"}},
    "readings":{"battery_power":"bat"},
    "control":{"style":"battery_setpoint","lease_s":2,"points":{"setpoint":"power"},
      "watchdog":{"writes":[{"point":"timeout","value":8}],"timeout_s":8,"feed":"writes",
                  "fallback":"standby"},
      "safe_state":[{"point":"power","value":0}]}})",
                           "wd.json"));
  r.bank.set("bat", 0);
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  EXPECT_EQ(r.bank.get("timeout"), 0.0) << "the safe state does not arm it";
  r.driver->apply(set_power(800));
  ASSERT_TRUE(r.wait_asserted(800));
  EXPECT_EQ(r.bank.get("timeout"), 8.0) << "armed before the target";
  r.bank.set("power", 0);  // the device's timer ran out
  r.clock.advance(3s);     // the Rig's 10 s lease, clamped to 8 s / 4
  ASSERT_TRUE(r.wait([&] { return r.bank.get("power") == 800.0; }));
}

// docs/profiles.md "Verification": said at start for a profile not checked on hardware.
TEST(ProfileDriver, AProfileNotCheckedOnHardwareIsSaidAtStart) {
  {
    Rig r("victron_ess");
    fill_victron(r.bank);
    r.start();
    ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
    ASSERT_EQ(r.count("inverter.profile_unverified", EventEdge::raised), 1);
    for (const auto& e : r.events)
      if (e.code == "inverter.profile_unverified") {
        EXPECT_EQ(e.severity, core::Severity::warning);
        EXPECT_EQ(e.fields.at("verification"), "documented");
        EXPECT_NE(e.message.find("victron_ess"), std::string::npos) << e.message;
      }
  }
  Rig checked(edited("victron_ess", [](nlohmann::json& d) {
    d["verification"] = {{"level", "hardware"}, {"by", "A. Fitter"}, {"firmware", "3.60"}};
  }));
  fill_victron(checked.bank);
  checked.start();
  ASSERT_TRUE(checked.wait([&] { return checked.driver->ready(); }));
  EXPECT_EQ(checked.count("inverter.profile_unverified", EventEdge::raised), 0);
}

}  // namespace
}  // namespace bessd::inverter
