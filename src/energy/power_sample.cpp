#include <bessd/energy/power_sample.hpp>

namespace bessd::energy {

namespace {

bool fresh(const std::optional<TimePoint>& at, TimePoint now, Duration fresh_for) {
  return at && *at <= now && now - *at <= fresh_for;
}

}  // namespace

PowerSample power_sample(const core::PackState& pack, const core::InverterState& inverter,
                         TimePoint now, Duration fresh_for) {
  PowerSample s;
  s.at = now;
  if (inverter.online && fresh(inverter.read_at, now, fresh_for)) {
    s.battery_w = inverter.battery_power_w;
    s.grid_w = inverter.grid_power_w;
    s.pv_w = inverter.pv_power_w;
  }
  // The inverter's battery reading is the power it converts; a profile without one (its sign
  // unknown) falls back to the BMS, whose V x I includes a DC load on the battery bus.
  if (!s.battery_w && fresh(pack.measured_at, now, fresh_for)) s.battery_w = pack.power_w();
  if (s.grid_w && s.pv_w && s.battery_w) s.house_w = *s.grid_w + *s.pv_w - *s.battery_w;
  return s;
}

}  // namespace bessd::energy
