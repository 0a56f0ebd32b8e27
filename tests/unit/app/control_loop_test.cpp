#include <bessd/app/control_loop.hpp>

#include <gtest/gtest.h>

#include <bessd/config/config_loader.hpp>

namespace bessd::app {
namespace {

config::Config test_config() {
  return config::parse_config(R"({"site": {"jurisdiction": "GB", "location": "outdoor_wall"},
      "battery": {"chemistry": "LFP", "nominal_energy_kwh": 5.0},
      "control": {"period_ms": 60000}})");
}

core::PackState healthy_pack(TimePoint at) {
  core::PackState p;
  p.voltage_v = 52.0;
  p.current_a = 0.0;
  p.temperature_c = 22.0;
  p.soc_pct = 50.0;
  p.soh_pct = 98.0;
  p.cell_voltage_min_v = 3.30;
  p.cell_voltage_max_v = 3.31;
  p.cell_temperature_min_c = 21.0;
  p.cell_temperature_max_c = 23.0;
  p.limits.charge_voltage_limit_v = 53.2;
  p.limits.charge_current_limit_a = 50.0;
  p.limits.discharge_current_limit_a = 50.0;
  p.measured_at = p.limits_at = p.charge_at = p.cells_at = at;
  return p;
}

struct Harness {
  boost::asio::io_context io;
  ManualClock clock;
  config::Config cfg = test_config();
  control::MemoryFaultLatchStore latches;
  std::vector<core::InverterCommand> commands;
  std::vector<std::optional<TimePoint>> safety_inputs;  // per command
  std::vector<core::Event> events;
  std::unique_ptr<ControlLoop> loop;

  explicit Harness(std::function<void(config::Config&)> adjust = {}) {
    if (adjust) adjust(cfg);
    ControlLoopSinks sinks;
    sinks.apply_command = [this](const core::InverterCommand& c, std::optional<TimePoint> at) {
      commands.push_back(c);
      safety_inputs.push_back(at);
    };
    sinks.event = [this](const core::Event& e) { events.push_back(e); };
    loop = std::make_unique<ControlLoop>(io, clock, cfg, latches, std::move(sinks));
  }
  bool saw_event(const std::string& code) const {
    for (const auto& e : events)
      if (e.code == code) return true;
    return false;
  }
};

TEST(ControlLoop, StepsOnStartAndAppliesACommand) {
  Harness h;
  h.loop->start();
  EXPECT_EQ(h.loop->steps(), 1U);
  ASSERT_EQ(h.commands.size(), 1U);
  // Nothing is written before the inverter has been read (state starting).
  EXPECT_EQ(h.commands[0].kind, core::CommandKind::none);
  EXPECT_EQ(h.loop->last_output().state, control::ControlState::starting);
}

TEST(ControlLoop, SafetyRelevantPackChangeStepsImmediately) {
  Harness h;
  h.loop->start();
  const auto before = h.loop->steps();
  h.loop->set_pack(healthy_pack(h.clock.now()), /*safety_relevant=*/false);
  const auto after_plain = h.loop->steps();
  h.loop->set_pack(healthy_pack(h.clock.now()), /*safety_relevant=*/true);
  EXPECT_EQ(h.loop->steps(), after_plain + 1);
  EXPECT_GE(after_plain, before);
}

// The command of a step run for a safety input carries when the input arrived, so that the
// driver can time its reaction (GET /metrics, bessd_safety_reaction_seconds); others do not.
TEST(ControlLoop, OnlyStepsForASafetyInputCarryItsTime) {
  Harness h;
  h.loop->start();
  h.loop->set_pack(healthy_pack(h.clock.now()), /*safety_relevant=*/true);
  ASSERT_FALSE(h.safety_inputs.empty());
  ASSERT_TRUE(h.safety_inputs.back().has_value());
  EXPECT_EQ(*h.safety_inputs.back(), h.clock.now());
  h.clock.advance(std::chrono::milliseconds{5});
  h.loop->step_now();
  ASSERT_FALSE(h.safety_inputs.back().has_value()) << "an operator's step is not a reaction";
  EXPECT_FALSE(h.safety_inputs.front().has_value()) << "the first step is not one either";
}

TEST(ControlLoop, FireAlarmEdgeStepsAndLatches) {
  Harness h([](config::Config& c) {
    c.control.fire_alarm.enabled = true;
    c.control.fire_alarm.path = "/dev/null";
  });
  h.loop->start();
  const auto n = h.loop->steps();
  h.loop->set_fire_alarm(true);
  EXPECT_EQ(h.loop->steps(), n + 1);
  EXPECT_TRUE(h.saw_event("ALM-01")) << "no ALM-01 event";
  h.loop->set_fire_alarm(true);  // no edge, no extra step
  EXPECT_EQ(h.loop->steps(), n + 1);
}

TEST(ControlLoop, StopCommandsTheSafeStateOnce) {
  Harness h;
  core::InverterState inv;
  inv.online = true;
  inv.battery_power_w = 0.0;
  inv.read_at = h.clock.now();
  h.loop->set_inverter_source([&]() -> std::optional<core::InverterState> { return inv; });
  h.loop->start();
  h.loop->stop();
  ASSERT_FALSE(h.commands.empty());
  EXPECT_EQ(h.commands.back().kind, core::CommandKind::safe_state);
  EXPECT_EQ(h.loop->last_output().state, control::ControlState::stopped);
  const auto n = h.commands.size();
  h.loop->stop();
  h.loop->step_now();  // ignored after stop
  EXPECT_EQ(h.commands.size(), n);
}

TEST(ControlLoop, OperatorRequestIsAppliedAtOnce) {
  Harness h;
  h.loop->start();
  control::OperatorRequest r;
  r.mode = config::OperatingMode::manual;
  r.manual_setpoint_w = 1500.0;
  const auto n = h.loop->steps();
  h.loop->set_request(r);
  EXPECT_EQ(h.loop->steps(), n + 1);
  EXPECT_EQ(h.loop->request().mode, config::OperatingMode::manual);
  EXPECT_DOUBLE_EQ(h.loop->request().manual_setpoint_w, 1500.0);
}

// docs/api.md, "PUT /v1/mode": an operator's mode with an expiry ends at the first step at or
// after it, and the configured mode returns; the daemon hears of it once.
TEST(ControlLoop, AnOperatorModeEndsAtItsExpiryAndTheConfiguredModeReturns) {
  Harness h([](config::Config& c) { c.control.mode = config::OperatingMode::self_consumption; });
  std::vector<control::OperatorRequest> expired;
  ControlLoopSinks sinks;
  sinks.mode_expired = [&](const control::OperatorRequest& r) { expired.push_back(r); };
  h.loop = std::make_unique<ControlLoop>(h.io, h.clock, h.cfg, h.latches, std::move(sinks));
  h.loop->start();
  control::OperatorRequest r;
  r.mode = config::OperatingMode::manual;
  r.manual_setpoint_w = -800.0;
  r.expires_at = h.clock.wall_now() + std::chrono::seconds(60);
  h.loop->set_request(r);
  EXPECT_TRUE(h.loop->operator_mode());
  h.clock.advance(std::chrono::milliseconds(59'999));
  h.loop->step_now();
  EXPECT_EQ(h.loop->request().mode, config::OperatingMode::manual);
  EXPECT_TRUE(expired.empty());
  h.clock.advance(std::chrono::milliseconds(1));
  h.loop->step_now();
  EXPECT_EQ(h.loop->request().mode, config::OperatingMode::self_consumption);
  EXPECT_FALSE(h.loop->request().expires_at.has_value());
  EXPECT_FALSE(h.loop->operator_mode());
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].mode, config::OperatingMode::manual);
  h.clock.advance(std::chrono::hours(1));
  h.loop->step_now();
  EXPECT_EQ(expired.size(), 1u);
}

TEST(ControlLoop, AModeWithoutExpiryStaysUntilChanged) {
  Harness h;
  h.loop->start();
  control::OperatorRequest r;
  r.mode = config::OperatingMode::manual;
  r.manual_setpoint_w = 500.0;
  h.loop->set_request(r);
  h.clock.advance(std::chrono::hours(24 * 365));
  h.loop->step_now();
  EXPECT_EQ(h.loop->request().mode, config::OperatingMode::manual);
  EXPECT_TRUE(h.loop->operator_mode());
}

// A reload's `control.mode` applies when no operator mode is in force, and never overrides one.
TEST(ControlLoop, AReloadedModeAppliesOnlyWithoutAnOperatorMode) {
  Harness h;
  h.loop->start();
  auto cfg = h.cfg;
  cfg.control.mode = config::OperatingMode::self_consumption;
  h.loop->reconfigure(cfg);
  EXPECT_EQ(h.loop->request().mode, config::OperatingMode::self_consumption);
  control::OperatorRequest idle;
  idle.mode = config::OperatingMode::idle;
  h.loop->set_request(idle);
  cfg.control.mode = config::OperatingMode::manual;
  h.loop->reconfigure(cfg);
  EXPECT_EQ(h.loop->request().mode, config::OperatingMode::idle);
}

// A fire alarm while bessd is stopping (the safe-state read-back) is still latched and stored:
// it must not be lost with the process. Other inputs no longer step the stopped loop.
TEST(ControlLoop, AFireAlarmWhileStoppingIsLatched) {
  Harness h([](config::Config& c) { c.control.fire_alarm.enabled = true; });
  h.loop->start();
  h.loop->stop();
  const auto n = h.commands.size();
  h.loop->step_now();
  EXPECT_EQ(h.commands.size(), n);
  h.loop->set_fire_alarm(true);
  EXPECT_EQ(h.commands.size(), n + 1);
  EXPECT_EQ(h.commands.back().kind, core::CommandKind::safe_state);
  bool latched = false;
  for (const auto& f : h.latches.faults()) latched = latched || f.id == "ALM-01";
  EXPECT_TRUE(latched);
}

}  // namespace
}  // namespace bessd::app

namespace bessd::app {
namespace {

// The energy counters (docs/api.md "Energy counters") integrate what each step sees, continue from
// the stored totals, and do not count a step the stop runs.
TEST(ControlLoop, EnergyIsCountedAtEveryStepFromTheStoredTotals) {
  Harness h;
  energy::EnergyTotals stored;
  stored.grid_import_kwh = 10.0;
  const WallTime since = WallTime{} + std::chrono::hours{480'000};
  const WallTime saved_at = since + std::chrono::hours{1};
  // Today's energy as stored before the restart goes with the totals.
  const Date day{std::chrono::year{2026}, std::chrono::month{12}, std::chrono::day{5}};
  energy::EnergyTotals morning;
  morning.grid_import_kwh = 1.5;
  const energy::DayEnergy stored_today{day, morning};
  h.loop->restore_energy(stored, since, saved_at, /*stored=*/true, stored_today);
  h.loop->start();
  for (int i = 0; i < 3600; ++i) {  // an hour at 1 s
    h.clock.advance(std::chrono::seconds{1});
    auto pack = healthy_pack(h.clock.now());
    pack.current_a = -1000.0 / 52.0;  // 1 kW out of the battery, at the BMS
    h.loop->set_pack(pack, false);
    core::InverterState inv;
    inv.online = true;
    inv.read_at = h.clock.now();
    inv.grid_power_w = 500.0;
    inv.pv_power_w = 2000.0;
    h.loop->set_inverter(inv);
    h.loop->step_now();
  }
  const auto& t = h.loop->energy_totals();
  EXPECT_NEAR(t.battery_discharged_kwh, 1.0, 0.001);
  EXPECT_NEAR(t.grid_import_kwh, 10.5, 0.001);
  EXPECT_NEAR(t.pv_kwh, 2.0, 0.001);
  EXPECT_NEAR(t.house_kwh, 3.5, 0.002);
  EXPECT_EQ(h.loop->energy_since(), since);
  // Red team 26h N2: people see only totals stored a save ago, so a crash never shows a lower
  // total after the restart than before it.
  using Shown = ControlLoop::ShownEnergy;
  EXPECT_EQ(h.loop->energy_shown(), (Shown{stored, saved_at, stored_today}))
      << "nothing stored this run";
  const auto first = t;
  const WallTime at = saved_at + std::chrono::hours{2};
  const energy::DayEnergy later_today{day, energy::plus(morning, first)};
  h.loop->energy_stored(first, at, later_today);
  EXPECT_EQ(h.loop->energy_shown(), (Shown{stored, saved_at, stored_today}))
      << "maybe not on disk yet";
  h.loop->energy_stored(first, at + std::chrono::seconds{10}, later_today);
  EXPECT_EQ(h.loop->energy_shown(), (Shown{first, at, later_today}));
  const auto before = t;
  h.clock.advance(std::chrono::seconds{1});
  h.loop->stop();
  EXPECT_EQ(h.loop->energy_totals(), before) << "the stop step counts nothing";
}

}  // namespace
}  // namespace bessd::app
