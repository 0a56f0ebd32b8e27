#pragma once
// What the controller's latest step allows the pack's relays, for a BMS protocol where bessd is
// the pack's only master (docs/protocols.md, "Two bus roles"): a direction only while the step
// runs the inverter and its envelope leaves room that way (charging also while the pack is
// empty, warm and not refusing it, so that its relay can close for the recovery charge); nothing,
// not even a wake, while a fire alarm is present or latched. Pure.

#include <bessd/bms/protocols/bms_protocol.hpp>
#include <bessd/control/controller.hpp>

namespace bessd::app {

bms::PowerFlowPermit power_flow_permit(const control::StepInput& in,
                                       const control::StepOutput& out);

}  // namespace bessd::app
