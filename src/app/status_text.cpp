#include <bessd/app/status_text.hpp>

#include <cmath>
#include <cstdio>

namespace bessd::app {

std::string status_text(const control::StepOutput& out, const core::PackState& pack) {
  std::string text(control::to_string(out.state));
  if (const auto p = pack.power_w()) {
    char buf[64];
    const double kw = std::abs(*p) / 1000.0;
    if (kw < 0.05)
      std::snprintf(buf, sizeof buf, ", idle");
    else
      std::snprintf(buf, sizeof buf, ", %.1f kW %s", kw, *p > 0 ? "charging" : "discharging");
    text += buf;
  }
  if (pack.soc_pct) {
    char buf[32];
    std::snprintf(buf, sizeof buf, ", SOC %.0f %%", *pack.soc_pct);
    text += buf;
  }
  if (!out.faults.empty()) text += ", fault " + out.faults.front().id;
  return text;
}

}  // namespace bessd::app
