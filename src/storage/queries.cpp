#include "queries.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>

#include "rollup.hpp"
#include "value_codec.hpp"

namespace bessd::storage::queries {
namespace {

// A row count as SQLite's LIMIT takes it (a signed 64-bit integer), clamped. Through uint64_t:
// size_t is 32 bits on armhf, where min<size_t>(n, INT64_MAX) cut the bound to 4294967295.
std::int64_t sql_limit(std::size_t rows) {
  return static_cast<std::int64_t>(
      std::min<std::uint64_t>(rows, static_cast<std::uint64_t>(INT64_MAX)));
}

constexpr std::int64_t kMinuteMs = 60'000;
constexpr std::int64_t kQuarterMs = 900'000;

struct Tier {
  Resolution resolution;
  const char* table;
  const char* ts_column;
  std::int64_t width_ms;  // 0 for raw
};
constexpr std::array<Tier, 3> kTiers{{
    {Resolution::raw, "telemetry_raw", "ts_ms", 0},
    {Resolution::minute, "rollup_1m", "bucket_ms", kMinuteMs},
    {Resolution::quarter_hour, "rollup_15m", "bucket_ms", kQuarterMs},
}};

std::size_t tier_index(Resolution r) {
  return r == Resolution::raw ? 0 : r == Resolution::minute ? 1 : 2;
}

Result<std::optional<std::int64_t>> oldest(sql::Connection& conn, const Tier& tier) {
  auto st = conn.prepare(std::string("SELECT ") + tier.ts_column + " FROM " + tier.table +
                         " ORDER BY " + tier.ts_column + " LIMIT 1");
  if (!st) return Failure{st.error()};
  auto row = st->step();
  if (!row) return Failure{row.error()};
  if (!*row) return std::optional<std::int64_t>{};
  return std::optional<std::int64_t>{st->int64(0)};
}

Result<std::map<std::int64_t, std::string>> labels(sql::Connection& conn) {
  std::map<std::int64_t, std::string> out;
  auto st = conn.prepare("SELECT id, text FROM labels");
  if (!st) return Failure{st.error()};
  for (;;) {
    auto row = st->step();
    if (!row) return Failure{row.error()};
    if (!*row) break;
    out[st->int64(0)] = st->text(1);
  }
  return out;
}

std::string label(const std::map<std::int64_t, std::string>& map, const sql::Statement& st,
                  int col) {
  if (st.is_null(col)) return {};
  auto it = map.find(st.int64(col));
  return it == map.end() ? std::string() : it->second;
}

Result<Resolution> pick_tier(sql::Connection& conn, const HistoryQuery& q) {
  if (q.resolution != Resolution::automatic) return q.resolution;
  const auto span = q.to - q.from;
  std::size_t i = span <= std::chrono::hours{2} ? 0 : span <= std::chrono::hours{72} ? 1 : 2;
  // A coarser tier takes over when the chosen one no longer reaches back to `from` and the
  // coarser one holds older data (retention has pruned the finer one).
  const std::int64_t from_ms = to_unix_ms(q.from);
  for (; i + 1 < kTiers.size(); ++i) {
    auto mine = oldest(conn, kTiers[i]);
    if (!mine) return Failure{mine.error()};
    if (*mine && **mine <= from_ms + kTiers[i + 1].width_ms) break;
    auto next = oldest(conn, kTiers[i + 1]);
    if (!next) return Failure{next.error()};
    if (!*next) break;
    if (*mine && **next >= **mine) break;
  }
  return kTiers[i].resolution;
}

}  // namespace

std::string fields_to_json(const std::map<std::string, std::string>& fields) {
  return nlohmann::json(fields).dump();
}

std::map<std::string, std::string> fields_from_json(const std::string& text) {
  std::map<std::string, std::string> out;
  const auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return out;
  for (const auto& [k, v] : j.items()) out[k] = v.is_string() ? v.get<std::string>() : v.dump();
  return out;
}

Result<History> history(sql::Connection& conn, const HistoryQuery& query) {
  if (query.to < query.from)
    return fail(ErrorCode::invalid_argument, "history: 'to' is before 'from'");
  std::vector<std::size_t> idx;
  History out;
  if (query.fields.empty()) {
    for (std::size_t i = 0; i < kTelemetryFieldCount; ++i) {
      idx.push_back(i);
      out.fields.emplace_back(kTelemetryFields[i].name);
    }
  } else {
    for (const auto& name : query.fields) {
      auto i = telemetry_field_index(name);
      if (!i) return fail(ErrorCode::invalid_argument, "history: unknown field '" + name + "'");
      idx.push_back(*i);
      out.fields.push_back(name);
    }
  }
  auto res = pick_tier(conn, query);
  if (!res) return Failure{res.error()};
  out.resolution = *res;
  const Tier& tier = kTiers[tier_index(*res)];
  auto names = labels(conn);
  if (!names) return Failure{names.error()};

  const std::int64_t from_ms = to_unix_ms(query.from);
  const std::int64_t to_ms = to_unix_ms(query.to);
  const auto limit = sql_limit(query.max_points);
  if (tier.width_ms == 0) {
    auto st = conn.prepare(
        "SELECT ts_ms, state_id, mode_id, data FROM telemetry_raw WHERE ts_ms >= ?1 AND ts_ms < "
        "?2 ORDER BY ts_ms LIMIT ?3");
    if (!st) return Failure{st.error()};
    st->bind(1, from_ms).bind(2, to_ms).bind(3, limit);
    for (;;) {
      auto row = st->step();
      if (!row) return Failure{row.error()};
      if (!*row) break;
      auto values = codec::decode_raw(st->blob(3));
      if (!values) return Failure{values.error()};
      HistoryPoint p;
      p.at = from_unix_ms(st->int64(0));
      p.samples = 1;
      p.controller_state = label(*names, *st, 1);
      p.controller_mode = label(*names, *st, 2);
      p.values.reserve(idx.size());
      for (auto i : idx) p.values.push_back(FieldStats{(*values)[i], (*values)[i], (*values)[i]});
      out.points.push_back(std::move(p));
    }
    return out;
  }
  auto st = conn.prepare(std::string("SELECT bucket_ms, samples, charge_mwh, discharge_mwh, "
                                     "state_id, mode_id, data FROM ") +
                         tier.table +
                         " WHERE bucket_ms > ?1 AND bucket_ms < ?2 ORDER BY bucket_ms LIMIT ?3");
  if (!st) return Failure{st.error()};
  // Buckets that overlap the range: those starting less than one width before `from`.
  st->bind(1, from_ms - tier.width_ms).bind(2, to_ms).bind(3, limit);
  for (;;) {
    auto row = st->step();
    if (!row) return Failure{row.error()};
    if (!*row) break;
    auto stats = codec::decode_stats(st->blob(6));
    if (!stats) return Failure{stats.error()};
    HistoryPoint p;
    p.at = from_unix_ms(st->int64(0));
    p.samples = static_cast<std::uint32_t>(st->int64(1));
    p.charge_kwh = static_cast<double>(st->int64(2)) / 1e6;
    p.discharge_kwh = static_cast<double>(st->int64(3)) / 1e6;
    p.controller_state = label(*names, *st, 4);
    p.controller_mode = label(*names, *st, 5);
    p.values.reserve(idx.size());
    for (auto i : idx) p.values.push_back((*stats)[i]);
    out.points.push_back(std::move(p));
  }
  return out;
}

namespace {

// The rows of a SELECT of id, ts_ms, severity, edge, source, code, message, fields.
Result<std::vector<StoredEvent>> event_rows(sql::Statement& st) {
  std::vector<StoredEvent> out;
  for (;;) {
    auto row = st.step();
    if (!row) return Failure{row.error()};
    if (!*row) break;
    StoredEvent e;
    e.id = st.int64(0);
    e.at = from_unix_ms(st.int64(1));
    e.event.severity = static_cast<core::Severity>(st.int64(2));
    e.event.edge = static_cast<core::EventEdge>(st.int64(3));
    e.event.source = st.text(4);
    e.event.code = st.text(5);
    e.event.message = st.text(6);
    e.event.fields = fields_from_json(st.text(7));
    e.run = st.int64(8);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace

Result<std::vector<StoredEvent>> events(sql::Connection& conn, const EventQuery& query) {
  auto st = conn.prepare(
      "SELECT e.id, e.ts_ms, e.severity, e.edge, e.source, e.code, e.message, e.fields, "
      "coalesce(lr.token, 0) FROM events e LEFT JOIN log_runs lr ON lr.run = e.run WHERE "
      "e.ts_ms >= ?1 AND e.severity >= ?2 ORDER BY e.ts_ms, e.id LIMIT ?3");
  if (!st) return Failure{st.error()};
  st->bind(1, to_unix_ms(query.since))
      .bind(2, static_cast<std::int64_t>(query.min_severity))
      .bind(3, sql_limit(query.limit));
  return event_rows(*st);
}

Result<std::vector<StoredEvent>> events_after(sql::Connection& conn, std::int64_t after_id,
                                              std::size_t limit) {
  auto st = conn.prepare(
      "SELECT e.id, e.ts_ms, e.severity, e.edge, e.source, e.code, e.message, e.fields, "
      "coalesce(lr.token, 0) FROM events e LEFT JOIN log_runs lr ON lr.run = e.run WHERE e.id > "
      "?1 ORDER BY e.id LIMIT ?2");
  if (!st) return Failure{st.error()};
  st->bind(1, after_id).bind(2, sql_limit(limit));
  return event_rows(*st);
}

Result<std::vector<StoredAudit>> audit(sql::Connection& conn, WallTime since, std::size_t limit) {
  auto st = conn.prepare(
      "SELECT id, ts_ms, actor, request, sent_kind, sent_power_w, sent_charge_max_w, "
      "sent_discharge_max_w, sent_reason, readback_power_w, outcome, action, message FROM audit "
      "WHERE ts_ms >= ?1 ORDER BY id DESC LIMIT ?2");
  if (!st) return Failure{st.error()};
  st->bind(1, to_unix_ms(since)).bind(2, sql_limit(limit));
  std::vector<StoredAudit> out;
  for (;;) {
    auto row = st->step();
    if (!row) return Failure{row.error()};
    if (!*row) break;
    StoredAudit a;
    a.id = st->int64(0);
    a.record.at = from_unix_ms(st->int64(1));
    a.record.actor = st->text(2);
    a.record.request = st->text(3);
    a.record.sent.kind = static_cast<core::CommandKind>(st->int64(4));
    a.record.sent.battery_power_w = st->real(5);
    a.record.sent.charge_power_max_w = st->real(6);
    a.record.sent.discharge_power_max_w = st->real(7);
    a.record.sent.reason = st->text(8);
    a.record.readback_power_w = st->optional_real(9);
    a.record.outcome = st->text(10);
    a.record.action = st->text(11);
    a.record.message = st->text(12);
    out.push_back(std::move(a));
  }
  return out;
}

Result<std::vector<LatchedFault>> latched_faults(sql::Connection& conn) {
  auto st = conn.prepare(
      "SELECT code, severity, raised_ms, message, fields FROM latched_faults ORDER BY raised_ms, "
      "code");
  if (!st) return Failure{st.error()};
  std::vector<LatchedFault> out;
  for (;;) {
    auto row = st->step();
    if (!row) return Failure{row.error()};
    if (!*row) break;
    LatchedFault f;
    f.code = st->text(0);
    f.severity = static_cast<core::Severity>(st->int64(1));
    f.raised_at = from_unix_ms(st->int64(2));
    f.message = st->text(3);
    f.fields = fields_from_json(st->text(4));
    out.push_back(std::move(f));
  }
  return out;
}

Result<std::vector<LifetimeCounter>> counters(sql::Connection& conn) {
  auto st =
      conn.prepare("SELECT key, value, derived, updated_ms FROM lifetime_counters ORDER BY key");
  if (!st) return Failure{st.error()};
  std::vector<LifetimeCounter> out;
  for (;;) {
    auto row = st->step();
    if (!row) return Failure{row.error()};
    if (!*row) break;
    LifetimeCounter c;
    c.key = st->text(0);
    c.value = st->real(1);
    c.origin = st->int64(2) != 0 ? CounterOrigin::derived : CounterOrigin::reported;
    c.updated_at = from_unix_ms(st->int64(3));
    out.push_back(std::move(c));
  }
  return out;
}

Result<std::optional<ConfigSnapshot>> latest_config_snapshot(sql::Connection& conn) {
  auto st = conn.prepare("SELECT ts_ms, hash, text FROM config_snapshots ORDER BY id DESC LIMIT 1");
  if (!st) return Failure{st.error()};
  auto row = st->step();
  if (!row) return Failure{row.error()};
  if (!*row) return std::optional<ConfigSnapshot>{};
  return std::optional<ConfigSnapshot>{
      ConfigSnapshot{from_unix_ms(st->int64(0)), st->text(1), st->text(2)}};
}

}  // namespace bessd::storage::queries

namespace bessd::storage::queries {

Result<std::vector<SequencedSample>> telemetry_after(sql::Connection& conn, std::int64_t after_seq,
                                                     std::size_t limit) {
  auto st = conn.prepare(
      "SELECT r.seq, r.ts_ms, s.text, m.text, r.data, coalesce(lr.token, 0) FROM telemetry_raw r "
      "LEFT JOIN labels s ON s.id = r.state_id LEFT JOIN labels m ON m.id = r.mode_id LEFT JOIN "
      "log_runs lr ON lr.run = r.run WHERE r.seq > ?1 ORDER BY r.seq LIMIT ?2");
  if (!st) return Failure{st.error()};
  st->bind(1, after_seq).bind(2, sql_limit(limit));
  std::vector<SequencedSample> out;
  for (;;) {
    auto row = st->step();
    if (!row) return Failure{row.error()};
    if (!*row) break;
    auto values = codec::decode_raw(st->blob(4));
    if (!values) continue;  // an undecodable row is skipped, as history skips it
    SequencedSample s;
    s.seq = st->int64(0);
    s.run = st->int64(5);
    s.sample.at = from_unix_ms(st->int64(1));
    s.sample.controller_state = st->text(2);
    s.sample.controller_mode = st->text(3);
    codec::assign_values(s.sample, *values);
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::optional<std::int64_t>> read_cursor(sql::Connection& conn, const std::string& stream) {
  auto st = conn.prepare("SELECT seq FROM read_cursors WHERE stream = ?1");
  if (!st) return Failure{st.error()};
  st->bind(1, stream);
  auto row = st->step();
  if (!row) return Failure{row.error()};
  if (!*row) return std::optional<std::int64_t>{};
  return std::optional<std::int64_t>{st->int64(0)};
}

}  // namespace bessd::storage::queries
