// Cell voltage (OP-V-01 … OP-V-05): over-voltage blocks charging only (discharging is the cure),
// under-voltage blocks discharging only (charging is the cure); both recover by themselves once
// the cell is back inside the window by the recovery margin. The tapers derate near the ends.
// OP-V-05 keeps charging below the BMS's charge voltage limit. docs/protection.md.
#include <algorithm>

#include <bessd/limits/breakpoints.hpp>

#include "rule_context.hpp"

namespace bessd::limits::detail {

using core::CauseKind;
using core::Severity;

namespace {

// The charge voltage limit passed on to the inverter from the configured pack: the series count
// times the highest cell voltage allowed.
void offer_rated_cvl(Cycle& c) {
  const auto& s = c.s;
  if (s.series_cells && *s.series_cells > 0) {
    const double pack_max = c.max_v * static_cast<double>(*s.series_cells);
    c.cvl.offer(pack_max, c.second_life_max ? CauseKind::second_life : CauseKind::pack_rating,
                c.second_life_max ? "SL-DER-01" : "PACK", [&] {
                  return printf_string(
                      "The charge voltage is limited to %.2f V (%lld cells × %.3f V).", pack_max,
                      static_cast<long long>(*s.series_cells), c.max_v);
                });
  }
}

}  // namespace

void apply_references(Cycle& c, RuleMemory& m) {
  const auto& s = c.s;
  const auto& in = c.in;
  c.max_v = s.cell_voltage_max_v;
  c.min_v = s.cell_voltage_min_v;
  c.practical_min_v = s.cell_voltage_practical_min_v;
  c.second_life_max =
      in.second_life.cell_voltage_max_v && *in.second_life.cell_voltage_max_v < c.max_v;
  if (c.second_life_max) c.max_v = *in.second_life.cell_voltage_max_v;
  if (in.second_life.cell_voltage_min_v && *in.second_life.cell_voltage_min_v > c.min_v) {
    // SL-DER-01 narrows the floor the pack is operated to (its datasheet minimum, or the
    // chemistry's practical one) by a few tens of mV (docs/compliance.md). The discharge taper
    // ends no lower than that narrowed floor: it moves by the narrowing, never by the gap
    // between NMC's absolute (2.50 V) and practical (3.00 V) minimums.
    c.min_v = *in.second_life.cell_voltage_min_v;
    c.practical_min_v = std::max(c.practical_min_v, c.min_v);
  }
  // Factors scale the pack's rating, not the BMS's momentary limit (which may already be
  // derated for the same reason): the lower of the two wins, they never multiply.
  if (!c.stale) {
    m.charge_reference_a =
        std::max(m.charge_reference_a, std::max(0.0, *in.pack.limits.charge_current_limit_a));
    m.discharge_reference_a =
        std::max(m.discharge_reference_a, std::max(0.0, *in.pack.limits.discharge_current_limit_a));
  }
  c.charge_reference_a = s.max_charge_current_a.value_or(m.charge_reference_a);
  c.discharge_reference_a = s.max_discharge_current_a.value_or(m.discharge_reference_a);
}

void apply_cell_voltage(Cycle& c, RuleMemory& m) {
  const auto& s = c.s;
  const auto& cells = c.cells;
  const char* kind = cells.estimated ? "estimated cell voltage" : "highest cell";
  if (cells.voltage_max_v) {
    const double vmax = *cells.voltage_max_v;
    // OP-V-01 with recovery: set above the max, cleared below max - margin.
    if (vmax > c.max_v) m.over_voltage = true;
    if (vmax < c.max_v - s.voltage_recovery_margin_v) m.over_voltage = false;
    if (m.over_voltage) {
      const auto sentence = [&] {
        return printf_string(
            "Charging is stopped because the %s is at %.3f V, above the %.3f V limit; it "
            "resumes below %.3f V. Discharging stays available (OP-V-01).",
            kind, vmax, c.max_v, c.max_v - s.voltage_recovery_margin_v);
      };
      c.block(true, false, CauseKind::cell_voltage, "OP-V-01", "OP-V-01", sentence);
      c.activate("OP-V-01", Severity::error, sentence());
    }
    // OP-V-02 taper.
    const double taper = s.charge_taper_v.empty()
                             ? interpolate(s.charge_taper_rel_max, vmax - c.max_v)
                             : interpolate(s.charge_taper_v, vmax);
    c.derate(true, taper, CauseKind::cell_voltage, "OP-V-02", Severity::info, [&] {
      return printf_string(
          "Charging is reduced to %s because the %s is at %.3f V, near the %.3f V "
          "maximum (OP-V-02).",
          c.share(true, taper).c_str(), kind, vmax, c.max_v);
    });
  }
  if (cells.voltage_min_v) {
    const double vmin = *cells.voltage_min_v;
    const char* low = cells.estimated ? "estimated cell voltage" : "lowest cell";
    if (vmin < c.min_v) m.under_voltage = true;
    if (vmin > c.min_v + s.voltage_recovery_margin_v) m.under_voltage = false;
    if (m.under_voltage) {
      const auto sentence = [&] {
        return printf_string(
            "Discharging is stopped because the %s is at %.3f V, below the %.3f V limit; it "
            "resumes above %.3f V. Charging stays available (OP-V-03).",
            low, vmin, c.min_v, c.min_v + s.voltage_recovery_margin_v);
      };
      c.block(false, true, CauseKind::cell_voltage, "OP-V-03", "OP-V-03", sentence);
      c.activate("OP-V-03", Severity::error, sentence());
    }
    const double taper = s.discharge_taper_v.empty()
                             ? interpolate(s.discharge_taper_rel_min, vmin - c.practical_min_v)
                             : interpolate(s.discharge_taper_v, vmin);
    c.derate(false, taper, CauseKind::cell_voltage, "OP-V-04", Severity::info, [&] {
      return printf_string(
          "Discharging is reduced to %s because the %s is at %.3f V, near the "
          "minimum (OP-V-04).",
          c.share(false, taper).c_str(), low, vmin);
    });
  }

  // OP-V-05: the BMS's charge voltage limit. No charging at or above it; a taper to zero on
  // the way up, so that a power-controlled inverter behaves like a constant-voltage charger.
  // Absent: the pack refuses charging (its charge current limit is 0 A), nothing to taper.
  const auto& p = c.in.pack;
  if (!p.limits.charge_voltage_limit_v) return offer_rated_cvl(c);
  const double cvl = *p.limits.charge_voltage_limit_v;
  const double volts = *p.voltage_v;
  const double taper_v = s.series_cells && *s.series_cells > 0
                             ? s.cvl_taper_per_cell_v * static_cast<double>(*s.series_cells)
                             : s.cvl_taper_fraction * cvl;
  if (cvl > 0.0 && taper_v > 0.0) {
    const double factor = std::clamp((cvl - volts) / taper_v, 0.0, 1.0);
    if (factor <= 0.0) {
      const auto sentence = [&] {
        return printf_string(
            "Charging is stopped because the pack is at %.2f V, at the %.2f V charge voltage "
            "limit of the BMS. Discharging stays available (OP-V-05).",
            volts, cvl);
      };
      c.block(true, false, CauseKind::bms_limit, "OP-V-05", "", sentence);
      c.activate("OP-V-05", Severity::info, sentence());
    } else {
      c.derate(true, factor, CauseKind::bms_limit, "OP-V-05", Severity::info, [&] {
        return printf_string(
            "Charging is reduced to %s because the pack (%.2f V) is close to the "
            "%.2f V charge voltage limit of the BMS (OP-V-05).",
            c.share(true, factor).c_str(), volts, cvl);
      });
    }
  }

  // The charge voltage limit passed on to the inverter: the BMS's CVL and cell max × series.
  c.cvl.offer(cvl, CauseKind::bms_limit, "BMS", [&] {
    return printf_string(
        "The charge voltage is limited to %.2f V by the battery's own management system.", cvl);
  });
  offer_rated_cvl(c);
}

}  // namespace bessd::limits::detail
