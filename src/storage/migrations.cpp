#include "migrations.hpp"

#include <array>
#include <string>

namespace bessd::storage {
namespace {

struct Migration {
  int version;
  const char* sql;
};

// Timestamps are Unix milliseconds (wall clock). Telemetry values live in compact blobs
// (value_codec.hpp). Never edit a released step: add a new one.
constexpr std::array<Migration, 7> kMigrations{{
    {1, R"sql(
CREATE TABLE labels (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);
CREATE TABLE telemetry_raw (
  ts_ms INTEGER PRIMARY KEY,
  state_id INTEGER,
  mode_id INTEGER,
  data BLOB NOT NULL);
CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  ts_ms INTEGER NOT NULL,
  severity INTEGER NOT NULL,
  edge INTEGER NOT NULL,
  source TEXT NOT NULL,
  code TEXT NOT NULL,
  message TEXT NOT NULL,
  fields TEXT NOT NULL);
CREATE INDEX events_by_time ON events(ts_ms);
CREATE TABLE audit (
  id INTEGER PRIMARY KEY,
  ts_ms INTEGER NOT NULL,
  actor TEXT NOT NULL,
  request TEXT NOT NULL,
  sent_kind INTEGER NOT NULL,
  sent_power_w REAL NOT NULL,
  sent_charge_max_w REAL NOT NULL,
  sent_discharge_max_w REAL NOT NULL,
  sent_reason TEXT NOT NULL,
  readback_power_w REAL,
  outcome TEXT NOT NULL);
CREATE INDEX audit_by_time ON audit(ts_ms);
)sql"},
    {2, R"sql(
CREATE TABLE rollup_1m (
  bucket_ms INTEGER PRIMARY KEY,
  samples INTEGER NOT NULL,
  charge_mwh INTEGER NOT NULL,
  discharge_mwh INTEGER NOT NULL,
  state_id INTEGER,
  mode_id INTEGER,
  data BLOB NOT NULL);
CREATE TABLE rollup_15m (
  bucket_ms INTEGER PRIMARY KEY,
  samples INTEGER NOT NULL,
  charge_mwh INTEGER NOT NULL,
  discharge_mwh INTEGER NOT NULL,
  state_id INTEGER,
  mode_id INTEGER,
  data BLOB NOT NULL);
)sql"},
    {3, R"sql(
CREATE TABLE latched_faults (
  code TEXT PRIMARY KEY,
  severity INTEGER NOT NULL,
  raised_ms INTEGER NOT NULL,
  message TEXT NOT NULL,
  fields TEXT NOT NULL);
CREATE TABLE lifetime_counters (
  key TEXT PRIMARY KEY,
  value REAL NOT NULL,
  derived INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL);
CREATE TABLE config_snapshots (
  id INTEGER PRIMARY KEY,
  ts_ms INTEGER NOT NULL,
  hash TEXT NOT NULL,
  text TEXT NOT NULL);
)sql"},
    {4, R"sql(
CREATE TABLE energy_days (
  day TEXT PRIMARY KEY,
  battery_charged_kwh REAL NOT NULL,
  battery_discharged_kwh REAL NOT NULL,
  grid_import_kwh REAL NOT NULL,
  grid_export_kwh REAL NOT NULL,
  pv_kwh REAL NOT NULL,
  house_kwh REAL NOT NULL,
  measured_s REAL NOT NULL,
  unmeasured_s REAL NOT NULL,
  grid_measured_s REAL NOT NULL,
  pv_measured_s REAL NOT NULL,
  house_measured_s REAL NOT NULL);
)sql"},
    // Sequence numbers for readers that resume (the fleet uplink): ts_ms is the wall clock,
    // which can step back. Rows from before have none.
    {5, R"sql(
ALTER TABLE telemetry_raw ADD COLUMN seq INTEGER;
CREATE INDEX telemetry_by_seq ON telemetry_raw(seq);
CREATE TABLE read_cursors (
  stream TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL);
)sql"},
    // The daemon run that wrote each row: a log put back from a backup numbers rows again from
    // where the backup ended, and only the run tells those rows from the ones sent before.
    {6, R"sql(
CREATE TABLE log_runs (
  run INTEGER PRIMARY KEY,
  token INTEGER NOT NULL UNIQUE,
  started_ms INTEGER NOT NULL);
ALTER TABLE telemetry_raw ADD COLUMN run INTEGER;
ALTER TABLE events ADD COLUMN run INTEGER;
)sql"},
    // The audit's action and message in columns of their own (docs/api.md "GET /v1/audit"):
    // before, `request` held "ACTION PARAMETERS" and `outcome` "OUTCOME: MESSAGE", and every
    // reader split them again. Existing rows are split once here; the right-hand sides of an
    // UPDATE see the row as it was, so each column is cut from the old text.
    {7, R"sql(
ALTER TABLE audit ADD COLUMN action TEXT NOT NULL DEFAULT '';
ALTER TABLE audit ADD COLUMN message TEXT NOT NULL DEFAULT '';
UPDATE audit SET
  action = CASE WHEN instr(request, ' ') > 0 THEN substr(request, 1, instr(request, ' ') - 1)
                ELSE request END,
  request = CASE WHEN instr(request, ' ') > 0 THEN substr(request, instr(request, ' ') + 1)
                 ELSE '' END,
  outcome = CASE WHEN instr(outcome, ': ') > 0 THEN substr(outcome, 1, instr(outcome, ': ') - 1)
                 ELSE outcome END,
  message = CASE WHEN instr(outcome, ': ') > 0 THEN substr(outcome, instr(outcome, ': ') + 2)
                 ELSE '' END;
)sql"},
}};

}  // namespace

Status migrate(sql::Connection& conn, int target) {
  auto version = conn.query_int("PRAGMA user_version");
  if (!version) return Failure{version.error()};
  if (*version > kSchemaVersion) {
    return fail(ErrorCode::unsupported, "sqlite " + conn.path() + ": schema version " +
                                            std::to_string(*version) +
                                            " is newer than this bessd understands (" +
                                            std::to_string(kSchemaVersion) + ")");
  }
  if (*version == 0) {
    // auto_vacuum can only be chosen before the first table exists (it is stored in the header).
    if (auto s = conn.exec("PRAGMA auto_vacuum = INCREMENTAL"); !s) return s;
  }
  for (const auto& m : kMigrations) {
    if (m.version <= *version || m.version > target) continue;
    auto tx = sql::Transaction::begin(conn);
    if (!tx) return Failure{tx.error()};
    if (auto s = conn.exec(m.sql); !s) return s;
    if (auto s = conn.exec("PRAGMA user_version = " + std::to_string(m.version)); !s) return s;
    if (auto s = tx->commit(); !s) return s;
  }
  return {};
}

}  // namespace bessd::storage
