#pragma once
// The fault catalog as data (architecture.md §5 "Faults"): every fault the controller can raise,
// its severity, whether it latches, and what clears it. The API lists it; the controller raises
// and clears faults on edges only. A fault holds the system in the safe state (standards.md §4.3)
// while it is active or latched.

#include <cstdint>
#include <span>
#include <string_view>

#include <bessd/core/event.hpp>

namespace bessd::control {

enum class FaultClearing : std::uint8_t {
  self_clearing,  // clears by itself when the cause is gone
  latched,        // stays until the cause is gone AND an operator acknowledges it (persisted)
};

std::string_view to_string(FaultClearing c) noexcept;

struct FaultSpec {
  std::string_view id;  // stable id, usually the rule id ("ALM-01")
  core::Severity severity;
  FaultClearing clearing;
  std::string_view title;  // "Fire alarm input tripped"
  std::string_view
      clears_when;  // "The alarm input is back to normal and an operator acknowledges."
};

namespace fault_id {
inline constexpr std::string_view bms_lost = "COM-01";
inline constexpr std::string_view inverter_link_lost = "COM-02";
inline constexpr std::string_view sign_mismatch = "COM-03";
inline constexpr std::string_view protection_flag = "OP-FLAG-01";
inline constexpr std::string_view cell_voltage_window = "OP-V-WINDOW";
inline constexpr std::string_view cell_temperature_window = "OP-T-WINDOW";
inline constexpr std::string_view over_current = "OP-I";
inline constexpr std::string_view inverter_not_obeying = "INV-OBEY";
inline constexpr std::string_view fire_alarm = "ALM-01";
inline constexpr std::string_view latch_store = "FAULT-STORE";
}  // namespace fault_id

/// All catalog entries, in a stable order.
std::span<const FaultSpec> fault_catalog() noexcept;
/// The entry for `id`, or nullptr.
const FaultSpec* find_fault(std::string_view id) noexcept;

}  // namespace bessd::control
