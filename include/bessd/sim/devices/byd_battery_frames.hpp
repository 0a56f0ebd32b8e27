#pragma once
// A BYD Battery-Box HVS's broadcast for one BMS report (docs/simulator.md, "BYD Battery-Box
// HVS"): the limits frame (0x110, every 2 s on a real battery), the 10 s frames (0x150, 0x1D0,
// 0x210) and the identification burst a battery sends when its inverter asks (0x151). Pure.

#include <vector>

#include <bessd/can/can_frame.hpp>
#include <bessd/core/pack_state.hpp>

namespace bessd::sim {

/// 0x110 for `report`: a direction the report does not allow gets a 0 A limit, as BYD does.
can::CanFrame byd_limits_frame(const core::PackState& report);
/// 0x150, 0x1D0 and 0x210 (+ = charging current).
std::vector<can::CanFrame> byd_state_frames(const core::PackState& report);
/// 0x250, 0x290, 0x2D0 and the four 0x3D0 segments.
std::vector<can::CanFrame> byd_identification_burst(const core::PackState& report);

}  // namespace bessd::sim
