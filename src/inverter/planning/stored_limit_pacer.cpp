#include <bessd/inverter/planning/stored_limit_pacer.hpp>

#include <algorithm>

namespace bessd::inverter {

double StoredLimitPacer::next(double wanted, TimePoint now) {
  if (!held_ || wanted <= *held_ || *held_ <= 0.0) {
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
