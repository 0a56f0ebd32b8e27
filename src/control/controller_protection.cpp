// Controller rule families that follow docs/protection.md: COM-01 with the start-up wait, the
// repeated-trip latch (OP-REPEAT-*) and the recovery charge (OP-REC-01).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <utility>

#include <bessd/control/controller.hpp>
#include <bessd/control/fault_catalog.hpp>

#include "control_event.hpp"

namespace bessd::control {

using detail::control_event;
using detail::unix_ms;

void Controller::update_bms_link_faults(const StepInput& in, const limits::LimitsFindings& fnd,
                                        StepOutput& out) {
  // At start-up the BMS gets lost_after to deliver its first frames: meanwhile the limits are
  // zero and status says "waiting for the first BMS data" (info); COM-01 only after the grace.
  // The grace lasts while a required part has never been seen: a BMS sends its frames one by one
  // over a cycle. Cell extremes are optional (a genuine Pylontech never sends them).
  const bool start_grace = in_start_grace(in);
  out.waiting_for_bms = start_grace;
  if (start_grace && !waiting_announced_) {
    waiting_announced_ = true;
    out.events.push_back(control_event(in.now, core::Severity::info, core::EventEdge::once,
                                       "control.waiting_for_bms",
                                       "Waiting for the first BMS data."));
  }
  char buf[96];
  std::snprintf(buf, sizeof buf, "no complete BMS data within %.1f s",
                to_seconds(engine_.settings().lost_after));
  set_cause(fault_id::bms_lost, fnd.bms_lost && !start_grace, buf, in, out.events);
}

bool Controller::in_start_grace(const StepInput& in) const {
  const auto& pack = in.snapshot.pack;
  const bool some_part_never_seen =
      !pack.measured_at || !pack.limits_at || !pack.flags_at || !pack.charge_at;
  return some_part_never_seen && first_step_at_ &&
         in.now - *first_step_at_ < engine_.settings().lost_after;
}

void Controller::pass_limits_events(const StepInput& in, std::vector<core::Event>& from,
                                    std::vector<core::Event>& to) {
  // One event per transition. Where a protection is also one of the controller's faults (ALM-01),
  // the fault's raise and clear speak for it, with its latch and acknowledgement. COM-01 has two
  // stages: stale data (the limits go to zero: the limits' raise) and lost data (the fault, safe
  // state). Its end is said once: by the fault when it was raised, else by the limits.
  // While waiting for the first BMS data at start the stale stage is not news: status says
  // "waiting", and its later clear is dropped with it.
  const bool grace = in_start_grace(in);
  for (auto& e : from) {
    if (e.source == "limits" && e.edge != core::EventEdge::once && find_fault(e.code)) {
      if (e.code != fault_id::bms_lost) continue;
      const bool raised = e.edge == core::EventEdge::raised;
      if (raised && grace) {
        com01_edge_hidden_ = true;
        continue;
      }
      if (!raised && std::exchange(com01_edge_hidden_, false)) continue;
      if (!raised && find_fault_state(fault_id::bms_lost) != faults_.end()) continue;
    }
    to.push_back(std::move(e));
  }
  from.clear();
}

namespace {

// The room kept for a DC load, stored beside the trip counts as "ROOM:<W>" with when it was last
// drawn (docs/protection.md "DC loads"): a fridge's first start after a restart finds its room.
constexpr std::string_view kRoomPrefix = "ROOM:";

std::optional<double> stored_room_w(std::string_view id) {
  if (!id.starts_with(kRoomPrefix)) return std::nullopt;
  id.remove_prefix(kRoomPrefix.size());
  int w = 0;
  const auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), w);
  if (ec != std::errc{} || end != id.data() + id.size() || w <= 0) return 0.0;  // dropped
  return w;
}

}  // namespace

void Controller::restore_trips(const StepInput& in) {
  // The last run's trips, in wall-clock time, become edges on this run's steady clock. A time in
  // the future (the clock was set back) counts as now: the count errs towards latching.
  const std::int64_t now_ms = unix_ms(in.wall_now);
  for (const auto& r : *stored_trips_) {
    if (const auto room_w = stored_room_w(r.id)) {
      if (*room_w > 0.0 && !r.at_unix_ms.empty()) {
        const auto age =
            std::chrono::milliseconds(std::max<std::int64_t>(0, now_ms - r.at_unix_ms.back()));
        if (age < LoadRoom::kHold) obey_.restore_load_room(*room_w, in.now - age);
      }
      continue;
    }
    TripHistory t{r.id, r.charge, r.discharge, {}};
    for (const std::int64_t ms : r.at_unix_ms) {
      const auto age = std::chrono::milliseconds(std::max<std::int64_t>(0, now_ms - ms));
      if (age <= settings_.repeat_trip_window) t.at.push_back(TripEdge{in.now - age, ms});
    }
    if (!t.at.empty()) trips_.push_back(std::move(t));
  }
  stored_trips_.reset();
}

namespace {

// An unlatched OP-I block, stored beside the trip counts (docs/protection.md "Inverter not
// obeying"). Its time is when it was stored, for people reading the state file.
constexpr std::string_view kHoldPrefix = "HOLD:";

}  // namespace

void Controller::restore_obey_holds() {
  if (!stored_trips_) return;
  std::erase_if(*stored_trips_, [&](const TripRecord& r) {
    if (!r.id.starts_with(kHoldPrefix)) return false;
    const std::string_view id = std::string_view(r.id).substr(kHoldPrefix.size());
    if (id != "OP-I-01" && id != "OP-I-02") return true;  // not ours to restore: dropped
    const bool charge = id == "OP-I-01";
    obey_.restore_block(charge);
    // Held since before the restart: not a new trip towards a repeated-trip latch.
    prev_blocks_.push_back({std::string(id), charge, !charge});
    return true;
  });
}

void Controller::store_trips(const StepInput& in, std::vector<core::Event>& events) {
  std::vector<TripRecord> records;
  for (const auto& t : trips_) {
    if (t.at.empty()) continue;
    TripRecord r{t.id, t.charge, t.discharge, {}};
    for (const auto& e : t.at) r.at_unix_ms.push_back(e.unix_ms);
    records.push_back(std::move(r));
  }
  // A latched block is kept by its fault latch; an unlatched one here.
  for (const bool charge : {true, false}) {
    const ObeyDirection& v = charge ? obey_verdict_.charge : obey_verdict_.discharge;
    if (v.blocked && !v.latch)
      records.push_back(TripRecord{std::string(kHoldPrefix) + (charge ? "OP-I-01" : "OP-I-02"),
                                   charge,
                                   !charge,
                                   {unix_ms(in.wall_now)}});
  }
  if (const auto room = obey_.load_room_peak(in.now)) {
    const auto drawn_ms =
        unix_ms(in.wall_now) -
        std::chrono::duration_cast<std::chrono::milliseconds>(in.now - room->drawn_at).count();
    records.push_back(
        TripRecord{std::string(kRoomPrefix) + std::to_string(std::lround(room->load_w)),
                   false,
                   false,
                   {drawn_ms}});
  }
  stored_room_ = obey_.load_room_peak(in.now);
  // A count that cannot be stored restarts from zero after a restart; the protections
  // themselves still act, so this is reported, not latched.
  if (const Status st = store_.save_trips(records); !st)
    events.push_back(control_event(
        in.now, core::Severity::warning, core::EventEdge::once, std::string(fault_id::latch_store),
        "Could not store the repeated-trip counts and held blocks: " + st.error().message));
}

namespace {

// The pack's temperature window follows the weather: a cold morning or a hot afternoon every day
// is ordinary operation, like the SOC limits, not a fault that repeats (docs/protection.md
// "Repeated trips"). The BMS's over-temperature protection latches on its own (BMS-OT).
bool follows_the_weather(std::string_view id) {
  return id.starts_with("OP-T-") || id == "FLAG:under_temperature" ||
         id == "FLAG:charge_under_temperature" || id == "FLAG:charge_over_temperature" ||
         id == "FLAG:discharge_under_temperature";
}

}  // namespace

void Controller::update_repeated_trips(const StepInput& in, const limits::LimitsFindings& fnd,
                                       std::vector<core::Event>& events) {
  if (stored_trips_) restore_trips(in);
  bool new_edge = false;
  // Rising edges of protection blocks (limits) and of confirmed non-obey blocks (OP-I).
  std::vector<limits::ActiveBlock> blocks = fnd.blocks;
  std::erase_if(blocks, [](const limits::ActiveBlock& b) { return follows_the_weather(b.id); });
  if (obey_verdict_.charge.blocked) blocks.push_back({"OP-I-01", true, false});
  // A discharge block judged from the BMS's V x I may be a cycling DC load (a fridge): it cannot
  // be attributed to the inverter, so it does not count towards a repeated-trip latch.
  if (obey_verdict_.discharge.blocked && !obey_measured_at_battery_)
    blocks.push_back({"OP-I-02", false, true});
  for (const auto& b : blocks) {
    const bool was = std::any_of(prev_blocks_.begin(), prev_blocks_.end(),
                                 [&](const limits::ActiveBlock& p) { return p.id == b.id; });
    if (was) continue;
    auto it = std::find_if(trips_.begin(), trips_.end(),
                           [&](const TripHistory& t) { return t.id == b.id; });
    if (it == trips_.end()) it = trips_.insert(trips_.end(), TripHistory{b.id, false, false, {}});
    it->charge = b.charge;
    it->discharge = b.discharge;
    it->at.push_back(TripEdge{in.now, unix_ms(in.wall_now)});
    new_edge = true;
  }
  prev_blocks_ = std::move(blocks);
  if (new_edge) store_trips(in, events);
  for (auto& t : trips_) {
    std::erase_if(t.at,
                  [&](const TripEdge& e) { return in.now - e.at > settings_.repeat_trip_window; });
    if (static_cast<int>(t.at.size()) < settings_.repeat_trip_count) continue;
    char buf[160];
    std::snprintf(buf, sizeof buf, "%s tripped %zu times within %.0f min", t.id.c_str(),
                  t.at.size(), to_seconds(settings_.repeat_trip_window) / 60.0);
    if (t.charge && repeat_reason_charge_.empty()) repeat_reason_charge_ = buf;
    if (t.discharge && repeat_reason_discharge_.empty()) repeat_reason_discharge_ = buf;
  }
  // The cause stays active while a protection of that direction still blocks; once it has
  // cleared the operator can acknowledge.
  const bool charge_blocked_now =
      std::any_of(prev_blocks_.begin(), prev_blocks_.end(),
                  [](const limits::ActiveBlock& b) { return b.charge; });
  const bool discharge_blocked_now =
      std::any_of(prev_blocks_.begin(), prev_blocks_.end(),
                  [](const limits::ActiveBlock& b) { return b.discharge; });
  if (!repeat_reason_charge_.empty())
    set_cause(fault_id::repeated_charge_trips, charge_blocked_now, repeat_reason_charge_, in,
              events);
  if (!repeat_reason_discharge_.empty())
    set_cause(fault_id::repeated_discharge_trips, discharge_blocked_now, repeat_reason_discharge_,
              in, events);
}

void Controller::update_recovery(const StepInput& in, const limits::LimitsFindings& fnd,
                                 std::vector<core::Event>& events) {
  const auto& ls = engine_.settings();
  const auto soc = in.snapshot.pack.soc_pct;
  const bool low = soc && *soc <= ls.min_soc_pct - settings_.recovery_soc_margin_pct;
  const bool asked = fnd.force_charge_requested;
  // Never over a compliance block or a fault that holds both directions; never without data.
  const bool possible =
      !fnd.bms_stale && (state_ == ControlState::running || state_ == ControlState::standby);
  if (!recovery_ && possible && (asked || low)) recovery_from_soc_ = soc;
  // At least the hysteresis above where it started: a BMS that asks at 5 % and stops asking at
  // 5.1 % (with the reserve lower) would otherwise start and end a recharge every few minutes.
  const double target =
      std::max(ls.min_soc_pct, recovery_from_soc_.value_or(0.0)) + ls.soc_recovery_hysteresis_pct;
  const bool done = !asked && soc && *soc >= target;
  std::optional<std::string> next = recovery_;
  if (possible && (asked || low)) {
    char buf[160];
    std::snprintf(
        buf, sizeof buf, "Recharging to %.0f %%: %s", target,
        asked ? "the BMS asked for a charge" : "the state of charge is below the reserve");
    next = std::string(buf);
  } else if (!possible || done) {
    next.reset();
    recovery_from_soc_.reset();
  }
  if (next == recovery_) return;
  events.push_back(control_event(
      in.now, core::Severity::info, next ? core::EventEdge::raised : core::EventEdge::cleared,
      "OP-REC-01",
      next ? *next + " (OP-REC-01)." : std::string("Recovery charge finished (OP-REC-01).")));
  recovery_ = std::move(next);
}

}  // namespace bessd::control
