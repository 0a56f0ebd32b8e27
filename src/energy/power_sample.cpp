#include <bessd/energy/power_sample.hpp>
#include <bessd/energy/site_flows.hpp>

namespace bessd::energy {

namespace {

bool fresh(const std::optional<TimePoint>& at, TimePoint now, Duration fresh_for) {
  return at && *at <= now && now - *at <= fresh_for;
}

}  // namespace

PowerSample power_sample(const core::PackState& pack, const core::InverterState& inverter,
                         TimePoint now, Duration fresh_for) {
  const bool inverter_fresh = inverter.online && fresh(inverter.read_at, now, fresh_for);
  const auto pick = [&](const std::optional<double>& v) {
    return inverter_fresh ? v : std::nullopt;
  };
  const SiteFlows f = site_flows(
      pick(inverter.grid_power_w), pick(inverter.pv_power_w), pick(inverter.battery_power_w),
      fresh(pack.measured_at, now, fresh_for) ? pack.power_w() : std::nullopt);
  return PowerSample{now, f.battery_w, f.grid_w, f.pv_w, f.house_w};
}

}  // namespace bessd::energy
