#pragma once
// Which input changes are safety-relevant: the app runs Controller::step() immediately when one
// happens instead of waiting for the next control tick (issue 4, "reaction time"). They are:
//  - a BMS protection (alarm) item or a charge/discharge-enable request changes;
//  - the fire-alarm input changes;
//  - the compliance verdict changes (blocked / not blocked);
//  - the inverter link goes up or down;
//  - a BMS data part appears or disappears (the BmsMonitor's stale/lost edges also trigger);
//  - a cell voltage or temperature crosses a window edge (OP-V-01/03, OP-T-01/03/04);
//  - an operator request (mode, setpoint, ack) or the stop signal (the app triggers those itself).
// Pure; never throws.

#include <bessd/limits/limits_input.hpp>
#include <bessd/limits/limits_settings.hpp>

namespace bessd::control {

bool is_safety_relevant_change(const limits::LimitsInput& before, const limits::LimitsInput& after,
                               const limits::LimitsSettings& settings) noexcept;

/// The pack part alone (protections, enable requests, data parts, window edges): what a BMS
/// frame can change. The app calls it for every frame that changed the pack.
bool is_safety_relevant_change(const core::PackState& before, const core::PackState& after,
                               const limits::LimitsSettings& settings) noexcept;

}  // namespace bessd::control
