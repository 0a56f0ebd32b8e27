#include <algorithm>
#include <array>

#include <bessd/control/fault_catalog.hpp>

namespace bessd::control {
namespace {

using core::Severity;

constexpr auto C = FaultClearing::self_clearing;
constexpr auto L = FaultClearing::latched;

// Directions and latching as in docs/protection.md (fault_catalog_test compares them).
constexpr std::array kCatalog{
    FaultSpec{fault_id::bms_lost, Severity::critical, C,
              "No valid data from the battery management system (COM-01)",
              "Fresh BMS data arrives again.", true, true},
    FaultSpec{
        fault_id::inverter_link_lost, Severity::error, C, "The inverter does not answer (COM-02)",
        "The inverter answers again; the first command is then the safe setpoint.", true, true},
    FaultSpec{fault_id::sign_mismatch, Severity::error, L,
              "The measured current sign disagrees with the command (COM-03, commissioning)",
              "The sign configuration is corrected and an operator acknowledges.", true, true},
    FaultSpec{fault_id::bms_over_temperature, Severity::critical, L,
              "The BMS tripped its over-temperature protection: a thermal event is possible",
              "The BMS clears the protection and an operator acknowledges.", true, true},
    FaultSpec{fault_id::repeated_charge_trips, Severity::error, L,
              "A protection that stops charging tripped again and again",
              "An operator has looked at the pack and acknowledges.", true, false},
    FaultSpec{fault_id::repeated_discharge_trips, Severity::error, L,
              "A protection that stops discharging tripped again and again",
              "An operator has looked at the pack and acknowledges.", false, true},
    FaultSpec{fault_id::charge_not_obeyed, Severity::error, L,
              "The inverter keeps charging although charging was stopped (OP-I-01)",
              "The inverter stops charging and an operator acknowledges.", true, false},
    FaultSpec{fault_id::discharge_not_obeyed, Severity::error, L,
              "The inverter keeps discharging although discharging was stopped (OP-I-02)",
              "The inverter stops discharging and an operator acknowledges.", false, true},
    FaultSpec{fault_id::inverter_refuses_commands, Severity::error, L,
              "The inverter does not accept bessd's commands (write errors or read-back mismatch)",
              "Commands are written and read back again and an operator acknowledges.", true, true},
    FaultSpec{fault_id::fire_alarm, Severity::critical, L,
              "The fire alarm input has tripped (ALM-01)",
              "The alarm input is back to normal and an operator acknowledges.", true, true},
    FaultSpec{fault_id::latch_store, Severity::error, L,
              "The record of latched faults could not be read or written",
              "An operator has checked the faults and acknowledges.", true, true},
};

}  // namespace

std::string_view to_string(FaultClearing c) noexcept {
  return enum_name(kFaultClearingNames, c);
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
