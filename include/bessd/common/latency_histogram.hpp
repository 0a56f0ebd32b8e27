#pragma once
// LatencyHistogram: how long something took, counted in fixed buckets (cumulative, as a
// Prometheus histogram exposes them), with the sum and the largest value. Used for bessd's own
// reaction to a safety input (docs/api.md, "GET /metrics"). Fixed memory, no allocation after
// construction. Not thread-safe.

#include <array>
#include <cstddef>
#include <cstdint>

#include <bessd/common/clock.hpp>

namespace bessd {

class LatencyHistogram {
 public:
  /// Upper bounds of the buckets in seconds; a value above the last counts in +Inf only.
  static constexpr std::array<double, 12> kBoundsS{0.0005, 0.001, 0.002, 0.005, 0.01, 0.02,
                                                   0.05,   0.1,   0.2,   0.5,   1.0,  5.0};

  void record(Duration d);

  std::uint64_t count() const { return count_; }
  double sum_s() const { return sum_s_; }
  double max_s() const { return max_s_; }
  /// Observations at or below kBoundsS[bucket].
  std::uint64_t at_or_below(std::size_t bucket) const;

 private:
  std::array<std::uint64_t, kBoundsS.size()> in_bucket_{};  // not cumulative
  std::uint64_t count_{0};
  double sum_s_{0.0};
  double max_s_{0.0};
};

}  // namespace bessd
