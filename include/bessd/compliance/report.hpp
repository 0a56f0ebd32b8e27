#pragma once
// The compliance report of a site: every rule of docs/compliance.md, in a fixed order, with
// the overall verdict (the worst finding) and the second-life derate for the limits engine.
//
// Value type, no references into other objects: copy it into the control loop and the API.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <bessd/common/date.hpp>
#include <bessd/compliance/bms_nameplate.hpp>
#include <bessd/compliance/finding.hpp>
#include <bessd/compliance/verdict.hpp>

namespace bessd::compliance {

/// SL-DER-01 output, present only when `battery.second_life.enabled`. The limits engine
/// multiplies the charge and discharge current (and power) limits by `factor` and clamps cell
/// voltages to [cell_voltage_min_v, cell_voltage_max_v] (already narrowed).
/// The lowest SL-DER-01 factor bessd applies (docs/compliance.md: clamp(SOH/100, 0.5, 1)); the
/// limits engine clamps to the same floor.
inline constexpr double kSecondLifeFactorFloor = 0.5;

struct SecondLifeDerate {
  double factor{1.0};  // k = clamp(SOH / 100, factor_min, 1); factor_min when SOH unknown
  std::optional<double> soh_pct;   // the SOH the factor came from
  double cell_voltage_max_v{0.0};  // pack (or chemistry default) max − narrowing, V
  double cell_voltage_min_v{0.0};  // pack (or chemistry practical default) min + narrowing, V
  friend bool operator==(const SecondLifeDerate&, const SecondLifeDerate&) = default;
};

struct ComplianceReport {
  Verdict verdict{Verdict::not_applicable};  // the worst finding
  Date evaluated_on{};                       // the "today" of the check (dates are UTC days)
  std::string site_name;
  /// Whether the PAS 63100 rules apply (a dwelling in GB), and a sentence saying so for the top
  /// of every report: a site where they do not apply must not read like a clean pass of them.
  bool pas_63100_applies{false};
  std::string scope_note;
  std::vector<Finding> findings;  // every rule, never omitted; order of docs/compliance.md
  std::optional<SecondLifeDerate> second_life_derate;
  /// The BMS nameplate this report judged (BAT-CAP-01, PAS-ENE-01); absent offline and until the
  /// BMS has reported a stable one. `check-site --live` takes the daemon's as is.
  std::optional<BmsNameplate> bms_nameplate;

  /// True when any finding blocks: the controller must allow no power flow.
  bool blocks() const noexcept { return verdict == Verdict::block; }
  /// The finding of rule `rule_id`, or nullptr.
  const Finding* find(std::string_view rule_id) const noexcept;
  /// Number of findings with verdict `v`.
  std::size_t count(Verdict v) const noexcept;
  /// Findings that are neither pass nor not_applicable (what the daemon logs once).
  std::vector<const Finding*> notable() const;
  /// Findings whose verdict differs from the same rule in `previous` (or that `previous` lacks):
  /// what a config reload or a late BMS nameplate changed, for edge-triggered logging.
  std::vector<const Finding*> changed_since(const ComplianceReport& previous) const;
};

}  // namespace bessd::compliance
