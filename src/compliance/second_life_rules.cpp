// Second-life rules (docs/compliance.md SL-*): reused packs need traceability (IEC 63338), current
// grading report and a calendar expiry not yet reached (UL 1974), and run derated (bessd [I]).

#include "rules.hpp"

#include <bessd/compliance/chemistry_limits.hpp>

#include <algorithm>
#include <string>

namespace bessd::compliance::detail {

Finding check_sl_scope_01(const RuleContext& ctx) {
  auto f = make_finding("SL-SCOPE-01", "Second-life pack in a GB dwelling",
                        "PAS 63100:2024 scope (reused batteries; single secondary source)",
                        Confidence::secondary);
  if (!second_life_scope(ctx, f)) return f;
  if (!pas_scope(ctx, f)) return f;
  const auto& ref = ctx.battery.second_life.override_ref;
  add_input(f, "battery.second_life.override_ref", ref.empty() ? "not recorded" : ref);
  if (ref.empty()) {
    f.verdict = Verdict::block;
    f.message =
        "The battery is a second-life (reused) pack in a home in Great Britain. PAS "
        "63100 does not cover reused batteries, so no standard vouches for this "
        "installation. Have an engineering risk assessment done and record its reference "
        "in battery.second_life.override_ref, or use a new pack.";
  } else {
    f.verdict = Verdict::warn;
    f.message =
        "The battery is a second-life pack, outside PAS 63100's scope; it runs under the "
        "engineering risk assessment \"" +
        ref + "\". Keep that assessment with the installation records.";
  }
  return f;
}

Finding check_sl_trace_01(const RuleContext& ctx) {
  auto f = make_finding("SL-TRACE-01", "Lifetime traceability data",
                        "IEC 63338:2024 (reuse needs lifetime traceability data)",
                        Confidence::confirmed);
  if (!second_life_scope(ctx, f)) return f;
  const auto& ref = ctx.battery.second_life.traceability_ref;
  add_input(f, "battery.second_life.traceability_ref", ref.empty() ? "not recorded" : ref);
  if (ref.empty()) {
    f.verdict = Verdict::block;
    f.message =
        "No lifetime traceability record is given for this reused pack. IEC 63338 does "
        "not allow reuse without the pack's history (origin, use, abuse events). Obtain "
        "the record from the supplier and put its reference in "
        "battery.second_life.traceability_ref.";
  } else {
    f.verdict = Verdict::pass;
    f.message = "The pack's lifetime traceability record is on file (\"" + ref + "\").";
  }
  return f;
}

Finding check_sl_grade_01(const RuleContext& ctx) {
  auto f = make_finding("SL-GRADE-01", "Grading (state of health) report",
                        "UL 1974 (grading of repurposed batteries)", Confidence::confirmed);
  if (!second_life_scope(ctx, f)) return f;
  const auto& sl = ctx.battery.second_life;
  const double max_age = ctx.thresholds.grading_max_age_days;
  add_input(f, "battery.second_life.grading_report_date",
            sl.grading_report_date ? format_date(*sl.grading_report_date) : "not recorded");
  add_input(f, "battery.second_life.soh_pct", number(sl.soh_pct));
  add_input(f, "today", format_date(ctx.today));
  if (!sl.grading_report_date) {
    f.verdict = Verdict::block;
    f.message =
        "No grading report is recorded for this reused pack. UL 1974 requires each "
        "repurposed pack to be graded (capacity and state of health measured) before "
        "use. Have it graded and record battery.second_life.grading_report_date and "
        "soh_pct.";
    return f;
  }
  if (!sl.soh_pct) {
    f.verdict = Verdict::block;
    f.message = "The grading report is dated " + format_date(*sl.grading_report_date) +
                " but no state of health is recorded. Record the SOH from the report in "
                "battery.second_life.soh_pct.";
    return f;
  }
  // The staleness limit is bessd's choice, not UL 1974's text.
  f.confidence = Confidence::judgement;
  const long age_days = days_between(*sl.grading_report_date, ctx.today);
  add_input(f, "grading_age_days", std::to_string(age_days));
  add_input(f, "compliance.grading_max_age_days", number(max_age));
  if (age_days < 0) {
    f.verdict = Verdict::warn;
    f.message = "The grading report is dated " + format_date(*sl.grading_report_date) +
                ", after today (" + format_date(ctx.today) +
                "). Check the date in battery.second_life.grading_report_date and the "
                "system clock.";
  } else if (static_cast<double>(age_days) > max_age) {
    f.verdict = Verdict::warn;
    f.message = "The grading report is " + std::to_string(age_days) + " days old (older than " +
                number(max_age) +
                " days): the pack's health may have changed since. Have the pack graded again "
                "and update battery.second_life.grading_report_date and soh_pct.";
  } else {
    f.verdict = Verdict::pass;
    f.message = "The pack was graded " + std::to_string(age_days) + " days ago (SOH " +
                number(*sl.soh_pct) + " %); regrade within " + number(max_age) + " days.";
  }
  return f;
}

Finding check_sl_cal_01(const RuleContext& ctx) {
  auto f =
      make_finding("SL-CAL-01", "Maker's calendar expiry",
                   "UL 1974 (no use past the manufacturer's calendar life)", Confidence::confirmed);
  if (!second_life_scope(ctx, f)) return f;
  const auto& expiry = ctx.battery.second_life.oem_calendar_expiry;
  add_input(f, "battery.second_life.oem_calendar_expiry",
            expiry ? format_date(*expiry) : "not recorded");
  add_input(f, "today", format_date(ctx.today));
  if (!expiry) {
    f.verdict = Verdict::block;
    f.message =
        "The maker's calendar expiry of this reused pack is not recorded. UL 1974 does "
        "not allow use past it. Find it in the maker's documentation and record it in "
        "battery.second_life.oem_calendar_expiry.";
    return f;
  }
  const long days_left = days_between(ctx.today, *expiry);
  add_input(f, "days_to_expiry", std::to_string(days_left));
  if (days_left <= 0) {
    f.verdict = Verdict::block;
    f.message = "The pack reached the maker's calendar expiry on " + format_date(*expiry) +
                ". UL 1974 does not allow a battery to be used past it, whatever its state of "
                "health. Retire the pack (recycle it) and install another.";
  } else {
    f.verdict = Verdict::pass;
    f.message = "The pack may be used until the day before its calendar expiry " +
                format_date(*expiry) + " (" + std::to_string(days_left) + " days left).";
  }
  return f;
}

Finding check_sl_der_01(const RuleContext& ctx, std::optional<SecondLifeDerate>& derate) {
  auto f = make_finding("SL-DER-01", "Second-life derating",
                        "IEC 62933-5-3 (reused batteries); bessd derating policy",
                        Confidence::judgement);
  derate.reset();
  if (!second_life_scope(ctx, f)) return f;
  const auto& sl = ctx.battery.second_life;
  const auto& t = ctx.thresholds;
  const auto& b = ctx.battery;
  const auto lims = effective_cell_limits(b);
  add_input(f, "battery.second_life.soh_pct", number(sl.soh_pct));
  add_input(f, "compliance.second_life_factor_min", number(t.second_life_factor_min));
  add_input(f, "compliance.second_life_window_narrow_v", number(t.second_life_window_narrow_v));
  add_input(f, "cell_voltage_max_v", number(lims.cell_voltage_max_v));
  add_input(f, "cell_voltage_min_v", number(lims.cell_voltage_min_v));

  SecondLifeDerate d;
  d.soh_pct = sl.soh_pct;
  // Without a SOH the most conservative factor applies (SL-GRADE-01 blocks meanwhile anyway).
  // k = clamp(SOH/100, factor_min, 1) with factor_min itself inside [0.5, 1]: the same clamp
  // the limits engine applies, so the report states the factor that is really in force.
  const double factor_min = std::clamp(t.second_life_factor_min, kSecondLifeFactorFloor, 1.0);
  d.factor = sl.soh_pct ? std::clamp(*sl.soh_pct / 100.0, factor_min, 1.0) : factor_min;
  d.cell_voltage_max_v = lims.cell_voltage_max_v - t.second_life_window_narrow_v;
  d.cell_voltage_min_v = lims.cell_voltage_min_v + t.second_life_window_narrow_v;
  add_input(f, "factor", number(d.factor));
  add_input(f, "narrowed_cell_voltage_max_v", number(d.cell_voltage_max_v));
  add_input(f, "narrowed_cell_voltage_min_v", number(d.cell_voltage_min_v));
  derate = d;

  if (d.cell_voltage_min_v >= d.cell_voltage_max_v) {
    f.verdict = Verdict::block;
    f.message = "Narrowing the cell voltage window by " + number(t.second_life_window_narrow_v) +
                " V at each end leaves no window (" + number(d.cell_voltage_min_v) + "…" +
                number(d.cell_voltage_max_v) +
                " V). Check the pack's cell limits and compliance.second_life_window_narrow_v.";
    return f;
  }
  f.verdict = Verdict::derate;
  f.message = "Because the pack is reused, bessd limits charge and discharge current to " +
              number(d.factor * 100.0) + " % of the configured values" +
              (sl.soh_pct ? " (its state of health is " + number(*sl.soh_pct) + " %)"
                          : std::string{" (no state of health recorded: the minimum applies)"}) +
              " and keeps each cell between " + number(d.cell_voltage_min_v) + " V and " +
              number(d.cell_voltage_max_v) + " V, " + number(t.second_life_window_narrow_v) +
              " V inside the normal limits at each end. This trades some capacity and power for "
              "a safety margin on an aged pack.";
  return f;
}

}  // namespace bessd::compliance::detail
