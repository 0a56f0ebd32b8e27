// SunSpec storage control (model 124): charge and discharge rates as a percentage of WChaMax
// (docs/profiles.md "Control"; docs/protocols.md "SunSpec inverters").
#include <bessd/inverter/planning/write_planner.hpp>

#include <algorithm>
#include <cmath>

namespace bessd::inverter {

Result<WritePlan> WritePlanner::sunspec_storage(double target_w, const PlanInputs& in) const {
  const auto& cp = profile_.control.points;
  auto ref = in.values.value_of(cp.at(ControlRole::rate_reference_w));
  if (!ref || *ref <= 0) ref = in.state ? in.state->rated_power_w : std::nullopt;
  if (!ref || *ref <= 0)
    return fail(ErrorCode::unsupported,
                "SunSpec WChaMax (and a rated power) unavailable: cannot express a rate");
  const double pct =
      in.values.toward_zero_on(cp.at(ControlRole::charge_rate_pct),
                               std::clamp(std::fabs(target_w) / *ref * 100.0, 0.0, 100.0));
  WritePlan plan;
  auto& out = plan.writes;
  if (pct <= 0.0) {
    // A zero target is a hold, written with the revert timer the safe state writes: 0 (none)
    // keeps it if bessd stops (docs/protection.md "Safe state"); a device that keeps the timer
    // as a stored setting (a Fronius GEN24) holds with the forced targets' timer instead, so
    // that the setting never changes (docs/profiles.md "Control", sunspec_storage).
    double hold_timer_s = 0.0;
    for (const auto& w : profile_.control.safe_state)
      if (w.point == cp.at(ControlRole::revert_timeout_s)) hold_timer_s = w.value;
    out.push_back({cp.at(ControlRole::discharge_rate_pct), 0.0});
    out.push_back({cp.at(ControlRole::charge_rate_pct), 0.0});
    out.push_back({cp.at(ControlRole::revert_timeout_s), hold_timer_s});
    out.push_back({cp.at(ControlRole::storage_mode), 3.0});
    return plan;
  }
  // Fronius-style forcing (docs/profiles.md): the opposite rate negative forces the battery to
  // the target rather than merely limiting it. A forced target carries the revert timer, so a
  // crashed daemon cannot leave the inverter forced. The timer goes first: after a hold (timer
  // 0) the rates must never stand, even between two Modbus writes, without it.
  const double in_pct = target_w > 0 ? pct : -pct;
  out.push_back({cp.at(ControlRole::revert_timeout_s), profile_.control.revert_timeout_s});
  out.push_back({cp.at(ControlRole::discharge_rate_pct), -in_pct});
  out.push_back({cp.at(ControlRole::charge_rate_pct), in_pct});
  if (cp.count(ControlRole::grid_charging) && target_w > 0)
    out.push_back({cp.at(ControlRole::grid_charging), 1.0});
  out.push_back({cp.at(ControlRole::storage_mode), 3.0});
  return plan;
}

// The window the two rates leave the battery, [-OutWRte, InWRte], must never close (a device
// such as the Fronius GEN24 refuses -InWRte > OutWRte). Written in one request, each pair bessd
// plans is a valid window; but a device that judges each register as it takes it sees the new
// OutWRte beside the old InWRte first. When that closes the window, InWRte goes first, in a
// request of its own, then OutWRte; the two orders cannot both close it, as the current and the
// new window are both open (docs/profiles.md "Control", sunspec_storage). With the current rates
// unknown (before the first read), the pair stays in one request.
void WritePlanner::order_rate_window(std::vector<PointWrite>& writes,
                                     const PointValues& values) const {
  const auto& cp = profile_.control.points;
  const auto out_it = cp.find(ControlRole::discharge_rate_pct);
  const auto in_it = cp.find(ControlRole::charge_rate_pct);
  if (out_it == cp.end() || in_it == cp.end()) return;
  const auto index_of = [&](const std::string& name) {
    return static_cast<std::size_t>(
        std::find_if(writes.begin(), writes.end(),
                     [&](const PointWrite& w) { return w.point == name; }) -
        writes.begin());
  };
  const std::size_t io = index_of(out_it->second);
  const std::size_t ii = index_of(in_it->second);
  if (io >= writes.size() || ii >= writes.size()) return;
  const auto in_now = values.value_of(in_it->second);
  if (!in_now || writes[io].value + *in_now >= 0.0) return;  // OutWRte first keeps it open
  PointWrite first = writes[ii];
  PointWrite second = writes[io];
  second.starts_request = true;
  writes[std::min(io, ii)] = std::move(first);
  writes[std::max(io, ii)] = std::move(second);
}

}  // namespace bessd::inverter
