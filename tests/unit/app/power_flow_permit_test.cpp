// What the controller's step allows the pack's relays when bessd is an HV pack's only master.
#include <bessd/app/power_flow_permit.hpp>

#include <gtest/gtest.h>

namespace bessd::app {
namespace {

struct Step {
  control::StepInput in;
  control::StepOutput out;
  Step(double charge_w, double discharge_w) {
    out.command.kind = core::CommandKind::set_power;
    out.envelope.charge_power_max_w.value = charge_w;
    out.envelope.discharge_power_max_w.value = discharge_w;
  }
};

TEST(PowerFlowPermit, EachDirectionFollowsTheEnvelopeWhileTheInverterRuns) {
  EXPECT_EQ(power_flow_permit(Step(3000, 5000).in, Step(3000, 5000).out),
            (bms::PowerFlowPermit{true, true, true}));
  const Step empty(500, 0);  // an empty pack: a recovery charge, no discharge
  EXPECT_EQ(power_flow_permit(empty.in, empty.out), (bms::PowerFlowPermit{true, false, true}));
  const Step cold(0, 2000);
  EXPECT_EQ(power_flow_permit(cold.in, cold.out), (bms::PowerFlowPermit{false, true, true}));
}

// An empty pack whose relay is open may report no charge limit until it is told to close it:
// the charge command goes out while the envelope is still 0 W, never under a fire alarm, never
// to a cold pack or one that refuses charging itself.
TEST(PowerFlowPermit, AnEmptyWarmPackIsToldToCloseItsRelayForTheRecoveryCharge) {
  Step empty(0, 0);
  empty.in.snapshot.pack.protections.set(core::BmsCondition::cell_under_voltage,
                                         core::FlagState::active);
  empty.in.snapshot.pack.cell_temperature_min_c = 14.0;
  EXPECT_EQ(power_flow_permit(empty.in, empty.out), (bms::PowerFlowPermit{true, false, true}));
  Step cold = empty;
  cold.in.snapshot.pack.cell_temperature_min_c = 1.0;
  EXPECT_FALSE(power_flow_permit(cold.in, cold.out).charge);
  Step unknown_temperature = empty;
  unknown_temperature.in.snapshot.pack.cell_temperature_min_c.reset();
  EXPECT_FALSE(power_flow_permit(unknown_temperature.in, unknown_temperature.out).charge);
  unknown_temperature.in.snapshot.pack.temperature_c = 20.0;  // the pack sensor stands in
  EXPECT_TRUE(power_flow_permit(unknown_temperature.in, unknown_temperature.out).charge);
  Step refusing = empty;
  refusing.in.snapshot.pack.requests.charge_enable = false;
  EXPECT_FALSE(power_flow_permit(refusing.in, refusing.out).charge);

  Step forced(0, 0);
  forced.in.snapshot.pack.requests.force_charge = true;
  forced.in.snapshot.pack.temperature_c = 20.0;
  EXPECT_TRUE(power_flow_permit(forced.in, forced.out).charge);
  forced.in.snapshot.fire_alarm_active = true;
  EXPECT_EQ(power_flow_permit(forced.in, forced.out), (bms::PowerFlowPermit{}));
  Step stopped(0, 0);
  stopped.out.command.kind = core::CommandKind::safe_state;
  stopped.in.snapshot.pack.requests.force_charge = true;
  stopped.in.snapshot.pack.temperature_c = 20.0;
  EXPECT_FALSE(power_flow_permit(stopped.in, stopped.out).charge);
  // Discharging forbidden is not "empty": it is also how a pack says it is too cold or hot.
  Step discharge_forbidden(0, 0);
  discharge_forbidden.in.snapshot.pack.requests.discharge_enable = false;
  discharge_forbidden.in.snapshot.pack.temperature_c = 20.0;
  EXPECT_FALSE(power_flow_permit(discharge_forbidden.in, discharge_forbidden.out).charge);
}

TEST(PowerFlowPermit, TheSafeStateCommandsNoRelayButTheSafeStateStillReadsThePack) {
  Step fault(3000, 5000);
  fault.out.command.kind = core::CommandKind::safe_state;
  fault.out.faults.push_back({"BMS-OT", "over-temperature", true, false, {}, 1});
  EXPECT_EQ(power_flow_permit(fault.in, fault.out), (bms::PowerFlowPermit{false, false, true}));
}

TEST(PowerFlowPermit, AFireAlarmKeepsThePackAsleepUntilAcknowledged) {
  Step alarm(3000, 5000);
  alarm.in.snapshot.fire_alarm_active = true;
  EXPECT_FALSE(power_flow_permit(alarm.in, alarm.out).wake);
  Step latched(0, 0);
  latched.out.command.kind = core::CommandKind::safe_state;
  latched.out.faults.push_back({"ALM-01", "fire alarm", true, false, {}, 1});
  EXPECT_EQ(power_flow_permit(latched.in, latched.out), (bms::PowerFlowPermit{}));
  latched.out.faults.back().latched = false;
  EXPECT_TRUE(power_flow_permit(latched.in, latched.out).wake);
}

}  // namespace
}  // namespace bessd::app
