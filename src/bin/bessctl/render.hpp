#pragma once
// Human-readable views of API responses (bessctl's default output). Missing values print as
// "-", battery power and current are signed (+ = charging) and say so in words, times are local.

#include <string>

#include <nlohmann/json.hpp>

namespace bessctl {

using Json = nlohmann::json;

/// Times print in the local time zone (TZ) unless this is set (bessctl --utc).
void show_times_in_utc(bool utc);

std::string render_status(const Json& status);
std::string render_limits(const Json& limits);
std::string render_events(const Json& events);
std::string render_health(const Json& health);
std::string render_settings(const Json& settings);
std::string render_plan(const Json& plan);
std::string render_audit(const Json& audit);
/// GET /v1/energy: one line per period, oldest first; unknown flows as "-".
std::string render_energy(const Json& energy);
std::string render_compliance(const Json& report);
std::string render_self_test(const Json& report);
/// A text chart of one field of a /v1/history answer, `width` x `height` characters of plot.
std::string render_history_chart(const Json& history, const std::string& field, int width,
                                 int height);

}  // namespace bessctl
