#include <bessd/app/fleet_batch.hpp>

#include <algorithm>
#include <array>
#include <cmath>

#include <bessd/api/json_writer.hpp>

namespace bessd::app {

namespace {

// The stored value written as the log holds it: 52.3, not 52.300000000000004 (what the
// quantised integer times 0.1 gives). Dividing by the exact integer 1/quantum rounds to the
// double nearest the decimal, which prints short.
double at_resolution(double v, double quantum) {
  if (quantum >= 1.0) return std::round(v / quantum) * quantum;
  const double per_unit = std::round(1.0 / quantum);
  return std::round(v * per_unit) / per_unit;
}

// The fields' indexes in kTelemetryFields, by name: JsonWriter wants object keys in order.
std::array<std::size_t, storage::kTelemetryFieldCount> fields_by_name() {
  std::array<std::size_t, storage::kTelemetryFieldCount> order{};
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [](std::size_t a, std::size_t b) {
    return storage::kTelemetryFields[a].name < storage::kTelemetryFields[b].name;
  });
  return order;
}

}  // namespace

bool TelemetryThinning::keep(WallTime at) {
  if (last_kept_ && at >= *last_kept_ && at - *last_kept_ < every_) return false;
  last_kept_ = at;
  return true;
}

std::string telemetry_batch_json(std::string_view site_id, const BatchRange& range,
                                 std::span<const storage::SequencedSample> rows, WallTime sent_at) {
  static const auto order = fields_by_name();
  api::JsonWriter w(256 + rows.size() * 160);
  w.begin_object();
  w.key("fields");
  w.begin_object();
  for (const std::size_t i : order) {
    const auto& field = storage::kTelemetryFields[i];
    const bool known = std::any_of(rows.begin(), rows.end(), [&](const auto& r) {
      return (r.sample.*field.member).has_value();
    });
    if (!known) continue;
    w.key(field.name);
    w.begin_array();
    for (const auto& r : rows) {
      const auto& v = r.sample.*field.member;
      if (v)
        w.value(at_resolution(*v, field.quantum));
      else
        w.null();
    }
    w.end_array();
  }
  w.end_object();
  w.member("from_seq", range.from_seq);
  w.member("missing", range.missing);
  w.key("mode");
  w.begin_array();
  for (const auto& r : rows) w.value(r.sample.controller_mode);
  w.end_array();
  w.key("run");
  w.begin_array();
  for (const auto& r : rows) w.value(r.run);
  w.end_array();
  w.member("sent_at", to_unix_ms(sent_at));
  w.key("seq");
  w.begin_array();
  for (const auto& r : rows) w.value(r.seq);
  w.end_array();
  w.member("site_id", site_id);
  w.key("state");
  w.begin_array();
  for (const auto& r : rows) w.value(r.sample.controller_state);
  w.end_array();
  w.member("stream", "telemetry");
  w.key("t");
  w.begin_array();
  for (const auto& r : rows) w.value(to_unix_ms(r.sample.at));
  w.end_array();
  w.member("to_seq", range.to_seq);
  w.member("v", 1);
  w.end_object();
  return w.take();
}

std::string events_batch_json(std::string_view site_id, const BatchRange& range,
                              std::span<const storage::StoredEvent> rows, WallTime sent_at) {
  api::JsonWriter w(256 + rows.size() * 200);
  w.begin_object();
  w.member("from_seq", range.from_seq);
  w.member("missing", range.missing);
  w.key("rows");
  w.begin_array();
  for (const auto& r : rows) {
    w.begin_object();
    w.member("code", r.event.code);
    w.member("edge", core::to_string(r.event.edge));
    w.key("fields");
    w.begin_object();
    for (const auto& [k, v] : r.event.fields) w.member(k, v);  // a std::map: in key order
    w.end_object();
    w.member("message", r.event.message);
    w.member("run", r.run);
    w.member("seq", r.id);
    w.member("severity", core::to_string(r.event.severity));
    w.member("source", r.event.source);
    w.member("t", to_unix_ms(r.at));
    w.end_object();
  }
  w.end_array();
  w.member("sent_at", to_unix_ms(sent_at));
  w.member("site_id", site_id);
  w.member("stream", "events");
  w.member("to_seq", range.to_seq);
  w.member("v", 1);
  w.end_object();
  return w.take();
}

}  // namespace bessd::app
