#include <bessd/app/counter_keeper.hpp>

#include <chrono>
#include <utility>

#include <bessd/app/compliance_monitor.hpp>  // local_date
#include <bessd/app/energy_records.hpp>

namespace bessd::app {

CounterKeeper::CounterKeeper(storage::Store& store, ControlLoop& loop, const Clock& clock,
                             std::shared_ptr<spdlog::logger> log)
    : store_(store), loop_(loop), clock_(clock), log_(std::move(log)) {}

void CounterKeeper::restore() {
  auto counters = store_.load_counters();
  const WallTime now = clock_.wall_now();
  if (!counters) {
    log_->warn(
        "lifetime and energy counters not restored ({}): this run's counting is shown, not "
        "stored",
        counters.error().message);
    loop_.restore_energy({}, now, now, /*stored=*/false);
    return;
  }
  for (const auto& c : damaged_counters(*counters))
    log_->warn(
        "counter {} in the telemetry database holds {}, which is no count: left aside, it counts "
        "again from 0",
        c.key, c.value);
  StoredEnergy stored = stored_energy(*counters);
  // The time since the last save was not counted (the stop, and what a crash lost).
  if (stored.saved_at && now > *stored.saved_at)
    stored.totals.unmeasured_s += std::chrono::duration<double>(now - *stored.saved_at).count();
  // Today's energy so far, as stored: a restart goes on counting the day, not from 0.
  const Date today = local_date(now);
  energy_today_.reset();
  if (auto days = store_.energy_days(today, today); !days)
    log_->warn("today's energy not read back ({}): today counts from this start",
               days.error().message);
  else if (!days->empty())
    energy_today_ = days->back();
  loop_.restore_energy(stored.totals, stored.since.value_or(now), stored.saved_at.value_or(now),
                       /*stored=*/true, energy_today_);
  restored_ = true;
  energy_day_base_ = stored.totals;  // the time bessd was down is no day's measured time
  loop_.restore_lifetime(stored_lifetime(*counters));
}

void CounterKeeper::after_step(TimePoint now) {
  if (!last_counters_saved_at_ || now - *last_counters_saved_at_ >= std::chrono::minutes(1)) {
    last_counters_saved_at_ = now;
    last_energy_saved_at_ = now;
    save_all();
  }
  // A crash loses at most this much counting: a total shown once is then at most a few
  // watt-seconds ahead of the one after the restart (docs/api.md "Energy counters").
  if (!last_energy_saved_at_ || now - *last_energy_saved_at_ >= std::chrono::seconds(10)) {
    last_energy_saved_at_ = now;
    save_energy();
  }
}

void CounterKeeper::save_all() {
  if (!restored_) return;
  for (const auto& r : lifetime_records(loop_.lifetime_counters(), clock_.wall_now()))
    store_.save_counter(r);
  save_energy();
}

void CounterKeeper::save_energy() {
  if (!restored_ || !loop_.energy_since()) return;
  const WallTime now = clock_.wall_now();
  const energy::EnergyTotals& totals = loop_.energy_totals();
  for (auto& r : energy_records(totals, *loop_.energy_since(), now)) store_.save_counter(r);
  // What was counted since the last save goes to the local day of this one (a save every 10 s
  // puts at most that much on the wrong side of midnight).
  const energy::DayEnergy increase{local_date(now),
                                   energy::increase_between(energy_day_base_, totals)};
  store_.add_energy_day(increase);
  energy_today_ = energy::add_to_day(energy_today_, increase.day, increase.increase);
  energy_day_base_ = totals;
  loop_.energy_stored(totals, now, energy_today_);
}

}  // namespace bessd::app
