// Storage benchmarks (figures go to docs/performance.md):
//  - BM_SustainedInsert: telemetry samples per second through SqliteStore (enqueue, batch,
//    encode, rollups, retention), on a file in $TMPDIR.
//  - BM_OneDayHistoryMinute: a one-day history query at 1-minute resolution on a database that
//    holds a simulated year at 1 Hz with the default retention. The year is generated on first
//    use (synthetic timestamps, as fast as the store accepts them) into $BESSD_BENCH_YEAR_DB
//    (default /tmp/bessd-year.db) and reused later; the counters report its size.
// Run: bench/storage/run_storage_bench.sh (builds the release preset and runs both).

#include <benchmark/benchmark.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <thread>

#include <bessd/storage/sqlite_store.hpp>

namespace {

using namespace std::chrono_literals;
using bessd::WallTime;
using namespace bessd::storage;

constexpr double kPi = 3.14159265358979323846;

/// A plausible home: PV by day, a noisy load, the battery covering the difference within its
/// limits, SoC integrating, voltage following SoC, temperatures with a daily swing.
class HouseSimulator {
 public:
  explicit HouseSimulator(WallTime start) : at_(start), rng_(42) {}

  TelemetrySample next() {
    const double day_s = std::fmod(static_cast<double>(step_), 86'400.0);
    const double pv = std::max(0.0, 4000.0 * std::sin(kPi * (day_s - 21'600.0) / 43'200.0)) *
                      (0.8 + 0.2 * uniform_(rng_));
    const double load = 350.0 + 150.0 * uniform_(rng_) + (spike_ > 0 ? 2500.0 : 0.0);
    if (spike_ > 0) --spike_;
    if (uniform_(rng_) < 0.0005) spike_ = 600;  // a kettle or an oven now and then
    double battery = pv - load;                 // + = charging
    if (soc_ > 95.0 && battery > 0) battery = 0;
    if (soc_ < 10.0 && battery < 0) battery = 0;
    battery = std::clamp(battery, -3000.0, 3000.0);
    soc_ += battery / 3600.0 / 10'000.0 * 100.0;  // a 10 kWh pack, one-second steps
    const double voltage = 48.0 + 0.06 * soc_ + 0.002 * noise_(rng_);
    const double temp = 18.0 + 4.0 * std::sin(2 * kPi * day_s / 86'400.0) + 0.05 * noise_(rng_);

    TelemetrySample s;
    s.at = at_;
    s.pack_voltage_v = voltage;
    s.pack_current_a = battery / voltage;
    s.pack_power_w = battery;
    s.pack_temperature_c = temp;
    s.soc_pct = std::round(soc_);
    s.soh_pct = 97.0;
    s.cell_voltage_min_v = voltage / 16.0 - 0.004 - 0.001 * std::fabs(noise_(rng_));
    s.cell_voltage_max_v = voltage / 16.0 + 0.004 + 0.001 * std::fabs(noise_(rng_));
    s.cell_temperature_min_c = std::round((temp - 1.0) * 10) / 10;
    s.cell_temperature_max_c = std::round((temp + 1.5) * 10) / 10;
    s.bms_charge_current_limit_a = soc_ > 90 ? 25.0 : 50.0;
    s.bms_discharge_current_limit_a = 50.0;
    s.bms_charge_voltage_limit_v = 53.2;
    s.inverter_battery_power_w = std::round(battery + 5.0 * noise_(rng_));
    s.grid_power_w = std::round(load - pv + battery + 10.0 * noise_(rng_));
    s.pv_power_w = std::round(pv);
    s.ac_power_w = std::round(pv - battery);
    s.setpoint_readback_w = std::round(battery);
    s.charge_power_max_w = soc_ > 90 ? 1250.0 : 2500.0;
    s.discharge_power_max_w = 2500.0;
    s.charge_current_max_a = soc_ > 90 ? 25.0 : 50.0;
    s.discharge_current_max_a = 50.0;
    s.charge_voltage_max_v = 53.2;
    s.command_power_w = std::round(battery);
    s.controller_state = "running";
    s.controller_mode = day_s < 3600 ? "scheduled_charge" : "self_consumption";
    at_ += 1s;
    ++step_;
    return s;
  }

 private:
  WallTime at_;
  std::int64_t step_{0};
  std::mt19937 rng_;
  std::uniform_real_distribution<double> uniform_{0.0, 1.0};
  std::normal_distribution<double> noise_{0.0, 1.0};
  double soc_{50.0};
  int spike_{0};
};

/// Feeds without overflowing the queue (the benchmark measures the writer, not drops).
void feed(SqliteStore& store, HouseSimulator& sim, std::int64_t samples) {
  for (std::int64_t i = 0; i < samples; ++i) {
    store.append_telemetry(sim.next());
    if (i % 256 == 0) {
      while (store.metrics().queue_depth > 3000) std::this_thread::yield();
    }
  }
  store.flush().wait();
}

SqliteStoreOptions options(const std::string& path) {
  SqliteStoreOptions o;
  o.config.path = path;
  return o;
}

void BM_SustainedInsert(benchmark::State& state) {
  const auto path = std::filesystem::temp_directory_path() / "bessd-bench-insert.db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
  SqliteStore store(options(path.string()));
  HouseSimulator sim(WallTime{std::chrono::seconds{1'700'000'000}});
  const std::int64_t per_iteration = state.range(0);
  for (auto _ : state) feed(store, sim, per_iteration);
  state.SetItemsProcessed(state.iterations() * per_iteration);
  const auto m = store.metrics();
  state.counters["dropped"] = static_cast<double>(m.telemetry_dropped);
  state.counters["batches"] = static_cast<double>(m.batches_committed);
}
BENCHMARK(BM_SustainedInsert)->Arg(100'000)->Unit(benchmark::kMillisecond)->UseRealTime();

std::string year_db_path() {
  const char* env = std::getenv("BESSD_BENCH_YEAR_DB");
  return env ? env : (std::filesystem::temp_directory_path() / "bessd-year.db").string();
}

/// A simulated year at 1 Hz ending at `end`, with the default retention running as it goes.
double generate_year(const std::string& path, WallTime start) {
  for (const char* suffix : {"", "-wal", "-shm", ".done"}) std::filesystem::remove(path + suffix);
  const auto t = std::chrono::steady_clock::now();
  {
    SqliteStore store(options(path));
    HouseSimulator sim(start);
    constexpr std::int64_t kYear = 365LL * 86'400;
    constexpr std::int64_t kChunk = 86'400 * 7;
    for (std::int64_t done = 0; done < kYear; done += kChunk) {
      feed(store, sim, std::min(kChunk, kYear - done));
      std::fprintf(stderr, "\rsimulated %3lld of 365 days",
                   static_cast<long long>((done + kChunk) / 86'400));
    }
    std::fprintf(stderr, "\n");
  }
  std::FILE* f = std::fopen((path + ".done").c_str(), "w");
  if (f) std::fclose(f);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

void BM_OneDayHistoryMinute(benchmark::State& state) {
  const std::string path = year_db_path();
  const WallTime start{std::chrono::seconds{1'672'531'200}};  // 2023-01-01T00:00:00Z
  double generation_s = 0;
  if (!std::filesystem::exists(path + ".done")) generation_s = generate_year(path, start);
  SqliteStore store(options(path));
  // A day in the middle of the year: only the 1-minute and 15-minute tiers hold it by now.
  const WallTime from = start + std::chrono::hours{24 * 200};
  HistoryQuery q{from, from + 24h, Resolution::minute, {}};
  std::size_t points = 0;
  for (auto _ : state) {
    auto h = store.history(q);
    if (!h) {
      state.SkipWithError(h.error().message.c_str());
      return;
    }
    points = h->points.size();
    benchmark::DoNotOptimize(h);
  }
  std::uintmax_t bytes = std::filesystem::file_size(path);
  if (std::filesystem::exists(path + "-wal")) bytes += std::filesystem::file_size(path + "-wal");
  state.counters["points"] = static_cast<double>(points);
  state.counters["db_MB"] = static_cast<double>(bytes) / 1e6;
  if (generation_s > 0) state.counters["year_generation_s"] = generation_s;
}
BENCHMARK(BM_OneDayHistoryMinute)->Unit(benchmark::kMillisecond)->Iterations(50);

}  // namespace

BENCHMARK_MAIN();
