#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <bessd/common/enum_names.hpp>
#include <bessd/core/flag_state.hpp>

namespace bessd::core {

/// Conditions a BMS can flag, as alarms (protection tripped) or warnings (early warning).
/// The union of Pylontech 0x359 and SMA/Victron 0x35A items (docs/protocols.md "Flags").
enum class BmsCondition : std::uint8_t {
  general,
  cell_over_voltage,
  cell_under_voltage,
  over_temperature,
  under_temperature,
  charge_over_temperature,
  charge_under_temperature,
  discharge_under_temperature,
  discharge_over_current,
  charge_over_current,
  contactor,
  short_circuit,
  bms_internal,
  cell_imbalance,
  unknown,  // a set bit the protocol does not define: treated as a protection (fail safe)
};
inline constexpr auto kBmsConditionNames = std::to_array<EnumName<BmsCondition>>(
    {{BmsCondition::general, "general"},
     {BmsCondition::cell_over_voltage, "cell_over_voltage"},
     {BmsCondition::cell_under_voltage, "cell_under_voltage"},
     {BmsCondition::over_temperature, "over_temperature"},
     {BmsCondition::under_temperature, "under_temperature"},
     {BmsCondition::charge_over_temperature, "charge_over_temperature"},
     {BmsCondition::charge_under_temperature, "charge_under_temperature"},
     {BmsCondition::discharge_under_temperature, "discharge_under_temperature"},
     {BmsCondition::discharge_over_current, "discharge_over_current"},
     {BmsCondition::charge_over_current, "charge_over_current"},
     {BmsCondition::contactor, "contactor"},
     {BmsCondition::short_circuit, "short_circuit"},
     {BmsCondition::bms_internal, "bms_internal"},
     {BmsCondition::cell_imbalance, "cell_imbalance"},
     {BmsCondition::unknown, "unknown"}});
static_assert(enum_names_complete(kBmsConditionNames));
inline constexpr std::size_t kBmsConditionCount =
    static_cast<std::size_t>(BmsCondition::unknown) + 1;
static_assert(kBmsConditionNames.size() == kBmsConditionCount);

std::string_view to_string(BmsCondition c) noexcept;
/// A sentence fragment for people ("cell over-voltage").
std::string_view describe(BmsCondition c) noexcept;

/// Per-condition state for one severity level.
struct BmsFlagSet {
  std::array<FlagState, kBmsConditionCount> items{};  // all not_reported

  FlagState get(BmsCondition c) const { return items[static_cast<std::size_t>(c)]; }
  void set(BmsCondition c, FlagState s) { items[static_cast<std::size_t>(c)] = s; }
  bool any_active() const;
  bool any_reported() const;
  friend bool operator==(const BmsFlagSet&, const BmsFlagSet&) = default;
};

}  // namespace bessd::core
