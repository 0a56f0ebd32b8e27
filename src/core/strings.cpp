#include <bessd/core/bms_condition.hpp>
#include <bessd/core/envelope.hpp>
#include <bessd/core/event.hpp>
#include <bessd/core/flag_state.hpp>
#include <bessd/core/inverter_state.hpp>

namespace bessd::core {

std::string_view to_string(FlagState s) noexcept {
  switch (s) {
    case FlagState::not_reported:
      return "not_reported";
    case FlagState::ok:
      return "ok";
    case FlagState::active:
      return "active";
  }
  return "invalid";
}

std::string_view to_string(InverterOperating o) noexcept {
  switch (o) {
    case InverterOperating::unknown:
      return "unknown";
    case InverterOperating::off:
      return "off";
    case InverterOperating::standby:
      return "standby";
    case InverterOperating::running:
      return "running";
    case InverterOperating::fault:
      return "fault";
  }
  return "invalid";
}

std::string_view to_string(BmsCondition c) noexcept {
  switch (c) {
    case BmsCondition::general:
      return "general";
    case BmsCondition::cell_over_voltage:
      return "cell_over_voltage";
    case BmsCondition::cell_under_voltage:
      return "cell_under_voltage";
    case BmsCondition::over_temperature:
      return "over_temperature";
    case BmsCondition::under_temperature:
      return "under_temperature";
    case BmsCondition::charge_over_temperature:
      return "charge_over_temperature";
    case BmsCondition::charge_under_temperature:
      return "charge_under_temperature";
    case BmsCondition::discharge_over_current:
      return "discharge_over_current";
    case BmsCondition::charge_over_current:
      return "charge_over_current";
    case BmsCondition::contactor:
      return "contactor";
    case BmsCondition::short_circuit:
      return "short_circuit";
    case BmsCondition::bms_internal:
      return "bms_internal";
    case BmsCondition::cell_imbalance:
      return "cell_imbalance";
    case BmsCondition::unknown:
      return "unknown";
  }
  return "invalid";
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
  switch (k) {
    case CauseKind::none:
      return "none";
    case CauseKind::bms_limit:
      return "bms_limit";
    case CauseKind::pack_rating:
      return "pack_rating";
    case CauseKind::cell_voltage:
      return "cell_voltage";
    case CauseKind::temperature:
      return "temperature";
    case CauseKind::soc_reserve:
      return "soc_reserve";
    case CauseKind::second_life:
      return "second_life";
    case CauseKind::inverter_rating:
      return "inverter_rating";
    case CauseKind::site_grid_limit:
      return "site_grid_limit";
    case CauseKind::protection_flag:
      return "protection_flag";
    case CauseKind::stale_data:
      return "stale_data";
    case CauseKind::compliance_block:
      return "compliance_block";
    case CauseKind::fault:
      return "fault";
    case CauseKind::hysteresis:
      return "hysteresis";
    case CauseKind::over_current:
      return "over_current";
    case CauseKind::cell_spread:
      return "cell_spread";
    case CauseKind::fire_alarm:
      return "fire_alarm";
  }
  return "invalid";
}

std::string_view to_string(Severity s) noexcept {
  switch (s) {
    case Severity::debug:
      return "debug";
    case Severity::info:
      return "info";
    case Severity::warning:
      return "warning";
    case Severity::error:
      return "error";
    case Severity::critical:
      return "critical";
  }
  return "invalid";
}

std::string_view to_string(EventEdge e) noexcept {
  switch (e) {
    case EventEdge::once:
      return "once";
    case EventEdge::raised:
      return "raised";
    case EventEdge::cleared:
      return "cleared";
  }
  return "invalid";
}

}  // namespace bessd::core
