#pragma once
// How the energy counters are kept in the store between runs (docs/api.md "Energy counters"): one
// stored counter per flow, and the time counting began.

#include <optional>
#include <vector>

#include <bessd/common/clock.hpp>
#include <bessd/control/lifetime_tracker.hpp>
#include <bessd/energy/energy_counters.hpp>
#include <bessd/storage/records.hpp>

namespace bessd::app {

struct StoredEnergy {
  energy::EnergyTotals totals;
  std::optional<WallTime> since;     // absent: never counted here before
  std::optional<WallTime> saved_at;  // when the totals were stored last
};

std::vector<storage::LifetimeCounter> energy_records(const energy::EnergyTotals& totals,
                                                     WallTime since, WallTime now);
/// The counters found among all stored ones; a negative or non-finite value (a damaged row)
/// counts from 0 rather than going backwards from a wrong figure.
StoredEnergy stored_energy(const std::vector<storage::LifetimeCounter>& stored);

/// The battery's lifetime counters (the derived values of docs/api.md "GET /v1/health") as stored
/// rows, one per counter, with the state the counting goes on from (whether a deep discharge is
/// armed, the SOC when counting began); the resistance and that SOC only once known.
std::vector<storage::LifetimeCounter> lifetime_records(const control::LifetimeCounters& counters,
                                                       WallTime now);
/// The lifetime counters found among all stored ones; a damaged row (negative, non-finite) is
/// skipped like an energy row, so that counter starts from 0.
control::LifetimeCounters stored_lifetime(const std::vector<storage::LifetimeCounter>& stored);

/// The rows of the counters above that stored_energy() and stored_lifetime() leave aside (not a
/// finite count of at least 0, an SOC above 100 %): each such counter goes on from 0, and the
/// journal should say which.
std::vector<storage::LifetimeCounter> damaged_counters(
    const std::vector<storage::LifetimeCounter>& stored);

}  // namespace bessd::app
