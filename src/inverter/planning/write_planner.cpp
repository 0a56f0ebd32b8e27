// The planner's dispatch, the constant writes (safe state, release, a vendor watchdog) and the
// battery-setpoint and battery-window styles; the SunSpec storage, grid-setpoint and directional
// styles have files of their own.
#include <bessd/inverter/planning/write_planner.hpp>

#include <algorithm>
#include <optional>
#include <set>

namespace bessd::inverter {

using core::CommandKind;

Target Target::of(const core::InverterCommand& c) {
  return {c.kind,
          c.battery_power_w,
          c.charge_power_max_w,
          c.discharge_power_max_w,
          c.charge_current_max_a,
          c.discharge_current_max_a,
          c.charge_voltage_max_v,
          c.charge_current_carried_load_a};
}

bool Target::same_as(const core::InverterCommand& c) const {
  if (kind != c.kind) return false;
  if (c.kind != CommandKind::set_power) return true;
  return battery_power_w == c.battery_power_w && charge_max_w == c.charge_power_max_w &&
         discharge_max_w == c.discharge_power_max_w &&
         charge_current_max_a == c.charge_current_max_a &&
         discharge_current_max_a == c.discharge_current_max_a &&
         charge_voltage_max_v == c.charge_voltage_max_v &&
         charge_current_carried_load_a == c.charge_current_carried_load_a;
}

double to_device_battery(const PointSpec& p, double w, bool invert_battery_power) {
  const double x = invert_battery_power ? -w : w;
  return p.sign == SignConvention::discharge_positive ? -x : x;
}

Result<std::vector<PointWrite>> with_whole_blocks(const Profile& profile,
                                                  const std::vector<PointWrite>& writes) {
  if (profile.control.blocks.empty()) return writes;
  std::vector<PointWrite> out;
  std::set<const WriteBlock*> written;
  for (const auto& w : writes) {
    const WriteBlock* block = profile.block_of(w.point);
    if (block == nullptr) {
      out.push_back(w);
      continue;
    }
    if (!written.insert(block).second) continue;  // carried by the block's one request
    for (const auto& name : block->points) {
      std::optional<double> value;
      for (const auto& planned : writes)
        if (planned.point == name) value = planned.value;
      if (!value) {
        auto it = block->fill.find(name);
        if (it == block->fill.end())
          return fail(ErrorCode::unsupported, "block " + block->pointer + ": nothing to write to " +
                                                  name + " (no control role, no fill value)");
        value = it->second;
      }
      out.push_back({name, *value});
    }
  }
  return out;
}

Result<WritePlan> WritePlanner::plan(const Target& t, const PlanInputs& in) {
  auto planned = plan_writes(t, in);
  if (!planned) return planned;
  auto whole = with_whole_blocks(profile_, planned->writes);
  if (!whole) return Failure{whole.error()};
  planned->writes = std::move(*whole);
  if (profile_.control.style == ControlStyle::sunspec_storage)
    order_rate_window(planned->writes, in.values);
  return planned;
}

Result<WritePlan> WritePlanner::plan_writes(const Target& t, const PlanInputs& in) {
  if (t.kind == CommandKind::none) return WritePlan{};
  if (t.kind == CommandKind::safe_state || t.kind == CommandKind::release) {
    // These overwrite the stored limits (0, or "no limit"): what a pacer held is gone, and the
    // next command writes its envelope at once (a 0 reopens at once in any case; "no limit"
    // must be tightened at once). Kept, a pacer would hold the device below the envelope
    // through each reconnection (docs/profiles.md, "Stored limits").
    for (auto& [point, pacer] : limit_pacers_) pacer.reset();
    WritePlan plan;
    plan.writes = const_writes(
        t.kind == CommandKind::safe_state ? profile_.control.safe_state : profile_.control.release,
        in);
    if (profile_.control.style == ControlStyle::ac_setpoint)
      return with_ac_setpoint(std::move(plan), t, in);
    return plan;
  }
  // The envelope bounds the target in both directions; a limit of 0 is a limit, not "none".
  const double target = std::clamp(t.battery_power_w, -std::max(0.0, t.discharge_max_w),
                                   std::max(0.0, t.charge_max_w));
  auto planned = for_style(t, target, in);
  if (!planned) return planned;
  // The device's own watchdog armed, then what it needs before it takes a target ("remote
  // control on"), first: no target reaches the device without its timeout.
  std::vector<PointWrite> writes;
  if (profile_.control.watchdog) writes = const_writes(profile_.control.watchdog->writes, in);
  auto setup = const_writes(profile_.control.target_writes, in);
  writes.insert(writes.end(), setup.begin(), setup.end());
  if (writes.empty()) return planned;
  writes.insert(writes.end(), planned->writes.begin(), planned->writes.end());
  planned->writes = std::move(writes);
  return planned;
}

Result<WritePlan> WritePlanner::for_style(const Target& t, double target_w, const PlanInputs& in) {
  switch (profile_.control.style) {
    case ControlStyle::none:
      return fail(ErrorCode::unsupported, "profile " + profile_.name + " is read-only");
    case ControlStyle::battery_setpoint:
      return battery_setpoint(target_w, in);
    case ControlStyle::sunspec_storage:
      return sunspec_storage(target_w, in);
    case ControlStyle::grid_setpoint:
      return grid_setpoint(t, target_w, in);
    case ControlStyle::directional:
      return directional(target_w, in);
    case ControlStyle::battery_window:
      return battery_window(target_w, in);
    case ControlStyle::ac_setpoint:
      return ac_setpoint(t, target_w, in);
  }
  return WritePlan{};
}

std::vector<PointWrite> WritePlanner::const_writes(const std::vector<ConstWrite>& list,
                                                   const PlanInputs& in) const {
  const auto& cp = profile_.control.points;
  std::vector<PointWrite> out;
  for (const auto& w : list) {
    const bool swap = in.use_fallback_setpoint && cp.count(ControlRole::setpoint) &&
                      cp.count(ControlRole::setpoint_fallback) &&
                      w.point == cp.at(ControlRole::setpoint);
    out.push_back({swap ? cp.at(ControlRole::setpoint_fallback) : w.point, w.value});
  }
  return out;
}

Result<WritePlan> WritePlanner::battery_setpoint(double target_w, const PlanInputs& in) const {
  const auto& cp = profile_.control.points;
  const PointSpec& sp = *profile_.point(cp.at(ControlRole::setpoint));
  WritePlan plan;
  plan.writes.push_back(
      {sp.name, toward_zero(to_device_battery(sp, target_w, in.invert_battery_power),
                            in.values.step_of(sp))});
  if (cp.count(ControlRole::enable)) plan.writes.push_back({cp.at(ControlRole::enable), 1.0});
  return plan;
}

// Both ends of the window at the target: the device runs exactly that power (a window of 0..0
// keeps the battery still). The loader gives both points one type, scale and sign, so both round
// to the same value and the window never closes the wrong way round (min above max).
Result<WritePlan> WritePlanner::battery_window(double target_w, const PlanInputs& in) const {
  const auto& cp = profile_.control.points;
  WritePlan plan;
  for (const ControlRole role : {ControlRole::battery_min_w, ControlRole::battery_max_w}) {
    const PointSpec& p = *profile_.point(cp.at(role));
    plan.writes.push_back(
        {p.name, toward_zero(to_device_battery(p, target_w, in.invert_battery_power),
                             in.values.step_of(p))});
  }
  return plan;
}

std::optional<TimePoint> WritePlanner::stored_limit_loosen_due() const {
  std::optional<TimePoint> earliest;
  for (const auto& [point, pacer] : limit_pacers_)
    if (auto due = pacer.loosen_due(); due && (!earliest || *due < *earliest)) earliest = due;
  return earliest;
}

std::vector<core::HeldDeviceLimit> WritePlanner::held_limits() const {
  std::vector<core::HeldDeviceLimit> out;
  for (const auto& [point, pacer] : limit_pacers_) {
    const auto below = pacer.held_below();
    if (!below) continue;
    std::string role = point;
    for (const auto& [r, p] : profile_.control.points)
      if (p == point) role = to_string(r);
    out.push_back({role, below->first, below->second, pacer.loosen_due()});
  }
  return out;
}

PointWrite WritePlanner::limit_write(const std::string& point, double wanted, TimePoint now) {
  const PointSpec* p = profile_.point(point);
  if (p == nullptr || !p->persistent) return {point, wanted};
  // Tightened at once, loosened only after the envelope has stayed looser this long.
  constexpr Duration kStoredLimitLoosenAfter = std::chrono::seconds{60};
  auto it = limit_pacers_.try_emplace(point, kStoredLimitLoosenAfter).first;
  return {point, it->second.next(wanted, now)};
}

bool setpoint_refused(const Error& error, const Profile& profile, const PointLayout& layout) {
  constexpr std::uint8_t kIllegalDataAddress = 0x02;
  if (profile.control.style != ControlStyle::grid_setpoint || !error.modbus) return false;
  const auto& cp = profile.control.points;
  if (!cp.count(ControlRole::setpoint) || !cp.count(ControlRole::setpoint_fallback)) return false;
  const PointAddress* at = layout.find_written(cp.at(ControlRole::setpoint));
  const ModbusDetail& request = *error.modbus;
  return at != nullptr && request.function == ModbusDetail::kWriteRegisters &&
         request.exception == kIllegalDataAddress && request.unit == at->unit &&
         request.covers(at->address);
}

}  // namespace bessd::inverter
