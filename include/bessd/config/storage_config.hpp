#pragma once
#include <cstdint>
#include <string>

namespace bessd::config {

struct RetentionConfig {
  std::int64_t raw_days{7};
  std::int64_t minute_days{730};
  std::int64_t quarter_hour_days{0};  // 0 = keep forever
  // Events and the audit are bounded too: the oldest rows go first, by count, so that a fault
  // storm or a flood of writes cannot fill the disk.
  std::int64_t events_max_rows{100'000};  // ~25 MB at ~250 B a row
  std::int64_t audit_max_rows{100'000};
  // And by age, like telemetry (0 = by count only).
  std::int64_t events_days{730};
  std::int64_t audit_days{1825};
};

struct StorageConfig {
  std::string path{"/var/lib/bessd/bessd.db"};
  // The durable safety state (latches, operator's mode); empty = "safety-state.json" next to
  // the telemetry database. Put it on another filesystem to keep it off a full telemetry disk.
  std::string safety_state_path;
  double telemetry_period_s{1.0};
  RetentionConfig retention;
  std::int64_t max_size_mb{256};
  std::int64_t queue_capacity{4096};
};

}  // namespace bessd::config
