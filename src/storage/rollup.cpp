#include "rollup.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "value_codec.hpp"

namespace bessd::storage {

std::array<FieldStats, kTelemetryFieldCount> RollupBucket::stats() const {
  std::array<FieldStats, kTelemetryFieldCount> out{};
  for (std::size_t i = 0; i < kTelemetryFieldCount; ++i) {
    if (counts[i] == 0) continue;
    out[i].min = mins[i];
    out[i].max = maxs[i];
    out[i].mean = sums[i] / counts[i];
  }
  return out;
}

RollupAccumulator::RollupAccumulator(std::int64_t width_ms, double max_gap_s)
    : width_ms_(width_ms), max_gap_ms_(static_cast<std::int64_t>(std::llround(max_gap_s * 1000))) {}

void RollupAccumulator::integrate_into(RollupBucket& b, double power_w, std::int64_t from_ms,
                                       std::int64_t to_ms) {
  if (to_ms <= from_ms) return;
  const double wh = power_w * static_cast<double>(to_ms - from_ms) / 3'600'000.0;
  if (wh >= 0) {
    b.charge_wh += wh;
  } else {
    b.discharge_wh -= wh;
  }
}

std::optional<RollupBucket> RollupAccumulator::add(const TelemetrySample& sample) {
  const std::int64_t t = to_unix_ms(sample.at);
  // Floor division so that times before 1970 still land in the right bucket.
  const std::int64_t start =
      t >= 0 ? t - t % width_ms_ : t - (((t % width_ms_) + width_ms_) % width_ms_);
  if (open_ && start < open_->start_ms) {
    ++out_of_order_;
    return std::nullopt;
  }
  if (prev_ms_ && t < *prev_ms_) {
    ++out_of_order_;
    return std::nullopt;
  }

  // Energy since the previous sample: the previous power held until now (sample and hold),
  // split at the bucket boundary so each bucket gets its own share.
  const bool bridge = prev_ms_ && prev_power_w_ && (t - *prev_ms_) <= max_gap_ms_;
  std::optional<RollupBucket> completed;
  if (open_ && start != open_->start_ms) {
    if (bridge) integrate_into(*open_, *prev_power_w_, *prev_ms_, open_->start_ms + width_ms_);
    completed = std::move(open_);
    open_.reset();
  }
  if (!open_) {
    open_.emplace();
    open_->start_ms = start;
    if (bridge) integrate_into(*open_, *prev_power_w_, std::max(*prev_ms_, start), t);
  } else if (bridge) {
    integrate_into(*open_, *prev_power_w_, *prev_ms_, t);
  }

  RollupBucket& b = *open_;
  ++b.samples;
  const auto values = codec::values_of(sample);
  for (std::size_t i = 0; i < kTelemetryFieldCount; ++i) {
    if (!values[i] || !std::isfinite(*values[i])) continue;
    const double v = *values[i];
    if (b.counts[i] == 0) {
      b.mins[i] = v;
      b.maxs[i] = v;
    } else {
      b.mins[i] = std::min(b.mins[i], v);
      b.maxs[i] = std::max(b.maxs[i], v);
    }
    b.sums[i] += v;
    ++b.counts[i];
  }
  if (!sample.controller_state.empty()) b.last_state = sample.controller_state;
  if (!sample.controller_mode.empty()) b.last_mode = sample.controller_mode;

  prev_ms_ = t;
  const auto p = sample.battery_power_w();
  prev_power_w_ = (p && std::isfinite(*p)) ? p : std::nullopt;
  return completed;
}

}  // namespace bessd::storage
