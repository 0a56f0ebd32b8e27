// Property: for thousands of random snapshots (fixed seed), the envelope never exceeds any single
// bound that applies (BMS limits, pack ratings, each factor × base, inverter rating, site
// headroom), is never negative, and is zero whenever a blocking condition holds.
#include <algorithm>
#include <cmath>
#include <random>

#include <gtest/gtest.h>

#include <bessd/limits/breakpoints.hpp>
#include <bessd/limits/limits_engine.hpp>

#include "snapshot_fixture.hpp"

namespace bessd::limits {
namespace {

TEST(LimitsProperty, EnvelopeNeverExceedsAnySingleBound) {
  std::mt19937 rng(20261124);
  auto uni = [&](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  auto coin = [&](double p) { return std::bernoulli_distribution(p)(rng); };
  constexpr int kRuns = 5000;
  int nonzero_charge = 0;
  for (int run = 0; run < kRuns; ++run) {
    LimitsSettings s = testing::lfp_settings();
    if (coin(0.5)) s.max_charge_current_a = uni(0, 150);
    if (coin(0.5)) s.max_discharge_current_a = uni(0, 150);
    if (coin(0.5)) s.max_charge_power_w = uni(0, 8000);
    if (coin(0.5)) s.max_discharge_power_w = uni(0, 8000);
    if (coin(0.5)) s.inverter_rated_power_w = uni(500, 10000);
    if (coin(0.4)) s.grid_import_limit_w = uni(0, 10000);
    if (coin(0.4)) s.grid_export_limit_w = uni(0, 10000);
    const TimePoint now = TimePoint{} + std::chrono::hours{1};
    LimitsInput in = testing::healthy_snapshot(now);
    auto& p = in.pack;
    p.voltage_v = uni(40, 58);
    p.current_a = uni(-120, 120);
    const double vmin = uni(2.3, 3.7);
    p.cell_voltage_min_v = vmin;
    p.cell_voltage_max_v = vmin + uni(0, 0.25);
    const double tmin = uni(-25, 65);
    p.cell_temperature_min_c = tmin;
    p.cell_temperature_max_c = tmin + uni(0, 8);
    p.soc_pct = uni(0, 100);
    p.limits.charge_current_limit_a = uni(0, 150);
    p.limits.discharge_current_limit_a = uni(0, 150);
    if (coin(0.05)) p.protections.set(core::BmsCondition::general, core::FlagState::active);
    if (coin(0.05)) p.measured_at = now - std::chrono::seconds{4};
    in.second_life.factor_k = coin(0.3) ? uni(0.3, 1.0) : 1.0;
    in.inverter.grid_power_w = coin(0.8) ? std::optional<double>(uni(-6000, 6000)) : std::nullopt;
    in.inverter.battery_power_w = uni(-5000, 5000);
    in.fire_alarm_configured = true;
    in.fire_alarm_active = coin(0.03);

    LimitsEngine engine(s);
    const LimitsResult r = engine.compute(in, now);
    const auto& env = r.envelope;
    SCOPED_TRACE("run " + std::to_string(run));
    for (const auto* b :
         {&env.charge_current_max_a, &env.discharge_current_max_a, &env.charge_power_max_w,
          &env.discharge_power_max_w, &env.charge_voltage_max_v}) {
      ASSERT_GE(b->value, 0.0);
      ASSERT_TRUE(std::isfinite(b->value));
      ASSERT_FALSE(b->cause.sentence.empty());
    }
    const double eps = 1e-9;
    const double ci = env.charge_current_max_a.value;
    const double di = env.discharge_current_max_a.value;
    const double cp = env.charge_power_max_w.value;
    const double dp = env.discharge_power_max_w.value;
    // Current bounds.
    ASSERT_LE(ci, *p.limits.charge_current_limit_a + eps);
    ASSERT_LE(di, *p.limits.discharge_current_limit_a + eps);
    if (s.max_charge_current_a) {
      ASSERT_LE(ci, *s.max_charge_current_a + eps);
    }
    if (s.max_discharge_current_a) {
      ASSERT_LE(di, *s.max_discharge_current_a + eps);
    }
    // Factors scale the pack's rating (or the largest BMS limit seen); the BMS's own limit is a
    // separate bound: the lower of the two, never the product (docs/protection.md).
    const double cbase = s.max_charge_current_a.value_or(*p.limits.charge_current_limit_a);
    const double dbase = s.max_discharge_current_a.value_or(*p.limits.discharge_current_limit_a);
    const double vmax = *p.cell_voltage_max_v;
    const double tmax = *p.cell_temperature_max_c;
    ASSERT_LE(ci, cbase * interpolate(s.charge_taper_rel_max, vmax - s.cell_voltage_max_v) + eps);
    ASSERT_LE(
        di, dbase * interpolate(s.discharge_taper_rel_min, vmin - s.cell_voltage_practical_min_v) +
                eps);
    ASSERT_LE(ci, cbase * interpolate(s.charge_temperature_c, tmin) + eps);
    ASSERT_LE(ci, cbase * interpolate(s.charge_temperature_c, tmax) + eps);
    ASSERT_LE(di, dbase * interpolate(s.discharge_temperature_c, tmin) + eps);
    ASSERT_LE(di, dbase * interpolate(s.discharge_temperature_c, tmax) + eps);
    const double k = std::clamp(in.second_life.factor_k, 0.5, 1.0);
    ASSERT_LE(ci, cbase * k + eps);
    ASSERT_LE(di, dbase * k + eps);
    // Blocks.
    if (vmax > s.cell_voltage_max_v || tmin < 0.0 || tmax > 45.0 || in.fire_alarm_active ||
        p.protections.any_active()) {
      ASSERT_EQ(ci, 0.0);
    }
    if (vmin < s.cell_voltage_min_v || *p.soc_pct <= s.min_soc_pct || tmin < -20.0 || tmax > 60.0 ||
        in.fire_alarm_active || p.protections.any_active()) {
      ASSERT_EQ(di, 0.0);
    }
    if (r.findings.bms_stale) {
      ASSERT_EQ(ci, 0.0);
      ASSERT_EQ(di, 0.0);
    }
    // Power bounds.
    ASSERT_LE(cp, ci * *p.voltage_v + 1e-6);
    ASSERT_LE(dp, di * *p.voltage_v + 1e-6);
    if (s.max_charge_power_w) {
      ASSERT_LE(cp, *s.max_charge_power_w + eps);
    }
    if (s.max_discharge_power_w) {
      ASSERT_LE(dp, *s.max_discharge_power_w + eps);
    }
    if (s.inverter_rated_power_w) {
      ASSERT_LE(cp, *s.inverter_rated_power_w + eps);
      ASSERT_LE(dp, *s.inverter_rated_power_w + eps);
    }
    const std::optional<double> house =
        in.inverter.grid_power_w
            ? std::optional<double>(*in.inverter.grid_power_w - *in.inverter.battery_power_w)
            : std::nullopt;
    if (s.grid_import_limit_w) {
      ASSERT_LE(cp, std::max(0.0, *s.grid_import_limit_w - house.value_or(0.0)) + 1e-6);
    }
    if (s.grid_export_limit_w) {
      ASSERT_LE(dp, std::max(0.0, *s.grid_export_limit_w + house.value_or(0.0)) + 1e-6);
    }
    if (ci > 0.0) ++nonzero_charge;
  }
  // The generator must also reach the unconstrained region, else the test proves little.
  EXPECT_GT(nonzero_charge, kRuns / 20);
}

}  // namespace
}  // namespace bessd::limits
