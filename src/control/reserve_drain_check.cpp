#include <bessd/control/reserve_drain_check.hpp>

#include <algorithm>

namespace bessd::control {

bool ReserveDrainCheck::update(bool at_reserve, std::optional<double> pack_w, TimePoint now) {
  if (!at_reserve) {
    // Above the reserve (or discharging on purpose): nothing to say, and a verdict held ends.
    window_from_.reset();
    sum_w_ = 0.0;
    samples_ = 0;
    const bool edge = draining_;
    draining_ = false;
    return edge;
  }
  if (!pack_w) return false;  // no measurement: the window waits
  if (!window_from_) window_from_ = now;
  sum_w_ += std::max(0.0, -*pack_w);
  ++samples_;
  if (now - *window_from_ < kWindow) return false;
  const double mean_w = sum_w_ / samples_;
  window_from_.reset();
  sum_w_ = 0.0;
  samples_ = 0;
  const bool draining = mean_w > tolerance_w_;
  if (draining == draining_) return false;
  draining_ = draining;
  drain_w_ = mean_w;
  return true;
}

}  // namespace bessd::control
