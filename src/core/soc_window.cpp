#include <bessd/core/soc_window.hpp>

#include <cmath>
#include <cstdio>

namespace bessd::core {

std::string pct_text(double pct) {
  char text[32];
  const double tenths = std::round(pct * 10.0) / 10.0;
  if (std::abs(tenths - std::round(tenths)) < 1e-9)
    std::snprintf(text, sizeof text, "%.0f %%", tenths);
  else
    std::snprintf(text, sizeof text, "%.1f %%", tenths);
  return text;
}

SocWindow soc_window(double min_soc_pct, double max_soc_pct, double gap_pct,
                     std::optional<double> owner_reserve_pct,
                     std::optional<double> owner_target_pct) {
  SocWindow w;
  w.reserve_pct = min_soc_pct;
  w.target_pct = max_soc_pct;
  const std::string window = pct_text(min_soc_pct) + " to " + pct_text(max_soc_pct) +
                             " (control.min_soc_pct, control.max_soc_pct)";
  const auto set_aside = [&](const char* what, double pct) {
    if (!w.set_aside.empty()) w.set_aside += "; ";
    w.set_aside += std::string("the owner's ") + what + " of " + pct_text(pct) +
                   " does not fit the configured window " + window +
                   ", so the configured one "
                   "applies";
  };
  if (owner_reserve_pct && *owner_reserve_pct > min_soc_pct) {
    if (*owner_reserve_pct <= max_soc_pct - gap_pct) {
      w.reserve_pct = *owner_reserve_pct;
      w.owner_reserve = true;
    } else {
      set_aside("reserve", *owner_reserve_pct);
    }
  }
  if (owner_target_pct && *owner_target_pct < max_soc_pct) {
    if (*owner_target_pct >= min_soc_pct + gap_pct &&
        *owner_target_pct >= w.reserve_pct + gap_pct) {
      w.target_pct = *owner_target_pct;
      w.owner_target = true;
    } else {
      set_aside("charge target", *owner_target_pct);
    }
  }
  return w;
}

}  // namespace bessd::core
