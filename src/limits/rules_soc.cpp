// State of charge (OP-SOC-01 floor, OP-SOC-02 maximum). The floor blocks discharging only and
// holds until SOC is above it by the hysteresis; a soft band above the floor ramps the
// discharge limit so that it does not jump. Below the configured floor by the recovery margin,
// or on the BMS's force-charge request, the controller runs a recovery charge. The owner's
// reserve and charge target (owner_soc_settings.hpp) narrow the window; they never start a
// recovery charge. docs/protection.md.
#include <algorithm>
#include <string>

#include "rule_context.hpp"

namespace bessd::limits::detail {

using core::CauseKind;
using core::Severity;

namespace {

// "the 10 % reserve" or "the owner's 40 % reserve": people see whose limit holds the battery.
std::string reserve_text(double pct, bool owner) {
  return printf_string(owner ? "the owner's %.0f %% reserve" : "the %.0f %% reserve", pct);
}

std::string maximum_text(double pct, bool owner) {
  return printf_string(
      owner ? "the owner's charge target of %.0f %%" : "the configured maximum of %.0f %%", pct);
}

// "has reached", or "is below" when the reserve was raised above the SOC.
const char* reached(double soc, double bound, bool below) {
  return (below ? soc < bound - 0.5 : soc > bound + 0.5) ? (below ? "is below" : "is above")
                                                         : "has reached";
}

void apply_floor(Cycle& c, RuleMemory& m, const core::SocWindow& w, double soc, double band) {
  const auto& s = c.s;
  const double floor = w.reserve_pct;
  const auto floor_text = reserve_text(floor, w.owner_reserve);
  if (soc <= floor) m.soc_floor = true;
  if (soc >= floor + s.soc_recovery_hysteresis_pct) m.soc_floor = false;
  // The configured floor: where a recovery charge is measured from, not the owner's reserve.
  c.f.soc_at_floor = soc <= s.min_soc_pct;
  if (m.soc_floor) {
    const auto sentence = [&] {
      return printf_string(
          "Discharging is stopped because the state of charge (%.0f %%) %s %s; it resumes from "
          "%.0f %% (OP-SOC-01).",
          soc, reached(soc, floor, true), floor_text.c_str(),
          floor + s.soc_recovery_hysteresis_pct);
    };
    c.block(false, true, CauseKind::soc_reserve, "OP-SOC-01", "", sentence);
    c.activate("OP-SOC-01", Severity::info, sentence());
  } else if (soc < floor + band) {
    const double factor = (soc - floor) / band;
    c.derate(false, factor, CauseKind::soc_reserve, "OP-SOC-01", Severity::info, [&] {
      return printf_string(
          "Discharging is reduced to %.0f %% because the state of charge (%.1f %%) is "
          "close to %s (OP-SOC-01).",
          pct(factor), soc, floor_text.c_str());
    });
  }
}

void apply_ceiling(Cycle& c, const core::SocWindow& w, double soc, double band) {
  const double ceiling = w.target_pct;
  if (ceiling >= 100.0) return;
  const auto ceiling_text = maximum_text(ceiling, w.owner_target);
  if (soc >= ceiling) {
    const auto sentence = [&] {
      return printf_string(
          "Charging is stopped because the state of charge (%.0f %%) %s %s (OP-SOC-02).", soc,
          reached(soc, ceiling, false), ceiling_text.c_str());
    };
    c.block(true, false, CauseKind::soc_reserve, "OP-SOC-02", "", sentence);
    c.activate("OP-SOC-02", Severity::info, sentence());
  } else if (soc > ceiling - band) {
    const double factor = (ceiling - soc) / band;
    c.derate(true, factor, CauseKind::soc_reserve, "OP-SOC-02", Severity::info, [&] {
      return printf_string(
          "Charging is reduced to %.0f %% because the state of charge (%.1f %%) is close "
          "to %s (OP-SOC-02).",
          pct(factor), soc, ceiling_text.c_str());
    });
  }
}

}  // namespace

void apply_soc(Cycle& c, RuleMemory& m) {
  const double soc = *c.in.pack.soc_pct;
  const double band = std::max(c.s.soc_soft_band_pct, 1e-9);
  auto owner = c.in.owner;
  // The BMS asking for a charge (0x35C force charge) outranks the owner's comfort limit; the
  // configured maximum still holds.
  if (c.in.pack.requests.force_charge.value_or(false)) owner.target_soc_pct.reset();
  const auto w = soc_window(c.s, owner);
  apply_floor(c, m, w, soc, band);
  apply_ceiling(c, w, soc, band);
}

}  // namespace bessd::limits::detail
