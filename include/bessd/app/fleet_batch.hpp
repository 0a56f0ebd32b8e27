#pragma once
// The fleet uplink's messages (docs/fleet.md "Messages"): a batch of telemetry rows, column by
// column, or of events, each row keyed by its sequence number so that the central side can
// store every row once however often a batch is delivered. Pure: values in, JSON text out.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <bessd/common/clock.hpp>
#include <bessd/storage/records.hpp>
#include <bessd/storage/telemetry_sample.hpp>

namespace bessd::app {

/// What a batch covers: the rows after `from_seq` up to and including `to_seq`. Rows in that
/// range the batch does not carry were thinned out on purpose (telemetry_every_s), or, `missing`
/// of them, are not in the log any more: removed by its retention before they could be sent, or
/// never written (a disk that failed). Those will never come.
struct BatchRange {
  std::int64_t from_seq{0};
  std::int64_t to_seq{0};
  std::int64_t missing{0};
};

/// One telemetry row per `every` of wall-clock time: the first row, then each row at least
/// `every` after the last one kept. A clock that steps back starts the count again (the row
/// is kept) rather than holding rows back until it has caught up.
class TelemetryThinning {
 public:
  explicit TelemetryThinning(Duration every) : every_(every) {}
  bool keep(WallTime at);

 private:
  Duration every_;
  std::optional<WallTime> last_kept_;
};

/// {"fields":{name:[...]},"from_seq","missing","mode":[...],"run":[...],"sent_at","seq":[...],
/// "site_id","state":[...],"stream":"telemetry","t":[...],"to_seq","v":1}: one array entry per
/// row; a field no row knows is left out, an unknown value is null; values at their stored
/// resolution. A row is keyed (site_id, run, stream, seq): `run` tells a log put back from a
/// backup, or made afresh, which numbers rows again, from the rows sent before.
std::string telemetry_batch_json(std::string_view site_id, const BatchRange& range,
                                 std::span<const storage::SequencedSample> rows, WallTime sent_at);

/// {"from_seq","missing","rows":[{"code","edge","fields","message","run","seq","severity",
/// "source","t"}],"sent_at","site_id","stream":"events","to_seq","v":1}.
std::string events_batch_json(std::string_view site_id, const BatchRange& range,
                              std::span<const storage::StoredEvent> rows, WallTime sent_at);

}  // namespace bessd::app
