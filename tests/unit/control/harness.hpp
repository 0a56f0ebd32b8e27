#pragma once
// A controller driven by hand: a healthy LFP snapshot, time advanced in whole steps, and an
// inverter that (optionally) follows the last command like a perfect plant.
#include <algorithm>
#include <memory>

#include <bessd/control/controller.hpp>

#include "../limits/snapshot_fixture.hpp"

namespace bessd::testing {

struct Harness {
  control::ControllerSettings settings;
  limits::LimitsSettings limits = lfp_settings();
  control::MemoryFaultLatchStore store;
  std::unique_ptr<control::Controller> controller;
  control::StepInput in;
  TimePoint now = TimePoint{} + std::chrono::seconds{100};
  bool bms_silent{false};
  bool inverter_silent{false};
  bool plant_follows{true};  // battery power := last set_power (0 in safe state)
  double house_load_w{0.0};  // grid = house + battery
  control::StepOutput out;

  Harness() {
    settings.soc.ocv_soc_pct = {};
    in.snapshot = healthy_snapshot(now);
    in.wall_now = WallTime{} + std::chrono::seconds{1'764'547'200};  // 2025-12-01
  }
  void build() { controller = std::make_unique<control::Controller>(settings, limits, store); }
  control::StepOutput& step(Duration dt = std::chrono::seconds{1}) {
    if (!controller) build();
    now += dt;
    in.now = now;
    in.wall_now += dt;
    if (!bms_silent) {
      auto& p = in.snapshot.pack;
      p.measured_at = p.limits_at = p.cells_at = p.flags_at = p.charge_at = now;
    }
    if (!inverter_silent) in.snapshot.inverter.read_at = now;
    in.snapshot.inverter.online = !inverter_silent;
    if (plant_follows) {
      const double batt =
          out.command.kind == core::CommandKind::set_power ? out.command.battery_power_w : 0.0;
      in.snapshot.inverter.battery_power_w = batt;
      in.snapshot.pack.current_a = batt / in.snapshot.pack.voltage_v.value_or(52.0);
      in.snapshot.inverter.grid_power_w = house_load_w + batt;
    }
    out = controller->step(in);
    in.ack_faults = false;  // an ack is a one-step edge
    return out;
  }
  void steps(int n) {
    for (int i = 0; i < n; ++i) step();
  }
  bool has_event(const std::string& code, core::EventEdge edge) const {
    return std::any_of(out.events.begin(), out.events.end(),
                       [&](const core::Event& e) { return e.code == code && e.edge == edge; });
  }
  /// The inverter reports no battery power (a SunSpec profile): the controller judges from the
  /// BMS's V x I, which the test then sets through the pack current. Returns the pack voltage.
  double measure_at_battery() {
    plant_follows = false;
    in.snapshot.inverter.battery_power_w.reset();
    return in.snapshot.pack.voltage_v.value_or(52.0);
  }
  /// Start up into `mode` (manual 1000 W by default) and run until a set_power goes out.
  void start(config::OperatingMode mode = config::OperatingMode::manual,
             double setpoint_w = 1000.0) {
    in.request.mode = mode;
    in.request.manual_setpoint_w = setpoint_w;
    steps(3);
  }
};

}  // namespace bessd::testing
