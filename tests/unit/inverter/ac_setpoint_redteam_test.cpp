// The ac_setpoint style and the foxess_h1 profile attacked as a real installation would
// (docs/profiles.md "Control", "Watchdog", "Readings"): situations in which the battery would get
// what it must not, or the device's watchdog would be fed with a wrong power or not at all. Each
// test was written by a reviewer who had not seen the style's code, and failed until it was
// fixed.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <vector>

#include <bessd/inverter/planning/point_values.hpp>
#include <bessd/inverter/planning/write_planner.hpp>
#include <bessd/inverter/profile.hpp>
#include <bessd/modbus/testing/modbus_test_server.hpp>

#include "driver_rig.hpp"
#include "driver_test_support.hpp"

namespace bessd::inverter {
namespace {

using modbus::testing::ModbusTestServer;
using namespace std::chrono_literals;
using core::EventEdge;
using test::pv_and_ac_profile;
using test::Rig;
using test::set_power;

/// A Fox ESS H1 as the rig's server: remote-control writes (FC06 only) mirrored into the input
/// registers, as the H1 on RS485 shows them.
void mirror_fox_writes(Rig& r) {
  ModbusTestServer* srv = r.server.get();
  r.server->on_write_check([](std::uint8_t, std::uint8_t function, std::uint16_t address,
                              const std::vector<std::uint16_t>&) -> std::uint8_t {
    return function == 0x10 && address >= 44000 && address <= 44002 ? 0x02 : 0;
  });
  r.server->on_write(
      [srv](std::uint8_t unit, std::uint16_t address, const std::vector<std::uint16_t>& values) {
        srv->set_input(unit, address, values);
      });
}

core::InverterCommand latched_fault_command() {
  core::InverterCommand c;
  c.kind = core::CommandKind::safe_state;
  c.reason = "latched fault";
  return c;
}

// A cold night: charging blocked (the envelope's charge limit 0). The H1's second string has no
// panels and reads -20 W, as foxess_modbus says such a string does (it clamps it at 0). bessd
// sums the strings into PV = -20 W and writes an AC power of -20 W: 20 W *into* the device, which
// the battery takes. A pack that must not charge is trickle-charged from the grid all night.
TEST(AcSetpointRedteam, ANegativeStringReadingNeverChargesABlockedPack) {
  Rig r("foxess_h1", nullptr, 247);
  r.bank.set("pv1_power", 0);
  r.bank.set("pv2_power", -20);
  r.bank.set("battery_voltage", 52.0);
  r.bank.set("battery_power", 0);
  r.bank.set("grid_power", 0);
  mirror_fox_writes(r);
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  auto c = set_power(0);
  c.charge_power_max_w = 0;  // a cold pack: no charging at all
  r.driver->apply(c);
  ASSERT_TRUE(r.wait_asserted(0));
  // export_positive: a negative AC power is an import, and with no PV it all goes into the pack.
  EXPECT_GE(r.bank.get("active_power"), 0.0)
      << "charging is blocked, there is no PV, yet bessd asks the inverter to take "
      << -r.bank.get("active_power") << " W from the grid (into the battery)";
}

// The H1's readings block (11002..11021, the PV and the battery power) stops answering while
// the remote-control registers still do (an RS485 gateway that times out on the long read, a
// firmware whose map moved; the device answers exception 04). The poll then fails as a whole and
// the driver keeps its last state: bessd goes on planning the AC power from a PV it read minutes
// ago and re-writes it every lease, which feeds the 60 s watchdog for ever. The sun comes out
// (2 kW -> 5 kW) and a latched fault holds "the battery at 0 W" as AC = 2 kW out: the pack takes
// 3 kW, and the watchdog that would hand the battery back is kept from running out by the very
// writes that are wrong. A plan must not use a PV older than a few polls.
TEST(AcSetpointRedteam, AStalePvDoesNotKeepFeedingTheWatchdog) {
  std::atomic<int> setpoint_writes{0};
  Rig r("foxess_h1", nullptr, 247);
  r.bank.set("pv1_power", 1500);
  r.bank.set("pv2_power", 500);
  r.bank.set("battery_voltage", 52.0);
  r.bank.set("battery_power", 0);
  r.bank.set("grid_power", 0);
  mirror_fox_writes(r);
  ModbusTestServer* srv = r.server.get();
  r.server->on_write([srv, &setpoint_writes](std::uint8_t unit, std::uint16_t address,
                                             const std::vector<std::uint16_t>& values) {
    srv->set_input(unit, address, values);
    if (address == 44002) ++setpoint_writes;
  });
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  r.driver->apply(latched_fault_command());  // a latched fault: the battery at 0 W
  ASSERT_TRUE(r.wait_asserted(0));
  ASSERT_EQ(r.bank.get("active_power"), 2000.0) << "all 2 kW of PV out";
  r.server->add_exception(4, 11002, 11021, 0x04);  // the readings stop answering
  r.bank.set("pv1_power", 3000);                   // ... and the sun comes out
  r.bank.set("pv2_power", 2000);
  const auto run_for = [&](int seconds) {
    for (int i = 0; i < seconds; ++i) {
      r.clock.advance(1s);
      const auto req = r.server->requests();
      r.wait([&] { return r.server->requests() > req + 2; }, 500ms);
    }
  };
  run_for(61);  // a minute without the PV
  const int fed_before = setpoint_writes.load();
  run_for(60);  // and another
  EXPECT_EQ(setpoint_writes.load(), fed_before)
      << "between 61 s and 121 s after the PV was last read, bessd wrote the AC power "
      << setpoint_writes.load() - fed_before << " times (" << r.bank.get("active_power")
      << " W, planned from the 2 kW of PV it read two minutes ago; the PV is now 5 kW, so the "
         "'held' battery takes 3 kW), each write feeding the watchdog";
  auto s = r.driver->latest_state();
  ASSERT_TRUE(s.has_value());
  EXPECT_FALSE(s->pv_power_w.has_value())
      << "the state still shows " << *s->pv_power_w << " W of PV, read two minutes ago";
}

// A sum reading with one part missing is not a reading: pv1 and pv2 on separate requests (two
// MPPTs read from two blocks), the second fails. bessd takes pv1 alone as the PV and plans the
// AC power from it, so pv2's power goes into the battery, a charge that was never commanded
// (here with charging blocked).
TEST(AcSetpointRedteam, APartialPvSumIsNotTakenAsThePv) {
  Rig r(parse_profile_text(R"({"name":"two_mppt","points":{
      "pv1":{"function":"input","address":1,"type":"u16","unit":"W"},
      "pv2":{"address":500,"type":"u16","unit":"W"},
      "bat":{"function":"input","address":2,"type":"s16","unit":"W","sign":"charge_positive"},
      "ac":{"address":12,"type":"s16","access":"rw","unit":"W","sign":"export_positive"}},
    "readings":{"pv_power":{"sum":["pv1","pv2"]},"battery_power":"bat"},
    "control":{"style":"ac_setpoint","lease_s":30,"deadband_w":50,"points":{"setpoint":"ac"},
      "safe_state":[{"point":"ac","value":0}]}})",
                           "two_mppt.json"));
  r.bank.set("pv1", 1000);
  r.bank.set("pv2", 2000);
  r.bank.set("bat", 0);
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  ASSERT_TRUE(r.wait([&] { return r.bank.get("ac") == 3000.0; })) << "all 3 kW of PV out";
  r.server->add_exception(3, 500, 500, 0x04);  // pv2's request fails from now on
  auto c = set_power(0);
  c.charge_power_max_w = 0;
  r.driver->apply(c);
  const auto requests = r.server->requests();
  ASSERT_TRUE(r.wait([&] { return r.server->requests() > requests + 30; }));
  EXPECT_EQ(r.bank.get("ac"), 3000.0)
      << "with pv2 unknown bessd wrote an AC power of " << r.bank.get("ac")
      << " W: the battery (charging blocked) takes the other " << 3000.0 - r.bank.get("ac")
      << " W of PV";
}

// A watchdog fed only by writes (the H1's 44001: only a write of 44002 restarts it) must be fed
// within its timeout whatever the poll period: the lease is clamped to a quarter of the timeout,
// but the lease is only looked at after a poll, and inverter.poll_period_ms may be up to 60 s (the
// H1 on a slow RS485 gateway). Here: a 4 s watchdog, a 1 s lease, a poll every 5 s.
TEST(AcSetpointRedteam, AWriteFedWatchdogIsFedWithinItsTimeoutWhateverThePollPeriod) {
  struct Gaps {
    std::mutex m;
    std::vector<std::chrono::steady_clock::time_point> at;
  } gaps;  // outlives the server thread that fills it
  Rig r(parse_profile_text(R"({"name":"wd","points":{
      "pv":{"address":1,"type":"u16","unit":"W"},
      "bat":{"address":2,"type":"s16","unit":"W","sign":"charge_positive"},
      "timeout":{"address":10,"type":"u16","access":"rw"},
      "ac":{"address":12,"type":"s16","access":"rw","unit":"W","sign":"export_positive"}},
    "readings":{"pv_power":"pv","battery_power":"bat"},
    "control":{"style":"ac_setpoint","lease_s":1,"deadband_w":50,"points":{"setpoint":"ac"},
      "watchdog":{"writes":[{"point":"timeout","value":4}],"timeout_s":4,"feed":"writes",
                  "fallback":"own_mode"},
      "safe_state":[{"point":"timeout","value":4},{"point":"ac","value":0}]}})",
                           "wd.json"));
  r.options.poll_period = 5000ms;
  r.bank.set("pv", 1000);
  r.bank.set("bat", 0);
  r.server->on_write(
      [&gaps](std::uint8_t, std::uint16_t address, const std::vector<std::uint16_t>&) {
        if (address != 12) return;
        std::lock_guard lock(gaps.m);
        gaps.at.push_back(std::chrono::steady_clock::now());
      });
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }, 8000ms));
  r.driver->apply(set_power(500));
  // Run 12 s, the driver's clock following the real one.
  const auto t0 = std::chrono::steady_clock::now();
  auto last = t0;
  r.wait(
      [&] {
        const auto now = std::chrono::steady_clock::now();
        r.clock.advance(now - last);
        last = now;
        return now - t0 > 12s;
      },
      14000ms);
  std::lock_guard lock(gaps.m);
  ASSERT_GE(gaps.at.size(), 2u);
  std::chrono::steady_clock::duration worst{};
  for (std::size_t i = 1; i < gaps.at.size(); ++i)
    worst = std::max(worst, gaps.at[i] - gaps.at[i - 1]);
  EXPECT_LT(worst, 4s) << "the setpoint (the watchdog's only feed) went "
                       << std::chrono::duration_cast<std::chrono::milliseconds>(worst).count()
                       << " ms unwritten; the device's 4 s watchdog ran out and handed the battery "
                          "to its own mode while bessd was running";
}

// Charging blocked at sunrise: the PV jumps from 0 to 3 kW, bessd re-plans the AC power at once
// (the drift check) - but that one write fails (a CRC error on the RS485 bus, exception 04). The
// driver has already taken the new PV as "what the setpoint was planned with", so the drift check
// sees nothing to do, and the failed write is not a failed *command* (the command did not change),
// so the 5 s retry does not run either: the device keeps exporting 0 W and the blocked pack takes
// the 3 kW of PV until the next lease (15 s on the H1; here the lease never comes, the driver's
// clock standing still).
TEST(AcSetpointRedteam, AFailedDriftRewriteIsRetriedBeforeTheLease) {
  std::atomic<bool> refuse_next{false};
  Rig r(pv_and_ac_profile());
  r.bank.set("pv", 0);
  r.bank.set("bat", 0);
  r.server->on_write_check([&refuse_next](std::uint8_t, std::uint8_t, std::uint16_t address,
                                          const std::vector<std::uint16_t>&) -> std::uint8_t {
    if (address == 12 && refuse_next.exchange(false)) return 0x04;
    return 0;
  });
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  auto c = set_power(0);
  c.charge_power_max_w = 0;  // a cold morning: no charging
  r.driver->apply(c);
  // The command itself written (the safe state before it reads back 0 W too).
  ASSERT_TRUE(r.wait([&] { return r.driver->command_confirmed(); }));
  ASSERT_EQ(r.bank.get("ac"), 0.0);
  refuse_next = true;
  r.bank.set("pv", 3000);  // sunrise (or a cloud edge)
  ASSERT_TRUE(r.wait([&] { return !refuse_next.load(); })) << "the drift re-plan was tried";
  const bool replanned = r.wait([&] { return r.bank.get("ac") == 3000.0; }, 3000ms);
  EXPECT_EQ(r.server->connections_accepted(), 1u) << "no reconnect in between";
  EXPECT_TRUE(replanned) << "3 s (about 150 polls) after one failed write the device still "
                            "exports "
                         << r.bank.get("ac")
                         << " W: the blocked pack takes the PV until the next lease";
}

// A device that keeps refusing: the re-assertion is tried once more at the next poll (a CRC
// error passes), then at the retry interval, not at every poll (a write and an event a second,
// for a day, wear the device and push the event log's history out). A changed command refused
// after it keeps its own 5 s retry.
TEST(AcSetpointRedteam, ARefusingDeviceIsNotWrittenAtEveryPoll) {
  std::atomic<bool> refuse{false};
  std::atomic<int> ac_writes{0};
  Rig r(pv_and_ac_profile());
  r.bank.set("pv", 0);
  r.bank.set("bat", 0);
  r.server->on_write_check([&](std::uint8_t, std::uint8_t, std::uint16_t address,
                               const std::vector<std::uint16_t>&) -> std::uint8_t {
    if (address != 12) return 0;
    ++ac_writes;
    return refuse ? 0x04 : 0;
  });
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  r.driver->apply(set_power(0));
  ASSERT_TRUE(r.wait([&] { return r.driver->command_confirmed(); }));
  refuse = true;
  const int before = ac_writes;
  r.bank.set("pv", 2000);  // the drift re-plan, refused, and refused again
  ASSERT_TRUE(r.wait([&] { return ac_writes >= before + 2; }));
  const auto polls = r.server->requests();
  ASSERT_TRUE(r.wait([&] { return r.server->requests() > polls + 60; }));  // ~30 polls
  EXPECT_EQ(ac_writes, before + 2) << "the clock stands still: no write until the retry interval";
  EXPECT_EQ(r.count("inverter.write_failed", EventEdge::once), 1) << "the same failure, said once";
  r.clock.advance(5s);
  ASSERT_TRUE(r.wait([&] { return ac_writes == before + 3; }));
  // A new command, refused too, is tried at the retry interval: its first write came within
  // the last one's failures (no second quick retry).
  r.driver->apply(set_power(-500));
  ASSERT_TRUE(r.wait([&] { return ac_writes == before + 4; }));
  const auto later = r.server->requests();
  ASSERT_TRUE(r.wait([&] { return r.server->requests() > later + 60; }));
  EXPECT_EQ(ac_writes, before + 4);
  refuse = false;
  r.clock.advance(5s);
  EXPECT_TRUE(r.wait_asserted(-500));
}

// A cold morning on a PV array larger than the inverter: the port exports its rating and the
// rest of the PV goes into a pack that may not charge, unless the inverter curtails the PV. bessd
// cannot write that away; it says so (level error) when the battery does charge beyond its limit
// for half a minute, and clears it the same way.
TEST(AcSetpointRedteam, PvBeyondTheRatingIntoABlockedPackIsRaisedWhileItLasts) {
  Rig r(pv_and_ac_profile());
  r.options.rated_power_w = 5000.0;
  r.bank.set("pv", 5831);
  r.bank.set("bat", 0);  // the inverter curtails the PV itself
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  auto c = set_power(0);
  c.charge_power_max_w = 0;
  r.driver->apply(c);
  ASSERT_TRUE(r.wait([&] { return r.bank.get("ac") == 5000.0; })) << "the rating, exported";
  const auto run_for = [&](std::chrono::seconds s) {
    for (int i = 0; i < s.count(); ++i) {
      r.clock.advance(1s);
      const auto polls = r.server->requests();
      ASSERT_TRUE(r.wait([&] { return r.server->requests() > polls + 2; }));
    }
  };
  run_for(40s);
  EXPECT_EQ(r.count("inverter.pv_beyond_rating", EventEdge::raised), 0)
      << "the battery takes nothing: the inverter curtails, nothing to say";
  r.bank.set("bat", 800);  // it does not
  run_for(20s);
  EXPECT_EQ(r.count("inverter.pv_beyond_rating", EventEdge::raised), 0) << "not before 30 s";
  r.bank.set("bat", 100);  // a dip of two seconds (the BMS's ramp): the half minute goes on
  run_for(2s);
  r.bank.set("bat", 800);
  run_for(13s);
  ASSERT_EQ(r.count("inverter.pv_beyond_rating", EventEdge::raised), 1);
  const auto e = std::find_if(r.events.begin(), r.events.end(), [](const core::Event& ev) {
    return ev.code == "inverter.pv_beyond_rating";
  });
  EXPECT_EQ(e->severity, core::Severity::error);
  EXPECT_EQ(e->fields.at("battery_w"), "800");
  EXPECT_NE(e->message.find("5831 W"), std::string::npos) << e->message;
  r.bank.set("pv", 4200);  // a cloud: the port takes it all, the battery nothing
  r.bank.set("bat", 0);
  run_for(35s);
  EXPECT_EQ(r.count("inverter.pv_beyond_rating", EventEdge::cleared), 1);
  EXPECT_EQ(r.bank.get("ac"), 4200.0);
  EXPECT_EQ(r.count("inverter.pv_beyond_rating", EventEdge::raised), 1) << "said once";
}

// An installation limited on purpose (inverter.rated_power_w below the device's rating, e.g. a
// grid operator's export limit) is held to it at the AC port too; the PV beyond it is the
// inverter's to curtail, and a device reading far above the configured rating (another register,
// 0xFFFF) never lifts that limit.
TEST(AcSetpointRedteam, AConfiguredRatingBelowTheDevicesBoundsTheExport) {
  Rig r(parse_profile_text(R"({"name":"acs","points":{
      "pv":{"address":1,"type":"u16","unit":"W"},
      "bat":{"address":2,"type":"s16","unit":"W","sign":"charge_positive"},
      "rated":{"address":3,"type":"u16","unit":"W"},
      "ac":{"address":12,"type":"s16","access":"rw","unit":"W","sign":"export_positive"}},
    "readings":{"pv_power":"pv","battery_power":"bat","rated_power":"rated"},
    "control":{"style":"ac_setpoint","lease_s":15,"deadband_w":50,"points":{"setpoint":"ac"},
      "safe_state":[{"point":"ac","value":0}]}})",
                           "acs.json"));
  r.options.rated_power_w = 3000.0;
  r.bank.set("rated", 5000);
  r.bank.set("pv", 4000);
  r.bank.set("bat", 0);
  r.start();
  ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
  auto c = set_power(0);
  c.charge_power_max_w = 0;
  r.driver->apply(c);
  ASSERT_TRUE(r.wait([&] { return r.driver->command_confirmed(); }));
  EXPECT_EQ(r.bank.get("ac"), 3000.0) << "the installer's limit, not the device's 5 kW";
  EXPECT_DOUBLE_EQ(*r.driver->latest_state()->rated_power_w, 3000.0);
  r.bank.set("rated", 65535);  // a reading that is not a rating
  r.bank.set("pv", 4100);      // re-planned
  ASSERT_TRUE(r.wait([&] { return r.count("inverter.rating_implausible", EventEdge::raised); }));
  ASSERT_TRUE(r.wait([&] { return r.driver->command_confirmed(); }));
  EXPECT_EQ(r.bank.get("ac"), 3000.0);
  EXPECT_DOUBLE_EQ(*r.driver->latest_state()->rated_power_w, 3000.0);
}

// The envelope at its edge: charging blocked, a target of 0 W, an AC power on a 10 W grid. The
// planner rounds a 0 W target to the nearest step, so 1234 W of PV becomes 1230 W out and the
// blocked pack takes 4 W; docs/profiles.md: "a command or a limit never exceeds the envelope, not
// even by half a step". A 0 W target with charging blocked must round toward discharge.
TEST(AcSetpointRedteam, AZeroTargetWithChargingBlockedNeverRoundsIntoACharge) {
  const Profile p = parse_profile_text(R"({"name":"ac","points":{
      "pv":{"address":1,"type":"u16","unit":"W"},
      "ac":{"address":12,"type":"s16","access":"rw","unit":"W","scale":10,
            "sign":"import_positive"}},
    "readings":{"pv_power":"pv"},
    "control":{"style":"ac_setpoint","points":{"setpoint":"ac"},
      "safe_state":[{"point":"ac","value":0}]}})",
                                       "ac.json");
  PointValues values(p);
  WritePlanner planner(p);
  core::InverterState st;
  st.pv_power_w = 1234;
  auto c = set_power(0);
  c.charge_power_max_w = 0;
  const PlanInputs in{.values = values,
                      .state = st,
                      .use_fallback_setpoint = false,
                      .invert_battery_power = false,
                      .now = TimePoint{}};
  auto plan = planner.plan(Target::of(c), in);
  ASSERT_TRUE(plan.has_value()) << plan.error().message;
  double import_w = 0;
  for (const auto& w : plan->writes)
    if (w.point == "ac") import_w = w.value;
  EXPECT_LE(1234 + import_w, 0.0) << "the battery gets PV + import = " << 1234 + import_w
                                  << " W with charging blocked";
}

}  // namespace
}  // namespace bessd::inverter
