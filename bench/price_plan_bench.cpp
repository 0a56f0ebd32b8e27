// Cost of planning by price (docs/schedules.md "Planning by price"): an Agile-like curve of
// half-hour slots with import and export prices, the deadline at the end of the list, sales
// allowed (the costly part: each export slot looks for cheaper slots after it). Target: 7 days
// (336 slots) in 10 ms or less on the gateway. Run: build/release/bench/price_plan_bench
#include <benchmark/benchmark.h>

#include <chrono>
#include <cmath>

#include <bessd/control/price_plan.hpp>

namespace {

using namespace bessd;
using namespace std::chrono;

// A day of Agile's shape: cheap after midnight, a 16:00–19:00 peak, a dip after noon on sunny
// days; export about half of import. Deterministic so runs compare.
energy::PriceList agile_like(WallTime start, int days) {
  energy::PriceList list;
  list.currency = "p";
  for (int i = 0; i < days * 48; ++i) {
    const double hour = (i % 48) / 2.0;
    double p = 18 + 6 * std::sin((hour - 9) / 24 * 2 * M_PI) + 3 * std::sin(i * 0.7);
    if (hour >= 16 && hour < 19) p += 17;
    if (hour >= 1 && hour < 5) p -= 9;
    if (hour >= 12 && hour < 15 && (i / 48) % 3 == 0) p -= 20;  // plunge: may go negative
    energy::PriceSlot s;
    s.start = start + minutes{30 * i};
    s.end = s.start + minutes{30};
    s.import_per_kwh = p;
    s.export_per_kwh = 0.5 * p + 2;
    list.slots.push_back(s);
  }
  return list;
}

void plan(benchmark::State& state) {
  const int days = static_cast<int>(state.range(0));
  const WallTime start = sys_days{year{2026} / 12 / 5} + hours{18};
  const auto prices = agile_like(start, days);
  control::PlanRequest r;
  r.now = start + minutes{7};
  r.deadline = start + hours{24 * days};
  r.soc_pct = 35;
  r.target_soc_pct = 95;
  r.reserve_soc_pct = 20;
  r.capacity_kwh = 13.5;
  r.charge_power_w = 3600;
  r.sell_power_w = 5000;
  r.sell_margin_per_kwh = 0.5;
  for (auto _ : state) {
    auto p = control::plan_by_price(prices, r);
    benchmark::DoNotOptimize(p.charge_cost);
  }
  state.counters["slots"] = static_cast<double>(prices.slots.size());
}
BENCHMARK(plan)->Arg(1)->Arg(7)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
