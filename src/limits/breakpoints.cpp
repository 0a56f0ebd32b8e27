#include <bessd/limits/breakpoints.hpp>

namespace bessd::limits {

double interpolate(const config::Breakpoints& table, double x) noexcept {
  if (table.empty()) return 1.0;
  if (x <= table.front().first) return table.front().second;
  if (x >= table.back().first) return table.back().second;
  for (std::size_t i = 1; i < table.size(); ++i) {
    const auto& [x1, y1] = table[i];
    if (x <= x1) {
      const auto& [x0, y0] = table[i - 1];
      const double span = x1 - x0;
      if (span <= 0.0) return y1;  // duplicate x: take the later point (never divide by 0)
      return y0 + (y1 - y0) * (x - x0) / span;
    }
  }
  return table.back().second;
}

bool is_valid_factor_table(const config::Breakpoints& table) noexcept {
  for (std::size_t i = 0; i < table.size(); ++i) {
    if (table[i].second < 0.0 || table[i].second > 1.0) return false;
    if (i > 0 && !(table[i].first > table[i - 1].first)) return false;
  }
  return true;
}

}  // namespace bessd::limits
