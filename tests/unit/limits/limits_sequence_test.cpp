// Rules that depend on time: OP-HYST-01, OP-I-01/02, and events on edges only.
#include <gtest/gtest.h>

#include <bessd/limits/limits_engine.hpp>

#include "snapshot_fixture.hpp"

namespace bessd::limits {
namespace {

using core::CauseKind;
using std::chrono::seconds;
using testing::healthy_snapshot;
using testing::lfp_settings;
using testing::refresh;

int count_events(const LimitsResult& r, const std::string& code, core::EventEdge edge) {
  int n = 0;
  for (const auto& e : r.events)
    if (e.code == code && e.edge == edge) ++n;
  return n;
}

TEST(Hysteresis, ZeroComesBackOnlyAboveRecoveryAndAfterHold) {
  LimitsEngine engine(lfp_settings());  // hold 30 s, recovery 1.5 %
  TimePoint t{};
  LimitsInput in = healthy_snapshot(t);
  EXPECT_NEAR(engine.compute(in, t).envelope.charge_current_max_a.value, 100.0, 1e-9);
  // Taper to zero.
  in.pack.cell_voltage_max_v = 3.56;
  in.pack.cell_voltage_min_v = 3.55;
  t += seconds{1};
  refresh(in, t);
  auto r = engine.compute(in, t);
  EXPECT_EQ(r.envelope.charge_current_max_a.value, 0.0);
  EXPECT_EQ(r.envelope.charge_current_max_a.cause.rule_id, "OP-V-02");
  // Slightly above zero but below 1.5 % of 100 A: held, no timer.
  in.pack.cell_voltage_max_v = 3.5585;  // factor 0.005 -> 0.5 A
  for (int i = 0; i < 40; ++i) {
    t += seconds{1};
    refresh(in, t);
    r = engine.compute(in, t);
    ASSERT_EQ(r.envelope.charge_current_max_a.value, 0.0) << i;
    EXPECT_EQ(r.envelope.charge_current_max_a.cause.kind, CauseKind::hysteresis);
  }
  // Above the threshold: still held for 30 s, then released.
  in.pack.cell_voltage_max_v = 3.5450;  // factor 0.05 -> 5 A
  int held_steps = 0;
  for (int i = 0; i < 40; ++i) {
    t += seconds{1};
    refresh(in, t);
    r = engine.compute(in, t);
    if (r.envelope.charge_current_max_a.value == 0.0) {
      ++held_steps;
      EXPECT_EQ(r.envelope.charge_current_max_a.cause.rule_id, "OP-HYST-01");
      EXPECT_NE(r.envelope.charge_current_max_a.cause.sentence.find("OP-V-02"), std::string::npos);
    }
  }
  EXPECT_EQ(held_steps, 30);
  EXPECT_NEAR(r.envelope.charge_current_max_a.value, 5.0, 1e-6);
  EXPECT_NEAR(r.envelope.charge_power_max_w.value, 5.0 * 52.0, 1e-6);
}

TEST(Hysteresis, DipBelowThresholdRestartsTheHold) {
  LimitsEngine engine(lfp_settings());
  TimePoint t{};
  LimitsInput in = healthy_snapshot(t);
  in.pack.soc_pct = 12.0;
  engine.compute(in, t);   // discharging allowed first: a later zero is a real stop
  in.pack.soc_pct = 10.0;  // discharge stopped
  engine.compute(in, t);
  in.pack.soc_pct = 12.0;  // full again
  for (int i = 0; i < 20; ++i) {
    t += seconds{1};
    refresh(in, t);
    ASSERT_EQ(engine.compute(in, t).envelope.discharge_current_max_a.value, 0.0);
  }
  in.pack.soc_pct = 10.0;  // back to zero: timer restarts
  t += seconds{1};
  refresh(in, t);
  engine.compute(in, t);
  in.pack.soc_pct = 12.0;
  for (int i = 0; i < 29; ++i) {
    t += seconds{1};
    refresh(in, t);
    ASSERT_EQ(engine.compute(in, t).envelope.discharge_current_max_a.value, 0.0) << i;
  }
  t += seconds{2};
  refresh(in, t);
  EXPECT_NEAR(engine.compute(in, t).envelope.discharge_current_max_a.value, 100.0, 1e-9);
}

TEST(OverCurrent, MeasuredCurrentAloneNeverBlocks) {
  // A current above the limit that bessd did not command (a DC charger on the bus, a sensor
  // offset) is not the inverter disobeying: the controller's obey check judges commands, the
  // limits engine does not block on measured current (docs/protection.md, OP-I).
  LimitsEngine engine(lfp_settings());
  TimePoint t{};
  LimitsInput in = healthy_snapshot(t);
  in.pack.limits.charge_current_limit_a = 50.0;
  in.pack.current_a = 60.0;
  LimitsResult r;
  for (int i = 0; i < 30; ++i) {
    t += seconds{1};
    refresh(in, t);
    r = engine.compute(in, t);
  }
  EXPECT_DOUBLE_EQ(r.envelope.charge_current_max_a.value, 50.0);
  EXPECT_TRUE(r.findings.blocks.empty());
}

TEST(Events, RaisedAndClearedOnEdgesOnly) {
  LimitsEngine engine(lfp_settings());
  TimePoint t{};
  LimitsInput in = healthy_snapshot(t);
  EXPECT_TRUE(engine.compute(in, t).events.empty());
  in.pack.cell_temperature_min_c = 10.0;
  t += seconds{1};
  refresh(in, t);
  auto r = engine.compute(in, t);
  EXPECT_EQ(count_events(r, "OP-T-02", core::EventEdge::raised), 1);
  for (int i = 0; i < 5; ++i) {
    t += seconds{1};
    refresh(in, t);
    in.pack.cell_temperature_min_c = 10.0 + 0.1 * i;  // value changes, rule stays active
    EXPECT_EQ(count_events(engine.compute(in, t), "OP-T-02", core::EventEdge::raised), 0);
  }
  in.pack.cell_temperature_min_c = 25.0;
  t += seconds{1};
  refresh(in, t);
  r = engine.compute(in, t);
  EXPECT_EQ(count_events(r, "OP-T-02", core::EventEdge::cleared), 1);
  EXPECT_EQ(r.events.front().source, "limits");
}

TEST(Staleness, DataReturningIsHeldByHysteresis) {
  LimitsEngine engine(lfp_settings());
  LimitsInput in = healthy_snapshot(TimePoint{});
  engine.compute(in, TimePoint{});          // running normally first
  TimePoint t = TimePoint{} + seconds{10};  // then the data is 10 s old
  auto r = engine.compute(in, t);
  EXPECT_TRUE(r.findings.bms_lost);
  EXPECT_EQ(r.envelope.charge_current_max_a.cause.kind, CauseKind::stale_data);
  EXPECT_EQ(r.envelope.charge_voltage_max_v.value, 0.0);
  EXPECT_EQ(count_events(r, "COM-01", core::EventEdge::raised), 1);
  refresh(in, t);
  r = engine.compute(in, t);
  EXPECT_FALSE(r.findings.bms_lost);
  EXPECT_EQ(r.envelope.charge_current_max_a.cause.kind, CauseKind::hysteresis);
  EXPECT_EQ(count_events(r, "COM-01", core::EventEdge::cleared), 1);
}

}  // namespace
}  // namespace bessd::limits
