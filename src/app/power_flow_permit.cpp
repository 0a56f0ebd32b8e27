#include <bessd/app/power_flow_permit.hpp>

#include <algorithm>

#include <bessd/control/fault_catalog.hpp>

namespace bessd::app {

namespace {

// The pack is empty, or says so: its relay may be open on an under-voltage protection, and a
// pack that keeps it open also reports no charge limit until it is told to close it.
bool pack_needs_a_charge(const core::PackState& pack) {
  return pack.protections.get(core::BmsCondition::cell_under_voltage) == core::FlagState::active ||
         pack.requests.force_charge == true || pack.requests.discharge_enable == false;
}

}  // namespace

bms::PowerFlowPermit power_flow_permit(const control::StepInput& in,
                                       const control::StepOutput& out) {
  bms::PowerFlowPermit permit;
  // A latched fault, a blocked site, a stop or a lost inverter command the safe state.
  const bool running = out.command.kind == core::CommandKind::set_power;
  // ALM-01 stays latched after the input clears: the pack sleeps until someone acknowledges.
  const bool fire_latched = std::any_of(out.faults.begin(), out.faults.end(), [](const auto& f) {
    return f.id == control::fault_id::fire_alarm && f.latched;
  });
  const bool fire = in.snapshot.fire_alarm_active || fire_latched;
  // The charge command only closes the relay: the current stays the pack's limit and the
  // envelope's, which may be 0 W. An empty pack gets it even while its own limit is 0 A.
  permit.charge =
      running && !fire &&
      (out.envelope.charge_power_max_w.value > 0.0 || pack_needs_a_charge(in.snapshot.pack));
  permit.discharge = running && !fire && out.envelope.discharge_power_max_w.value > 0.0;
  permit.wake = !fire;
  return permit;
}

}  // namespace bessd::app
