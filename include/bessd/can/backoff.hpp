#pragma once
// Exponential backoff for reconnect/restart attempts: min, 2*min, 4*min, ... capped at max.
// Pure value type; the transports hold one per retried operation.

#include <algorithm>

#include <bessd/common/clock.hpp>

namespace bessd::can {

class Backoff {
 public:
  Backoff(Duration min, Duration max) : min_(min), max_(std::max(min, max)), next_(min) {}
  /// The delay before the next attempt; each call doubles the following one up to max.
  Duration next() {
    const Duration d = next_;
    next_ = std::min(max_, next_ * 2);
    return d;
  }
  /// After a success: start again from min.
  void reset() { next_ = min_; }
  Duration peek() const { return next_; }

 private:
  Duration min_;
  Duration max_;
  Duration next_;
};

}  // namespace bessd::can
