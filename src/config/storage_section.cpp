#include <bessd/config/sections.hpp>

namespace bessd::config {

void read_storage(ObjectReader& in, StorageConfig& out) {
  in.string("path", out.path, Presence::optional, false);
  in.string("safety_state_path", out.safety_state_path, Presence::optional, true);
  in.number("telemetry_period_s", out.telemetry_period_s, NumberRange::between(0.1, 3600.0));
  {
    auto r = in.object("retention");
    r.integer("raw_days", out.retention.raw_days, 1, 3650);
    r.integer("minute_days", out.retention.minute_days, 1, 36500);
    r.integer("quarter_hour_days", out.retention.quarter_hour_days, 0, 36500);
    r.integer("events_max_rows", out.retention.events_max_rows, 100, 100'000'000);
    r.integer("audit_max_rows", out.retention.audit_max_rows, 100, 100'000'000);
    r.integer("events_days", out.retention.events_days, 0, 36500);
    r.integer("audit_days", out.retention.audit_days, 0, 36500);
    r.finish();
  }
  in.integer("max_size_mb", out.max_size_mb, 4, 1'000'000);
  in.integer("queue_capacity", out.queue_capacity, 16, 1'000'000);
  in.finish();
}

}  // namespace bessd::config
