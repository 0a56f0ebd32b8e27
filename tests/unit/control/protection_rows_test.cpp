// One test (or more) per row of docs/protection.md, through the whole controller: the blocked
// direction, the other direction free, recovery without an operator, latch and ack.
#include <algorithm>

#include <functional>

#include <gtest/gtest.h>

#include "harness.hpp"

namespace bessd::control {
namespace {

using core::CommandKind;
using core::EventEdge;
using testing::Harness;

bool has_fault(const StepOutput& out, std::string_view id) {
  return std::any_of(out.faults.begin(), out.faults.end(),
                     [&](const FaultStatus& f) { return f.id == id; });
}

bool charge_open(const StepOutput& out) {
  return out.command.kind == CommandKind::set_power && out.envelope.charge_power_max_w.value > 0.0;
}
bool discharge_open(const StepOutput& out) {
  return out.command.kind == CommandKind::set_power &&
         out.envelope.discharge_power_max_w.value > 0.0;
}

TEST(ProtectionRows, OverVoltageBlocksChargeKeepsDischargeAndRecoversAlone) {
  Harness h;
  h.start(config::OperatingMode::manual, 1000.0);
  h.in.snapshot.pack.cell_voltage_max_v = 3.70;
  h.step();
  EXPECT_EQ(h.out.state, ControlState::running);
  EXPECT_FALSE(charge_open(h.out));
  EXPECT_TRUE(discharge_open(h.out)) << "discharging is the cure";
  EXPECT_DOUBLE_EQ(h.out.command.battery_power_w, 0.0);
  h.in.request.manual_setpoint_w = -1000.0;
  h.step();
  EXPECT_DOUBLE_EQ(h.out.command.battery_power_w, -1000.0);
  // A cell resting above the limit minus less than the margin: still blocked, never latched.
  h.in.snapshot.pack.cell_voltage_max_v = 3.62;
  h.steps(40);
  EXPECT_FALSE(charge_open(h.out));
  EXPECT_TRUE(h.out.faults.empty());
  // Below max - 50 mV: charging comes back by itself after the OP-HYST-01 hold.
  h.in.snapshot.pack.cell_voltage_max_v = 3.40;
  h.in.request.manual_setpoint_w = 1000.0;
  h.steps(35);
  EXPECT_TRUE(charge_open(h.out));
  EXPECT_DOUBLE_EQ(h.out.command.battery_power_w, 1000.0);
}

TEST(ProtectionRows, BmsOverVoltageBitBlocksChargeOnly) {
  Harness h;
  h.start(config::OperatingMode::manual, -1000.0);
  h.in.snapshot.pack.protections.set(core::BmsCondition::cell_over_voltage,
                                     core::FlagState::active);
  h.step();
  EXPECT_EQ(h.out.state, ControlState::running);
  EXPECT_FALSE(charge_open(h.out));
  EXPECT_DOUBLE_EQ(h.out.command.battery_power_w, -1000.0);
  EXPECT_TRUE(h.out.faults.empty());
}

TEST(ProtectionRows, UnderVoltageNeverDeadlocks) {
  Harness h;
  h.start(config::OperatingMode::manual, 1000.0);
  h.in.snapshot.pack.protections.set(core::BmsCondition::cell_under_voltage,
                                     core::FlagState::active);
  h.in.snapshot.pack.cell_voltage_min_v = 2.40;
  h.step();
  EXPECT_EQ(h.out.state, ControlState::running);
  EXPECT_FALSE(discharge_open(h.out));
  EXPECT_TRUE(charge_open(h.out)) << "charging is the cure";
  EXPECT_DOUBLE_EQ(h.out.command.battery_power_w, 1000.0);
  EXPECT_TRUE(h.out.faults.empty());
  // Charging clears it; discharging returns without an operator.
  h.in.snapshot.pack.protections.set(core::BmsCondition::cell_under_voltage, core::FlagState::ok);
  h.in.snapshot.pack.cell_voltage_min_v = 3.20;
  h.in.request.manual_setpoint_w = -500.0;
  h.steps(35);
  EXPECT_DOUBLE_EQ(h.out.command.battery_power_w, -500.0);
}

TEST(ProtectionRows, ForceChargeRequestRechargesEvenWhenIdle) {
  Harness h;
  h.start(config::OperatingMode::idle);
  h.in.snapshot.pack.soc_pct = 4.0;
  h.in.snapshot.pack.requests.force_charge = true;
  h.in.snapshot.pack.protections.set(core::BmsCondition::cell_under_voltage,
                                     core::FlagState::active);
  h.step();
  ASSERT_TRUE(h.out.recovery.has_value());
  EXPECT_EQ(*h.out.recovery, "Recharging to 12 %: the BMS asked for a charge");
  EXPECT_EQ(h.out.command.kind, CommandKind::set_power);
  EXPECT_DOUBLE_EQ(h.out.command.battery_power_w, h.settings.recovery_charge_power_w);
  EXPECT_TRUE(h.has_event("OP-REC-01", EventEdge::raised));
  // The BMS drops the request but SOC is still under floor + hysteresis: keep charging.
  h.in.snapshot.pack.requests.force_charge = false;
  h.in.snapshot.pack.protections.set(core::BmsCondition::cell_under_voltage, core::FlagState::ok);
  h.in.snapshot.pack.soc_pct = 11.0;
  h.step();
  EXPECT_TRUE(h.out.recovery.has_value());
  h.in.snapshot.pack.soc_pct = 12.0;
  h.step();
  EXPECT_FALSE(h.out.recovery.has_value());
  EXPECT_DOUBLE_EQ(h.out.command.battery_power_w, 0.0);
}

// Red team 26e P4: a BMS that asks for a charge above the reserve (at 5 %, the reserve at 2 %)
// and stops asking at once. The recharge runs to the hysteresis above where it started, not
// off again on the next frame (which, with a DC load, flapped every few seconds).
TEST(ProtectionRows, ARechargeTheBmsAskedForRunsPastWhereItStarted) {
  Harness h;
  h.limits.min_soc_pct = 2.0;
  h.limits.soc_recovery_hysteresis_pct = 2.0;
  h.in.snapshot.pack.soc_pct = 5.0;
  h.start(config::OperatingMode::idle);
  h.in.snapshot.pack.requests.force_charge = true;
  h.step();
  ASSERT_TRUE(h.out.recovery.has_value());
  EXPECT_EQ(*h.out.recovery, "Recharging to 7 %: the BMS asked for a charge");
  h.in.snapshot.pack.requests.force_charge = false;
  h.in.snapshot.pack.soc_pct = 5.1;
  h.steps(3);
  EXPECT_TRUE(h.out.recovery.has_value()) << "not off on the next frame";
  h.in.snapshot.pack.soc_pct = 7.0;
  h.step();
  EXPECT_FALSE(h.out.recovery.has_value());
  EXPECT_TRUE(h.has_event("OP-REC-01", EventEdge::cleared));
}

// Red team 26a F3 / 26b N2: an empty pack on a frozen night cannot be recharged; the command's
// reason must not claim a recharge is running, and it recharges by itself once warm.
TEST(ProtectionRows, AFrozenEmptyPackWaitsAndSaysSo) {
  Harness h;
  h.start(config::OperatingMode::idle);
  h.in.snapshot.pack.soc_pct = 3.0;
  h.in.snapshot.pack.requests.force_charge = true;
  h.in.snapshot.pack.cell_temperature_min_c = -5.0;
  h.in.snapshot.pack.temperature_c = -5.0;
  h.steps(3);
  EXPECT_DOUBLE_EQ(h.out.command.battery_power_w, 0.0);
  EXPECT_NE(h.out.command.reason.find("Recharging to 12 %"), std::string::npos)
      << h.out.command.reason;
  EXPECT_NE(h.out.command.reason.find("; waiting: "), std::string::npos) << h.out.command.reason;
  h.in.snapshot.pack.cell_temperature_min_c = 15.0;
  h.in.snapshot.pack.temperature_c = 15.0;
  h.steps(35);
  EXPECT_DOUBLE_EQ(h.out.command.battery_power_w, h.settings.recovery_charge_power_w);
  EXPECT_EQ(h.out.command.reason.find("waiting"), std::string::npos) << h.out.command.reason;
}

TEST(ProtectionRows, SocBelowFloorMinusMarginRecharges) {
  Harness h;
  h.start(config::OperatingMode::manual, -1000.0);
  h.in.snapshot.pack.soc_pct = 7.0;  // floor 10 %, margin 5: not yet
  h.step();
  EXPECT_FALSE(h.out.recovery.has_value());
  EXPECT_DOUBLE_EQ(h.out.command.battery_power_w, 0.0) << "discharge blocked at the floor";
  h.in.snapshot.pack.soc_pct = 5.0;
  h.step();
  ASSERT_TRUE(h.out.recovery.has_value());
  EXPECT_NE(h.out.recovery->find("below the reserve"), std::string::npos);
  EXPECT_GT(h.out.command.battery_power_w, 0.0);
}

TEST(ProtectionRows, RecoveryChargeDoesNotRunOverACompliaceBlock) {
  Harness h;
  h.start(config::OperatingMode::idle);
  h.in.snapshot.compliance.blocked = true;
  h.in.snapshot.compliance.reason = "PAS-LOC-01";
  h.in.snapshot.pack.requests.force_charge = true;
  h.steps(2);
  EXPECT_EQ(h.out.state, ControlState::lockout);
  EXPECT_EQ(h.out.command.kind, CommandKind::safe_state);
  EXPECT_FALSE(h.out.recovery.has_value());
}

TEST(ProtectionRows, ColdNightStopsChargingOnlyAndRecovers) {
  Harness h;
  h.start(config::OperatingMode::manual, -800.0);
  h.in.snapshot.pack.cell_temperature_min_c = -6.0;
  h.steps(2);
  EXPECT_FALSE(charge_open(h.out));
  EXPECT_TRUE(discharge_open(h.out)) << "the house keeps its supply through a cold night";
  EXPECT_LT(h.out.command.battery_power_w, 0.0);
  EXPECT_TRUE(h.out.faults.empty());
  h.in.snapshot.pack.cell_temperature_min_c = 1.0;  // inside the hysteresis: still blocked
  h.steps(35);
  EXPECT_FALSE(charge_open(h.out));
  h.in.snapshot.pack.cell_temperature_min_c = 16.0;
  h.steps(35);
  EXPECT_TRUE(charge_open(h.out));
}

TEST(ProtectionRows, ImbalanceAlarmDeratesChargeOnly) {
  Harness h;
  h.start(config::OperatingMode::manual, 1000.0);
  const double full_charge = h.out.envelope.charge_current_max_a.value;
  const double full_discharge = h.out.envelope.discharge_current_max_a.value;
  h.in.snapshot.pack.protections.set(core::BmsCondition::cell_imbalance, core::FlagState::active);
  h.step();
  EXPECT_NEAR(h.out.envelope.charge_current_max_a.value, full_charge * 0.5, 1e-6);
  EXPECT_DOUBLE_EQ(h.out.envelope.discharge_current_max_a.value, full_discharge);
  EXPECT_TRUE(h.out.faults.empty());
}

TEST(ProtectionRows, BmsOverTemperatureProtectionLatchesBoth) {
  Harness h;
  h.start(config::OperatingMode::manual, 1000.0);
  h.in.snapshot.pack.protections.set(core::BmsCondition::over_temperature, core::FlagState::active);
  h.step();
  EXPECT_EQ(h.out.state, ControlState::fault);
  EXPECT_EQ(h.out.command.kind, CommandKind::safe_state);
  h.in.snapshot.pack.protections.set(core::BmsCondition::over_temperature, core::FlagState::ok);
  h.steps(3);
  EXPECT_EQ(h.out.state, ControlState::fault) << "latched until acknowledged";
  h.in.ack_faults = true;
  h.step();
  EXPECT_FALSE(has_fault(h.out, "BMS-OT"));
}

TEST(ProtectionRows, UncommandedCurrentsNeverTripTheObeyCheck) {
  Harness h;
  h.start(config::OperatingMode::idle);
  h.plant_follows = false;
  for (double w : {78.0, -78.0, -190.0}) {  // +/-1.5 A sensor offset at 52 V, standby draw
    h.in.snapshot.inverter.battery_power_w = w;
    h.steps(60);
    EXPECT_TRUE(h.out.faults.empty()) << w;
    EXPECT_TRUE(charge_open(h.out)) << w;
    EXPECT_TRUE(discharge_open(h.out)) << w;
  }
}

// Idle, the power measured at the battery (no battery reading from the inverter), a DC load of
// `declared_w` declared and `drawing_w` drawing for `steps` steps: the pack's voltage.
double idle_with_dc_load(Harness& h, double declared_w, double drawing_w, int steps) {
  h.settings.obey.dc_load_max_w = declared_w;
  h.start(config::OperatingMode::idle);
  const double volts = h.measure_at_battery();
  h.in.snapshot.pack.current_a = -drawing_w / volts;
  h.steps(steps);
  return volts;
}

// A declared DC load measured at the battery (battery.dc_load_max_w) never trips: not at idle,
// not under a charge, and not across the first seconds of a discharge, while the inverter ramps
// and the measurement lags the command (red team 26c H4).
TEST(ProtectionRows, ADeclaredDcLoadNeverTripsTheObeyCheck) {
  Harness h;
  const double volts = idle_with_dc_load(h, 1500.0, 1500.0, 30);
  EXPECT_TRUE(h.out.faults.empty());
  EXPECT_NEAR(h.out.uncommanded_discharge_w, 1500.0, 1.0);
  h.in.request.mode = config::OperatingMode::manual;
  h.in.request.manual_setpoint_w = -1000.0;
  // The inverter reaches the command over 5 s: the pack shows the load alone at first.
  for (int i = 0; i < 40; ++i) {
    const double inverter_w = std::min(1000.0, 200.0 * i);
    h.in.snapshot.pack.current_a = -(1500.0 + inverter_w) / volts;
    h.step();
    ASSERT_TRUE(discharge_open(h.out)) << i;
    EXPECT_NEAR(h.out.uncommanded_discharge_w, 1500.0, 1.0) << "the load keeps its room: " << i;
  }
  EXPECT_TRUE(h.out.faults.empty());
  // Under a charge the load is not judged as the inverter's either.
  h.in.request.manual_setpoint_w = 1000.0;
  for (int i = 0; i < 40; ++i) {
    h.in.snapshot.pack.current_a = (1000.0 - 1500.0) / volts;
    h.step();
  }
  EXPECT_TRUE(h.out.faults.empty());
  EXPECT_TRUE(discharge_open(h.out));
}

// Red team 26f R3: a declared load that switches on while the command keeps moving (the
// discharge current guard correcting it, a setpoint that follows the house) is a load all the
// same, learned from what the inverter can at most be giving: no OP-I-02 for a draw within its
// declaration.
TEST(ProtectionRows, ALoadSwitchedOnWhileTheCommandMovesIsLearned) {
  Harness h;
  h.settings.obey.dc_load_max_w = 1500.0;
  h.start(config::OperatingMode::manual, -1500.0);
  const double volts = h.measure_at_battery();
  double inverter_w = -1500.0;  // follows the command at 200 W/s
  double load_w = 0.0;
  auto step = [&] {
    const double target =
        h.out.command.kind == core::CommandKind::set_power ? h.out.command.battery_power_w : 0.0;
    inverter_w += std::clamp(target - inverter_w, -200.0, 200.0);
    h.in.snapshot.pack.current_a = (inverter_w - load_w) / volts;
    h.step();
  };
  for (int i = 0; i < 40; ++i) step();
  ASSERT_NEAR(h.out.uncommanded_discharge_w, 0.0, 1.0) << "no load yet";
  for (int i = 0; i < 90; ++i) {
    // A new setpoint every 3 s: never as long as the inverter needs to settle.
    h.in.request.manual_setpoint_w = (i / 3) % 2 == 0 ? -1000.0 : -1600.0;
    if (i == 10) load_w = 1500.0;
    step();
    ASSERT_FALSE(h.has_event("OP-I-02", EventEdge::raised)) << i;
    ASSERT_TRUE(discharge_open(h.out)) << i;
  }
  EXPECT_NEAR(h.out.uncommanded_discharge_w, 1500.0, 150.0) << "the load is known";
}

// Red team 26f L1: a kill during an unlatched OP-I-02 block must not give the inverter a fresh
// window to drain the pack: the block is stored, and holds again after the restart until the
// inverter has obeyed for a window.
TEST(ProtectionRows, AnUnlatchedObeyBlockSurvivesARestart) {
  Harness h;
  h.start(config::OperatingMode::manual, -1000.0);
  const double volts = h.measure_at_battery();
  h.in.snapshot.pack.current_a = -2500.0 / volts;  // no DC load declared
  bool blocked = false;
  for (int i = 0; i < 20 && !blocked; ++i) {
    h.step();
    blocked = h.has_event("OP-I-02", EventEdge::raised);
  }
  ASSERT_TRUE(blocked);
  ASSERT_FALSE(discharge_open(h.out));
  const auto stored = [&] {
    return std::any_of(h.store.trips().begin(), h.store.trips().end(),
                       [](const control::TripRecord& r) { return r.id == "HOLD:OP-I-02"; });
  };
  ASSERT_TRUE(stored());
  // kill -9 and start again on the same state: still draining.
  h.controller.reset();
  h.out = {};
  h.step();
  EXPECT_FALSE(discharge_open(h.out)) << "held from the first step";
  ASSERT_TRUE(h.has_event("OP-I-02", EventEdge::raised));
  const auto& e = *std::find_if(h.out.events.begin(), h.out.events.end(),
                                [](const core::Event& ev) { return ev.code == "OP-I-02"; });
  EXPECT_EQ(e.severity, core::Severity::warning) << "told, not a fresh error";
  EXPECT_NE(e.message.find("stays stopped after the restart"), std::string::npos) << e.message;
  for (int i = 0; i < 15; ++i) {
    h.step();
    ASSERT_FALSE(h.has_event("OP-I-02", EventEdge::raised) &&
                 std::any_of(h.out.events.begin(), h.out.events.end(),
                             [](const core::Event& ev) {
                               return ev.code == "OP-I-02" && ev.severity == core::Severity::error;
                             }))
        << "no second error for the same drain: " << i;
    ASSERT_FALSE(discharge_open(h.out)) << i;
  }
  // The inverter stops: the block ends after a window, and is no longer stored.
  h.in.snapshot.pack.current_a = 0.0;
  bool cleared = false;
  for (int i = 0; i < 15 && !cleared; ++i) {
    h.step();
    cleared = h.has_event("OP-I-02", EventEdge::cleared);
  }
  EXPECT_TRUE(cleared);
  EXPECT_TRUE(discharge_open(h.out));
  EXPECT_FALSE(stored());
}

// Red team 26c H1-H3. Measured at the battery, a discharge bessd does not command, beyond the
// standby tolerance and any declared DC load, is an inverter out of control (its own self-use):
// judged as OP-I-02 at idle, at the reserve, and after a stopped discharge, never taken as a
// load.
TEST(ProtectionRows, AnUndeclaredUncommandedDischargeIsJudged) {
  const auto drains = [](Harness& h, double w) {
    h.plant_follows = false;
    h.in.snapshot.inverter.battery_power_w.reset();
    h.in.snapshot.pack.current_a = -w / h.in.snapshot.pack.voltage_v.value_or(52.0);
    bool raised = false;
    for (int i = 0; i < 15; ++i) {
      h.step();
      raised = raised || h.has_event("OP-I-02", EventEdge::raised);
    }
    return raised;
  };
  Harness idle;
  idle.start(config::OperatingMode::idle);
  EXPECT_TRUE(drains(idle, 2150.0)) << "H1: self-use while bessd holds 0 W";
  EXPECT_DOUBLE_EQ(idle.out.uncommanded_discharge_w, 0.0) << "never called a DC load";
  Harness reserve;
  reserve.in.snapshot.pack.soc_pct = 9.0;
  reserve.start(config::OperatingMode::manual, -1500.0);
  ASSERT_FALSE(discharge_open(reserve.out)) << "at the reserve";
  EXPECT_TRUE(drains(reserve, 1600.0)) << "H2: draining below the reserve";
  Harness stopped;
  stopped.start(config::OperatingMode::manual, -1000.0);
  stopped.steps(5);
  stopped.in.request.mode = config::OperatingMode::idle;
  EXPECT_TRUE(drains(stopped, 1000.0)) << "H3: does not stop when told";
}

// Red team 26c H2 and 26d N4. A SunSpec inverter running its own self-use at the reserve, while
// bessd commands a recovery charge: the missing charge is reported (the pack keeps draining), and
// the OP-I-02 block does not end when the draw falls under the tolerance only because the BMS
// tapers its DCL towards empty.
TEST(ProtectionRows, ARecoveryChargeThatDoesNotArriveIsReportedAndHoldsTheBlock) {
  Harness h;
  h.in.snapshot.pack.soc_pct = 4.0;
  h.start(config::OperatingMode::idle);
  ASSERT_TRUE(h.out.recovery.has_value());
  const double volts = h.measure_at_battery();
  h.in.snapshot.pack.current_a = -950.0 / volts;
  bool reported = false;
  bool blocked = false;
  for (int i = 0; i < 30; ++i) {
    h.step();
    for (const auto& e : h.out.events)
      if (e.code == "control.charge_not_delivered" && e.edge == EventEdge::raised) {
        reported = true;
        EXPECT_EQ(e.severity, core::Severity::error) << "at the reserve";
        EXPECT_NE(e.message.find("discharges 950 W"), std::string::npos) << e.message;
      }
    blocked = blocked || h.has_event("OP-I-02", EventEdge::raised);
  }
  EXPECT_TRUE(reported);
  EXPECT_TRUE(blocked);
  EXPECT_GT(h.out.command.battery_power_w, 0.0) << "the recovery charge is still asked for";
  h.in.snapshot.pack.current_a = -110.0 / volts;  // the DCL has tapered: the draw is smaller
  for (int i = 0; i < 40; ++i) {
    h.step();
    EXPECT_FALSE(h.has_event("OP-I-02", EventEdge::cleared)) << i;
  }
  EXPECT_FALSE(discharge_open(h.out));
  // The inverter follows again: the charge arrives, the report and then the block clear.
  bool delivered = false;
  for (int i = 0; i < 40; ++i) {
    h.in.snapshot.pack.current_a = h.out.command.battery_power_w / volts;
    h.step();
    delivered = delivered || h.has_event("control.charge_not_delivered", EventEdge::cleared);
  }
  EXPECT_TRUE(delivered);
}

// Red team 26f R1: with a DC load declared, an inverter that ignores the recovery charge looks
// at the battery like a load the charge covers. The pack drains below its reserve: that is
// said, whatever the declaration.
TEST(ProtectionRows, AMissingRecoveryChargeIsSaidWithADcLoadDeclared) {
  Harness h;
  h.settings.obey.dc_load_max_w = 2500.0;
  h.in.snapshot.pack.soc_pct = 4.0;
  h.in.snapshot.pack.limits.charge_current_limit_a = 45.0;  // 2340 W at 52 V
  h.start(config::OperatingMode::idle);
  ASSERT_TRUE(h.out.recovery.has_value());
  h.plant_follows = false;
  h.in.snapshot.inverter.battery_power_w.reset();
  h.in.snapshot.pack.current_a = -323.0 / h.in.snapshot.pack.voltage_v.value_or(52.0);
  bool reported = false;
  for (int i = 0; i < 40; ++i) {
    h.step();
    reported = reported || h.has_event("control.charge_not_delivered", EventEdge::raised);
  }
  EXPECT_TRUE(reported);
}

// Red team 26m N4: on a GX the target is the battery's own power, DC loads included, so no share
// of a charge bessd commands goes to a load the monitor has learned. A Multi that ignores a
// +1000 W charge while a 1500 W load drains the pack is a charge not delivered, said with the
// charge commanded (not "0 W").
TEST(ProtectionRows, AtTheBatteryAChargeThatDoesNotArriveIsSaidWhateverTheLoad) {
  Harness h;
  h.settings.obey.dc_load_max_w = 1500.0;
  h.start(config::OperatingMode::idle);
  h.plant_follows = false;
  auto& inv = h.in.snapshot.inverter;
  inv.battery_power_includes_dc_loads = true;
  inv.target_at_battery = true;
  const double volts = h.in.snapshot.pack.voltage_v.value_or(52.0);
  auto battery = [&](double w) {
    inv.battery_power_w = w;
    h.in.snapshot.pack.current_a = w / volts;
  };
  battery(-1500.0);  // idle, the load not yet taken over: learned
  h.steps(15);
  h.in.request.mode = config::OperatingMode::manual;
  h.in.request.manual_setpoint_w = 1000.0;
  bool reported = false;
  for (int i = 0; i < 40; ++i) {
    battery(-1882.0);  // the Multi ignores the charge
    h.step();
    for (const auto& e : h.out.events) {
      EXPECT_EQ(e.message.find("commanded 0 W"), std::string::npos) << e.message;
      if (e.code == "control.charge_not_delivered" && e.edge == EventEdge::raised) {
        reported = true;
        EXPECT_NE(e.message.find("charge of 1000 W,"), std::string::npos) << e.message;
      }
    }
  }
  EXPECT_TRUE(reported);
}

// Red team 26c H5, 26d N1. A declared DC load at the reserve: the recovery charge is the pack's
// net charge, so the inverter charges the load's share on top, and settles there (the load is
// what the pack gives besides the charge commanded, not the net draw).
TEST(ProtectionRows, TheRecoveryChargeCoversADeclaredLoad) {
  Harness h;
  h.settings.obey.dc_load_max_w = 2000.0;
  h.in.snapshot.pack.soc_pct = 4.0;
  h.start(config::OperatingMode::idle);
  const double volts = h.measure_at_battery();
  std::vector<double> commands;
  for (int i = 0; i < 60; ++i) {
    const double inverter_w =
        h.out.command.kind == core::CommandKind::set_power ? h.out.command.battery_power_w : 0.0;
    h.in.snapshot.pack.current_a = (inverter_w - 2000.0) / volts;  // the inverter obeys
    h.step();
    commands.push_back(h.out.command.battery_power_w);
    // Red team 26e P1: the pack gets its net charge; the load's share is no shortfall.
    EXPECT_FALSE(h.has_event("control.charge_not_delivered", EventEdge::raised)) << i;
  }
  ASSERT_TRUE(h.out.recovery.has_value());
  for (int i = 40; i < 60; ++i)
    EXPECT_NEAR(commands[i], h.settings.recovery_charge_power_w + 2000.0, 1.0) << i;
  EXPECT_GT(h.in.snapshot.pack.current_a.value_or(0.0), 0.0) << "the pack gains charge";
  EXPECT_TRUE(h.out.faults.empty());
}

// Red team 26l: on a GX the target is the battery's own power, DC loads included, and the GX
// takes a load over by itself. A recovery charge adds no load share (it would charge the share
// into the pack), and the envelope keeps no room for the load (the Multi would cover it twice).
TEST(ProtectionRows, ATargetAtTheBatteryGetsNoLoadShareAndNoRoom) {
  Harness h;
  h.settings.obey.dc_load_max_w = 2000.0;  // declared, so assumed until measured
  h.in.snapshot.pack.soc_pct = 4.0;
  h.start(config::OperatingMode::idle);
  const double volts = h.measure_at_battery();
  h.in.snapshot.inverter.target_at_battery = true;
  h.in.snapshot.inverter.battery_power_includes_dc_loads = true;
  double highest_w = 0.0;
  for (int i = 0; i < 60; ++i) {
    const double target_w =
        h.out.command.kind == core::CommandKind::set_power ? h.out.command.battery_power_w : 0.0;
    // A 1 kW DC load switches on; for ten steps the Multi has not taken it over yet (bessd
    // measures it as a load), then the GX holds the battery at the target again.
    const double battery_w = i >= 10 && i < 20 ? target_w - 1000.0 : target_w;
    h.in.snapshot.pack.current_a = battery_w / volts;
    h.in.snapshot.inverter.battery_power_w = battery_w;
    h.step();
    highest_w = std::max(highest_w, h.out.command.battery_power_w);
  }
  ASSERT_TRUE(h.out.recovery.has_value());
  EXPECT_NEAR(h.out.command.battery_power_w, h.settings.recovery_charge_power_w, 1.0);
  EXPECT_LE(highest_w, h.settings.recovery_charge_power_w + 1.0) << "never the load on top";
  EXPECT_NE(h.out.envelope.discharge_power_max_w.cause.rule_id, "DC-LOAD");
}

// Red team 26d N2. A fridge that switches off during a discharge gives its room back once the
// measurement has settled: the discharge is not held below the command for the whole run.
TEST(ProtectionRows, ALoadThatSwitchesOffGivesItsRoomBack) {
  Harness h;
  h.settings.obey.dc_load_max_w = 1500.0;
  h.start(config::OperatingMode::manual, -1000.0);
  const double volts = h.measure_at_battery();
  for (int i = 0; i < 20; ++i) {
    h.in.snapshot.pack.current_a = -(1000.0 + 1500.0) / volts;  // fridge on
    h.step();
  }
  EXPECT_NEAR(h.out.uncommanded_discharge_w, 1500.0, 1.0);
  for (int i = 0; i < 20; ++i) {
    h.in.snapshot.pack.current_a = -1000.0 / volts;  // fridge off
    h.step();
  }
  EXPECT_DOUBLE_EQ(h.out.uncommanded_discharge_w, 0.0);
  EXPECT_TRUE(h.out.faults.empty());
  EXPECT_TRUE(discharge_open(h.out));
}

// An inverter out of bessd's control (its own self-use, charging from PV) charges on a cold
// night, where the envelope allows no charge, while bessd holds 0 W or discharges: judged
// although bessd commanded no charge.
TEST(ProtectionRows, ChargingBeyondTheEnvelopeThatBessdNeverCommandedIsANonObey) {
  for (const double setpoint_w : {0.0, -1500.0}) {
    Harness h;
    h.start(config::OperatingMode::manual, setpoint_w);
    h.in.snapshot.pack.cell_temperature_min_c = -6.0;
    h.step();
    ASSERT_FALSE(charge_open(h.out)) << "no charging below 0 °C";
    h.plant_follows = false;
    h.in.snapshot.inverter.battery_power_w = 2672.0;
    h.in.snapshot.pack.current_a = 2672.0 / h.in.snapshot.pack.voltage_v.value_or(52.0);
    h.steps(12);
    EXPECT_TRUE(h.has_event("OP-I-01", EventEdge::raised)) << setpoint_w;
    h.steps(12);
    EXPECT_TRUE(has_fault(h.out, "OP-I-01")) << "still charging after the block: " << setpoint_w;
    EXPECT_FALSE(has_fault(h.out, "OP-I-02")) << setpoint_w;
  }
}

// A charge bessd did not command but the envelope allows is the device's own (a Victron GX's
// BatteryLife recharge, AC-coupled PV in island mode): no non-obey.
TEST(ProtectionRows, AChargeWithinTheEnvelopeThatBessdDidNotCommandIsTolerated) {
  Harness h;
  h.start(config::OperatingMode::idle);
  h.plant_follows = false;
  for (double w : {260.0, 1500.0}) {
    h.in.snapshot.inverter.battery_power_w = w;
    h.steps(30);
    EXPECT_TRUE(h.out.faults.empty()) << w;
    EXPECT_TRUE(charge_open(h.out)) << w;
  }
}

// A charge bessd commands is held to the command, not to the envelope: the block names OP-I-01
// as the cause of the closed charge direction before the fault latches.
TEST(ProtectionRows, ABlockedChargeSaysWhyBeforeItLatches) {
  Harness h;
  h.start(config::OperatingMode::manual, 1000.0);
  h.plant_follows = false;
  h.in.snapshot.inverter.battery_power_w = 3000.0;
  h.steps(12);
  EXPECT_FALSE(charge_open(h.out));
  EXPECT_EQ(h.out.envelope.charge_power_max_w.cause.rule_id, "OP-I-01");
}

// The same while a latched fault holds the safe state: the fault's 0 W is not what the battery
// does, and a second fault says so.
TEST(ProtectionRows, ChargingWhileTheSafeStateIsHeldIsANonObey) {
  Harness h;
  h.start(config::OperatingMode::manual, 1000.0);
  h.in.snapshot.pack.protections.set(core::BmsCondition::over_temperature, core::FlagState::active);
  h.step();
  ASSERT_EQ(h.out.command.kind, CommandKind::safe_state);
  h.plant_follows = false;
  h.in.snapshot.inverter.battery_power_w = 2672.0;
  h.steps(24);
  EXPECT_TRUE(has_fault(h.out, "BMS-OT"));
  EXPECT_TRUE(has_fault(h.out, "OP-I-01"));
}

TEST(ProtectionRows, RampingInverterIsNotANonObey) {
  Harness h;
  h.start(config::OperatingMode::manual, 3000.0);
  h.plant_follows = false;
  h.in.snapshot.inverter.battery_power_w = 3000.0;
  h.steps(3);
  // bessd drops to 0; the inverter ramps down at 200 W/s.
  h.in.request.manual_setpoint_w = 0.0;
  for (int i = 0; i < 20; ++i) {
    h.in.snapshot.inverter.battery_power_w = std::max(0.0, 3000.0 - 200.0 * (i + 1));
    h.step();
  }
  EXPECT_TRUE(charge_open(h.out));
  EXPECT_FALSE(h.has_event("OP-I-01", EventEdge::raised));
}

TEST(ProtectionRows, NonObeyBlocksThatDirectionThenLatchesIfItPersists) {
  Harness h;
  h.start(config::OperatingMode::manual, 1000.0);
  h.plant_follows = false;
  h.in.snapshot.inverter.battery_power_w = 3000.0;
  bool block_seen = false;
  for (int i = 0; i < 12; ++i) {
    h.step();
    block_seen = block_seen || h.has_event("OP-I-01", EventEdge::raised);
  }
  EXPECT_TRUE(block_seen);
  EXPECT_FALSE(charge_open(h.out));
  EXPECT_TRUE(discharge_open(h.out));
  EXPECT_EQ(h.out.state, ControlState::running);
  EXPECT_FALSE(has_fault(h.out, "OP-I-01")) << "not latched yet";
  h.steps(12);
  ASSERT_TRUE(has_fault(h.out, "OP-I-01")) << "still charging after the block: latched";
  EXPECT_TRUE(discharge_open(h.out)) << "the other direction stays free";
  h.in.ack_faults = true;
  h.step();
  EXPECT_TRUE(has_fault(h.out, "OP-I-01")) << "ack refused while it still charges";
  h.in.snapshot.inverter.battery_power_w = 0.0;
  h.step();
  h.in.ack_faults = true;
  h.step();
  EXPECT_FALSE(has_fault(h.out, "OP-I-01"));
}

// Red team 26a F1: a DC load drawing before bessd commands a discharge is a load, and the
// command is judged on top of it (SunSpec: the pack's V x I is all bessd sees).
TEST(ProtectionRows, ADischargeIsJudgedOnTopOfAnExistingDcLoad) {
  Harness h;
  const double volts =
      idle_with_dc_load(h, 1000.0, 1040.0, 20);  // a 1 kW DC load, nothing commanded
  h.in.request.mode = config::OperatingMode::manual;
  h.in.request.manual_setpoint_w = -500.0;
  h.step();
  h.in.snapshot.pack.current_a = -1540.0 / volts;  // the inverter obeys exactly
  h.steps(40);
  EXPECT_TRUE(h.out.faults.empty());
  EXPECT_TRUE(discharge_open(h.out));
  EXPECT_DOUBLE_EQ(h.out.command.battery_power_w, -500.0);
  // An inverter that then discharges 1.5 kW beyond the command on top of the load is judged.
  h.in.snapshot.pack.current_a = -3040.0 / volts;
  h.steps(12);
  EXPECT_FALSE(discharge_open(h.out));
}

// A load switched on while bessd discharges 500 W: `draw` sets what the battery gives. Runs a
// minute in which the draw stays 1 kW once discharging is stopped; says whether OP-I-02 blocked
// and warned.
struct PersistingDraw {
  bool blocked{false};
  bool warned{false};
};
PersistingDraw draw_that_persists(Harness& h, const std::function<void(double)>& draw) {
  draw(500.0);
  h.steps(5);
  draw(1540.0);  // 1 kW more: a DC heater, or the inverter
  PersistingDraw seen;
  for (int i = 0; i < 60; ++i) {
    h.step();
    seen.blocked = seen.blocked || h.has_event("OP-I-02", EventEdge::raised);
    seen.warned = seen.warned || h.has_event("OP-I-02", EventEdge::once);
    if (!discharge_open(h.out)) draw(1040.0);  // still draws
  }
  return seen;
}

// A load switched on while bessd discharges, measured at the battery (red team 26a F1, 26b N1):
// it cannot be told from an inverter that does not stop, so discharging stays stopped while it
// draws (warned, never latched, never taken as a load that would blind the check), and resumes
// by itself once the draw ends.
TEST(ProtectionRows, ADrawThatPersistsAfterTheBlockHoldsItUnlatched) {
  Harness h;
  h.start(config::OperatingMode::manual, -500.0);
  const double volts = h.measure_at_battery();
  const auto seen =
      draw_that_persists(h, [&](double watts) { h.in.snapshot.pack.current_a = -watts / volts; });
  EXPECT_TRUE(seen.blocked);
  EXPECT_TRUE(seen.warned);
  EXPECT_FALSE(has_fault(h.out, "OP-I-02")) << "measured at the battery: never latched";
  EXPECT_FALSE(discharge_open(h.out)) << "held while the draw persists";
  EXPECT_TRUE(charge_open(h.out)) << "the other direction stays free";
  h.in.snapshot.pack.current_a = 0.0;  // the draw ends
  h.steps(45);                         // a window of obedience, then the OP-HYST-01 hold
  EXPECT_TRUE(discharge_open(h.out));
  EXPECT_DOUBLE_EQ(h.out.command.battery_power_w, -500.0);
}

// Red team 26k F8: a Victron GX's battery power (842) is its battery service's, measured at the
// battery, so a DC load shows in it as it does in the BMS's figure. A load switched on while
// bessd discharges is held unlatched there too, not blamed on the Multi as a latched fault.
TEST(ProtectionRows, AReadingThatIncludesDcLoadsIsJudgedAsMeasuredAtTheBattery) {
  Harness h;
  h.start(config::OperatingMode::manual, -500.0);
  const double volts = h.measure_at_battery();
  h.in.snapshot.inverter.battery_power_includes_dc_loads = true;
  const auto draw = [&](double watts) {
    h.in.snapshot.pack.current_a = -watts / volts;
    h.in.snapshot.inverter.battery_power_w = -watts;
  };
  // A DC heater switches on, and the Multi has not taken it over yet.
  const auto seen = draw_that_persists(h, draw);
  EXPECT_TRUE(seen.blocked);
  EXPECT_TRUE(seen.warned);
  EXPECT_FALSE(has_fault(h.out, "OP-I-02")) << "the battery's own reading: never latched";
  draw(0.0);
  h.steps(45);
  EXPECT_TRUE(discharge_open(h.out));
}

// Red team 26b N8: the BMS's discharge limit is for all the pack supplies. With a 2.5 kW DC
// load on a 100 A / 52 V pack (5.2 kW), the inverter may discharge only the rest.
TEST(ProtectionRows, TheDischargeEnvelopeLeavesRoomForADcLoad) {
  Harness h;
  const double volts = idle_with_dc_load(h, 3000.0, 2500.0, 5);
  EXPECT_NEAR(h.out.uncommanded_discharge_w, 2500.0, 1.0);
  EXPECT_NEAR(h.out.envelope.discharge_power_max_w.value, 100.0 * volts - 2500.0, 1.0);
  EXPECT_EQ(h.out.envelope.discharge_power_max_w.cause.rule_id, "DC-LOAD");
  h.in.request.mode = config::OperatingMode::manual;
  h.in.request.manual_setpoint_w = -5000.0;
  h.step();
  EXPECT_NEAR(h.out.command.battery_power_w, -(100.0 * volts - 2500.0), 1.0)
      << "inverter plus load stay within the pack's 100 A";
  EXPECT_TRUE(charge_open(h.out)) << "charging is not reduced by a discharge load";
}

// Red team 26g M1: a fridge that stops must find its room when it starts again, not drive the
// pack past its limit until the inverter has come down. The room is kept for 30 minutes after
// the load last drew it.
TEST(ProtectionRows, ACyclingLoadKeepsItsRoomBetweenStarts) {
  Harness h;
  const double volts = idle_with_dc_load(h, 3000.0, 1500.0, 5);
  ASSERT_NEAR(h.out.envelope.discharge_power_max_w.value, 100.0 * volts - 1500.0, 1.0);
  h.in.snapshot.pack.current_a = 0.0;  // the compressor stops
  h.steps(600);
  EXPECT_NEAR(h.out.uncommanded_discharge_w, 0.0, 1.0);
  EXPECT_NEAR(h.out.envelope.discharge_power_max_w.value, 100.0 * volts - 1500.0, 1.0)
      << "the room is kept for its next start";
  const std::string& why = h.out.envelope.discharge_power_max_w.cause.sentence;
  EXPECT_NE(why.find("within the last 30 minutes"), std::string::npos) << why;
  // Drawn until about 10 minutes ago: 20 minutes left (red team 26h N4).
  const auto left_at = why.find("comes down in ");
  ASSERT_NE(left_at, std::string::npos) << why;
  const int left_min = std::stoi(why.substr(left_at + 14));
  EXPECT_GE(left_min, 19) << why;
  EXPECT_LE(left_min, 21) << why;
  h.steps(30 * 60);
  EXPECT_NEAR(h.out.envelope.discharge_power_max_w.value, 100.0 * volts, 1.0)
      << "given back once the load has not drawn for 30 minutes";
}

// Red team 26i: after the draw stops, the block's reason said "discharges at -0 W"; it says what
// was seen and when the block ends.
TEST(ProtectionRows, AnObeyBlockAfterTheDrawStopsSaysWhatWasSeenAndWhenItEnds) {
  Harness h;
  h.start(config::OperatingMode::manual, -1000.0);
  const double volts = h.measure_at_battery();
  h.in.snapshot.pack.current_a = -2500.0 / volts;
  for (int i = 0; i < 20 && !h.has_event("OP-I-02", EventEdge::raised); ++i) h.step();
  ASSERT_FALSE(discharge_open(h.out));
  h.in.snapshot.pack.current_a = 0.0;  // the draw stops
  h.steps(3);
  const std::string& why = h.out.envelope.discharge_power_max_w.cause.sentence;
  EXPECT_EQ(why.find("-0 W"), std::string::npos) << why;
  EXPECT_NE(why.find("discharges at 2500 W"), std::string::npos) << why;
  EXPECT_NE(why.find("the block ends after"), std::string::npos) << why;
}

// Red team 26h N3: the room kept for a cycling load is stored, so the first start after a
// restart (a crash while the compressor was off) finds it; it still comes down 30 minutes after
// the load last drew it, and a room expired while bessd was down is not restored.
TEST(ProtectionRows, TheRoomForACyclingLoadSurvivesARestart) {
  Harness h;
  const double volts = idle_with_dc_load(h, 3000.0, 1500.0, 5);
  h.in.snapshot.pack.current_a = 0.0;  // the compressor stops
  h.steps(600);
  ASSERT_TRUE(std::any_of(h.store.trips().begin(), h.store.trips().end(),
                          [](const control::TripRecord& r) { return r.id == "ROOM:1500"; }));
  h.controller.reset();  // kill -9, and a restart a minute later
  h.out = {};
  h.now += std::chrono::seconds{60};
  h.in.wall_now += std::chrono::seconds{60};
  h.steps(10);
  EXPECT_NEAR(h.out.envelope.discharge_power_max_w.value, 100.0 * volts - 1500.0, 1.0)
      << "the room is kept across the restart: "
      << h.out.envelope.discharge_power_max_w.cause.sentence;
  h.steps(20 * 60);
  EXPECT_NEAR(h.out.envelope.discharge_power_max_w.value, 100.0 * volts, 1.0)
      << "and comes down 30 minutes after the load last drew it";
  EXPECT_FALSE(std::any_of(h.store.trips().begin(), h.store.trips().end(),
                           [](const control::TripRecord& r) { return r.id.starts_with("ROOM:"); }))
      << "nor stored any longer";
}

// Red team 26h N3: the declared load assumed at start (here through a restored OP-I-02 block, which
// keeps it from being measured for a window) is no measured load: it never becomes the room kept
// for 30 minutes.
TEST(ProtectionRows, TheAssumedLoadIsNeverKeptAsRoom) {
  Harness h;
  h.settings.obey.dc_load_max_w = 1500.0;
  ASSERT_TRUE(h.store.save_trips({{"HOLD:OP-I-02", false, true, {1'764'547'000'000}}}));
  const double volts = h.measure_at_battery();
  h.in.snapshot.pack.current_a = 0.0;  // nothing draws
  h.start(config::OperatingMode::manual, -1000.0);
  EXPECT_FALSE(discharge_open(h.out)) << "the block is restored";
  h.steps(60);
  EXPECT_TRUE(discharge_open(h.out)) << "the restored block ended after a window";
  EXPECT_NEAR(h.out.envelope.discharge_power_max_w.value, 100.0 * volts, 1.0)
      << h.out.envelope.discharge_power_max_w.cause.sentence;
}

// Red team 26b N2: a fridge cycling under a discharge, judged from the BMS's V x I, cannot be
// told from the inverter; its blocks do not add up to a repeated-trip latch.
TEST(ProtectionRows, ACyclingLoadMeasuredAtTheBatteryNeverLatchesRepeatedTrips) {
  Harness h;
  h.start(config::OperatingMode::manual, -1000.0);
  const double volts = h.measure_at_battery();
  for (int cycle = 0; cycle < 4; ++cycle) {
    for (int i = 0; i < 25; ++i) {  // on: 600 W on top of what the inverter delivers
      const double inverter_w = discharge_open(h.out) ? 1000.0 : 0.0;
      h.in.snapshot.pack.current_a = -(inverter_w + 600.0) / volts;
      h.step();
    }
    for (int i = 0; i < 45; ++i) {  // off
      h.in.snapshot.pack.current_a = -(discharge_open(h.out) ? 1000.0 : 0.0) / volts;
      h.step();
    }
  }
  EXPECT_FALSE(has_fault(h.out, "OP-REPEAT-DISCHARGE"));
  EXPECT_TRUE(h.out.faults.empty());
  EXPECT_TRUE(discharge_open(h.out));
}

// A load that switches off during a discharge lowers what is taken as the load at once: the
// check does not stay blind to an overshoot of the size the load had.
TEST(ProtectionRows, ALoadThatEndsDuringADischargeNoLongerCovers) {
  Harness h;
  h.start(config::OperatingMode::idle);
  const double volts = h.measure_at_battery();
  h.in.snapshot.pack.current_a = -1000.0 / volts;  // a 1 kW DC load
  h.steps(5);
  h.in.request.mode = config::OperatingMode::manual;
  h.in.request.manual_setpoint_w = -500.0;
  h.in.snapshot.pack.current_a = -1500.0 / volts;
  h.steps(5);
  h.in.snapshot.pack.current_a = -500.0 / volts;  // the load switches off
  h.steps(5);
  h.in.snapshot.pack.current_a = -1500.0 / volts;  // the inverter now overshoots by 1 kW
  h.steps(14);
  EXPECT_FALSE(discharge_open(h.out));
}

// An inverter, reporting its own battery power, that discharges 3 kW against a 500 W command
// for 30 s.
void keep_discharging_after_the_block(Harness& h) {
  h.start(config::OperatingMode::manual, -500.0);
  h.plant_follows = false;
  h.in.snapshot.inverter.battery_power_w = -3000.0;
  h.steps(30);
}

// With the inverter's own battery power, a discharge that goes on after the block is the
// inverter's: it latches.
TEST(ProtectionRows, AnInverterThatKeepsDischargingAfterTheBlockLatches) {
  Harness h;
  keep_discharging_after_the_block(h);
  EXPECT_TRUE(has_fault(h.out, "OP-I-02"));
  EXPECT_TRUE(charge_open(h.out)) << "the other direction stays free";
}

// Red team 26d N5: after a restart the latched OP-I-02 comes back from the store; the fresh
// monitor confirming the same non-obey again is no news: no second error, neither the block's
// "Discharging is stopped" nor the fault's "(again)" (26e P8).
TEST(ProtectionRows, ALatchedNonObeyIsNotRaisedAgainAfterARestart) {
  Harness h;
  keep_discharging_after_the_block(h);
  ASSERT_TRUE(has_fault(h.out, "OP-I-02"));
  h.build();  // a restart: the same store, a fresh controller
  h.out = {};
  int raised = 0;
  for (int i = 0; i < 30; ++i) {
    h.step();
    for (const auto& e : h.out.events)
      if (e.code == "OP-I-02" && e.edge == EventEdge::raised) {
        ++raised;
        ADD_FAILURE() << i << " " << e.message;
      }
  }
  EXPECT_TRUE(has_fault(h.out, "OP-I-02"));
  EXPECT_EQ(raised, 0);
}

// One event per transition: a fire alarm is said once when it trips and once when it ends, by
// the fault (not a second time by the limits' rule of the same id).
TEST(ProtectionRows, AFireAlarmIsOneEventPerTransition) {
  Harness h;
  h.settings.fire_alarm_configured = true;
  h.in.snapshot.fire_alarm_configured = true;
  h.start(config::OperatingMode::manual, 1000.0);
  const auto count = [&](EventEdge edge) {
    int n = 0;
    for (int i = 0; i < 5; ++i) {
      h.step();
      for (const auto& e : h.out.events) n += e.code == "ALM-01" && e.edge == edge ? 1 : 0;
    }
    return n;
  };
  h.in.snapshot.fire_alarm_active = true;
  EXPECT_EQ(count(EventEdge::raised), 1);
  h.in.snapshot.fire_alarm_active = false;
  h.in.ack_faults = true;
  EXPECT_EQ(count(EventEdge::cleared), 1);
}

// COM-01 has two stages, each said once (stale: the limits go to zero; lost: the fault and the
// safe state), and one end.
TEST(ProtectionRows, BmsSilenceIsOneEventPerStageAndOneEnd) {
  Harness h;
  h.start(config::OperatingMode::manual, 1000.0);
  int raised = 0;
  int cleared = 0;
  const auto run = [&](int steps) {
    for (int i = 0; i < steps; ++i) {
      h.step();
      for (const auto& e : h.out.events) {
        if (e.code != "COM-01") continue;
        raised += e.edge == EventEdge::raised ? 1 : 0;
        cleared += e.edge == EventEdge::cleared ? 1 : 0;
      }
    }
  };
  h.bms_silent = true;
  run(8);
  ASSERT_TRUE(has_fault(h.out, "COM-01"));
  h.bms_silent = false;
  run(5);
  EXPECT_EQ(raised, 2);
  EXPECT_EQ(cleared, 1);
}

TEST(ProtectionRows, ObeyCheckUsesTheBmsWhenTheInverterHasNoReading) {
  Harness h;
  h.start(config::OperatingMode::manual, 1000.0);
  h.plant_follows = false;
  h.in.snapshot.inverter.battery_power_w.reset();
  h.in.snapshot.pack.current_a = 3000.0 / 52.0;
  h.steps(12);
  EXPECT_FALSE(charge_open(h.out));
  EXPECT_TRUE(discharge_open(h.out));
}

// Red team 26a F2: three cold mornings within the window are weather, not a fault that repeats.
TEST(ProtectionRows, ColdSpellsNeverAddUpToARepeatedTripLatch) {
  Harness h;
  h.start(config::OperatingMode::manual, 1000.0);
  for (int i = 0; i < 4; ++i) {
    h.in.snapshot.pack.cell_temperature_min_c = -5.0;
    h.in.snapshot.pack.temperature_c = -4.0;
    h.steps(2);
    EXPECT_FALSE(charge_open(h.out));
    h.in.snapshot.pack.cell_temperature_min_c = 15.0;
    h.in.snapshot.pack.temperature_c = 16.0;
    h.steps(35);  // warm again, past the OP-HYST-01 hold
  }
  EXPECT_FALSE(has_fault(h.out, "OP-REPEAT-CHARGE"));
  EXPECT_TRUE(charge_open(h.out));
  EXPECT_DOUBLE_EQ(h.out.command.battery_power_w, 1000.0);
}

TEST(ProtectionRows, RepeatedTripsLatchThatDirection) {
  Harness h;
  h.start(config::OperatingMode::manual, -500.0);
  for (int i = 0; i < 3; ++i) {
    h.in.snapshot.pack.cell_voltage_max_v = 3.70;
    h.steps(2);
    h.in.snapshot.pack.cell_voltage_max_v = 3.40;
    h.steps(2);
  }
  EXPECT_TRUE(has_fault(h.out, "OP-REPEAT-CHARGE"));
  EXPECT_EQ(h.out.state, ControlState::running);
  EXPECT_FALSE(charge_open(h.out));
  EXPECT_TRUE(discharge_open(h.out));
  h.in.ack_faults = true;
  h.step();
  EXPECT_FALSE(has_fault(h.out, "OP-REPEAT-CHARGE"));
}

void trip_over_voltage(Harness& h, int times) {
  for (int i = 0; i < times; ++i) {
    h.in.snapshot.pack.cell_voltage_max_v = 3.70;
    h.steps(2);
    h.in.snapshot.pack.cell_voltage_max_v = 3.40;
    h.steps(2);
  }
}

// A restart (crash, watchdog, upgrade) must not reset the repeated-trip count: two trips, a new
// controller on the same store, one more trip latches.
TEST(ProtectionRows, RepeatedTripCountSurvivesARestart) {
  Harness h;
  h.start(config::OperatingMode::manual, -500.0);
  trip_over_voltage(h, 2);
  EXPECT_FALSE(has_fault(h.out, "OP-REPEAT-CHARGE"));
  ASSERT_EQ(h.store.trips().size(), 1u);
  EXPECT_EQ(h.store.trips()[0].at_unix_ms.size(), 2u);
  h.build();
  h.start(config::OperatingMode::manual, -500.0);
  trip_over_voltage(h, 1);
  EXPECT_TRUE(has_fault(h.out, "OP-REPEAT-CHARGE"));
  EXPECT_FALSE(charge_open(h.out));
  h.in.ack_faults = true;
  h.step();
  EXPECT_FALSE(has_fault(h.out, "OP-REPEAT-CHARGE"));
  for (const auto& t : h.store.trips()) EXPECT_FALSE(t.charge) << t.id;  // the ack is stored
}

TEST(ProtectionRows, StoredTripsOlderThanTheWindowDoNotCount) {
  Harness h;
  h.start(config::OperatingMode::manual, -500.0);
  trip_over_voltage(h, 2);
  h.build();
  h.step(std::chrono::hours{2});  // down for two hours: the window is one hour
  h.start(config::OperatingMode::manual, -500.0);
  trip_over_voltage(h, 1);
  EXPECT_FALSE(has_fault(h.out, "OP-REPEAT-CHARGE"));
}

TEST(ProtectionRows, AckOfOneFaultIsNotBlockedByADirectionBlock) {
  Harness h;
  h.in.snapshot.fire_alarm_configured = true;
  h.start(config::OperatingMode::manual, 1000.0);
  h.in.snapshot.fire_alarm_active = true;
  h.step();
  h.in.snapshot.fire_alarm_active = false;
  h.in.snapshot.pack.cell_voltage_max_v = 3.70;  // OV still present
  h.step();
  h.in.ack_faults = true;
  h.step();
  EXPECT_FALSE(has_fault(h.out, "ALM-01"));
  EXPECT_EQ(h.out.state, ControlState::running);
}

TEST(ProtectionRows, ReconfigureKeepsLatchesAndAcknowledgements) {
  Harness h;
  h.in.snapshot.fire_alarm_configured = true;
  h.start(config::OperatingMode::manual, 1000.0);
  h.store.set_failing(true);  // a latch the store could not persist
  h.in.snapshot.fire_alarm_active = true;
  h.step();
  h.store.set_failing(false);
  h.in.snapshot.fire_alarm_active = false;
  h.step();
  h.controller->reconfigure(h.settings, h.limits);
  h.step();
  EXPECT_TRUE(has_fault(h.out, "ALM-01")) << "SIGHUP keeps an unpersisted latch";
  h.in.ack_faults = true;
  h.step();
  h.controller->reconfigure(h.settings, h.limits);
  h.steps(2);
  EXPECT_FALSE(has_fault(h.out, "ALM-01")) << "SIGHUP keeps the acknowledgement";
}

TEST(ProtectionRows, WaitingForTheFirstBmsDataIsInfoNotCom01) {
  Harness h;
  h.bms_silent = true;
  h.in.snapshot.pack = core::PackState{};
  h.in.request.mode = config::OperatingMode::idle;
  h.step();
  EXPECT_TRUE(h.out.waiting_for_bms);
  EXPECT_TRUE(h.has_event("control.waiting_for_bms", EventEdge::once));
  h.steps(3);
  EXPECT_FALSE(has_fault(h.out, "COM-01"));
  h.steps(3);
  EXPECT_TRUE(has_fault(h.out, "COM-01")) << "after the grace";
}

// A BMS that answers within the grace: the log shows the wait, never a COM-01 edge or a clamp.
TEST(ProtectionRows, AStartWithinTheGraceLogsNoCom01AndNoClamp) {
  Harness h;
  h.bms_silent = true;
  const auto healthy = h.in.snapshot.pack;
  h.in.snapshot.pack = core::PackState{};
  h.in.request.mode = config::OperatingMode::manual;
  h.in.request.manual_setpoint_w = 1000.0;
  std::vector<core::Event> log;
  const auto run = [&](int n) {
    for (int i = 0; i < n; ++i) {
      h.step();
      log.insert(log.end(), h.out.events.begin(), h.out.events.end());
    }
  };
  run(2);
  h.bms_silent = false;
  h.in.snapshot.pack = healthy;
  run(5);
  EXPECT_DOUBLE_EQ(h.out.command.battery_power_w, 1000.0);
  for (const auto& e : log) {
    EXPECT_NE(e.code, "COM-01") << e.message;
    EXPECT_NE(e.code, "control.setpoint_clamped") << e.message;
  }
}

}  // namespace
}  // namespace bessd::control
