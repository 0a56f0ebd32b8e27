#pragma once
// Internal to the limits engine: what one cycle's rule families share. Each family lives in its
// own file (rules_*.cpp) and offers bounds with their causes; the lowest bound wins.

#include <algorithm>
#include <array>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <bessd/common/printf_string.hpp>
#include <bessd/limits/limits_engine.hpp>

namespace bessd::limits::detail {

inline constexpr double kInf = std::numeric_limits<double>::infinity();
inline constexpr double kZeroEpsilon = 1e-9;

inline double pct(double factor) {
  return factor * 100.0;
}

/// Keeps the lowest offered bound; the sentence is built only when the offer wins. It also keeps
/// the lowest offer of each kind, so that a caller can ask what some kinds alone allow (what
/// the cells may give, whatever the SOC reserve or a fault keeps the inverter to).
class BoundBuilder {
 public:
  template <typename MakeSentence>
  void offer(double value, core::CauseKind kind, const char* rule, MakeSentence&& make_sentence) {
    note_kind(value, kind);
    if (!(value < value_)) return;  // ties keep the earlier (more severe) cause; NaN never wins
    // A factor that interpolates to 1e-16 at a table's end is zero: OP-HYST-01 must see it.
    value_ = value < kZeroEpsilon ? 0.0 : value;
    cause_ = core::Cause{kind, rule, make_sentence()};
  }
  void offer_bound(const core::Bound& b) {
    note_kind(b.value, b.cause.kind);
    if (b.value < value_) {
      value_ = b.value;
      cause_ = b.cause;
    }
  }
  double value() const { return value_; }
  core::Bound bound() const {
    if (value_ == kInf)
      return core::Bound{0.0,
                         core::Cause{core::CauseKind::stale_data, "COM-01", "No limit known."}};
    return core::Bound{value_, cause_};
  }
  /// The lowest offer among `kinds` (infinity: none of them offered one).
  double lowest_of(std::initializer_list<core::CauseKind> kinds) const {
    double v = kInf;
    for (const auto k : kinds) v = std::min(v, by_kind_[static_cast<std::size_t>(k)]);
    return v;
  }

 private:
  void note_kind(double value, core::CauseKind kind) {
    const auto i = static_cast<std::size_t>(kind);
    if (i < by_kind_.size() && value < by_kind_[i])
      by_kind_[i] = value < kZeroEpsilon ? 0.0 : value;
  }

  double value_{kInf};
  core::Cause cause_;
  std::array<double, static_cast<std::size_t>(core::CauseKind::fire_alarm) + 1> by_kind_ = [] {
    std::array<double, static_cast<std::size_t>(core::CauseKind::fire_alarm) + 1> a{};
    a.fill(kInf);
    return a;
  }();
};

struct Activation {
  std::string id;
  std::string sentence;
  core::Severity severity;
};

/// The cell values the cell-level rules use: the BMS's extremes (0x373) when it sends them,
/// otherwise estimates (pack voltage / series cells, pack temperature).
struct CellView {
  std::optional<double> voltage_max_v;
  std::optional<double> voltage_min_v;
  std::optional<double> temperature_min_c;
  std::optional<double> temperature_max_c;
  bool estimated{false};
};

struct Cycle {
  Cycle(const LimitsSettings& settings, const LimitsInput& input, TimePoint at,
        LimitsFindings& findings)
      : s(settings), in(input), now(at), f(findings) {}

  const LimitsSettings& s;
  const LimitsInput& in;
  TimePoint now;
  LimitsFindings& f;
  std::vector<Activation> act;
  BoundBuilder chg_i, dis_i, chg_p, dis_p, cvl;
  bool stale{false};
  CellView cells;
  // Effective cell window: pack/chemistry, narrowed for a second-life pack (SL-DER-01).
  double max_v{0.0};
  double min_v{0.0};
  double practical_min_v{0.0};
  bool second_life_max{false};
  // What the factors scale: the configured rating, else the largest BMS limit seen.
  double charge_reference_a{0.0};
  double discharge_reference_a{0.0};

  void activate(const char* id, core::Severity sev, std::string sentence);
  /// A protection block of one or both directions: offered at zero and listed for the
  /// controller's repeated-trip count.
  template <typename MakeSentence>
  void block(bool charge, bool discharge, core::CauseKind kind, const char* rule,
             const std::string& trip_id, MakeSentence&& make_sentence) {
    if (charge) chg_i.offer(0.0, kind, rule, make_sentence);
    if (discharge) dis_i.offer(0.0, kind, rule, make_sentence);
    if (!trip_id.empty()) f.blocks.push_back(ActiveBlock{trip_id, charge, discharge});
  }
  /// "80 % of the rated 100 A": a derating factor says what it is a share of.
  std::string share(bool charge, double factor) const {
    return printf_string("%.0f %% of the rated %.0f A", pct(factor),
                         charge ? charge_reference_a : discharge_reference_a);
  }
  /// A factor on the charge (or discharge) reference; 1 = no effect.
  template <typename MakeSentence>
  void derate(bool charge, double factor, core::CauseKind kind, const char* rule,
              core::Severity sev, MakeSentence&& make_sentence) {
    if (!(factor < 1.0)) return;
    factor = factor < 0.0 ? 0.0 : factor;
    BoundBuilder& b = charge ? chg_i : dis_i;
    b.offer((charge ? charge_reference_a : discharge_reference_a) * factor, kind, rule,
            make_sentence);
    activate(rule, sev, make_sentence());
  }
};

using RuleMemory = LimitsEngine::RuleMemory;

// Rule families, in the order the engine runs them.
void apply_blocking_inputs(Cycle& c);              // ALM-01, faults, compliance
void apply_data_freshness(Cycle& c);               // COM-01 and the cell view
void apply_bms_flags(Cycle& c);                    // OP-FLAG-01, 0x35C enable/force bits
void apply_references(Cycle& c, RuleMemory& m);    // the window and the factor references
void apply_cell_voltage(Cycle& c, RuleMemory& m);  // OP-V-01 … OP-V-05
void apply_temperature(Cycle& c, RuleMemory& m);   // OP-T-01 … OP-T-04
void apply_soc(Cycle& c, RuleMemory& m);           // OP-SOC-01/02
void apply_ratings(Cycle& c);                      // BMS CCL/DCL, pack, SL-DER-01, OP-DV-01
void apply_power_bounds(Cycle& c);                 // powers, inverter rating, site limits
/// What the cells alone allow and what may cover a DC load (LimitsFindings), from the offers.
void note_cover_bounds(Cycle& c);

}  // namespace bessd::limits::detail
