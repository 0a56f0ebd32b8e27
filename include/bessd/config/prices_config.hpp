#pragma once
// Flat energy prices (docs/api.md "GET /v1/energy"): optional; without them bessd gives no money
// figures, only kWh.

#include <optional>
#include <string>

namespace bessd::config {

struct PricesConfig {
  std::string currency;  // as the owner writes it: "GBP", "EUR", "£"
  double import_per_kwh{0.0};
  double export_per_kwh{0.0};
};

}  // namespace bessd::config
