#pragma once
// The counters the controller integrates, kept in the store between runs (docs/api.md "Energy
// counters"): read back before the first step, the energy every 10 s and the lifetime counters
// every minute after a step, and once more at the stop. A crash loses at most 10 s of energy.

#include <memory>
#include <optional>

#include <spdlog/logger.h>

#include <bessd/app/control_loop.hpp>
#include <bessd/common/clock.hpp>
#include <bessd/energy/energy_periods.hpp>
#include <bessd/storage/store.hpp>

namespace bessd::app {

class CounterKeeper {
 public:
  CounterKeeper(storage::Store& store, ControlLoop& loop, const Clock& clock,
                std::shared_ptr<spdlog::logger> log);

  /// Before the loop starts: the stored totals go into the loop. A store that cannot be read
  /// leaves this run's energy shown but never stored (counting from 0 would overwrite the
  /// stored totals).
  void restore();
  /// After a step at steady time `now`: saves what is due.
  void after_step(TimePoint now);
  /// Everything now (the stop); nothing when restore() could not read the store.
  void save_all();

 private:
  void save_energy();

  storage::Store& store_;
  ControlLoop& loop_;
  const Clock& clock_;
  std::shared_ptr<spdlog::logger> log_;
  // Unset until the first step, which saves both (steady time has no meaningful origin).
  std::optional<TimePoint> last_counters_saved_at_;
  std::optional<TimePoint> last_energy_saved_at_;
  // The stored counters were read: this run may replace them. Until then nothing is saved, or
  // a run that started on a locked database would write its few minutes over years of totals.
  bool restored_{false};
  // The totals at the last save (or as restored): what each save adds to the day's energy.
  energy::EnergyTotals energy_day_base_{};
  std::optional<energy::DayEnergy> energy_today_;  // the local day's energy as stored
};

}  // namespace bessd::app
