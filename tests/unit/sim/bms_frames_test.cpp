// bess-sim's Pylontech broadcast, read back with bessd's own decoder: every field and flag
// survives the round trip in both frame sets.

#include <variant>

#include <gtest/gtest.h>

#include <bessd/bms/protocols/pylontech_lv_frames.hpp>
#include <bessd/sim/sim_world.hpp>

#include <bessd/sim/devices/bms_frames.hpp>

namespace bessd::sim {
namespace {

namespace py = bms::pylontech;
using core::BmsCondition;
using core::FlagState;

core::PackState sample() {
  core::PackState s;
  s.voltage_v = 52.34;
  s.current_a = -12.5;
  s.temperature_c = 23.4;
  s.soc_pct = 67;
  s.soh_pct = 98;
  s.limits.charge_voltage_limit_v = 56.8;
  s.limits.charge_current_limit_a = 40;
  s.limits.discharge_current_limit_a = 50;
  s.limits.discharge_voltage_limit_v = 46.4;
  s.cell_voltage_min_v = 3.265;
  s.cell_voltage_max_v = 3.281;
  s.cell_temperature_min_c = 22;
  s.cell_temperature_max_c = 25;
  s.requests.charge_enable = true;
  s.requests.discharge_enable = false;
  s.modules.total = 3;
  s.capacity_ah = 100;
  s.manufacturer = "PYLON";
  for (auto c : {BmsCondition::cell_over_voltage, BmsCondition::over_temperature,
                 BmsCondition::charge_over_current, BmsCondition::bms_internal}) {
    s.protections.set(c, FlagState::ok);
    s.warnings.set(c, FlagState::ok);
  }
  s.protections.set(BmsCondition::cell_over_voltage, FlagState::active);
  s.warnings.set(BmsCondition::over_temperature, FlagState::active);
  return s;
}

struct Decoded {
  std::optional<py::Limits> limits;
  std::optional<py::ChargeState> charge;
  std::optional<py::Measurements> meas;
  std::optional<py::FlagSets> flags;
  std::optional<py::Requests> requests;
  std::optional<py::CellExtremes> cells;
  std::size_t frames{0};
};

Decoded decode_all(const std::vector<can::CanFrame>& frames) {
  Decoded d;
  for (const auto& f : frames) {
    auto r = py::decode(f);
    EXPECT_TRUE(r) << std::hex << f.id;
    if (!r || !*r) continue;
    ++d.frames;
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, py::Limits>) d.limits = v;
          if constexpr (std::is_same_v<T, py::ChargeState>) d.charge = v;
          if constexpr (std::is_same_v<T, py::Measurements>) d.meas = v;
          if constexpr (std::is_same_v<T, py::PylonFlags>) d.flags = py::interpret(v);
          if constexpr (std::is_same_v<T, py::Alarms>) d.flags = py::interpret(v);
          if constexpr (std::is_same_v<T, py::Requests>) d.requests = v;
          if constexpr (std::is_same_v<T, py::CellExtremes>) d.cells = v;
        },
        **r);
  }
  return d;
}

void expect_common(const Decoded& d) {
  ASSERT_TRUE(d.limits && d.charge && d.meas && d.flags && d.cells);
  EXPECT_NEAR(d.limits->charge_voltage_limit_v, 56.8, 0.05);
  EXPECT_NEAR(d.limits->charge_current_limit_a, 40, 0.05);
  EXPECT_NEAR(d.limits->discharge_current_limit_a, 50, 0.05);
  EXPECT_NEAR(d.charge->soc_pct, 67, 0.5);
  EXPECT_NEAR(d.meas->voltage_v, 52.34, 0.005);
  EXPECT_NEAR(d.meas->current_a, -12.5, 0.05);
  EXPECT_NEAR(d.meas->temperature_c, 23.4, 0.05);
  EXPECT_NEAR(d.cells->cell_voltage_max_v, 3.281, 0.0005);
  EXPECT_EQ(d.flags->protections.get(BmsCondition::cell_over_voltage), FlagState::active);
  EXPECT_EQ(d.flags->protections.get(BmsCondition::over_temperature), FlagState::ok);
  EXPECT_EQ(d.flags->protections.get(BmsCondition::bms_internal), FlagState::ok);
  EXPECT_EQ(d.flags->warnings.get(BmsCondition::over_temperature), FlagState::active);
  EXPECT_NE(d.flags->protections.get(BmsCondition::unknown), FlagState::active);
}

TEST(BmsFrames, V12RoundTripsThroughBessdsDecoder) {
  const auto frames = pylontech_broadcast(sample(), PylontechFrameSet::v12);
  const auto d = decode_all(frames);
  expect_common(d);
  ASSERT_TRUE(d.requests);
  EXPECT_EQ(d.requests->bits & py::kReqChargeEnable, py::kReqChargeEnable);
  EXPECT_EQ(d.requests->bits & py::kReqDischargeEnable, 0);
}

TEST(BmsFrames, V13UsesAlarmPairsAndBatteryInfo) {
  const auto frames = pylontech_broadcast(sample(), PylontechFrameSet::v13);
  bool has_35a = false;
  bool has_359 = false;
  for (const auto& f : frames) {
    has_35a = has_35a || f.id == py::kIdAlarms;
    has_359 = has_359 || f.id == py::kIdPylonFlags;
  }
  EXPECT_TRUE(has_35a);
  EXPECT_FALSE(has_359);
  expect_common(decode_all(frames));
}

TEST(BmsFrames, ModelReportProtectionReachesTheWire) {
  WorldParams p;
  SimWorld world(p);
  world.bms().overrides().force_protection_flag = true;
  const auto d = decode_all(pylontech_broadcast(world.bms_report(), PylontechFrameSet::v12));
  ASSERT_TRUE(d.flags);
  EXPECT_TRUE(d.flags->protections.any_active());
}

}  // namespace
}  // namespace bessd::sim
