#include <bessd/sim/pack_model.hpp>

#include <gtest/gtest.h>

namespace bessd::sim {
namespace {

PackParams lfp16(double soc = 50.0) {
  PackParams p;
  p.series_cells = 16;
  p.capacity_ah = 100.0;
  p.initial_soc_pct = soc;
  return p;
}

TEST(OpenCircuitVoltage, LfpCurveIsMonotonicAndBounded) {
  double previous = 0.0;
  for (double soc = 0; soc <= 100; soc += 0.5) {
    const double v = open_circuit_voltage_v(config::Chemistry::LFP, soc);
    EXPECT_GE(v, previous) << soc;
    EXPECT_GE(v, 2.5);
    EXPECT_LE(v, 3.65);
    previous = v;
  }
  EXPECT_NEAR(open_circuit_voltage_v(config::Chemistry::LFP, 50), 3.30, 0.01);
  EXPECT_NEAR(open_circuit_voltage_v(config::Chemistry::NMC, 100), 4.18, 1e-9);
  EXPECT_DOUBLE_EQ(open_circuit_voltage_v(config::Chemistry::LFP, -5), 2.50);
}

TEST(PackModel, ChargingRaisesSocByAmpHours) {
  PackModel pack(lfp16(50.0));
  const double soc0 = pack.soc_pct();
  for (int i = 0; i < 3600; ++i) pack.step(10.0, 1.0);  // 10 Ah into a 100 Ah pack
  EXPECT_NEAR(pack.soc_pct() - soc0, 10.0 * 0.995, 0.2);
  EXPECT_DOUBLE_EQ(pack.current_a(), 10.0);
}

TEST(PackModel, TerminalVoltageIncludesOhmicDrop) {
  PackModel a(lfp16());
  PackModel b(lfp16());
  a.step(0.0, 0.001);
  b.step(-50.0, 0.001);
  EXPECT_LT(b.voltage_v(), a.voltage_v());           // sags under discharge
  EXPECT_NEAR(a.voltage_v(), 16 * 3.30, 16 * 0.02);  // OCV at 50 %
  EXPECT_NEAR(a.voltage_v() - b.voltage_v(), 50 * 16 * 0.0008, 0.02);
}

TEST(PackModel, HeatsUnderLoadAndCoolsToAmbient) {
  PackModel pack(lfp16());
  for (int i = 0; i < 1800; ++i) pack.step(100.0, 1.0);
  EXPECT_GT(pack.temperature_c(), 20.5);
  for (int i = 0; i < 100000; ++i) pack.step(0.0, 1.0);
  EXPECT_NEAR(pack.temperature_c(), 20.0, 0.1);
}

TEST(PackModel, CellsSpreadAndSocClamps) {
  PackModel pack(lfp16(99.0));
  EXPECT_GT(pack.cell_voltage_max_v(), pack.cell_voltage_min_v());
  for (int i = 0; i < 7200; ++i) pack.step(50.0, 1.0);
  EXPECT_LE(pack.soc_pct(), 100.0);
  EXPECT_GT(pack.cell_voltage_max_v(), 3.55);  // a full LFP cell under charge
}

TEST(PackModel, SohScalesUsableCapacity) {
  auto p = lfp16(50.0);
  p.soh_pct = 80.0;
  PackModel pack(p);
  EXPECT_DOUBLE_EQ(pack.capacity_ah(), 80.0);
  for (int i = 0; i < 3600; ++i) pack.step(-8.0, 1.0);  // 8 Ah of 80 Ah = 10 points
  EXPECT_NEAR(pack.soc_pct(), 40.0, 0.3);
}

TEST(PackModel, SameSeedSameCells) {
  PackModel a(lfp16());
  PackModel b(lfp16());
  EXPECT_EQ(a.cell_voltage_min_v(), b.cell_voltage_min_v());
  auto p = lfp16();
  p.seed = 2;
  PackModel c(p);
  EXPECT_NE(a.cell_voltage_min_v(), c.cell_voltage_min_v());
}

}  // namespace
}  // namespace bessd::sim
