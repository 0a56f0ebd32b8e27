#pragma once
// A Pylontech HV pack's answers for one BMS report (docs/simulator.md, "Pylontech HV pack"): the
// ensemble burst (0x4210-0x4290) a pack sends after a 0x4200 poll with byte 0 = 0x00, and the
// system burst (0x7310-0x7340) after byte 0 = 0x02, at the pack's address. Pure.

#include <cstdint>
#include <vector>

#include <bessd/can/can_frame.hpp>
#include <bessd/core/pack_state.hpp>

namespace bessd::sim {

/// Frames for `report` (+ = charging current, limits as magnitudes), in the order a pack sends
/// them. A report that does not allow charging carries a charge cut-off of 0 V, as packs do.
std::vector<can::CanFrame> hv_ensemble_burst(const core::PackState& report, std::uint8_t address);
std::vector<can::CanFrame> hv_system_burst(const core::PackState& report, std::uint8_t address);

}  // namespace bessd::sim
