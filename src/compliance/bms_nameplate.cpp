#include <bessd/compliance/bms_nameplate.hpp>

#include <cmath>
#include <cstdio>

#include <bessd/compliance/chemistry_limits.hpp>

namespace bessd::compliance {

namespace {
std::string nameplate_volts(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

bool positive(const std::optional<double>& v) {
  return v && std::isfinite(*v) && *v > 0.0;
}

bool within(double a, double b, double relative_tolerance) {
  return std::abs(a - b) <= relative_tolerance * std::max(std::abs(a), std::abs(b));
}
}  // namespace

std::optional<BmsNameplate> bms_nameplate(const config::BatteryConfig& battery,
                                          const core::PackState& pack) {
  if (!positive(pack.capacity_ah) || *pack.capacity_ah >= 65535.0) return std::nullopt;
  BmsNameplate n;
  n.capacity_ah = *pack.capacity_ah;
  n.module_count = pack.modules.total ? pack.modules.total : pack.modules.online;
  if (positive(battery.nominal_voltage_v)) {
    n.nominal_voltage_v = *battery.nominal_voltage_v;
    n.voltage_basis = "battery.nominal_voltage_v";
  } else if (battery.series_cells && *battery.series_cells > 0) {
    const double cell_v = chemistry_limits(battery.chemistry).cell_voltage_nominal_v;
    n.nominal_voltage_v = static_cast<double>(*battery.series_cells) * cell_v;
    n.voltage_basis = "battery.series_cells × " + nameplate_volts(cell_v) + " V (" +
                      std::string{config::to_string(battery.chemistry)} + " nominal)";
  } else if (positive(pack.limits.charge_voltage_limit_v)) {
    // The charge-voltage limit is fixed by the BMS and above the nominal voltage (about 10 % for
    // LFP): the energy cap errs on the safe side and does not move with the state of charge.
    n.nominal_voltage_v = *pack.limits.charge_voltage_limit_v;
    n.voltage_basis =
        "the BMS's charge-voltage limit, an overestimate: set battery.nominal_voltage_v";
    n.from_charge_voltage_limit = true;
  } else if (!pack.limits.charge_voltage_limit_v) {
    // Not sent yet, or withdrawn while the pack refuses charging (a Pylontech HV pack's 0 V
    // cut-off on a cold night): nothing new to judge, the last nameplate stays.
    return std::nullopt;
  } else {
    n.voltage_basis = "no nominal voltage known: set battery.nominal_voltage_v";
    return n;
  }
  n.energy_kwh = n.capacity_ah * *n.nominal_voltage_v / 1000.0;
  return n;
}

bool same_nameplate(const BmsNameplate& a, const BmsNameplate& b, double relative_tolerance) {
  if (!within(a.capacity_ah, b.capacity_ah, relative_tolerance)) return false;
  if (a.energy_kwh.has_value() != b.energy_kwh.has_value()) return false;
  if (a.energy_kwh && !within(*a.energy_kwh, *b.energy_kwh, relative_tolerance)) return false;
  return a.module_count == b.module_count;
}

bool NameplateDebouncer::update(const std::optional<BmsNameplate>& seen, TimePoint now) {
  if (!seen) {  // a BMS that stops repeating its capacity keeps the last one
    candidate_.reset();
    return false;
  }
  if (accepted_ && same_nameplate(*accepted_, *seen, options_.relative_tolerance)) {
    candidate_.reset();  // back to (or still at) what the check uses
    return false;
  }
  if (!candidate_ || !same_nameplate(*candidate_, *seen, options_.relative_tolerance)) {
    candidate_ = seen;
    candidate_since_ = now;
  }
  if (now - candidate_since_ < options_.stable_for) return false;
  accepted_ = std::move(candidate_);
  candidate_.reset();
  return true;
}

}  // namespace bessd::compliance
