#pragma once
// The site's power flows for people: grid, PV, battery and the house they add up to, each with
// where its figure comes from (docs/api.md "GET /v1/status", `power_flow`).

#include <optional>
#include <string_view>

#include <bessd/api/status_dto.hpp>

namespace bessd::api {

struct PowerFlow {
  std::optional<double> grid_w;     // + = import
  std::string_view grid_source;     // "inverter", "meter", or empty when unknown
  std::optional<double> pv_w;       // >= 0
  std::string_view pv_source;       // "inverter", "meter", or empty
  std::optional<double> battery_w;  // + = charging
  std::string_view battery_source;  // "inverter", "bms" (its V x I), or empty
  /// What the house uses: grid + PV − battery, when all three are known (a DC load on the
  /// battery bus is in it).
  std::optional<double> house_w;
};

PowerFlow power_flow(const StatusDto& status);

}  // namespace bessd::api
