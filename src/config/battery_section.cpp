#include <bessd/config/record_reference.hpp>
#include <bessd/config/sections.hpp>

namespace bessd::config {

std::string_view to_string(Chemistry c) noexcept {
  return enum_name(kChemistryNames, c);
}

namespace {

/// A record reference: what is written must be a reference, not something that only looks like
/// one (a blank, a zero-width space, "n/a"), since the second-life rules pass on its presence.
void read_reference(ObjectReader& in, std::string_view key, std::string& out) {
  std::string text;
  if (!in.string(key, text)) return;
  if (const auto problem = record_reference_problem(text)) {
    in.issues().add(in.child_pointer(key), *problem);
    return;
  }
  out = std::move(text);
}

}  // namespace

bool read_date(ObjectReader& in, std::string_view key, std::optional<Date>& out) {
  std::string text;
  if (!in.string(key, text)) return false;
  auto date = parse_date(text);
  if (!date) {
    in.issues().add(in.child_pointer(key),
                    "must be a calendar date \"YYYY-MM-DD\", got \"" + text + "\"");
    return false;
  }
  out = *date;
  return true;
}

void read_battery(ObjectReader& in, BatteryConfig& out) {
  const auto positive = NumberRange::above(0.0);
  // Sanity bounds only; whether a limit suits the chemistry is the compliance rule BAT-CHEM-01.
  const auto cell_v = NumberRange::between(1.0, 5.0);
  const auto temp_c = NumberRange::between(-40.0, 100.0);
  in.enumeration("chemistry", out.chemistry, kChemistryNames, Presence::required);
  in.number("nominal_energy_kwh", out.nominal_energy_kwh, positive, Presence::required);
  in.number("nominal_voltage_v", out.nominal_voltage_v, positive);
  in.number("capacity_ah", out.capacity_ah, positive);
  in.number("dc_load_max_w", out.dc_load_max_w, NumberRange::between(0.0, 100000.0));
  std::int64_t cells = 0;
  if (in.integer("series_cells", cells, 1, 400)) out.series_cells = cells;
  in.number("cell_voltage_max_v", out.cell_voltage_max_v, cell_v);
  in.number("cell_voltage_min_v", out.cell_voltage_min_v, cell_v);
  if (out.cell_voltage_max_v && out.cell_voltage_min_v &&
      *out.cell_voltage_min_v >= *out.cell_voltage_max_v) {
    in.issues().add(in.child_pointer("cell_voltage_min_v"), "must be below cell_voltage_max_v");
  }
  in.number("charge_temperature_min_c", out.charge_temperature_min_c, temp_c);
  in.number("charge_temperature_max_c", out.charge_temperature_max_c, temp_c);
  in.number("discharge_temperature_min_c", out.discharge_temperature_min_c, temp_c);
  in.number("discharge_temperature_max_c", out.discharge_temperature_max_c, temp_c);
  in.number("max_charge_current_a", out.max_charge_current_a, NumberRange::at_least(0.0));
  in.number("max_discharge_current_a", out.max_discharge_current_a, NumberRange::at_least(0.0));
  in.number("max_charge_power_w", out.max_charge_power_w, NumberRange::at_least(0.0));
  in.number("max_discharge_power_w", out.max_discharge_power_w, NumberRange::at_least(0.0));
  read_date(in, "manufacture_date", out.manufacture_date);
  read_date(in, "in_service_date", out.in_service_date);
  {
    auto sl = in.object("second_life");
    auto& s = out.second_life;
    sl.boolean("enabled", s.enabled);
    read_reference(sl, "traceability_ref", s.traceability_ref);
    read_date(sl, "grading_report_date", s.grading_report_date);
    sl.number("soh_pct", s.soh_pct, NumberRange::between(0.0, 100.0));
    read_date(sl, "oem_calendar_expiry", s.oem_calendar_expiry);
    read_reference(sl, "override_ref", s.override_ref);
    sl.finish();
  }
  in.finish();
}

}  // namespace bessd::config
