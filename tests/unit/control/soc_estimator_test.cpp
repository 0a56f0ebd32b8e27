#include <gtest/gtest.h>

#include <bessd/control/soc_estimator.hpp>
#include <bessd/limits/chemistry.hpp>

namespace bessd::control {
namespace {

using std::chrono::seconds;

core::PackState sample(TimePoint at, double current_a, double bms_soc, double cell_v = 3.30) {
  core::PackState p;
  p.measured_at = at;
  p.current_a = current_a;
  p.soc_pct = bms_soc;
  p.capacity_ah = 100.0;
  p.cell_voltage_min_v = cell_v;
  p.cell_voltage_max_v = cell_v;
  return p;
}

SocEstimatorSettings settings(config::Chemistry c = config::Chemistry::LFP) {
  SocEstimatorSettings s;
  s.ocv_soc_pct = limits::chemistry_defaults(c).ocv_soc_pct;
  return s;
}

TEST(SocEstimator, CoulombCountingTracksCharge) {
  SocEstimator est(settings());
  TimePoint t{};
  est.update(sample(t, 0.0, 50.0), t);
  // 50 A for 36 min into 100 Ah = +30 points; BMS follows.
  for (int i = 1; i <= 36 * 60; ++i) {
    t += seconds{1};
    est.update(sample(t, 50.0, 50.0 + i * 30.0 / 2160.0), t);
  }
  EXPECT_NEAR(*est.estimate().estimate_pct, 80.0, 0.1);
  EXPECT_FALSE(est.estimate().diverged);
}

TEST(SocEstimator, DivergenceRaisesAndClearsOnEdges) {
  SocEstimatorSettings s = settings();
  SocEstimator est(s);
  TimePoint t{};
  est.update(sample(t, 0.0, 50.0), t);
  int raised = 0;
  int cleared = 0;
  // The BMS SOC jumps to 65 while no current flows: 15 points apart.
  for (int i = 1; i < 10; ++i) {
    t += seconds{1};
    for (const auto& e : est.update(sample(t, 0.0, 65.0), t)) {
      raised += e.edge == core::EventEdge::raised && e.code == "SOC-XCHK";
    }
  }
  EXPECT_EQ(raised, 1);
  EXPECT_TRUE(est.estimate().diverged);
  for (int i = 0; i < 5; ++i) {
    t += seconds{1};
    for (const auto& e : est.update(sample(t, 0.0, 52.0), t))
      cleared += e.edge == core::EventEdge::cleared;
  }
  EXPECT_EQ(cleared, 1);
}

TEST(SocEstimator, OcvCorrectsAtRestOnlyWhereTheCurveIsSteep) {
  for (const auto& [cell_v, corrects] : {std::pair{3.20, true}, std::pair{3.31, false}}) {
    SocEstimator est(settings());
    TimePoint t{};
    est.update(sample(t, 0.0, 50.0, cell_v), t);
    for (int i = 0; i < 21 * 60; ++i) {
      t += seconds{1};
      est.update(sample(t, 0.0, 50.0, cell_v), t);
    }
    EXPECT_EQ(est.estimate().last_correction_by_ocv, corrects) << cell_v;
    if (corrects) {
      EXPECT_NEAR(*est.estimate().estimate_pct, 10.0, 1e-6);  // 3.20 V on the LFP curve
      EXPECT_TRUE(est.estimate().diverged);                   // BMS says 50 %
    }
  }
}

TEST(SocEstimator, GapReanchorsAndSameSampleIsUsedOnce) {
  SocEstimator est(settings());
  TimePoint t{};
  est.update(sample(t, 100.0, 50.0), t);
  est.update(sample(t, 100.0, 50.0), t + seconds{1});  // same measured_at: ignored
  EXPECT_NEAR(*est.estimate().estimate_pct, 50.0, 1e-9);
  t += seconds{60};  // gap > 10 s
  est.update(sample(t, 100.0, 55.0), t);
  EXPECT_NEAR(*est.estimate().estimate_pct, 55.0, 1e-9);
}

}  // namespace
}  // namespace bessd::control
