#pragma once
// The protection policy as data (docs/protection.md): for every rule id, BMS bit and input, which
// direction it blocks or derates, whether it latches and how it clears. The limits engine and the
// controller's fault catalog take their directions from here, the protection self-test takes its
// expectations from here, and a unit test compares this table with docs/protection.md.
//
// The rule of the policy: block the direction that makes the condition worse, keep the direction
// that cures it, recover by itself with hysteresis, and latch only what a person must look at.

#include <cstdint>
#include <span>
#include <string_view>

#include <bessd/common/enum_names.hpp>
#include <bessd/core/bms_condition.hpp>

namespace bessd::limits {

enum class Action : std::uint8_t { allowed, derate, block };
inline constexpr auto kActionNames = std::to_array<EnumName<Action>>(
    {{Action::allowed, "allowed"}, {Action::derate, "derate"}, {Action::block, "block"}});
static_assert(enum_names_complete(kActionNames));
std::string_view to_string(Action a) noexcept;

struct PolicyRow {
  std::string_view id;  // rule id, fault id or "FLAG:<bms condition>"
  Action charge;
  Action discharge;
  bool latches;
  std::string_view clears;  // how it clears / recovers, for people
};

/// Every row, in a stable order.
std::span<const PolicyRow> protection_policy() noexcept;
/// The row for `id`, or nullptr.
const PolicyRow* find_policy(std::string_view id) noexcept;
/// The row of a BMS protection item ("FLAG:cell_over_voltage"). Never null.
const PolicyRow& policy_of(core::BmsCondition c) noexcept;

}  // namespace bessd::limits
