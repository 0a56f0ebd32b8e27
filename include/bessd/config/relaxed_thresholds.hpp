#pragma once
// Installation-rule thresholds set looser than bessd's defaults (a larger energy cap, a smaller
// clearance or fire rating, an older grading report). They are allowed, since some rest on
// uncertain sources, but never silently: --check-config warns and every compliance report says
// so at the top (docs/compliance.md, "Thresholds"). Pure.

#include <string>
#include <vector>

#include <bessd/config/compliance_config.hpp>

namespace bessd::config {

struct RelaxedThreshold {
  std::string key;  // "min_fire_separation_rei" (under /compliance)
  double value{0.0};
  double default_value{0.0};
};

/// Every threshold of `c` that is looser than the default, in declaration order.
std::vector<RelaxedThreshold> relaxed_thresholds(const ComplianceConfig& c);

}  // namespace bessd::config
