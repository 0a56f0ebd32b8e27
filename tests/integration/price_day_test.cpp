// A night on an Agile-like tariff (docs/schedules.md "Planning by price"): bess-sim's site models
// (pack, BMS, inverter, house: the physics the simulator serves over CAN and Modbus) driven by
// the daemon's control loop with a ManualClock, from 16:00 to 07:00 in 10-second steps. Checked:
// the grid charges the battery only in the cheap slots, the target is there by 07:00, no limit
// is broken, a restart at 02:00 resumes the plan, and the night costs less than self-consumption
// alone. The figures are printed for docs/schedules.md.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>

#include <gtest/gtest.h>

#include <bessd/app/control_loop.hpp>
#include <bessd/config/config_loader.hpp>
#include <bessd/sim/sim_world.hpp>

namespace bessd {
namespace {

using namespace std::chrono;

const WallTime kStart = sys_days{year{2026} / 12 / 5} + hours{16};  // Saturday, GMT
constexpr int kNightSeconds = 15 * 3600;                            // to 07:00
constexpr int kDaySeconds = 24 * 3600;                              // to 16:00
constexpr seconds kStep{10};

// Agile's winter shape (p/kWh, VAT included): the 16:00–19:00 peak, a dear evening, the night
// trough from 01:00 to 05:00 with its cheapest hour around 03:00, dearer again from 05:00.
// Outgoing pays about half. As Octopus publishes them: at 16:00 the prices up to 23:00 the next
// day are known, from 12:00 on the first day.
std::shared_ptr<const energy::PriceList> agile_published_at(WallTime published) {
  auto list = std::make_shared<energy::PriceList>();
  list->currency = "p";
  const WallTime from = kStart - hours{4};
  const WallTime until = floor<days>(published) + days{1} + hours{23};
  for (int i = 0; from + minutes{30 * i} < until; ++i) {
    const double h = std::fmod(12.0 + i / 2.0, 24.0);
    double p = 22.0 + 3.0 * std::sin(i * 1.3);
    if (h >= 16 && h < 19) p = 38.0 + 2.0 * std::sin(i);
    if (h >= 23 || h < 1) p = 16.0 - 0.5 * (i % 3);
    if (h >= 1 && h < 5) p = 9.0 - 3.0 * std::exp(-std::pow(h - 3.0, 2)) + 0.2 * (i % 2);
    if (h >= 5 && h < 7) p = 18.0;
    energy::PriceSlot s;
    s.start = from + minutes{30 * i};
    s.end = s.start + minutes{30};
    s.import_per_kwh = std::round(p * 100) / 100;
    s.export_per_kwh = std::round((p * 0.5 + 1.5) * 100) / 100;
    list->slots.push_back(s);
  }
  return list;
}

config::Config site_config(bool by_price) {
  const std::string schedule = by_price ? R"(, "schedule": {"time_zone": "Europe/London",
          "outside": {"action": "self_consumption"},
          "by_price": {"file": "/var/lib/bessd/prices.json", "ready_by": "07:00",
                       "target_soc_pct": 90, "charge_power_w": 2500,
                       "round_trip_efficiency_pct": 92}})"
                                        : "";
  return config::parse_config(R"({"site": {"jurisdiction": "GB", "location": "outdoor_wall"},
      "battery": {"chemistry": "LFP", "nominal_energy_kwh": 5.12},
      "control": {"mode": ")" +
                              std::string(by_price ? "schedule" : "self_consumption") +
                              R"(", "min_soc_pct": 10, "period_ms": 1000})" + schedule + "}");
}

sim::WorldParams world_params() {
  sim::WorldParams p;
  p.pack.initial_soc_pct = 45;
  p.pack.capacity_ah = 100;  // 5.12 kWh
  p.start_seconds_of_day = 16 * 3600.0;
  p.house.pv_peak_w = 600;  // December
  return p;
}

// The second day of two (16:00 to 16:00), once the first has brought both runs to their own
// routine.
struct DayResult {
  double cost_p{0.0};  // what the grid was paid less what it paid
  double soc_at_start{0.0};
  double soc_at_7{0.0};
  double soc_at_end{0.0};
  double min_soc{100.0};
  double max_soc{0.0};
  double grid_charge_kwh{0.0};    // the battery charging while the grid imports
  double trough_charge_kwh{0.0};  // ... in the 01:00–05:00 trough
  double dearest_grid_charge_price{-1e9};
};

core::InverterState inverter_of(const sim::SiteReadings& site, TimePoint now) {
  core::InverterState inv;
  inv.online = true;
  inv.battery_power_w = site.battery_power_w;
  inv.grid_power_w = site.grid_power_w;
  inv.pv_power_w = site.pv_w;
  inv.ac_power_w = site.ac_power_w;
  inv.rated_power_w = 5000;
  inv.read_at = now;
  return inv;
}

// The daemon's control loop around the simulated site for two days. `restart_at_s`: the loop (and
// with it the plan) is thrown away and built again then, as after a kill -9.
DayResult run_days(bool by_price, std::optional<int> restart_at_s = std::nullopt) {
  const auto cfg = site_config(by_price);
  sim::SimWorld world(world_params());
  boost::asio::io_context io;
  ManualClock clock(kStart);
  control::MemoryFaultLatchStore latches;
  double commanded_w = 0.0;
  auto prices = agile_published_at(clock.wall_now());
  auto make_loop = [&] {
    app::ControlLoopSinks sinks;
    sinks.apply_command = [&](const core::InverterCommand& c, std::optional<TimePoint>) {
      if (c.kind == core::CommandKind::set_power) commanded_w = c.battery_power_w;
      if (c.kind == core::CommandKind::safe_state) commanded_w = 0.0;
    };
    auto loop = std::make_unique<app::ControlLoop>(io, clock, cfg, latches, std::move(sinks));
    loop->set_prices(prices);
    return loop;
  };
  auto loop = make_loop();
  DayResult r;
  const int step_s = static_cast<int>(kStep.count());
  for (int t = 0; t < 2 * kDaySeconds; t += step_s) {
    if (restart_at_s && t == *restart_at_s) loop = make_loop();
    if (t == kDaySeconds) {  // 16:00: tomorrow's prices are out
      prices = agile_published_at(clock.wall_now());
      loop->set_prices(prices);
    }
    const bool second_day = t >= kDaySeconds;
    const double soc_now = *world.bms_report().soc_pct;
    if (t == kDaySeconds) r.soc_at_start = soc_now;
    if (t == kDaySeconds + kNightSeconds) r.soc_at_7 = soc_now;
    auto pack = world.bms_report();
    pack.measured_at = pack.limits_at = pack.charge_at = pack.cells_at = pack.flags_at =
        clock.now();
    loop->set_pack(pack, false);
    loop->set_inverter(inverter_of(world.readings(), clock.now()));
    loop->step_now();
    world.command_battery_power(commanded_w);

    const auto before = world.energy();
    world.advance(step_s);
    clock.advance(kStep);
    if (!second_day) continue;
    const auto& e = world.energy();
    const auto* slot = energy::slot_at(*prices, clock.wall_now() - seconds{1});
    r.cost_p += (e.grid_import_kwh - before.grid_import_kwh) * slot->import_per_kwh -
                (e.grid_export_kwh - before.grid_export_kwh) * slot->export_per_kwh.value_or(0.0);
    const double soc = *world.bms_report().soc_pct;
    r.min_soc = std::min(r.min_soc, soc);
    r.max_soc = std::max(r.max_soc, soc);
    const auto site = world.readings();
    if (site.battery_power_w > 300 && site.grid_power_w > 300) {
      r.grid_charge_kwh += site.battery_power_w * step_s / 3.6e6;
      if (slot->import_per_kwh <= 9.2) r.trough_charge_kwh += site.battery_power_w * step_s / 3.6e6;
      r.dearest_grid_charge_price = std::max(r.dearest_grid_charge_price, slot->import_per_kwh);
    }
  }
  r.soc_at_end = *world.bms_report().soc_pct;
  return r;
}

TEST(PriceDay, AnAgileNightChargesInTheCheapSlotsAndTheDayCostsLessThanSelfConsumption) {
  const auto planned = run_days(true);
  const auto alone = run_days(false);
  std::printf(
      "second day, 16:00 to 16:00: by price %.1f p (SOC %.1f %% -> %.1f %% at 07:00 -> "
      "%.1f %%; %.2f kWh from the grid into the battery, %.2f of them in the trough, at %.2f p "
      "at most); "
      "self-consumption alone %.1f p (SOC %.1f %% -> %.1f %% -> %.1f %%)\n",
      planned.cost_p, planned.soc_at_start, planned.soc_at_7, planned.soc_at_end,
      planned.grid_charge_kwh, planned.trough_charge_kwh, planned.dearest_grid_charge_price,
      alone.cost_p, alone.soc_at_start, alone.soc_at_7, alone.soc_at_end);
  // 90 % due at 07:00 (the BMS's SOC, a point either way).
  EXPECT_GE(planned.soc_at_7, 88.5);
  EXPECT_LE(planned.max_soc, 91.5);
  EXPECT_GE(planned.min_soc, 9.0);
  // The grid charged the battery in the trough (01:00–05:00, at most 9.2 p), and enough; what
  // the house took between the trough and 07:00 may be topped up before 07:00.
  EXPECT_GT(planned.trough_charge_kwh, 3.0);
  EXPECT_GE(planned.trough_charge_kwh, 0.85 * planned.grid_charge_kwh);
  EXPECT_LE(planned.dearest_grid_charge_price, 19.0);
  // The day costs less. A change of what is stored over the day is valued at the night's
  // cheapest price, so a fuller pack is not counted as a saving it has not made.
  const double stored_kwh =
      (planned.soc_at_end - planned.soc_at_start - (alone.soc_at_end - alone.soc_at_start)) / 100 *
      5.12;
  EXPECT_LT(planned.cost_p - stored_kwh * 6.0, alone.cost_p);
  EXPECT_GE(alone.min_soc, 9.0);
}

TEST(PriceDay, ARestartAt0200ResumesThePlan) {
  const auto r = run_days(true, kDaySeconds + 10 * 3600);  // 16:00 + 10 h on the second day
  EXPECT_GE(r.soc_at_7, 88.5);
  EXPECT_GE(r.trough_charge_kwh, 0.85 * r.grid_charge_kwh);
  EXPECT_LE(r.max_soc, 91.5);
}

}  // namespace
}  // namespace bessd
