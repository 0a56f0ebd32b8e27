#include <bessd/app/power_flow_permit.hpp>

#include <algorithm>

#include <bessd/control/fault_catalog.hpp>

namespace bessd::app {

namespace {

// Never ask a pack to close its relay for charging below this cell temperature: bessd itself
// stops charging below 0 degC (docs/protection.md, OP-T-01), with a margin for the hysteresis.
constexpr double kWarmEnoughToChargeC = 5.0;

// The pack is empty (its under-voltage protection, or a charge request), does not itself refuse
// charging, and is warm enough: its relay may be open on the protection, and a pack that keeps it
// open may report no charge limit until it is told to close it.
bool empty_pack_may_charge(const core::PackState& pack) {
  const bool empty =
      pack.protections.get(core::BmsCondition::cell_under_voltage) == core::FlagState::active ||
      pack.requests.force_charge == true;
  const auto coldest =
      pack.cell_temperature_min_c ? pack.cell_temperature_min_c : pack.temperature_c;
  return empty && pack.requests.charge_enable != false && coldest &&
         *coldest >= kWarmEnoughToChargeC;
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
  // envelope's, which may be 0 W. An empty, warm pack gets it even while its own limit is 0 A.
  permit.charge =
      running && !fire &&
      (out.envelope.charge_power_max_w.value > 0.0 || empty_pack_may_charge(in.snapshot.pack));
  permit.discharge = running && !fire && out.envelope.discharge_power_max_w.value > 0.0;
  permit.wake = !fire;
  return permit;
}

}  // namespace bessd::app
