#include <bessd/common/latency_histogram.hpp>

#include <algorithm>
#include <chrono>

namespace bessd {

void LatencyHistogram::record(Duration d) {
  const double s = std::max(0.0, std::chrono::duration<double>(d).count());
  ++count_;
  sum_s_ += s;
  max_s_ = std::max(max_s_, s);
  const auto* it = std::lower_bound(kBoundsS.begin(), kBoundsS.end(), s);
  if (it != kBoundsS.end()) ++in_bucket_[static_cast<std::size_t>(it - kBoundsS.begin())];
}

std::uint64_t LatencyHistogram::at_or_below(std::size_t bucket) const {
  std::uint64_t n = 0;
  for (std::size_t i = 0; i <= bucket && i < in_bucket_.size(); ++i) n += in_bucket_[i];
  return n;
}

}  // namespace bessd
