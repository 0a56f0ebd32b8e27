// The operating reason (docs/api.md "Operating reason"): one case per code, each from the facts
// a step would give, and every code documented with the same spelling.

#include <fstream>
#include <set>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bessd/control/controller.hpp>
#include <bessd/control/operating_reason.hpp>

#include "harness.hpp"

namespace bessd::control {
namespace {

using config::OperatingMode;
using ::testing::HasSubstr;
using ::testing::Not;

struct Case {
  ControlState state{ControlState::running};
  OperatingMode mode{OperatingMode::self_consumption};
  core::InverterCommand command;
  ClampInfo clamp;
  std::vector<FaultStatus> faults;
  std::optional<std::string> recovery;
  std::optional<std::string> guard;
  bool waiting_for_bms{false};
  bool online{true};
  bool safe_first{false};
  bool no_grid{false};
  bool meter{false};  // the grid reading is the site meter's
  bool held{false};
  std::optional<std::string> charge_missing;
  std::optional<ScheduledPower> scheduled;

  Case() {
    command.kind = core::CommandKind::set_power;
    command.battery_power_w = 0.0;
  }
  Case& power(double w) {
    command.battery_power_w = w;
    return *this;
  }
  Case& clamped(double requested, double allowed, std::string sentence) {
    clamp = ClampInfo{true, requested, allowed, core::Cause{}};
    clamp.cause.sentence = std::move(sentence);
    command.battery_power_w = allowed;
    return *this;
  }
  OperatingReason reason() const {
    return operating_reason(OperatingFacts{
        state, mode, command, clamp, faults, recovery, guard, waiting_for_bms, online, safe_first,
        no_grid, held, "PAS-LOC-01: a bedroom", "modbus tcp 192.0.2.7:502", 50.0, charge_missing,
        false, meter, scheduled ? &*scheduled : nullptr});
  }
};

std::set<std::string>& seen_codes() {
  static std::set<std::string> codes;
  return codes;
}

OperatingReason check(const Case& c, const std::string& code, const std::string& fragment) {
  auto r = c.reason();
  EXPECT_EQ(r.code, code) << r.text;
  EXPECT_THAT(r.text, HasSubstr(fragment)) << r.code;
  EXPECT_FALSE(r.text.empty());
  EXPECT_EQ(r.text.back(), '.') << "one sentence: " << r.text;
  seen_codes().insert(r.code);
  return r;
}

void beforeThePowerFlows() {
  Case starting;
  starting.state = ControlState::starting;
  starting.command.kind = core::CommandKind::none;
  check(starting, "starting", "(modbus tcp 192.0.2.7:502)");
  starting.waiting_for_bms = true;
  check(starting, "waiting_for_bms", "Waiting for the first BMS data");
  Case offline;
  offline.online = false;
  check(offline, "inverter_offline", "Waiting for the inverter (modbus tcp 192.0.2.7:502)");
  Case connecting;
  connecting.safe_first = true;
  check(connecting, "connecting", "safe setpoint first");
  Case stopping;
  stopping.state = ControlState::stopped;
  check(stopping, "stopping", "safe state");
}

void whatStopsEverything() {
  Case lockout;
  lockout.state = ControlState::lockout;
  check(lockout, "installation_blocked", "PAS-LOC-01: a bedroom");
  Case fault;
  fault.state = ControlState::fault;
  fault.faults = {FaultStatus{"ALM-01", "The fire alarm is active.", true, false, "", 1},
                  FaultStatus{"COM-02", "No inverter.", false, true, "", 1}};
  const auto r = check(fault, "fault", "Stopped by ALM-01: the fire alarm is active");
  EXPECT_THAT(r.text, HasSubstr("(and 1 more fault)"));
  EXPECT_THAT(r.text, HasSubstr("acknowledge it to resume"));
  // The inverter's silence alone, past COM-02's time: what the controller waits for.
  Case silent;
  silent.state = ControlState::fault;
  silent.online = false;
  silent.faults = {FaultStatus{"COM-02", "No inverter.", false, true, "", 1}};
  check(silent, "inverter_offline",
        "Waiting for the inverter (modbus tcp 192.0.2.7:502): it does not answer (COM-02)");
}

void recoveryAndTheOperatorsMode() {
  Case recovery;
  recovery.recovery = "Recharging to 12 %: the BMS asked for a charge";
  recovery.power(500);
  check(recovery, "recovery_charge", "Recharging to 12 %: the BMS asked for a charge.");
  // Red team 26g M5: a recovery charge that does not arrive says so where people look first.
  recovery.charge_missing = "the battery discharges 1700 W";
  check(recovery, "recovery_charge",
        "Recharging to 12 %: the BMS asked for a charge; but the charge does not arrive: the "
        "battery discharges 1700 W.");
  // The discharge current guard outranks the mode: it acts in idle too.
  Case guard;
  guard.state = ControlState::standby;
  guard.mode = OperatingMode::idle;
  guard.guard = "the pack gave 60.0 A, above its 50.0 A discharge limit";
  guard.power(400);
  check(guard, "discharge_current_guard",
        "Charging 400 W to cover a load the pack must not supply: the pack gave 60.0 A");
  guard.power(-900);
  check(guard, "discharge_current_guard", "Discharging limited to 900 W: the pack gave");
  Case idle;
  idle.state = ControlState::standby;
  idle.mode = OperatingMode::idle;
  check(idle, "idle_mode", "operating mode is idle");
  idle.held = true;
  check(idle, "start_hold", "safety state is stored");
  Case manual;
  manual.mode = OperatingMode::manual;
  check(manual.power(1500), "manual_charge", "Charging at 1.5 kW as set in manual mode");
  check(manual.power(-800), "manual_discharge", "Discharging at 800 W");
  check(manual.power(0), "manual_zero", "Holding 0 W");
}

void selfConsumption() {
  Case sc;
  check(sc.power(1200), "storing_surplus", "Charging 1.2 kW from the solar surplus");
  check(sc.power(-640), "covering_load", "Discharging 640 W to cover the house load");
  check(sc.power(30), "balanced", "no solar surplus to store");
  sc.no_grid = true;
  check(sc.power(0), "no_grid_reading", "configure a meter");
  sc.meter = true;
  check(sc.power(0), "no_grid_reading", "the meter does not answer");
}

void theBoundThatHoldsThePower() {
  Case cold;
  cold.clamped(3000, 1200, "Charging is reduced because the cells are cold (6 °C).");
  check(cold, "charge_limited",
        "Charging limited to 1.2 kW (3.0 kW asked): charging is reduced because the cells are "
        "cold (6 °C).");
  Case reserve;
  reserve.clamped(-900, 0, "Discharging is stopped because SOC 10 % is at the reserve.");
  check(reserve, "discharge_blocked",
        "Discharging is stopped because SOC 10 % is at the reserve; the house is supplied from "
        "the grid.");
  Case full;
  full.mode = OperatingMode::manual;
  full.clamped(2000, 0, "Charging is stopped because SOC is at the 95 % limit.");
  const auto r = check(full, "charge_blocked", "95 % limit.");
  EXPECT_THAT(r.text, Not(HasSubstr("grid"))) << "manual mode: no house to speak of";
  Case dcl;
  dcl.clamped(-3000, -2000, "Discharging is reduced to the BMS's limit (40 A).");
  check(dcl, "discharge_limited", "Discharging limited to 2.0 kW (3.0 kW asked)");
}

void schedules() {
  ScheduledPowerPlanner planner;
  ScheduledAction night;
  night.action.kind = config::ScheduleActionKind::charge;
  night.action.target_soc_pct = 90.0;
  night.action.power_w = 3000.0;
  night.window = "daily 00:30–04:30";
  Case charge;
  charge.mode = OperatingMode::schedule;
  charge.scheduled = planner.plan(night, 40.0, 10.0, 100.0, 0.0);
  check(charge.power(3000), "schedule_charge",
        "Charging at 3.0 kW to 90 % (schedule daily 00:30–04:30).");
  charge.scheduled = planner.plan(night, 90.0, 10.0, 100.0, 0.0);
  check(charge.power(0), "schedule_hold", "Holding: charged to 90 %, no discharge");
  check(charge.power(800), "storing_surplus", "from the solar surplus (schedule daily");
  ScheduledAction evening;
  evening.action.kind = config::ScheduleActionKind::discharge;
  evening.action.power_w = 2000.0;
  evening.window = "Mon–Fri 16:00–19:00";
  Case discharge;
  discharge.mode = OperatingMode::schedule;
  discharge.scheduled = planner.plan(evening, 60.0, 20.0, 100.0, 0.0);
  check(discharge.power(-2000), "schedule_discharge", "Discharging at 2.0 kW down to 20 %");
  ScheduledAction quiet;
  quiet.action.kind = config::ScheduleActionKind::idle;
  Case idle;
  idle.mode = OperatingMode::schedule;
  idle.scheduled = planner.plan(quiet, 60.0, 20.0, 100.0, 0.0);
  check(idle, "schedule_idle", "Idle (schedule, outside the windows).");
  // As much as allowed, and what allows nothing on a frosty night.
  night.action.power_w.reset();
  Case frost;
  frost.mode = OperatingMode::schedule;
  frost.scheduled = ScheduledPowerPlanner{}.plan(night, 40.0, 10.0, 100.0, 0.0);
  frost.scheduled->bounded_by = "Charging is stopped because the cells are below 0 °C (OP-T-01).";
  check(frost.power(0), "charge_blocked",
        "Charging is stopped because the cells are below 0 °C (OP-T-01) (schedule daily "
        "00:30–04:30).");
  frost.scheduled->bounded_by = "Charging is reduced because the cells are cold (4 °C).";
  check(frost.power(800), "schedule_charge",
        "Charging at 800 W to 90 % (schedule daily 00:30–04:30), as much as allowed: charging is "
        "reduced because the cells are cold (4 °C).");
  Case no_clock;
  no_clock.mode = OperatingMode::schedule;
  no_clock.scheduled = planner.plan(without_clock(), 60.0, 20.0, 100.0, -300.0);
  check(no_clock.power(-300), "schedule_no_clock", "the clock reads before 2020");
}

TEST(OperatingReason, Schedules) {
  schedules();
}

TEST(OperatingReason, BeforeThePowerFlows) {
  beforeThePowerFlows();
}
TEST(OperatingReason, WhatStopsEverything) {
  whatStopsEverything();
}
TEST(OperatingReason, RecoveryAndTheOperatorsMode) {
  recoveryAndTheOperatorsMode();
}
TEST(OperatingReason, SelfConsumption) {
  selfConsumption();
}
TEST(OperatingReason, TheBoundThatHoldsThePower) {
  theBoundThatHoldsThePower();
}

std::string read_text(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Every code a case produces is in docs/api.md and in the OpenAPI document's enum.
TEST(OperatingReason, EveryCodeHasACaseAndIsDocumented) {
  seen_codes().clear();
  beforeThePowerFlows();
  whatStopsEverything();
  recoveryAndTheOperatorsMode();
  selfConsumption();
  theBoundThatHoldsThePower();
  schedules();

  const std::string api = read_text(std::string(BESSD_SOURCE_DIR) + "/docs/api.md");
  const std::string openapi = read_text(std::string(BESSD_SOURCE_DIR) + "/docs/openapi.json");
  ASSERT_EQ(seen_codes().size(), 27U) << "a case per code";
  for (const auto& code : seen_codes()) {
    EXPECT_NE(api.find("| `" + code + "` |"), std::string::npos) << code << " in docs/api.md";
    EXPECT_NE(openapi.find("\"" + code + "\""), std::string::npos) << code << " in openapi.json";
  }
}

// Through the real controller: the reason follows what the step decided.
TEST(OperatingReasonInTheController, FollowsTheDecisionAndIsAnnouncedOnceSettled) {
  testing::Harness h;
  h.house_load_w = 900.0;
  h.start(OperatingMode::self_consumption);
  h.steps(20);
  EXPECT_EQ(h.out.operating.code, "covering_load") << h.out.operating.text;
  int announced = 0;
  auto count = [&] {
    for (const auto& e : h.out.events)
      if (e.code == "control.operating_reason") ++announced;
  };
  // The reserve: self-consumption wants to discharge, the SOC bound says no.
  h.in.snapshot.pack.soc_pct = 9.0;
  h.step();
  count();
  EXPECT_EQ(h.out.operating.code, "discharge_blocked") << h.out.operating.text;
  EXPECT_THAT(h.out.operating.text, HasSubstr("the house is supplied from the grid"));
  EXPECT_EQ(announced, 0) << "not yet settled";
  for (int i = 0; i < 12; ++i) {
    h.step();
    count();
  }
  EXPECT_EQ(announced, 1);
  // A reason that comes and goes within the settling time is never announced.
  h.in.snapshot.pack.soc_pct = 60.0;
  h.steps(3);
  h.in.snapshot.pack.soc_pct = 9.0;
  for (int i = 0; i < 15; ++i) {
    h.step();
    count();
  }
  EXPECT_EQ(announced, 1);
}

TEST(OperatingReasonInTheController, ManualModeAndAFault) {
  testing::Harness h;
  h.start(OperatingMode::manual, 1500.0);
  h.steps(2);
  EXPECT_EQ(h.out.operating.code, "manual_charge") << h.out.operating.text;
  h.in.snapshot.fire_alarm_configured = true;
  h.in.snapshot.fire_alarm_active = true;
  h.step();
  EXPECT_EQ(h.out.operating.code, "fault") << h.out.operating.text;
  EXPECT_THAT(h.out.operating.text, HasSubstr("ALM-01"));
  h.inverter_silent = true;
  h.in.snapshot.fire_alarm_active = false;
  h.steps(2);
  EXPECT_EQ(h.out.operating.code, "fault") << "latched: " << h.out.operating.text;
}

}  // namespace
}  // namespace bessd::control
