#pragma once
// Which rules hold each direction of power at zero right now, for people (GET /v1/status
// "protection"). Pure: read from one step's output. docs/protection.md explains every id.

#include <string>
#include <vector>

#include <bessd/control/controller.hpp>

namespace bessd::control {

struct DirectionBlocks {
  std::vector<std::string> charge;     // ids that block charging, in the order found
  std::vector<std::string> discharge;  // ids that block discharging
  friend bool operator==(const DirectionBlocks&, const DirectionBlocks&) = default;
};

/// From the protections' blocks, the active and latched faults (their policy rows), a
/// compliance block, and any other bound that closes a direction (the SOC reserve, a BMS limit
/// or enable bit at zero): its rule id, or else its cause kind ("bms_limit").
DirectionBlocks direction_blocks(const StepOutput& out);

}  // namespace bessd::control
