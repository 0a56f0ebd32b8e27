// Write latency of the durable safety state (a latch, an acknowledgement, a mode change): one
// SafetyStateFile::save = write a temporary file, fsync, rename, fsync the folder. It runs on
// the control loop when a fault latches, so its tail matters; reported as p50/p99/max counters
// (microseconds). The folder is $BESSD_BENCH_DIR, else /var/tmp (a disk, like /var/lib/bessd;
// /tmp may be a tmpfs and measure nothing). Run: build/release/bench/safety_state_bench
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include <bessd/storage/safety_state_file.hpp>

namespace {

using namespace bessd;

std::filesystem::path bench_dir() {
  const char* base = std::getenv("BESSD_BENCH_DIR");
  std::string tmpl = std::string(base != nullptr ? base : "/var/tmp") + "/bessd-safety-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) return {};
  return tmpl;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  return v[i];
}

void BM_SafetyStateSave(benchmark::State& state) {
  const auto dir = bench_dir();
  if (dir.empty()) {
    state.SkipWithError("cannot create a folder for the benchmark");
    return;
  }
  storage::SafetyStateFile file(dir / "safety-state.json");
  (void)file.open();
  storage::SafetyState s;
  for (int i = 0; i < state.range(0); ++i)
    s.latches.push_back({"OP-FLAG-0" + std::to_string(i),
                         "the BMS reports a protection: over-temperature on module 3",
                         1'700'000'000'000 + i});
  s.mode = storage::SafetyMode{"manual",
                               -1500.0,
                               std::nullopt,
                               std::nullopt,
                               "uid 1000 (alice) pid 4242 via unix socket",
                               1'700'000'000'000};
  std::vector<double> us;
  us.reserve(4096);
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    auto st = file.save(s);
    const auto t1 = std::chrono::steady_clock::now();
    if (!st) {
      state.SkipWithError(st.error().message.c_str());
      break;
    }
    us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
  }
  state.counters["p50_us"] = percentile(us, 0.50);
  state.counters["p99_us"] = percentile(us, 0.99);
  state.counters["max_us"] = us.empty() ? 0.0 : *std::max_element(us.begin(), us.end());
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}
BENCHMARK(BM_SafetyStateSave)->Arg(1)->Arg(8)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
