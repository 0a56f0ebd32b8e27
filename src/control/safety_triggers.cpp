#include <bessd/control/safety_triggers.hpp>

namespace bessd::control {
namespace {

// Which side of each window edge a cell value is on, as a bit set (absent = its own state).
unsigned window_sides(const core::PackState& p, const limits::LimitsSettings& s) {
  unsigned bits = 0;
  unsigned bit = 1;
  auto side = [&](const std::optional<double>& v, double edge, bool above) {
    if (!v)
      bits |= bit << 1;
    else if (above ? *v > edge : *v < edge)
      bits |= bit;
    bit <<= 2;
  };
  side(p.cell_voltage_max_v, s.cell_voltage_max_v, true);
  side(p.cell_voltage_min_v, s.cell_voltage_min_v, false);
  side(p.cell_temperature_min_c, 0.0, false);
  side(p.cell_temperature_min_c, s.charge_temperature_min_c, false);
  side(p.cell_temperature_max_c, s.charge_temperature_max_c, true);
  side(p.cell_temperature_min_c, s.discharge_temperature_min_c, false);
  side(p.cell_temperature_max_c, s.discharge_temperature_max_c, true);
  return bits;
}

}  // namespace

bool is_safety_relevant_change(const limits::LimitsInput& before, const limits::LimitsInput& after,
                               const limits::LimitsSettings& settings) noexcept {
  if (before.fire_alarm_active != after.fire_alarm_active) return true;
  if (before.compliance.blocked != after.compliance.blocked) return true;
  if (before.inverter.online != after.inverter.online) return true;
  return is_safety_relevant_change(before.pack, after.pack, settings);
}

bool is_safety_relevant_change(const core::PackState& a, const core::PackState& b,
                               const limits::LimitsSettings& settings) noexcept {
  if (a.protections != b.protections) return true;
  if (a.requests.charge_enable != b.requests.charge_enable ||
      a.requests.discharge_enable != b.requests.discharge_enable)
    return true;
  if (a.measured_at.has_value() != b.measured_at.has_value() ||
      a.limits_at.has_value() != b.limits_at.has_value() ||
      a.cells_at.has_value() != b.cells_at.has_value() ||
      a.flags_at.has_value() != b.flags_at.has_value() ||
      a.charge_at.has_value() != b.charge_at.has_value())
    return true;
  return window_sides(a, settings) != window_sides(b, settings);
}

}  // namespace bessd::control
