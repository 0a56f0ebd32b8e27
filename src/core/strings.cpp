#include <bessd/core/bms_condition.hpp>
#include <bessd/core/envelope.hpp>
#include <bessd/core/event.hpp>
#include <bessd/core/flag_state.hpp>
#include <bessd/core/inverter_state.hpp>

namespace bessd::core {

std::string_view to_string(FlagState s) noexcept {
  return enum_name(kFlagStateNames, s);
}

std::string_view to_string(InverterOperating o) noexcept {
  return enum_name(kInverterOperatingNames, o);
}

std::string_view to_string(BmsCondition c) noexcept {
  return enum_name(kBmsConditionNames, c);
}

std::string_view describe(BmsCondition c) noexcept {
  switch (c) {
    case BmsCondition::general:
      return "general alarm";
    case BmsCondition::cell_over_voltage:
      return "cell over-voltage";
    case BmsCondition::cell_under_voltage:
      return "cell under-voltage";
    case BmsCondition::over_temperature:
      return "over-temperature";
    case BmsCondition::under_temperature:
      return "under-temperature";
    case BmsCondition::charge_over_temperature:
      return "over-temperature while charging";
    case BmsCondition::charge_under_temperature:
      return "under-temperature while charging";
    case BmsCondition::discharge_under_temperature:
      return "under-temperature while discharging";
    case BmsCondition::discharge_over_current:
      return "discharge over-current";
    case BmsCondition::charge_over_current:
      return "charge over-current";
    case BmsCondition::contactor:
      return "contactor fault";
    case BmsCondition::short_circuit:
      return "short circuit";
    case BmsCondition::bms_internal:
      return "BMS internal error";
    case BmsCondition::cell_imbalance:
      return "cell imbalance";
    case BmsCondition::unknown:
      return "unknown protection";
  }
  return "invalid condition";
}

bool BmsFlagSet::any_active() const {
  for (auto s : items)
    if (s == FlagState::active) return true;
  return false;
}

bool BmsFlagSet::any_reported() const {
  for (auto s : items)
    if (s != FlagState::not_reported) return true;
  return false;
}

std::string_view to_string(CauseKind k) noexcept {
  return enum_name(kCauseKindNames, k);
}

std::string_view to_string(Severity s) noexcept {
  return enum_name(kSeverityNames, s);
}

std::string_view to_string(EventEdge e) noexcept {
  return enum_name(kEventEdgeNames, e);
}

}  // namespace bessd::core
