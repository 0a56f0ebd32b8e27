#include <bessd/app/status_text.hpp>

#include <gtest/gtest.h>

namespace bessd::app {
namespace {

TEST(StatusText, StateChargingPowerAndSoc) {
  control::StepOutput out;
  out.state = control::ControlState::running;
  core::PackState pack;
  pack.voltage_v = 50.0;
  pack.current_a = 36.0;
  pack.soc_pct = 64.0;
  EXPECT_EQ(status_text(out, pack), "running, 1.8 kW charging, SOC 64 %");
  pack.current_a = -20.0;
  EXPECT_EQ(status_text(out, pack), "running, 1.0 kW discharging, SOC 64 %");
  pack.current_a = 0.5;
  EXPECT_EQ(status_text(out, pack), "running, idle, SOC 64 %");
}

TEST(StatusText, UnknownPackAndFault) {
  control::StepOutput out;
  out.state = control::ControlState::fault;
  out.faults.push_back({"ALM-01", "fire alarm", true, true, {}});
  EXPECT_EQ(status_text(out, {}), "fault, fault ALM-01");
}

}  // namespace
}  // namespace bessd::app
