// Every state transition of the controller, and the safe state on every trigger of
// docs/protection.md "Safe state".
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include <support/enum_round_trip.hpp>

#include <bessd/control/fault_catalog.hpp>

#include "harness.hpp"

namespace bessd::control {
namespace {

using core::CommandKind;
using core::EventEdge;
using std::chrono::seconds;
using testing::Harness;

TEST(Starting, WritesNothingUntilTheInverterHasBeenRead) {
  Harness h;
  h.inverter_silent = true;
  h.in.request.mode = config::OperatingMode::manual;
  h.in.request.manual_setpoint_w = 1000;
  for (int i = 0; i < 5; ++i) {
    h.step();
    EXPECT_EQ(h.out.state, ControlState::starting);
    EXPECT_EQ(h.out.command.kind, CommandKind::none);
  }
  h.inverter_silent = false;
  h.step();
  EXPECT_EQ(h.out.state, ControlState::running);
  EXPECT_EQ(h.out.command.kind, CommandKind::safe_state) << "first command is the safe setpoint";
  EXPECT_TRUE(h.has_event("COM-02", EventEdge::once));
  h.step();
  EXPECT_EQ(h.out.command.kind, CommandKind::set_power);
  EXPECT_DOUBLE_EQ(h.out.command.battery_power_w, 1000.0);
}

TEST(Starting, StaleBmsAtStartGoesToFaultNotRunning) {
  Harness h;
  h.bms_silent = true;
  h.in.snapshot.pack.measured_at = h.now - seconds{60};
  h.start();
  EXPECT_EQ(h.out.state, ControlState::fault);
  EXPECT_EQ(h.out.command.kind, CommandKind::safe_state);
}

TEST(Starting, BmsNeverSeenGetsTheTimeoutBeforeCom01) {
  Harness h;
  h.bms_silent = true;
  auto& p = h.in.snapshot.pack;
  p.measured_at.reset();
  p.limits_at.reset();
  p.cells_at.reset();
  p.flags_at.reset();
  p.charge_at.reset();
  h.in.request.mode = config::OperatingMode::manual;
  h.in.request.manual_setpoint_w = 1000;
  for (int i = 0; i < 4; ++i) {
    h.step();
    EXPECT_NE(h.out.state, ControlState::fault) << i;
    EXPECT_DOUBLE_EQ(h.out.command.battery_power_w, 0.0);  // limits are zero meanwhile
  }
  h.steps(2);
  EXPECT_EQ(h.out.state, ControlState::fault);
  EXPECT_EQ(h.out.command.kind, CommandKind::safe_state);
}

struct TransitionRow {
  const char* name;
  config::OperatingMode mode;
  std::function<void(Harness&)> inject;
  int steps;
  ControlState state;
  CommandKind command;
  const char* event_code;  // raised in the last step (nullptr = don't check)
};
void PrintTo(const TransitionRow& row, std::ostream* os) {
  *os << row.name;
}

class Transition : public ::testing::TestWithParam<TransitionRow> {};

TEST_P(Transition, FromRunning) {
  const TransitionRow& row = GetParam();
  Harness h;
  h.start(row.mode, 1000.0);
  ASSERT_EQ(h.out.state, row.mode == config::OperatingMode::idle ? ControlState::standby
                                                                 : ControlState::running);
  ASSERT_EQ(h.out.command.kind, CommandKind::set_power);
  row.inject(h);
  bool seen = false;
  for (int i = 0; i < row.steps; ++i) {
    h.step();
    if (row.event_code)
      seen = seen || h.has_event(row.event_code, EventEdge::raised) ||
             h.has_event(row.event_code, EventEdge::once);
  }
  EXPECT_EQ(h.out.state, row.state) << to_string(h.out.state);
  EXPECT_EQ(h.out.command.kind, row.command) << h.out.command.reason;
  if (row.event_code) {
    EXPECT_TRUE(seen) << row.event_code;
  }
  if (row.command == CommandKind::safe_state) {
    EXPECT_DOUBLE_EQ(h.out.command.battery_power_w, 0.0);
    EXPECT_DOUBLE_EQ(h.out.command.charge_power_max_w, 0.0);
    EXPECT_DOUBLE_EQ(h.out.command.discharge_power_max_w, 0.0);
  }
}

const TransitionRow kTransitions[] = {
    {"RunningToStandbyOnIdle", config::OperatingMode::manual,
     [](Harness& h) { h.in.request.mode = config::OperatingMode::idle; }, 1, ControlState::standby,
     CommandKind::set_power, "control.state"},
    {"StandbyToRunningOnManual", config::OperatingMode::idle,
     [](Harness& h) { h.in.request.mode = config::OperatingMode::manual; }, 1,
     ControlState::running, CommandKind::set_power, "control.state"},
    {"FireAlarm", config::OperatingMode::manual,
     [](Harness& h) {
       h.in.snapshot.fire_alarm_configured = true;
       h.in.snapshot.fire_alarm_active = true;
     },
     1, ControlState::fault, CommandKind::safe_state, "ALM-01"},
    {"ProtectionFlag", config::OperatingMode::manual,
     [](Harness& h) {
       h.in.snapshot.pack.protections.set(core::BmsCondition::short_circuit,
                                          core::FlagState::active);
     },
     1, ControlState::running, CommandKind::set_power, "OP-FLAG-01"},
    {"CellOverVoltage", config::OperatingMode::manual,
     [](Harness& h) { h.in.snapshot.pack.cell_voltage_max_v = 3.70; }, 1, ControlState::running,
     CommandKind::set_power, "OP-V-01"},
    {"CellUnderVoltage", config::OperatingMode::manual,
     [](Harness& h) { h.in.snapshot.pack.cell_voltage_min_v = 2.40; }, 1, ControlState::running,
     CommandKind::set_power, "OP-V-03"},
    {"CellOverTemperature", config::OperatingMode::manual,
     [](Harness& h) { h.in.snapshot.pack.cell_temperature_max_c = 62.0; }, 1, ControlState::running,
     CommandKind::set_power, "OP-T-04"},
    {"ColdIsNotAFault", config::OperatingMode::manual,
     [](Harness& h) { h.in.snapshot.pack.cell_temperature_min_c = -3.0; }, 1, ControlState::running,
     CommandKind::set_power, "OP-T-01"},
    {"BmsLost", config::OperatingMode::manual, [](Harness& h) { h.bms_silent = true; }, 6,
     ControlState::fault, CommandKind::safe_state, "COM-01"},
    {"BmsStaleButNotLostKeepsRunningAtZero", config::OperatingMode::manual,
     [](Harness& h) { h.bms_silent = true; }, 4, ControlState::running, CommandKind::set_power,
     "COM-01"},
    {"InverterLinkLost", config::OperatingMode::manual,
     [](Harness& h) { h.inverter_silent = true; }, 4, ControlState::fault, CommandKind::safe_state,
     "COM-02"},
    {"InverterNotObeying", config::OperatingMode::manual,
     [](Harness& h) {
       h.plant_follows = false;
       h.in.snapshot.inverter.battery_power_w = 3000.0;  // commanded 1000 W
     },
     12, ControlState::running, CommandKind::set_power, "OP-I-01"},
    // Writes or read-backs keep failing (INV-CMD, docs/protection.md "Policy table"): a latched
    // fault.
    {"InverterRefusesCommands", config::OperatingMode::manual,
     [](Harness& h) {
       h.in.snapshot.inverter.command_failing_since = h.now;
       h.in.snapshot.inverter.command_failure = "exception 04 writing setpoint";
     },
     12, ControlState::fault, CommandKind::safe_state, "INV-CMD"},
    {"InverterSlowerThanCommandIsObeying", config::OperatingMode::manual,
     [](Harness& h) {
       h.plant_follows = false;
       h.in.snapshot.inverter.battery_power_w = 400.0;  // under-delivery is not a hazard
     },
     20, ControlState::running, CommandKind::set_power, nullptr},
    {"BmsCurrentTheInverterDoesNotExplainIsNotAFault", config::OperatingMode::manual,
     [](Harness& h) {
       h.plant_follows = false;
       h.in.snapshot.inverter.battery_power_w = 1000.0;
       h.in.snapshot.pack.current_a = 130.0;  // a DC charger on the bus; BMS limit 100 A
     },
     30, ControlState::running, CommandKind::set_power, nullptr},
    {"ComplianceLockout", config::OperatingMode::manual,
     [](Harness& h) {
       h.in.snapshot.compliance.blocked = true;
       h.in.snapshot.compliance.reason = "PAS-LOC-01";
     },
     1, ControlState::lockout, CommandKind::safe_state, "control.state"},
    {"Stop", config::OperatingMode::manual, [](Harness& h) { h.in.stop_requested = true; }, 1,
     ControlState::stopped, CommandKind::safe_state, "control.state"},
};

INSTANTIATE_TEST_SUITE_P(Controller, Transition, ::testing::ValuesIn(kTransitions),
                         [](const ::testing::TestParamInfo<TransitionRow>& param_info) {
                           return std::string(param_info.param.name);
                         });

TEST(Lockout, ClearsWhenTheVerdictClearsAndFaultWinsOverLockout) {
  Harness h;
  h.in.snapshot.compliance.blocked = true;
  h.in.snapshot.compliance.reason = "PAS-LOC-01: bedroom";
  h.start();
  EXPECT_EQ(h.out.state, ControlState::lockout);
  EXPECT_NE(h.out.command.reason.find("PAS-LOC-01"), std::string::npos);
  EXPECT_EQ(h.out.envelope.charge_power_max_w.cause.kind, core::CauseKind::compliance_block);
  h.in.snapshot.fire_alarm_configured = true;
  h.in.snapshot.fire_alarm_active = true;
  h.step();
  EXPECT_EQ(h.out.state, ControlState::fault);
  h.in.snapshot.fire_alarm_active = false;
  h.in.ack_faults = true;
  h.step();
  EXPECT_EQ(h.out.state, ControlState::lockout);
  h.in.snapshot.compliance.blocked = false;
  h.step();
  EXPECT_EQ(h.out.state, ControlState::running);
}

TEST(Stop, IsTerminal) {
  Harness h;
  h.start();
  h.in.stop_requested = true;
  h.step();
  h.in.stop_requested = false;
  h.steps(3);
  EXPECT_EQ(h.out.state, ControlState::stopped);
  EXPECT_EQ(h.out.command.kind, CommandKind::safe_state);
}

TEST(LatchedFault, NeedsAckAfterTheCauseClearedAndIsPersisted) {
  Harness h;
  h.start();
  // The BMS's over-temperature protection latches (docs/protection.md: thermal event).
  h.in.snapshot.pack.protections.set(core::BmsCondition::over_temperature, core::FlagState::active);
  h.step();
  ASSERT_EQ(h.out.state, ControlState::fault);
  ASSERT_EQ(h.store.faults().size(), 1u);
  EXPECT_EQ(h.store.faults()[0].id, "BMS-OT");
  // Ack while the cause is present: refused.
  h.in.ack_faults = true;
  h.step();
  EXPECT_TRUE(h.has_event("control.ack_refused", EventEdge::once));
  EXPECT_EQ(h.out.state, ControlState::fault);
  // Cause clears: still latched.
  h.in.snapshot.pack.protections.set(core::BmsCondition::over_temperature, core::FlagState::ok);
  h.steps(5);
  EXPECT_EQ(h.out.state, ControlState::fault);
  ASSERT_EQ(h.out.faults.size(), 1u);
  EXPECT_TRUE(h.out.faults[0].latched);
  EXPECT_FALSE(h.out.faults[0].cause_active);
  // Ack: cleared, removed from the store, running again.
  h.in.ack_faults = true;
  h.step();
  EXPECT_TRUE(h.has_event("BMS-OT", EventEdge::cleared));
  EXPECT_TRUE(h.store.faults().empty());
  EXPECT_EQ(h.out.state, ControlState::running);
}

// An acknowledgement names the latches it saw, each at its trip count (StepInput::ack_seen): a
// fault that tripped again, or latched, after it was asked for stays latched.
TEST(LatchedFault, AnAckClearsOnlyTheTripsItSaw) {
  Harness h;
  h.start();
  h.in.snapshot.fire_alarm_configured = true;
  h.in.snapshot.fire_alarm_active = true;
  h.step();
  h.in.snapshot.fire_alarm_active = false;
  h.step();
  ASSERT_EQ(h.out.faults.size(), 1U);
  const FaultStatus seen = h.out.faults[0];
  EXPECT_EQ(seen.trips, 1U);
  // While the acknowledgement is being stored, the alarm trips and clears again.
  h.in.snapshot.fire_alarm_active = true;
  h.step();
  h.in.snapshot.fire_alarm_active = false;
  h.step();
  ASSERT_EQ(h.out.faults.size(), 1U);
  EXPECT_EQ(h.out.faults[0].trips, 2U);
  h.in.ack_faults = true;
  h.in.ack_seen.emplace();
  h.in.ack_seen->emplace(seen.id, seen.trips);
  h.step();
  EXPECT_EQ(h.out.state, ControlState::fault) << "cleared a trip nobody saw";
  EXPECT_TRUE(h.has_event("control.ack_refused", EventEdge::once));
  // Acknowledged at the count the operator now sees: cleared.
  h.in.ack_faults = true;
  h.in.ack_seen->at(seen.id) = 2;
  h.step();
  EXPECT_TRUE(h.out.faults.empty());
}

TEST(LatchedFault, SurvivesARestart) {
  Harness h;
  h.store.latch({"ALM-01", "the fire alarm input has tripped", 0}).value();
  h.start();
  EXPECT_EQ(h.out.state, ControlState::fault);
  EXPECT_EQ(h.out.command.kind, CommandKind::safe_state);
  EXPECT_EQ(h.out.envelope.discharge_power_max_w.cause.kind, core::CauseKind::fault);
  h.in.ack_faults = true;
  h.step();
  EXPECT_EQ(h.out.state, ControlState::running);
}

TEST(LatchedFault, UnreadableStoreFailsSafe) {
  Harness h;
  h.store.set_failing(true);
  h.start();
  EXPECT_EQ(h.out.state, ControlState::fault);
  ASSERT_EQ(h.out.faults.size(), 1u);
  EXPECT_EQ(h.out.faults[0].id, "FAULT-STORE");
  h.store.set_failing(false);
  h.in.ack_faults = true;
  h.step();
  EXPECT_EQ(h.out.state, ControlState::running);
}

TEST(LatchedFault, StoreWriteFailureIsReportedAndFailsSafe) {
  Harness h;
  h.start();
  h.store.set_failing(true);
  h.in.snapshot.fire_alarm_configured = true;
  h.in.snapshot.fire_alarm_active = true;
  h.step();
  EXPECT_EQ(h.out.state, ControlState::fault);
  EXPECT_TRUE(h.has_event("FAULT-STORE", EventEdge::once));
  bool store_fault = false;
  for (const auto& f : h.out.faults) store_fault = store_fault || f.id == "FAULT-STORE";
  EXPECT_TRUE(store_fault);
}

// An acknowledgement that cannot be stored must not release power: a restart would bring the
// latch back from the store after power had already flowed.
TEST(LatchedFault, AckThatCannotBeStoredKeepsTheFaultLatched) {
  Harness h;
  h.store.latch({"ALM-01", "the fire alarm input has tripped", 0}).value();
  h.start();
  ASSERT_EQ(h.out.state, ControlState::fault);
  h.store.set_failing(true);
  h.in.ack_faults = true;
  h.step();
  EXPECT_EQ(h.out.state, ControlState::fault);
  EXPECT_EQ(h.out.command.kind, CommandKind::safe_state);
  ASSERT_EQ(h.out.faults.size(), 1u);
  EXPECT_EQ(h.out.faults[0].id, "ALM-01");
  EXPECT_TRUE(h.out.faults[0].latched);
  EXPECT_FALSE(h.out.faults[0].ack_not_stored.empty());
  EXPECT_TRUE(h.has_event("FAULT-STORE", EventEdge::once));
  EXPECT_FALSE(h.has_event("ALM-01", EventEdge::cleared));
  ASSERT_EQ(h.store.faults().size(), 1u);  // still stored: a restart agrees with memory

  h.in.ack_faults = false;
  h.steps(3);  // nothing releases it on its own
  EXPECT_EQ(h.out.state, ControlState::fault);

  h.store.set_failing(false);
  h.in.ack_faults = true;
  h.step();
  EXPECT_EQ(h.out.state, ControlState::running);
  EXPECT_TRUE(h.out.faults.empty());
  EXPECT_TRUE(h.store.faults().empty());
}

TEST(SelfClearingFault, BmsReturnsThenHysteresisHolds) {
  Harness h;
  h.start();
  h.bms_silent = true;
  h.steps(6);
  ASSERT_EQ(h.out.state, ControlState::fault);
  h.bms_silent = false;
  h.step();
  EXPECT_TRUE(h.has_event("COM-01", EventEdge::cleared));
  EXPECT_EQ(h.out.state, ControlState::running);
  EXPECT_EQ(h.out.command.kind, CommandKind::set_power);
  EXPECT_DOUBLE_EQ(h.out.command.battery_power_w, 0.0);  // OP-HYST-01 holds 30 s
  EXPECT_TRUE(h.out.clamp.clamped);
  EXPECT_EQ(h.out.clamp.cause.rule_id, "OP-HYST-01");
  h.steps(31);
  EXPECT_DOUBLE_EQ(h.out.command.battery_power_w, 1000.0);
  EXPECT_FALSE(h.out.clamp.clamped);
}

TEST(Com02, SafeSetpointFirstAfterTheLinkReturns) {
  Harness h;
  h.start();
  h.inverter_silent = true;
  h.steps(5);
  EXPECT_EQ(h.out.state, ControlState::fault);
  EXPECT_FALSE(h.out.inverter_online);
  h.inverter_silent = false;
  h.step();
  EXPECT_EQ(h.out.state, ControlState::running);
  EXPECT_EQ(h.out.command.kind, CommandKind::safe_state);
  EXPECT_NE(h.out.command.reason.find("COM-02"), std::string::npos);
  h.step();
  EXPECT_EQ(h.out.command.kind, CommandKind::set_power);
  EXPECT_DOUBLE_EQ(h.out.command.battery_power_w, 1000.0);
}

TEST(SafeState, VerifiedByReadBack) {
  Harness h;
  h.start();
  h.in.stop_requested = true;
  h.step();
  EXPECT_FALSE(h.out.safe_state_verified);  // the inverter still shows 1000 W
  h.step();
  EXPECT_TRUE(h.out.safe_state_verified);
}

TEST(Manual, ClampIsReportedNotSilent) {
  Harness h;
  h.limits.inverter_rated_power_w = 3000.0;
  h.start(config::OperatingMode::manual, -8000.0);
  EXPECT_DOUBLE_EQ(h.out.command.battery_power_w, -3000.0);
  EXPECT_TRUE(h.out.clamp.clamped);
  EXPECT_DOUBLE_EQ(h.out.clamp.requested_w, -8000.0);
  EXPECT_DOUBLE_EQ(h.out.clamp.allowed_w, -3000.0);
  EXPECT_EQ(h.out.clamp.cause.kind, core::CauseKind::inverter_rating);
  h.in.request.manual_setpoint_w = -2000.0;
  h.step();
  EXPECT_TRUE(h.has_event("control.setpoint_clamped", EventEdge::cleared));
  EXPECT_DOUBLE_EQ(h.out.command.battery_power_w, -2000.0);
}

TEST(Com03, SignMismatchWarnsOrLatchesWhileCommissioning) {
  for (const bool commissioning : {false, true}) {
    Harness h;
    h.settings.commissioning = commissioning;
    h.settings.sign.window = seconds{10};
    h.plant_follows = false;
    h.start(config::OperatingMode::manual, 2000.0);
    h.in.snapshot.inverter.battery_power_w = 2000.0;
    h.in.snapshot.pack.current_a = -38.0;  // BMS reports the other sign
    bool warned = false;
    for (int i = 0; i < 15; ++i) {
      h.step();
      warned = warned || h.has_event("COM-03", EventEdge::once) ||
               h.has_event("COM-03", EventEdge::raised);
    }
    EXPECT_TRUE(warned) << commissioning;
    EXPECT_EQ(h.out.state, commissioning ? ControlState::fault : ControlState::running);
  }
}

}  // namespace
}  // namespace bessd::control

namespace bessd::control {
namespace {

using bessd::testing::Harness;

// A short failure (one retry) is an event in the driver, not a fault.
TEST(InverterRefusesCommands, ShortFailureIsNoFaultAndTheLatchNeedsAnAck) {
  Harness h;
  h.start();
  h.in.snapshot.inverter.command_failing_since = h.now;
  h.steps(5);
  EXPECT_EQ(h.out.state, ControlState::running);
  h.steps(7);
  EXPECT_EQ(h.out.state, ControlState::fault);
  h.in.snapshot.inverter.command_failing_since.reset();  // the safe state was written
  h.steps(2);
  EXPECT_EQ(h.out.state, ControlState::fault) << "latched";
  h.in.ack_faults = true;
  h.step();
  h.steps(2);
  EXPECT_EQ(h.out.state, ControlState::running);
}

// The command carries the envelope's current and voltage limits for the device's registers.
TEST(CommandLimits, CurrentAndVoltageLimitsTravelWithTheCommand) {
  Harness h;
  h.start();
  ASSERT_EQ(h.out.command.kind, core::CommandKind::set_power);
  EXPECT_DOUBLE_EQ(h.out.command.charge_current_max_a, h.out.envelope.charge_current_max_a.value);
  EXPECT_DOUBLE_EQ(h.out.command.discharge_current_max_a,
                   h.out.envelope.discharge_current_max_a.value);
  ASSERT_TRUE(h.out.command.charge_voltage_max_v.has_value());
  EXPECT_DOUBLE_EQ(*h.out.command.charge_voltage_max_v, h.out.envelope.charge_voltage_max_v.value);
}

// Status shows the controller's state in these words: they are pinned.
TEST(ControlStateNames, NamesRoundTrip) {
  EXPECT_EQ(test_support::round_tripped_names(kControlStateNames),
            (std::vector<std::string_view>{"starting", "standby", "running", "fault", "lockout",
                                           "stopped"}));
  EXPECT_EQ(enum_from_name(kControlStateNames, "idle"), std::nullopt);
  EXPECT_EQ(enum_from_name(kControlStateNames, "Running"), std::nullopt);
}

}  // namespace
}  // namespace bessd::control
