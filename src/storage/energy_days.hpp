#pragma once
// SQL for the energy_days table: one row per local calendar day, each counter the increase
// counted on that day (docs/api.md "GET /v1/energy"). Adds go through the writer; reads run on
// whichever connection the caller owns.

#include <vector>

#include <bessd/common/date.hpp>
#include <bessd/common/result.hpp>
#include <bessd/energy/energy_periods.hpp>

#include "sqlite/database.hpp"

namespace bessd::storage::queries {

/// Adds ?2..?12 to the row of day ?1, creating it at 0.
extern const char* const kAddEnergyDay;
void bind_energy_day(sql::Statement& st, const energy::DayEnergy& increase);
Result<std::vector<energy::DayEnergy>> energy_days(sql::Connection& conn, Date from, Date to);

}  // namespace bessd::storage::queries
