// Cost of one control step: LimitsEngine::compute + the Controller state machine, on a running
// system in self-consumption with a derating rule active (the common case), and on a system in
// fault (the safe-state path). Run: build/release/bench/control_step_bench
#include <benchmark/benchmark.h>

#include <bessd/control/controller.hpp>

namespace {

using namespace bessd;

limits::LimitsInput snapshot(TimePoint now) {
  limits::LimitsInput in;
  auto& p = in.pack;
  p.voltage_v = 52.0;
  p.current_a = -20.0;
  p.soc_pct = 55.0;
  p.soh_pct = 98.0;
  p.capacity_ah = 100.0;
  p.cell_voltage_min_v = 3.28;
  p.cell_voltage_max_v = 3.32;      // inside the LFP taper: OP-V-02 active
  p.cell_temperature_min_c = 12.0;  // OP-T-02 active
  p.cell_temperature_max_c = 14.0;
  p.limits.charge_current_limit_a = 100.0;
  p.limits.discharge_current_limit_a = 100.0;
  p.limits.charge_voltage_limit_v = 56.8;
  for (std::size_t i = 0; i < core::kBmsConditionCount; ++i)
    p.protections.set(static_cast<core::BmsCondition>(i), core::FlagState::ok);
  p.requests.charge_enable = true;
  p.requests.discharge_enable = true;
  p.measured_at = p.limits_at = p.cells_at = p.flags_at = p.charge_at = now;
  in.inverter.online = true;
  in.inverter.battery_power_w = -1000.0;
  in.inverter.grid_power_w = 300.0;
  in.inverter.read_at = now;
  return in;
}

void run(benchmark::State& state, bool fault) {
  config::Config cfg;
  cfg.battery.series_cells = 16;
  cfg.battery.capacity_ah = 100.0;
  cfg.inverter.rated_power_w = 5000.0;
  cfg.site.grid_export_limit_w = 3680.0;
  control::MemoryFaultLatchStore store;
  if (fault) (void)store.latch({"ALM-01", "bench", 0});
  control::Controller controller(control::ControllerSettings::from_config(cfg),
                                 limits::LimitsSettings::from_config(cfg), store);
  TimePoint now{};
  control::StepInput in;
  in.snapshot = snapshot(now);
  in.request.mode = config::OperatingMode::self_consumption;
  double house = 1300.0;
  for (auto _ : state) {
    now += std::chrono::milliseconds{1000};
    in.now = now;
    auto& p = in.snapshot.pack;
    p.measured_at = p.limits_at = p.cells_at = p.flags_at = p.charge_at = now;
    in.snapshot.inverter.read_at = now;
    house = house > 2000.0 ? 300.0 : house + 37.0;  // a moving load keeps the controller busy
    in.snapshot.inverter.grid_power_w = house + *in.snapshot.inverter.battery_power_w;
    control::StepOutput out = controller.step(in);
    in.snapshot.inverter.battery_power_w = out.command.battery_power_w;
    benchmark::DoNotOptimize(out);
  }
}

void BM_ControlStepRunning(benchmark::State& state) {
  run(state, false);
}
void BM_ControlStepFault(benchmark::State& state) {
  run(state, true);
}

BENCHMARK(BM_ControlStepRunning);
BENCHMARK(BM_ControlStepFault);

}  // namespace

BENCHMARK_MAIN();
