// A genuine Pylontech LV pack (docs/protection.md "Packs without cell data"): the V1.2 and V1.3
// frame sets captured from a US5000 carry no 0x373 cell extremes. Decoded by the real decoder and
// fed to the real controller, the pack must get power in both directions, on estimated cell
// values, with no COM-01.
#include <vector>

#include <gtest/gtest.h>

#include <bessd/bms/protocols/pylontech_lv.hpp>
#include <bessd/can/can_frame.hpp>
#include <bessd/control/controller.hpp>

namespace bessd::control {
namespace {

using can::make_frame;

std::vector<can::CanFrame> v12_frames() {
  return {make_frame(0x351, {0x14, 0x02, 0xC0, 0x12, 0xC0, 0x12, 0xC2, 0x01}),
          make_frame(0x355, {0x58, 0x00, 0x5E, 0x00}),
          make_frame(0x356, {0x7A, 0x13, 0xF2, 0xFE, 0x6B, 0x01}),
          make_frame(0x359, {0x00, 0x00, 0x00, 0x00, 0x06, 0x50, 0x4E}),
          make_frame(0x35C, {0xC0, 0x00}),
          make_frame(0x35E, {0x50, 0x59, 0x4C, 0x4F, 0x4E, 0x20, 0x20, 0x20})};
}

// V1.3: 0x359 and 0x35C are gone; 0x35A (all "not supported") and 0x35F appear. 0x351 and 0x356
// are as in V1.2.
std::vector<can::CanFrame> v13_frames() {
  return {make_frame(0x351, {0x14, 0x02, 0xC0, 0x12, 0xC0, 0x12, 0xC2, 0x01}),
          make_frame(0x355, {0x54, 0x00, 0x60, 0x00, 0x00, 0x00}),
          make_frame(0x356, {0x7A, 0x13, 0xF2, 0xFE, 0x6B, 0x01}),
          make_frame(0x35A, {0, 0, 0, 0, 0, 0, 0, 0}),
          make_frame(0x35E, {0x50, 0x59, 0x4C, 0x4F, 0x4E, 0x20, 0x20, 0x20}),
          make_frame(0x35F, {0x4C, 0x49, 0x01, 0x03, 0x3C, 0x02, 0xAA, 0x00})};
}

class GenuinePylontech : public ::testing::TestWithParam<bool> {};

TEST_P(GenuinePylontech, RunsOnEstimatedCellsInBothDirections) {
  const auto frames = GetParam() ? v13_frames() : v12_frames();
  config::Config cfg;
  cfg.battery.series_cells = 15;  // US5000: 15 LFP cells in series
  ControllerSettings cs = ControllerSettings::from_config(cfg);
  limits::LimitsSettings ls = limits::LimitsSettings::from_config(cfg);
  MemoryFaultLatchStore store;
  Controller controller(cs, ls, store);
  bms::pylontech::PylontechLv decoder;
  core::PackState pack;
  StepInput in;
  in.request.mode = config::OperatingMode::manual;
  in.request.manual_setpoint_w = 1000.0;
  TimePoint now = TimePoint{} + std::chrono::seconds{10};
  StepOutput out;
  bool com01 = false;
  auto cycle = [&] {
    now += std::chrono::seconds{1};
    for (const auto& f : frames) decoder.apply(f, now, pack);
    in.now = now;
    in.snapshot.pack = pack;
    in.snapshot.inverter.online = true;
    in.snapshot.inverter.read_at = now;
    in.snapshot.inverter.battery_power_w =
        out.command.kind == core::CommandKind::set_power ? out.command.battery_power_w : 0.0;
    in.snapshot.inverter.grid_power_w = 0.0;
    out = controller.step(in);
    for (const auto& f : out.faults) com01 = com01 || f.id == "COM-01";
  };
  for (int i = 0; i < 5; ++i) cycle();
  EXPECT_FALSE(com01);
  EXPECT_EQ(out.state, ControlState::running);
  ASSERT_EQ(out.command.kind, core::CommandKind::set_power) << out.command.reason;
  EXPECT_DOUBLE_EQ(out.command.battery_power_w, 1000.0)
      << out.envelope.charge_power_max_w.cause.sentence;
  EXPECT_TRUE(out.findings.cell_data_estimated);
  ASSERT_TRUE(out.findings.estimated_cell_voltage_v.has_value());
  EXPECT_NEAR(*out.findings.estimated_cell_voltage_v, 49.86 / 15.0, 1e-9);
  in.request.manual_setpoint_w = -1000.0;
  for (int i = 0; i < 3; ++i) cycle();
  EXPECT_DOUBLE_EQ(out.command.battery_power_w, -1000.0)
      << out.envelope.discharge_power_max_w.cause.sentence;
  EXPECT_FALSE(com01);
}

INSTANTIATE_TEST_SUITE_P(FrameSets, GenuinePylontech, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& p) {
                           return p.param ? "V13" : "V12";
                         });

}  // namespace
}  // namespace bessd::control
