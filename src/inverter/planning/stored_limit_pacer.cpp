#include <bessd/inverter/planning/stored_limit_pacer.hpp>

#include <algorithm>

namespace bessd::inverter {

double StoredLimitPacer::next(double wanted, TimePoint now) {
  last_wanted_ = wanted;
  // A block that ends reopens at once, but once per interval only: an envelope wandering
  // around the device's first step (96 W written as 0 on a 100 W grid, then 104 W) would
  // otherwise write 0 and 100 in turn.
  const bool reopen = held_ && *held_ <= 0.0 && wanted > *held_ &&
                      (!last_reopen_at_ || now - *last_reopen_at_ >= loosen_after_);
  if (!held_ || wanted <= *held_ || reopen) {
    if (reopen) last_reopen_at_ = now;
    held_ = wanted;
    above_since_.reset();
    return wanted;
  }
  if (!above_since_) {
    above_since_ = now;
    lowest_above_ = wanted;
  } else {
    lowest_above_ = std::min(lowest_above_, wanted);
  }
  if (now - *above_since_ >= loosen_after_) {
    held_ = lowest_above_;
    above_since_.reset();
  }
  return *held_;
}

}  // namespace bessd::inverter
