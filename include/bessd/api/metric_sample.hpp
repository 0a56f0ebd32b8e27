#pragma once
// Counters and gauges the facade adds to GET /metrics (link errors, queue drops, ...). The router
// itself renders pack, inverter, envelope and state gauges from the status snapshot and counts
// API requests.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <bessd/common/enum_names.hpp>

namespace bessd::api {

// A histogram's samples are named after its series: "<family>_bucket" (with an "le" label),
// "<family>_sum" and "<family>_count"; they render under one header for <family>.
enum class MetricType : std::uint8_t { counter, gauge, histogram };
/// The words of the Prometheus text format's # TYPE line.
inline constexpr auto kMetricTypeNames =
    std::to_array<EnumName<MetricType>>({{MetricType::counter, "counter"},
                                         {MetricType::gauge, "gauge"},
                                         {MetricType::histogram, "histogram"}});
static_assert(enum_names_complete(kMetricTypeNames));

struct MetricSample {
  std::string name;  // Prometheus name with unit suffix: "bessd_can_frames_dropped_total"
  std::string help;
  MetricType type{MetricType::gauge};
  std::map<std::string, std::string> labels;
  double value{0.0};
  friend bool operator==(const MetricSample&, const MetricSample&) = default;
};

}  // namespace bessd::api
