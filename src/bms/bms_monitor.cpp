#include <bessd/bms/bms_monitor.hpp>

#include <algorithm>
#include <cstdio>

namespace bessd::bms {

using core::EventEdge;
using core::Severity;

namespace {
constexpr const char* kSource = "bms";

std::string ms_text(Duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + " ms";
}

std::string hex_id(std::uint32_t id) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%03X", id);
  return buf;
}

bool lowered(const std::optional<double>& before, const std::optional<double>& after) {
  return before && after && *after < *before;
}
bool dropped(const std::optional<bool>& before, const std::optional<bool>& after) {
  return after && !*after && (!before || *before);
}
}  // namespace

std::string_view to_string(BmsHealth h) noexcept {
  return enum_name(kBmsHealthNames, h);
}

BmsMonitorOptions BmsMonitorOptions::from_config(const config::BmsConfig& cfg) {
  BmsMonitorOptions o;
  o.stale_after = std::chrono::milliseconds{cfg.stale_ms};
  o.lost_after = std::chrono::milliseconds{cfg.timeout_ms};
  // Listen-only: another master (the inverter) keeps the BMS talking; bessd never transmits.
  o.keepalive_period = cfg.bus_role == config::BmsBusRole::listen_only
                           ? Duration::zero()
                           : std::chrono::milliseconds{cfg.keepalive_period_ms};
  return o;
}

BmsMonitor::BmsMonitor(can::CanBus& bus, BmsProtocol& protocol, const Clock& clock,
                       BmsMonitorOptions options)
    : bus_(bus), protocol_(protocol), clock_(clock), options_(options) {}

BmsMonitor::~BmsMonitor() {
  stop();
}

void BmsMonitor::start() {
  if (started_) return;
  started_ = true;
  started_at_ = clock_.now();
  health_ = BmsHealth::waiting;
  next_keepalive_ = started_at_;
  bus_.on_frame([this](const can::CanFrame& f) { handle_frame(f); });
  bus_.on_error([this](const can::CanBusError& e) { handle_bus_error(e); });
  bus_.open();
  tick();
}

void BmsMonitor::stop() {
  if (!started_) return;
  started_ = false;
  bus_.on_frame(nullptr);
  bus_.on_error(nullptr);
  bus_.close();
}

std::optional<Duration> BmsMonitor::age(PackPart part) const {
  const auto& at = part_at_[static_cast<std::size_t>(part)];
  if (!at) return std::nullopt;
  return clock_.now() - *at;
}

TimePoint BmsMonitor::critical_since() const {
  // The older of limits and measurements; a part never seen counts from start().
  const auto& lim = part_at_[static_cast<std::size_t>(PackPart::limits)];
  const auto& meas = part_at_[static_cast<std::size_t>(PackPart::measurements)];
  return std::min(lim.value_or(started_at_), meas.value_or(started_at_));
}

TimePoint BmsMonitor::next_deadline() const {
  TimePoint next = TimePoint::max();
  if (!started_) return next;
  if (options_.keepalive_period > Duration::zero()) next = std::min(next, next_keepalive_);
  const TimePoint since = critical_since();
  if (health_ == BmsHealth::waiting || health_ == BmsHealth::fresh)
    next = std::min(next, since + options_.stale_after);
  if (health_ != BmsHealth::lost) next = std::min(next, since + options_.lost_after);
  return next;
}

core::Event BmsMonitor::event(TimePoint now, Severity sev, EventEdge edge, std::string code,
                              std::string message) const {
  core::Event e;
  e.at = now;
  e.severity = sev;
  e.edge = edge;
  e.source = kSource;
  e.code = std::move(code);
  e.message = std::move(message);
  return e;
}

void BmsMonitor::emit(const BmsChange& change) {
  if (handler_) handler_(state_, change);
}

void BmsMonitor::tick() {
  if (!started_) return;
  const TimePoint now = clock_.now();
  BmsChange change;
  evaluate_health(now, change);
  send_keepalive(now, change);
  if (!change.events.empty() || change.safety_relevant) emit(change);
}

void BmsMonitor::evaluate_health(TimePoint now, BmsChange& change) {
  const bool never = !part_at_[static_cast<std::size_t>(PackPart::limits)] ||
                     !part_at_[static_cast<std::size_t>(PackPart::measurements)];
  const Duration age_now = now - critical_since();
  BmsHealth next = BmsHealth::fresh;
  if (age_now >= options_.lost_after) {
    next = BmsHealth::lost;
  } else if (age_now >= options_.stale_after) {
    next = BmsHealth::stale;
  } else if (never) {
    next = BmsHealth::waiting;
  }
  if (next == health_) return;
  const BmsHealth prev = health_;
  health_ = next;
  const std::string what = never ? "no limits and measurements from the BMS for "
                                 : "BMS limits or measurements not updated for ";
  // Why the pack may be quiet, where the protocol knows (an HV pack answers only when polled).
  std::string hint = protocol_.silence_hint(now);
  if (!hint.empty()) hint = " (" + hint + ")";
  const bool was_bad = prev == BmsHealth::stale || prev == BmsHealth::lost;
  if ((next == BmsHealth::stale || next == BmsHealth::lost) && !was_bad) {
    auto e = event(now, Severity::warning, EventEdge::raised, "bms.stale",
                   what + ms_text(age_now) + hint + ": charge and discharge power limited to 0");
    e.fields["age_ms"] = ms_text(age_now);
    change.events.push_back(std::move(e));
    change.safety_relevant = true;
  }
  if (next == BmsHealth::lost && prev != BmsHealth::lost) {
    auto e = event(now, Severity::critical, EventEdge::raised, "bms.lost",
                   what + ms_text(age_now) + " (timeout " + ms_text(options_.lost_after) + ")" +
                       hint + ": BMS communication lost, safe state required");
    e.fields["rule"] = "COM-01";
    e.fields["timeout_ms"] = ms_text(options_.lost_after);
    change.events.push_back(std::move(e));
    change.safety_relevant = true;
  }
  if ((next == BmsHealth::fresh || next == BmsHealth::waiting) && was_bad) {
    if (prev == BmsHealth::lost)
      change.events.push_back(
          event(now, Severity::info, EventEdge::cleared, "bms.lost", "BMS communication back"));
    change.events.push_back(
        event(now, Severity::info, EventEdge::cleared, "bms.stale", "BMS data fresh again"));
    change.events.push_back(
        event(now, Severity::info, EventEdge::once, "bms.restored",
              "BMS data restored after " + std::string(to_string(prev)) + " period"));
    change.safety_relevant = true;
  }
}

void BmsMonitor::permit(const PowerFlowPermit& permit) {
  permit_ = permit;
  permit_at_ = clock_.now();
}

void BmsMonitor::send_keepalive(TimePoint now, BmsChange& change) {
  if (options_.keepalive_period <= Duration::zero() || now < next_keepalive_) return;
  // Keep the 1 s grid; after a long gap (suspended loop), restart it from now.
  next_keepalive_ += options_.keepalive_period;
  if (next_keepalive_ <= now) next_keepalive_ = now + options_.keepalive_period;
  // The relay may be commanded only on fresh data and a live controller's word.
  PowerFlowPermit permit = permit_;
  const bool data_bad = health_ == BmsHealth::stale || health_ == BmsHealth::lost;
  if (data_bad || !permit_at_ || now - *permit_at_ > options_.stale_after)
    permit.charge = permit.discharge = false;
  protocol_.permit(permit);
  bool ok = true;
  std::string why;
  for (const auto& frame : protocol_.keepalive_frames()) {
    auto st = bus_.send(frame);
    if (!st) {
      ok = false;
      why = st.error().message;
    }
  }
  if (ok) {
    ++stats_.keepalives_sent;
    if (keepalive_failing_) {
      keepalive_failing_ = false;
      change.events.push_back(event(now, Severity::info, EventEdge::cleared, "bms.keepalive_failed",
                                    "keep-alive sent again"));
    }
    return;
  }
  ++stats_.keepalive_failures;
  if (!keepalive_failing_) {
    keepalive_failing_ = true;
    change.events.push_back(event(now, Severity::warning, EventEdge::raised, "bms.keepalive_failed",
                                  "cannot send keep-alive: " + why));
  }
}

void BmsMonitor::flag_edges(const core::PackState& before, TimePoint now, BmsChange& change) {
  auto compare = [&](const core::BmsFlagSet& was, const core::BmsFlagSet& is, bool protection) {
    for (std::size_t i = 0; i < core::kBmsConditionCount; ++i) {
      const bool was_active = was.items[i] == core::FlagState::active;
      const bool is_active = is.items[i] == core::FlagState::active;
      if (was_active == is_active) continue;
      const auto c = static_cast<core::BmsCondition>(i);
      const std::string level = protection ? "protection" : "warning";
      auto e = event(
          now, is_active ? (protection ? Severity::critical : Severity::warning) : Severity::info,
          is_active ? EventEdge::raised : EventEdge::cleared,
          "bms." + level + "." + std::string(core::to_string(c)),
          "BMS " + level + ": " + std::string(core::describe(c)) + (is_active ? "" : " cleared"));
      e.fields["condition"] = std::string(core::to_string(c));
      change.events.push_back(std::move(e));
      if (protection && is_active) change.safety_relevant = true;
    }
  };
  compare(before.protections, state_.protections, true);
  compare(before.warnings, state_.warnings, false);
}

void BmsMonitor::handle_frame(const can::CanFrame& frame) {
  const TimePoint now = clock_.now();
  const core::PackState before = state_;
  const DecodeOutcome out = protocol_.apply(frame, now, state_);
  BmsChange change;
  switch (out.kind) {
    case DecodeOutcome::Kind::ignored:
      ++stats_.frames_ignored;
      return;
    case DecodeOutcome::Kind::rejected:
      ++stats_.frames_rejected;
      if (rejecting_ids_.insert(frame.id).second) {
        auto e = event(now, Severity::warning, EventEdge::raised, "bms.frame_rejected", out.reason);
        e.fields["id"] = hex_id(frame.id);
        change.events.push_back(std::move(e));
        emit(change);
      }
      return;
    case DecodeOutcome::Kind::applied:
      break;
  }
  ++stats_.frames_applied;
  part_at_[static_cast<std::size_t>(out.part)] = now;
  if (out.also) part_at_[static_cast<std::size_t>(*out.also)] = now;
  sync_ages();
  change.part = out.part;
  if (rejecting_ids_.erase(frame.id) != 0) {
    auto e = event(now, Severity::info, EventEdge::cleared, "bms.frame_rejected",
                   "valid " + hex_id(frame.id) + " frames again");
    e.fields["id"] = hex_id(frame.id);
    change.events.push_back(std::move(e));
  }
  if (out.part == PackPart::flags || out.also == PackPart::flags) flag_edges(before, now, change);
  if (lowered(before.limits.charge_current_limit_a, state_.limits.charge_current_limit_a) ||
      lowered(before.limits.discharge_current_limit_a, state_.limits.discharge_current_limit_a) ||
      lowered(before.limits.charge_voltage_limit_v, state_.limits.charge_voltage_limit_v) ||
      dropped(before.requests.charge_enable, state_.requests.charge_enable) ||
      dropped(before.requests.discharge_enable, state_.requests.discharge_enable))
    change.safety_relevant = true;
  evaluate_health(now, change);
  emit(change);
}

void BmsMonitor::sync_ages() {
  // A protocol that keeps a time per frame (or per pack on a shared bus) dates a part by its
  // stalest contributor: health and the limits engine judge the same age.
  const auto take = [this](PackPart part, const std::optional<TimePoint>& at) {
    part_at_[static_cast<std::size_t>(part)] = at;
  };
  take(PackPart::measurements, state_.measured_at);
  take(PackPart::limits, state_.limits_at);
  take(PackPart::charge, state_.charge_at);
  take(PackPart::cells, state_.cells_at);
  take(PackPart::flags, state_.flags_at);
}

void BmsMonitor::handle_bus_error(const can::CanBusError& error) {
  const TimePoint now = clock_.now();
  Severity sev = Severity::warning;
  bool safety = false;
  switch (error.kind) {
    case can::CanErrorKind::bus_off:
    case can::CanErrorKind::link_lost:
      sev = Severity::error;
      safety = true;
      break;
    case can::CanErrorKind::link_up:
    case can::CanErrorKind::error_active:
    case can::CanErrorKind::restarted:
      sev = Severity::info;
      break;
    case can::CanErrorKind::error_passive:
    case can::CanErrorKind::error_warning:
    case can::CanErrorKind::arbitration_lost:
    case can::CanErrorKind::controller_overflow:
    case can::CanErrorKind::protocol_violation:
    case can::CanErrorKind::transceiver:
    case can::CanErrorKind::no_ack:
    case can::CanErrorKind::tx_timeout:
    case can::CanErrorKind::bus_error:
    case can::CanErrorKind::open_failed:
    case can::CanErrorKind::config:
    case can::CanErrorKind::malformed_input:
    case can::CanErrorKind::send_failed:
      break;
  }
  // Recovery notices (link up, error-active again, restarted) are events, not errors: a healthy
  // link that came up once must not show "1 errors".
  if (sev != Severity::info) ++stats_.bus_errors;
  BmsChange change;
  auto e = event(now, sev, EventEdge::once, "can." + std::string(can::to_string(error.kind)),
                 error.message);
  e.source = "can";
  change.events.push_back(std::move(e));
  change.safety_relevant = safety;
  emit(change);
}

}  // namespace bessd::bms
