#include <algorithm>
#include <array>

#include <bessd/control/fault_catalog.hpp>

namespace bessd::control {
namespace {

using core::Severity;

constexpr std::array kCatalog{
    FaultSpec{fault_id::bms_lost, Severity::critical, FaultClearing::self_clearing,
              "No valid data from the battery management system (COM-01)",
              "Fresh BMS data arrives again."},
    FaultSpec{fault_id::inverter_link_lost, Severity::error, FaultClearing::self_clearing,
              "The inverter does not answer (COM-02)",
              "The inverter answers again; the first command is then the safe setpoint."},
    FaultSpec{fault_id::sign_mismatch, Severity::error, FaultClearing::latched,
              "The measured current sign disagrees with the command (COM-03, commissioning)",
              "The sign configuration is corrected and an operator acknowledges."},
    FaultSpec{fault_id::protection_flag, Severity::error, FaultClearing::latched,
              "The BMS reports a protection alarm (OP-FLAG-01)",
              "The BMS clears the alarm and an operator acknowledges."},
    FaultSpec{fault_id::cell_voltage_window, Severity::error, FaultClearing::latched,
              "A cell voltage is outside the cell window (OP-V-01/OP-V-03)",
              "All cells are back inside the window and an operator acknowledges."},
    FaultSpec{fault_id::cell_temperature_window, Severity::error, FaultClearing::latched,
              "A cell temperature is outside every operating window (OP-T-04)",
              "All cells are back inside the discharge window and an operator acknowledges."},
    FaultSpec{fault_id::over_current, Severity::error, FaultClearing::latched,
              "The battery current stays above the limit although it was reduced (OP-I-01/02)",
              "The current is back under the limit and an operator acknowledges."},
    FaultSpec{fault_id::inverter_not_obeying, Severity::error, FaultClearing::latched,
              "The inverter does not follow the commanded battery power",
              "The inverter follows the command again and an operator acknowledges."},
    FaultSpec{fault_id::fire_alarm, Severity::critical, FaultClearing::latched,
              "The fire alarm input has tripped (ALM-01)",
              "The alarm input is back to normal and an operator acknowledges."},
    FaultSpec{fault_id::latch_store, Severity::error, FaultClearing::latched,
              "The record of latched faults could not be read or written",
              "An operator has checked the faults and acknowledges."},
};

}  // namespace

std::string_view to_string(FaultClearing c) noexcept {
  switch (c) {
    case FaultClearing::self_clearing:
      return "self_clearing";
    case FaultClearing::latched:
      return "latched";
  }
  return "invalid";
}

std::span<const FaultSpec> fault_catalog() noexcept {
  return kCatalog;
}

const FaultSpec* find_fault(std::string_view id) noexcept {
  const auto it = std::find_if(kCatalog.begin(), kCatalog.end(),
                               [&](const FaultSpec& f) { return f.id == id; });
  return it == kCatalog.end() ? nullptr : &*it;
}

}  // namespace bessd::control
