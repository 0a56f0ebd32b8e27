#pragma once
// Prometheus text exposition format 0.0.4 for GET /metrics. Metric names follow Prometheus
// conventions (base units as suffixes: _volts, _amperes, _watts, _celsius, _percent, _seconds,
// _total for counters). Samples of one name are grouped under one HELP/TYPE header.

#include <string>
#include <vector>

#include <bessd/api/metric_sample.hpp>
#include <bessd/api/status_dto.hpp>

namespace bessd::api {

class PrometheusText {
 public:
  /// Adds a sample; a name seen before keeps its first help text and type. A series (name and
  /// labels) already added is left out and counted: Prometheus rejects a whole scrape that
  /// repeats one, so the first value wins and the rest is reported by duplicates().
  void add(MetricSample sample);
  std::string render() const;
  /// The series left out as repeats, "name{labels}" each (empty when the exposition is sound).
  const std::vector<std::string>& duplicates() const { return duplicates_; }

 private:
  struct Family {
    std::string name;
    std::string help;
    MetricType type;
    std::vector<MetricSample> samples;
  };
  std::vector<Family> families_;
  std::vector<std::string> duplicates_;
};

/// Gauges of the pack, the inverter, the envelope, the controller state, faults, compliance and
/// links, from a status snapshot. Absent values are left out (never exported as 0).
void add_status_metrics(PrometheusText& out, const StatusDto& status);

}  // namespace bessd::api
