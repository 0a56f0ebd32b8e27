#pragma once
// Counters a store exposes for the API's /metrics and for tests. A snapshot, copied out.

#include <cstdint>
#include <string>

namespace bessd::storage {

struct StoreMetrics {
  std::uint64_t queue_depth{0};
  std::uint64_t queue_capacity{0};
  std::uint64_t telemetry_enqueued{0};
  std::uint64_t telemetry_written{0};
  std::uint64_t telemetry_dropped{0};  // queue full: samples thrown away (never events/audit)
  std::uint64_t events_written{0};
  std::uint64_t audit_written{0};
  std::uint64_t batches_committed{0};
  std::uint64_t write_failures{0};  // transactions that failed (retried later)
  std::uint64_t rows_pruned{0};     // removed by retention
  std::uint64_t rows_evicted{0};    // removed by the size cap
  std::uint64_t corrupt_files_replaced{0};
  std::uint64_t database_bytes{0};  // pages in use x page size, at the last maintenance
  bool available{false};            // the database is open and the last write succeeded
  std::string last_error;           // empty when none
};

}  // namespace bessd::storage
