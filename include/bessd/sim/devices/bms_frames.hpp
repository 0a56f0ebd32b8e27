#pragma once
// The Pylontech LV broadcast for one BMS report (docs/protocols.md): the frames a real pack sends
// once per period, in V1.2 (0x359 Pylon flags + 0x35C requests) or V1.3 (0x35A SMA/Victron
// alarm pairs + 0x35F battery info) flavour. Pure.

#include <vector>

#include <bessd/can/can_frame.hpp>
#include <bessd/core/pack_state.hpp>

namespace bessd::sim {

enum class PylontechFrameSet { v12, v13 };

/// Frames for `report` (+ = charging current, limits as magnitudes), in emission order.
/// `genuine`: only the frames a genuine Pylontech US-series pack sends (no 0x372 modules, no
/// 0x373 cell extremes, no 0x379 capacity), as in the captured sets of docs/protocols.md.
std::vector<can::CanFrame> pylontech_broadcast(const core::PackState& report, PylontechFrameSet set,
                                               bool genuine = false);

}  // namespace bessd::sim
