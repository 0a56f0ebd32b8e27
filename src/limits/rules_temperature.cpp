// Cell temperature (OP-T-01 … OP-T-04): outside the charge window blocks charging only, outside
// the discharge window blocks discharging only; each recovers by itself once back inside by the
// hysteresis. A cold night therefore stops charging but keeps the house supplied. OP-T-02
// derates both directions near the edges. docs/protection.md.
#include <algorithm>

#include <bessd/limits/breakpoints.hpp>

#include "rule_context.hpp"

namespace bessd::limits::detail {

using core::CauseKind;
using core::Severity;

namespace {

// A window with hysteresis: entered when outside [lo, hi], left when inside [lo + h, hi - h].
void update_window(bool& held, double tmin, double tmax, double lo, double hi, double h) {
  if (tmin < lo || tmax > hi) held = true;
  if (tmin >= lo + h && tmax <= hi - h) held = false;
}

}  // namespace

void apply_temperature(Cycle& c, RuleMemory& m) {
  const auto& s = c.s;
  const auto& cells = c.cells;
  if (!cells.temperature_min_c || !cells.temperature_max_c) {
    // No temperature at all: charging below 0 °C must be ruled out, so charging waits; the
    // BMS's own discharge limit still governs discharging.
    const auto sentence = [] {
      return std::string(
          "Charging is stopped because the BMS reports no temperature: charging a cold cell "
          "could damage it (OP-T-01).");
    };
    c.block(true, false, CauseKind::temperature, "OP-T-01", "", sentence);
    c.activate("OP-T-01", Severity::warning, sentence());
    return;
  }
  const double tmin = *cells.temperature_min_c;
  const double tmax = *cells.temperature_max_c;
  const double h = s.temperature_hysteresis_c;
  const char* coldest = cells.estimated ? "pack" : "coldest cell";
  const char* warmest = cells.estimated ? "pack" : "warmest cell";

  // OP-T-01: never charge below 0 °C cell temperature, whatever the configuration says.
  if (tmin < 0.0) m.freezing = true;
  if (tmin >= h) m.freezing = false;
  if (m.freezing) {
    const auto sentence = [&] {
      return printf_string(
          "Charging is stopped because the %s is %.1f °C; lithium cells must not be charged "
          "below 0 °C. It resumes from %.0f °C (OP-T-01).",
          coldest, tmin, h);
    };
    c.block(true, false, CauseKind::temperature, "OP-T-01", "OP-T-01", sentence);
    c.activate("OP-T-01", Severity::warning, sentence());
  }
  update_window(m.charge_temperature, tmin, tmax, s.charge_temperature_min_c,
                s.charge_temperature_max_c, h);
  if (m.charge_temperature) {
    const bool cold = tmin < s.charge_temperature_min_c + h;
    const auto sentence = [&] {
      return printf_string(
          "Charging is stopped because the %s is %.1f °C, outside the charging range %.0f to "
          "%.0f °C. Discharging stays available (OP-T-03).",
          cold ? coldest : warmest, cold ? tmin : tmax, s.charge_temperature_min_c,
          s.charge_temperature_max_c);
    };
    c.block(true, false, CauseKind::temperature, "OP-T-03", "OP-T-03", sentence);
    c.activate("OP-T-03", Severity::warning, sentence());
  }
  update_window(m.discharge_temperature, tmin, tmax, s.discharge_temperature_min_c,
                s.discharge_temperature_max_c, h);
  if (m.discharge_temperature) {
    const bool cold = tmin < s.discharge_temperature_min_c + h;
    const auto sentence = [&] {
      return printf_string(
          "Discharging is stopped because the %s is %.1f °C, outside the discharging range "
          "%.0f to %.0f °C (OP-T-04).",
          cold ? coldest : warmest, cold ? tmin : tmax, s.discharge_temperature_min_c,
          s.discharge_temperature_max_c);
    };
    c.block(false, true, CauseKind::temperature, "OP-T-04", "OP-T-04", sentence);
    c.activate("OP-T-04", Severity::error, sentence());
  }

  // OP-T-02 tables: the coldest and the warmest cell both count.
  auto table = [&](bool charge) {
    const auto& t = charge ? s.charge_temperature_c : s.discharge_temperature_c;
    const double cold = interpolate(t, tmin);
    const double hot = interpolate(t, tmax);
    const bool cold_wins = cold <= hot;
    const double factor = std::min(cold, hot);
    c.derate(charge, factor, CauseKind::temperature, "OP-T-02", Severity::info, [&] {
      return printf_string("%s is reduced to %s because the %s is %.1f °C (OP-T-02).",
                           charge ? "Charging" : "Discharging", c.share(charge, factor).c_str(),
                           cold_wins ? coldest : warmest, cold_wins ? tmin : tmax);
    });
  };
  table(true);
  table(false);
}

}  // namespace bessd::limits::detail
