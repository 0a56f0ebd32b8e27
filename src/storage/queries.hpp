#pragma once
// Read-side SQL for SqliteStore, on whichever connection the caller owns (the read connection,
// or the only connection of a ":memory:" database).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <bessd/common/result.hpp>
#include <bessd/config/storage_config.hpp>
#include <bessd/storage/history.hpp>
#include <bessd/storage/records.hpp>
#include <bessd/storage/telemetry_sample.hpp>

#include "sqlite/database.hpp"

namespace bessd::storage::queries {

std::string fields_to_json(const std::map<std::string, std::string>& fields);
std::map<std::string, std::string> fields_from_json(const std::string& text);

Result<History> history(sql::Connection& conn, const HistoryQuery& query);
Result<std::vector<StoredEvent>> events(sql::Connection& conn, const EventQuery& query);
Result<std::vector<SequencedSample>> telemetry_after(sql::Connection& conn, std::int64_t after_seq,
                                                     std::size_t limit);
Result<std::optional<std::int64_t>> read_cursor(sql::Connection& conn, const std::string& stream);
Result<std::vector<StoredEvent>> events_after(sql::Connection& conn, std::int64_t after_id,
                                              std::size_t limit);
Result<std::vector<StoredAudit>> audit(sql::Connection& conn, WallTime since, std::size_t limit);
Result<std::vector<LatchedFault>> latched_faults(sql::Connection& conn);
Result<std::vector<LifetimeCounter>> counters(sql::Connection& conn);
Result<std::optional<ConfigSnapshot>> latest_config_snapshot(sql::Connection& conn);

}  // namespace bessd::storage::queries
