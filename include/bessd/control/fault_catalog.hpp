#pragma once
// The fault catalog as data: every fault the controller can raise, its severity, whether it
// latches, which direction it blocks and what clears it. Latching and direction follow the
// protection policy (docs/protection.md, limits::protection_policy(); a unit test checks that
// they agree). The API lists it; the controller raises and clears faults on edges only. A fault
// that blocks both directions holds the system in the safe state; a direction fault (OP-I-01,
// OP-REPEAT-CHARGE, …) holds only its direction at zero.

#include <cstdint>
#include <span>
#include <string_view>

#include <bessd/common/enum_names.hpp>
#include <bessd/core/event.hpp>

namespace bessd::control {

enum class FaultClearing : std::uint8_t {
  self_clearing,  // clears by itself when the cause is gone
  latched,        // stays until the cause is gone AND an operator acknowledges it (persisted)
};
inline constexpr auto kFaultClearingNames = std::to_array<EnumName<FaultClearing>>(
    {{FaultClearing::self_clearing, "self_clearing"}, {FaultClearing::latched, "latched"}});
static_assert(enum_names_complete(kFaultClearingNames));

std::string_view to_string(FaultClearing c) noexcept;

struct FaultSpec {
  std::string_view id;  // stable id, usually the rule id ("ALM-01")
  core::Severity severity;
  FaultClearing clearing;
  std::string_view title;  // "Fire alarm input tripped"
  std::string_view
      clears_when;  // "The alarm input is back to normal and an operator acknowledges."
  bool blocks_charge{true};
  bool blocks_discharge{true};
};

namespace fault_id {
inline constexpr std::string_view bms_lost = "COM-01";
inline constexpr std::string_view inverter_link_lost = "COM-02";
inline constexpr std::string_view sign_mismatch = "COM-03";
inline constexpr std::string_view bms_over_temperature = "BMS-OT";
inline constexpr std::string_view repeated_charge_trips = "OP-REPEAT-CHARGE";
inline constexpr std::string_view repeated_discharge_trips = "OP-REPEAT-DISCHARGE";
inline constexpr std::string_view charge_not_obeyed = "OP-I-01";
inline constexpr std::string_view discharge_not_obeyed = "OP-I-02";
inline constexpr std::string_view inverter_refuses_commands = "INV-CMD";
inline constexpr std::string_view fire_alarm = "ALM-01";
inline constexpr std::string_view latch_store = "FAULT-STORE";
}  // namespace fault_id

/// All catalog entries, in a stable order.
std::span<const FaultSpec> fault_catalog() noexcept;
/// The entry for `id`, or nullptr.
const FaultSpec* find_fault(std::string_view id) noexcept;

}  // namespace bessd::control
