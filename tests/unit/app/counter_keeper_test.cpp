// The controller's counters between runs (docs/api.md "Energy counters"): what one run stores,
// the next reads back, and a run that could not read them never overwrites them.
#include <bessd/app/counter_keeper.hpp>

#include <gtest/gtest.h>

#include <bessd/app/logging.hpp>
#include <bessd/config/config_loader.hpp>
#include <bessd/storage/memory_store.hpp>

namespace bessd::app {
namespace {

config::Config keeper_config() {
  return config::parse_config(R"({"site": {"jurisdiction": "GB", "location": "outdoor_wall"},
      "battery": {"chemistry": "LFP", "nominal_energy_kwh": 5.0},
      "control": {"period_ms": 60000}})");
}

// One run of the daemon as far as the counters go: a loop and its keeper on a shared store.
struct DaemonRun {
  boost::asio::io_context io;
  const ManualClock& clock;
  config::Config cfg = keeper_config();
  control::MemoryFaultLatchStore latches;
  std::unique_ptr<ControlLoop> loop;
  std::unique_ptr<CounterKeeper> keeper;

  DaemonRun(storage::Store& store, const ManualClock& c) : clock(c) {
    ControlLoopSinks sinks;
    sinks.apply_command = [](const core::InverterCommand&, std::optional<TimePoint>) {};
    sinks.event = [](const core::Event&) {};
    loop = std::make_unique<ControlLoop>(io, clock, cfg, latches, std::move(sinks));
    keeper = std::make_unique<CounterKeeper>(store, *loop, clock, logger("app"));
    keeper->restore();
  }
};

control::LifetimeCounters counted() {
  control::LifetimeCounters c;
  c.energy_charged_kwh = 1234.5;
  c.energy_discharged_kwh = 1100.25;
  c.capacity_charged_ah = 24'000.0;
  c.capacity_discharged_ah = 22'000.0;
  c.deep_discharge_count = 3;
  c.time_in_extreme_temperature_s = 7200.0;
  c.time_charging_in_extreme_temperature_s = 600.0;
  c.ohmic_resistance_ohm = 0.0123;
  c.deep_discharge_armed = false;
  c.first_soc_pct = 62.0;
  return c;
}

TEST(CounterKeeper, LifetimeCountersSurviveARestart) {
  storage::MemoryStore store;
  ManualClock clock;
  {
    DaemonRun first(store, clock);
    first.loop->restore_lifetime(counted());
    first.keeper->save_all();
  }
  clock.advance(std::chrono::minutes{5});
  DaemonRun second(store, clock);
  EXPECT_EQ(second.loop->lifetime_counters(), counted());
}

TEST(CounterKeeper, EnergySavedBeforeTheStopComesBackWithTheDowntimeUnmeasured) {
  storage::MemoryStore store;
  ManualClock clock;
  WallTime since;
  {
    DaemonRun first(store, clock);
    ASSERT_TRUE(first.loop->energy_since());
    since = *first.loop->energy_since();
    first.keeper->save_all();
  }
  clock.advance(std::chrono::minutes{5});
  DaemonRun second(store, clock);
  EXPECT_EQ(second.loop->energy_since(), since) << "counting goes on from the first start";
  EXPECT_NEAR(second.loop->energy_totals().unmeasured_s, 300.0, 1e-6);
}

TEST(CounterKeeper, SavesTheEnergyEveryTenSecondsAndTheLifetimeEveryMinute) {
  storage::MemoryStore store;
  ManualClock clock;
  DaemonRun run(store, clock);
  auto stored = [&](const std::string& key) -> std::optional<double> {
    const auto all = store.load_counters();
    for (const auto& c : all.value())
      if (c.key == key) return c.value;
    return std::nullopt;
  };
  run.keeper->after_step(clock.now());  // the first step saves both
  ASSERT_TRUE(stored("flow_since_unix_ms"));
  ASSERT_TRUE(stored("energy_charged_kwh"));
  auto c = counted();
  run.loop->restore_lifetime(c);
  clock.advance(std::chrono::seconds{10});
  run.keeper->after_step(clock.now());
  EXPECT_EQ(stored("energy_charged_kwh"), 0.0) << "the lifetime waits for its minute";
  clock.advance(std::chrono::seconds{50});
  run.keeper->after_step(clock.now());
  EXPECT_EQ(stored("energy_charged_kwh"), c.energy_charged_kwh);
  EXPECT_EQ(stored("deep_discharge_count"), 3.0);
}

// A store that cannot give its counters back.
class UnreadableCounters : public storage::MemoryStore {
 public:
  Result<std::vector<storage::LifetimeCounter>> load_counters() override {
    return fail(ErrorCode::io_error, "database is locked");
  }
};

TEST(CounterKeeper, TotalsThatCouldNotBeReadAreNeverOverwritten) {
  UnreadableCounters store;
  store.save_counter({"flow_grid_import_kwh", 4321.0, storage::CounterOrigin::derived, {}});
  store.save_counter({"energy_charged_kwh", 9876.0, storage::CounterOrigin::derived, {}});
  ManualClock clock;
  DaemonRun run(store, clock);
  run.loop->restore_lifetime(counted());
  run.keeper->after_step(clock.now());
  clock.advance(std::chrono::minutes{2});
  run.keeper->after_step(clock.now());
  run.keeper->save_all();
  int seen = 0;
  const auto all = store.MemoryStore::load_counters();
  for (const auto& c : all.value()) {
    if (c.key == "flow_grid_import_kwh") {
      EXPECT_EQ(c.value, 4321.0);
      ++seen;
    }
    if (c.key == "energy_charged_kwh") {
      EXPECT_EQ(c.value, 9876.0);
      ++seen;
    }
  }
  EXPECT_EQ(seen, 2) << "nothing added, nothing lost";
}

}  // namespace
}  // namespace bessd::app
