#include <algorithm>

#include <bessd/limits/limits_engine.hpp>

#include "rule_context.hpp"

namespace bessd::limits {

using core::Bound;
using core::Cause;
using core::CauseKind;
using core::Severity;

LimitsEngine::LimitsEngine(LimitsSettings settings) : settings_(std::move(settings)) {}

core::Bound LimitsEngine::apply_hysteresis(HysteresisState& h, core::Bound raw,
                                           double reference_max, TimePoint now,
                                           const char* direction) const {
  // A bound that has never been above zero since start-up (no BMS data yet) is not flapping:
  // holding it would keep every restart idle for the hold time for no safety gain.
  const bool was_ever_positive = h.max_seen > 0.0;
  h.max_seen = std::max(h.max_seen, raw.value);
  const double reference = std::max(reference_max, h.max_seen);
  const double threshold = settings_.hysteresis_recovery_pct / 100.0 * reference;
  if (!h.held) {
    if (raw.value <= 0.0 && was_ever_positive) {
      h.held = true;
      h.held_cause = raw.cause;
      h.above_since.reset();
    }
    return raw;
  }
  if (raw.value <= 0.0) {  // still at zero for a real reason: show that reason
    h.above_since.reset();
    h.held_cause = raw.cause;
    return raw;
  }
  if (raw.value > threshold) {
    if (!h.above_since) h.above_since = now;
    if (now - *h.above_since >= settings_.hysteresis_hold) {
      h.held = false;
      h.above_since.reset();
      return raw;
    }
    const double remaining = to_seconds(settings_.hysteresis_hold - (now - *h.above_since));
    return Bound{0.0, Cause{CauseKind::hysteresis, "OP-HYST-01",
                            printf_string(
                                "%s stays off for another %.0f s so that it does not switch on and "
                                "off; it was stopped because: %s (OP-HYST-01)",
                                direction, remaining, h.held_cause.sentence.c_str())}};
  }
  h.above_since.reset();
  return Bound{
      0.0, Cause{CauseKind::hysteresis, "OP-HYST-01",
                 printf_string("%s stays off until its limit is above %.1f %% of its maximum; it "
                               "was stopped because: %s (OP-HYST-01)",
                               direction, settings_.hysteresis_recovery_pct,
                               h.held_cause.sentence.c_str())}};
}

LimitsResult LimitsEngine::compute(const LimitsInput& in, TimePoint now) {
  const auto& s = settings_;
  LimitsResult result;
  detail::Cycle c(s, in, now, result.findings);

  // One family per policy row group (docs/protection.md); blocks first so that on a tie the
  // block keeps the cause, then the ratings.
  detail::apply_blocking_inputs(c);
  detail::apply_data_freshness(c);
  detail::apply_references(c, memory_);
  detail::apply_bms_flags(c);
  if (!c.stale) {
    detail::apply_cell_voltage(c, memory_);
    detail::apply_temperature(c, memory_);
    detail::apply_soc(c, memory_);
    detail::apply_ratings(c);
  }
  detail::apply_power_bounds(c);
  detail::note_cover_bounds(c);

  // ---- OP-HYST-01 ------------------------------------------------------------------------------
  const double chg_i_ref = s.max_charge_current_a.value_or(0.0);
  const double dis_i_ref = s.max_discharge_current_a.value_or(0.0);
  core::Envelope& env = result.envelope;
  env.charge_current_max_a =
      apply_hysteresis(hyst_charge_current_, c.chg_i.bound(), chg_i_ref, now, "Charging");
  env.discharge_current_max_a =
      apply_hysteresis(hyst_discharge_current_, c.dis_i.bound(), dis_i_ref, now, "Discharging");
  env.charge_power_max_w = apply_hysteresis(hyst_charge_power_, c.chg_p.bound(),
                                            s.max_charge_power_w.value_or(0.0), now, "Charging");
  env.discharge_power_max_w =
      apply_hysteresis(hyst_discharge_power_, c.dis_p.bound(),
                       s.max_discharge_power_w.value_or(0.0), now, "Discharging");
  // A direction held at zero by its current is held at zero in power too (one cause shown).
  if (env.charge_current_max_a.value <= 0.0 && env.charge_power_max_w.value > 0.0)
    env.charge_power_max_w = env.charge_current_max_a;
  if (env.discharge_current_max_a.value <= 0.0 && env.discharge_power_max_w.value > 0.0)
    env.discharge_power_max_w = env.discharge_current_max_a;
  env.charge_voltage_max_v = c.cvl.bound();
  for (const core::Bound* b : {&env.charge_current_max_a, &env.discharge_current_max_a,
                               &env.charge_power_max_w, &env.discharge_power_max_w}) {
    if (b->cause.kind == CauseKind::hysteresis)
      c.activate("OP-HYST-01", Severity::info, b->cause.sentence);
  }

  // ---- Edges ---------------------------------------------------------------------------------
  for (const auto& a : c.act) {
    result.active_rules.push_back(a.id);
    const bool was = std::any_of(active_.begin(), active_.end(),
                                 [&](const ActiveRule& r) { return r.id == a.id; });
    if (!was)
      result.events.push_back(
          core::Event{now, a.severity, core::EventEdge::raised, "limits", a.id, a.sentence, {}});
  }
  for (const auto& r : active_) {
    const bool still = std::any_of(c.act.begin(), c.act.end(),
                                   [&](const detail::Activation& a) { return a.id == r.id; });
    if (!still)
      result.events.push_back(core::Event{now,
                                          Severity::info,
                                          core::EventEdge::cleared,
                                          "limits",
                                          r.id,
                                          "Cleared: " + r.sentence,
                                          {}});
  }
  active_.clear();
  for (auto& a : c.act) active_.push_back(ActiveRule{a.id, std::move(a.sentence), a.severity});
  return result;
}

}  // namespace bessd::limits
