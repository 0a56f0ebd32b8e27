#pragma once
// The site's flows at one moment, from what the drivers last read (docs/api.md "Energy counters"):
// the battery from the inverter's own reading, else the BMS's voltage × current; grid and PV from
// the inverter; the house from the three. A reading older than `fresh_for` is left out, so a
// link that is down opens a gap instead of repeating its last value.

#include <bessd/common/clock.hpp>
#include <bessd/core/inverter_state.hpp>
#include <bessd/core/pack_state.hpp>
#include <bessd/energy/energy_counters.hpp>

namespace bessd::energy {

PowerSample power_sample(const core::PackState& pack, const core::InverterState& inverter,
                         TimePoint now, Duration fresh_for);

}  // namespace bessd::energy
