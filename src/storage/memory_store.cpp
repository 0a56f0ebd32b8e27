#include <bessd/storage/memory_store.hpp>

#include <algorithm>

#include "rollup.hpp"

namespace bessd::storage {
namespace {
constexpr std::int64_t kDayMs = 86'400'000;
}

struct MemoryStore::Tiers {
  explicit Tiers(double max_gap_s) : acc_1m(60'000, max_gap_s), acc_15m(900'000, max_gap_s) {}
  std::map<std::int64_t, TelemetrySample> raw;
  std::map<std::int64_t, std::int64_t> seq_of_ts;  // the raw row's sequence number
  std::map<std::int64_t, std::int64_t> ts_of_seq;
  std::int64_t next_seq{1};
  std::map<std::int64_t, RollupBucket> minute;
  std::map<std::int64_t, RollupBucket> quarter;
  RollupAccumulator acc_1m;
  RollupAccumulator acc_15m;
  std::int64_t newest_ms{0};
};

MemoryStore::MemoryStore(config::StorageConfig config)
    : config_(std::move(config)),
      tiers_(std::make_unique<Tiers>(std::max(5.0, 5.0 * config_.telemetry_period_s))) {
  metrics_.available = true;
}
MemoryStore::~MemoryStore() = default;

void MemoryStore::append_telemetry(const TelemetrySample& sample) {
  std::lock_guard lock(mutex_);
  const auto ts = to_unix_ms(sample.at);
  tiers_->raw[ts] = sample;
  // As the database does: a sample at a time already stored replaces it under a new number.
  if (auto old = tiers_->seq_of_ts.find(ts); old != tiers_->seq_of_ts.end())
    tiers_->ts_of_seq.erase(old->second);
  tiers_->seq_of_ts[ts] = tiers_->next_seq;
  tiers_->ts_of_seq[tiers_->next_seq++] = ts;
  if (auto b = tiers_->acc_1m.add(sample)) tiers_->minute[b->start_ms] = *b;
  if (auto b = tiers_->acc_15m.add(sample)) tiers_->quarter[b->start_ms] = *b;
  tiers_->newest_ms = std::max(tiers_->newest_ms, ts);
  ++metrics_.telemetry_enqueued;
  ++metrics_.telemetry_written;
  auto prune = [&](auto& map, std::int64_t days) {
    if (days <= 0) return;
    const auto cutoff = tiers_->newest_ms - days * kDayMs;
    auto end = map.lower_bound(cutoff);
    metrics_.rows_pruned += static_cast<std::uint64_t>(std::distance(map.begin(), end));
    map.erase(map.begin(), end);
  };
  prune(tiers_->raw, config_.retention.raw_days);
  for (auto it = tiers_->seq_of_ts.begin();
       it != tiers_->seq_of_ts.end() && !tiers_->raw.count(it->first);) {
    tiers_->ts_of_seq.erase(it->second);
    it = tiers_->seq_of_ts.erase(it);
  }
  prune(tiers_->minute, config_.retention.minute_days);
  prune(tiers_->quarter, config_.retention.quarter_hour_days);
}

void MemoryStore::append_event(const core::Event& event, WallTime at, CommitCallback on_committed) {
  std::int64_t id = 0;
  {
    std::lock_guard lock(mutex_);
    id = static_cast<std::int64_t>(events_.size()) + 1;
    StoredEvent e{id, run_token_, at, event};
    e.event.at = TimePoint{};  // as read back from a database: the monotonic time is not kept
    events_.push_back(std::move(e));
    ++metrics_.events_written;
  }
  if (on_committed) on_committed(id);
}

void MemoryStore::append_audit(const AuditRecord& record, CommitCallback on_committed) {
  std::int64_t id = 0;
  {
    std::lock_guard lock(mutex_);
    id = static_cast<std::int64_t>(audit_.size()) + 1;
    audit_.push_back(StoredAudit{id, record});
    ++metrics_.audit_written;
  }
  if (on_committed) on_committed(id);
}

void MemoryStore::save_latched_fault(const LatchedFault& fault) {
  std::lock_guard lock(mutex_);
  faults_[fault.code] = fault;
}
void MemoryStore::clear_latched_fault(const std::string& code) {
  std::lock_guard lock(mutex_);
  faults_.erase(code);
}
void MemoryStore::clear_all_latched_faults() {
  std::lock_guard lock(mutex_);
  faults_.clear();
}
Result<std::vector<LatchedFault>> MemoryStore::load_latched_faults() {
  std::lock_guard lock(mutex_);
  std::vector<LatchedFault> out;
  for (const auto& [code, f] : faults_) out.push_back(f);
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.raised_at < b.raised_at; });
  return out;
}
void MemoryStore::save_counter(const LifetimeCounter& counter) {
  std::lock_guard lock(mutex_);
  counters_[counter.key] = counter;
}
Result<std::vector<LifetimeCounter>> MemoryStore::load_counters() {
  std::lock_guard lock(mutex_);
  std::vector<LifetimeCounter> out;
  for (const auto& [key, c] : counters_) out.push_back(c);
  return out;
}
void MemoryStore::add_energy_day(const energy::DayEnergy& increase) {
  std::lock_guard lock(mutex_);
  auto [it, added] =
      energy_days_.try_emplace(format_date(increase.day), energy::DayEnergy{increase.day, {}});
  it->second.increase = energy::plus(it->second.increase, increase.increase);
}
Result<std::vector<energy::DayEnergy>> MemoryStore::energy_days(Date from, Date to) {
  std::lock_guard lock(mutex_);
  std::vector<energy::DayEnergy> out;
  for (auto it = energy_days_.lower_bound(format_date(from));
       it != energy_days_.end() && it->first <= format_date(to); ++it)
    out.push_back(it->second);
  return out;
}
void MemoryStore::save_config_snapshot(const ConfigSnapshot& snapshot) {
  std::lock_guard lock(mutex_);
  if (!snapshots_.empty() && snapshots_.back().hash == snapshot.hash) return;
  snapshots_.push_back(snapshot);
}
Result<std::optional<ConfigSnapshot>> MemoryStore::latest_config_snapshot() {
  std::lock_guard lock(mutex_);
  if (snapshots_.empty()) return std::optional<ConfigSnapshot>{};
  return std::optional<ConfigSnapshot>{snapshots_.back()};
}

Result<History> MemoryStore::history(const HistoryQuery& query) {
  if (query.to < query.from)
    return fail(ErrorCode::invalid_argument, "history: 'to' is before 'from'");
  History out;
  std::vector<std::size_t> idx;
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
  std::lock_guard lock(mutex_);
  const auto from_ms = to_unix_ms(query.from);
  const auto to_ms = to_unix_ms(query.to);
  Resolution res = query.resolution;
  if (res == Resolution::automatic) {
    const auto span = query.to - query.from;
    res = span <= std::chrono::hours{2}    ? Resolution::raw
          : span <= std::chrono::hours{72} ? Resolution::minute
                                           : Resolution::quarter_hour;
    // Same fallback as SqliteStore: a pruned finer tier gives way to a coarser one.
    if (res == Resolution::raw && !tiers_->raw.empty() && tiers_->raw.begin()->first > from_ms &&
        !tiers_->minute.empty() && tiers_->minute.begin()->first < tiers_->raw.begin()->first)
      res = Resolution::minute;
    if (res == Resolution::minute && !tiers_->minute.empty() &&
        tiers_->minute.begin()->first > from_ms + 900'000 && !tiers_->quarter.empty() &&
        tiers_->quarter.begin()->first < tiers_->minute.begin()->first)
      res = Resolution::quarter_hour;
  }
  out.resolution = res;
  if (res == Resolution::raw) {
    for (auto it = tiers_->raw.lower_bound(from_ms);
         it != tiers_->raw.end() && it->first < to_ms && out.points.size() < query.max_points;
         ++it) {
      HistoryPoint p;
      p.at = from_unix_ms(it->first);
      p.controller_state = it->second.controller_state;
      p.controller_mode = it->second.controller_mode;
      for (auto i : idx) {
        const auto v = it->second.*kTelemetryFields[i].member;
        p.values.push_back(FieldStats{v, v, v});
      }
      out.points.push_back(std::move(p));
    }
    return out;
  }
  const auto& map = res == Resolution::minute ? tiers_->minute : tiers_->quarter;
  const std::int64_t width = res == Resolution::minute ? 60'000 : 900'000;
  for (auto it = map.upper_bound(from_ms - width);
       it != map.end() && it->first < to_ms && out.points.size() < query.max_points; ++it) {
    const auto stats = it->second.stats();
    HistoryPoint p;
    p.at = from_unix_ms(it->first);
    p.samples = it->second.samples;
    p.charge_kwh = it->second.charge_wh / 1000.0;
    p.discharge_kwh = it->second.discharge_wh / 1000.0;
    p.controller_state = it->second.last_state;
    p.controller_mode = it->second.last_mode;
    for (auto i : idx) p.values.push_back(stats[i]);
    out.points.push_back(std::move(p));
  }
  return out;
}

Result<std::vector<SequencedSample>> MemoryStore::telemetry_after(std::int64_t after_seq,
                                                                  std::size_t limit) {
  std::lock_guard lock(mutex_);
  std::vector<SequencedSample> out;
  for (auto it = tiers_->ts_of_seq.upper_bound(after_seq);
       it != tiers_->ts_of_seq.end() && out.size() < limit; ++it)
    out.push_back({it->first, run_token_, tiers_->raw.at(it->second)});
  return out;
}

void MemoryStore::save_read_cursor(const std::string& stream, std::int64_t seq) {
  std::lock_guard lock(mutex_);
  cursors_[stream] = seq;
}

Result<std::optional<std::int64_t>> MemoryStore::read_cursor(const std::string& stream) {
  std::lock_guard lock(mutex_);
  const auto it = cursors_.find(stream);
  if (it == cursors_.end()) return std::optional<std::int64_t>{};
  return std::optional<std::int64_t>{it->second};
}

Result<std::vector<StoredEvent>> MemoryStore::events_after(std::int64_t after_id,
                                                           std::size_t limit) {
  std::lock_guard lock(mutex_);
  std::vector<StoredEvent> out;
  for (const auto& e : events_) {  // kept in id order
    if (out.size() >= limit) break;
    if (e.id > after_id) out.push_back(e);
  }
  return out;
}

Result<std::vector<StoredEvent>> MemoryStore::events(const EventQuery& query) {
  std::lock_guard lock(mutex_);
  std::vector<StoredEvent> out;
  std::vector<const StoredEvent*> sorted;
  for (const auto& e : events_) {
    if (e.at >= query.since && e.event.severity >= query.min_severity) sorted.push_back(&e);
  }
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto* a, const auto* b) { return a->at < b->at; });
  for (const auto* e : sorted) {
    if (out.size() >= query.limit) break;
    out.push_back(*e);
  }
  return out;
}

Result<std::vector<StoredAudit>> MemoryStore::audit(WallTime since, std::size_t limit) {
  std::lock_guard lock(mutex_);
  std::vector<StoredAudit> out;
  for (auto it = audit_.rbegin(); it != audit_.rend() && out.size() < limit; ++it) {
    if (it->record.at >= since) out.push_back(*it);
  }
  return out;
}

std::future<bool> MemoryStore::flush() {
  std::promise<bool> p;
  p.set_value(true);
  return p.get_future();
}

StoreMetrics MemoryStore::metrics() const {
  std::lock_guard lock(mutex_);
  return metrics_;
}

}  // namespace bessd::storage
