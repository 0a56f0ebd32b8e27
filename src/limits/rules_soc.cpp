// State of charge (OP-SOC-01 floor, OP-SOC-02 configured maximum). The floor blocks discharging
// only and holds until SOC is above it by the hysteresis; a soft band above the floor ramps the
// discharge limit so that it does not jump. Below the floor by the recovery margin, or on the
// BMS's force-charge request, the controller runs a recovery charge. docs/protection.md.
#include <algorithm>

#include "rule_context.hpp"

namespace bessd::limits::detail {

using core::CauseKind;
using core::Severity;

void apply_soc(Cycle& c, RuleMemory& m) {
  const auto& s = c.s;
  const double soc = *c.in.pack.soc_pct;
  const double band = std::max(s.soc_soft_band_pct, 1e-9);
  if (soc <= s.min_soc_pct) m.soc_floor = true;
  if (soc >= s.min_soc_pct + s.soc_recovery_hysteresis_pct) m.soc_floor = false;
  c.f.soc_at_floor = soc <= s.min_soc_pct;
  if (m.soc_floor) {
    const auto sentence = [&] {
      return printf_string(
          "Discharging is stopped because the state of charge (%.0f %%) has reached the %.0f %% "
          "reserve; it resumes from %.0f %% (OP-SOC-01).",
          soc, s.min_soc_pct, s.min_soc_pct + s.soc_recovery_hysteresis_pct);
    };
    c.block(false, true, CauseKind::soc_reserve, "OP-SOC-01", "", sentence);
    c.activate("OP-SOC-01", Severity::info, sentence());
  } else if (soc < s.min_soc_pct + band) {
    const double factor = (soc - s.min_soc_pct) / band;
    c.derate(false, factor, CauseKind::soc_reserve, "OP-SOC-01", Severity::info, [&] {
      return printf_string(
          "Discharging is reduced to %.0f %% because the state of charge (%.1f %%) is "
          "close to the %.0f %% reserve (OP-SOC-01).",
          pct(factor), soc, s.min_soc_pct);
    });
  }
  if (s.max_soc_pct >= 100.0) return;
  if (soc >= s.max_soc_pct) {
    const auto sentence = [&] {
      return printf_string(
          "Charging is stopped because the state of charge (%.0f %%) has reached the configured "
          "maximum of %.0f %% (OP-SOC-02).",
          soc, s.max_soc_pct);
    };
    c.block(true, false, CauseKind::soc_reserve, "OP-SOC-02", "", sentence);
    c.activate("OP-SOC-02", Severity::info, sentence());
  } else if (soc > s.max_soc_pct - band) {
    const double factor = (s.max_soc_pct - soc) / band;
    c.derate(true, factor, CauseKind::soc_reserve, "OP-SOC-02", Severity::info, [&] {
      return printf_string(
          "Charging is reduced to %.0f %% because the state of charge (%.1f %%) is close "
          "to the configured maximum of %.0f %% (OP-SOC-02).",
          pct(factor), soc, s.max_soc_pct);
    });
  }
}

}  // namespace bessd::limits::detail
