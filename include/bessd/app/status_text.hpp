#pragma once
// The one-line state for systemd's STATUS= ("running, 1.8 kW charging, SOC 64 %").

#include <string>

#include <bessd/control/controller.hpp>
#include <bessd/core/pack_state.hpp>

namespace bessd::app {

std::string status_text(const control::StepOutput& out, const core::PackState& pack);

}  // namespace bessd::app
