#pragma once
// Incremental rollups: min/mean/max per field and energy sums over fixed wall-clock buckets
// (1 minute, 15 minutes), updated one sample at a time, never by rescanning. Pure; used by both
// SqliteStore and MemoryStore.

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include <bessd/storage/history.hpp>
#include <bessd/storage/telemetry_sample.hpp>

namespace bessd::storage {

struct RollupBucket {
  std::int64_t start_ms{0};  // Unix ms, a multiple of the width
  std::uint32_t samples{0};
  std::array<std::uint32_t, kTelemetryFieldCount> counts{};
  std::array<double, kTelemetryFieldCount> sums{};
  std::array<double, kTelemetryFieldCount> mins{};
  std::array<double, kTelemetryFieldCount> maxs{};
  double charge_wh{0.0};
  double discharge_wh{0.0};
  std::string last_state;
  std::string last_mode;

  std::array<FieldStats, kTelemetryFieldCount> stats() const;
};

class RollupAccumulator {
 public:
  /// `width_ms`: bucket width. `max_gap_s`: a longer silence between two samples is a gap, and
  /// no energy is integrated across it (the battery power then is unknown).
  RollupAccumulator(std::int64_t width_ms, double max_gap_s);

  /// Adds one sample. Returns the bucket that this sample completed, if it is the first of a new
  /// bucket. Samples older than the open bucket are ignored (returns nullopt, counted).
  std::optional<RollupBucket> add(const TelemetrySample& sample);
  /// The bucket still open (partial), if any.
  const std::optional<RollupBucket>& open_bucket() const { return open_; }
  std::uint64_t out_of_order() const { return out_of_order_; }
  std::int64_t width_ms() const { return width_ms_; }

 private:
  void integrate_into(RollupBucket& b, double power_w, std::int64_t from_ms, std::int64_t to_ms);

  std::int64_t width_ms_;
  std::int64_t max_gap_ms_;
  std::optional<RollupBucket> open_;
  std::optional<std::int64_t> prev_ms_;
  std::optional<double> prev_power_w_;
  std::uint64_t out_of_order_{0};
};

}  // namespace bessd::storage
