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
  /// Adds a sample; a name seen before keeps its first help text and type.
  void add(MetricSample sample);
  std::string render() const;

 private:
  struct Family {
    std::string name;
    std::string help;
    MetricType type;
    std::vector<MetricSample> samples;
  };
  std::vector<Family> families_;
};

/// Gauges of the pack, the inverter, the envelope, the controller state, faults, compliance and
/// links, from a status snapshot. Absent values are left out (never exported as 0).
void add_status_metrics(PrometheusText& out, const StatusDto& status);

}  // namespace bessd::api
