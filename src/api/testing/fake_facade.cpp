#include <bessd/api/testing/fake_facade.hpp>

#include <algorithm>
#include <cmath>

#include <bessd/api/json.hpp>
#include <bessd/api/settings_change.hpp>

namespace bessd::api::testing {

namespace {
core::Cause cause(core::CauseKind kind, std::string rule, std::string sentence) {
  return core::Cause{kind, std::move(rule), std::move(sentence)};
}
}  // namespace

FakeFacade::FakeFacade(const Clock& clock) : clock_(clock) {
  settings_snapshot = settings_with(soc_window, std::nullopt, std::nullopt);
  auto& s = status_snapshot;
  s.controller.state = "running";
  s.controller.mode = Mode::self_consumption;
  s.controller.commanded_power_w = 1200.0;
  s.controller.command_reason = "self_consumption";
  s.protection.discharge_blocked_by = {"OP-SOC-01"};
  auto& p = s.pack;
  p.voltage_v = 52.4;
  p.current_a = 22.9;
  p.temperature_c = 8.0;
  p.soc_pct = 55.0;
  p.soh_pct = 98.0;
  p.cell_voltage_min_v = 3.281;
  p.cell_voltage_max_v = 3.302;
  p.cell_temperature_min_c = 7.5;
  p.cell_temperature_max_c = 9.0;
  p.limits.charge_voltage_limit_v = 53.2;
  p.limits.charge_current_limit_a = 100.0;
  p.limits.discharge_current_limit_a = 100.0;
  p.requests.charge_enable = true;
  p.requests.discharge_enable = true;
  for (std::size_t i = 0; i < core::kBmsConditionCount - 1; ++i) {
    p.protections.items[i] = core::FlagState::ok;
    p.warnings.items[i] = core::FlagState::ok;
  }
  p.manufacturer = "PYLON";
  p.bms_name = "US5000";
  p.capacity_ah = 200.0;
  p.available_capacity_ah = 130.0;
  s.pack_age_s = 0.4;
  auto& inv = s.inverter;
  inv.online = true;
  inv.operating = core::InverterOperating::running;
  inv.battery_power_w = 1195.0;
  inv.grid_power_w = -12.0;
  inv.pv_power_w = 2400.0;
  inv.rated_power_w = 5000.0;
  inv.setpoint_readback_w = 1200.0;
  inv.model = "SIM-5000";
  inv.serial = "SIM0001";
  s.inverter_age_s = 0.8;
  s.inverter_held_limits.push_back({"charge_voltage_limit_v", 52.2, 56.8, 41.5});
  s.energy.totals = {12.5, 10.25, 3.125, 8.0, 30.75, 25.0, 86400.0, 0.0};
  s.energy.since = WallTime{} + std::chrono::seconds{1'764'547'200};  // 2025-12-01T00:00:00Z
  s.energy.today =
      energy::DayEnergy{Date{std::chrono::year{2025}, std::chrono::month{12}, std::chrono::day{2}},
                        {3.2, 4.1, 1.5, 2.0, 9.5, 8.6, 43200.0, 0.0, 43200.0, 43200.0, 43200.0}};
  auto& e = s.envelope;
  e.charge_power_max_w = {2100.0,
                          cause(core::CauseKind::temperature, "OP-T-02",
                                "Charging is reduced because the cells are cold (7.5 °C).")};
  e.discharge_power_max_w = {5000.0, cause(core::CauseKind::inverter_rating, "",
                                           "Discharging is limited by the inverter rating.")};
  e.charge_current_max_a = {40.0, e.charge_power_max_w.cause};
  e.discharge_current_max_a = {
      100.0, cause(core::CauseKind::bms_limit, "", "The BMS allows 100 A discharge.")};
  e.charge_voltage_max_v = {
      53.2, cause(core::CauseKind::bms_limit, "", "The BMS asks for at most 53.2 V.")};
  s.compliance.verdict = Verdict::pass;
  s.links = {{"bms", LinkState::up, 0.4, 0, "socketcan can0"},
             {"inverter", LinkState::up, 0.8, 3, "modbus tcp 127.0.0.1:1502"},
             {"storage", LinkState::up, 1.0, 0, "/var/lib/bessd/bessd.db"}};

  limits_snapshot.envelope = e;
  limits_snapshot.constraints = {
      {"charge_power_max_w", Direction::charge, 2100.0, e.charge_power_max_w.cause, true},
      {"charge_power_max_w", Direction::charge, 5000.0,
       cause(core::CauseKind::inverter_rating, "", "Inverter rating 5000 W."), false},
      {"charge_current_max_a", Direction::charge, 100.0,
       cause(core::CauseKind::bms_limit, "", "The BMS allows 100 A charge."), false},
  };

  // The shape of compliance::to_json (docs/compliance.md), two findings.
  compliance_report.report = nlohmann::json::parse(R"({
    "verdict": "pass", "evaluated_on": "2026-11-24", "site": "Fake house",
    "scope": {"pas_63100": true, "note": "PAS 63100 applies: a dwelling in Great Britain."},
    "counts": {"block": 0, "derate": 0, "warn": 0, "pass": 2, "not_applicable": 0},
    "findings": [
      {"rule": "PAS-LOC-01", "title": "Location permitted", "verdict": "pass",
       "reference": "PAS 63100:2024, 6.5.5", "confidence": "[S]",
       "message": "outdoor_wall is a permitted location",
       "inputs": {"site.location": "outdoor_wall"}, "note": "verify against the published text"},
      {"rule": "BAT-CAP-01", "title": "Nameplate energy matches the BMS",
       "verdict": "not_applicable", "reference": "EU 2023/1542 Art. 14", "confidence": "[I]",
       "message": "The BMS has not reported a nameplate energy (yet).",
       "inputs": {"bms.nameplate_energy_kwh": "not recorded"}}
    ],
    "second_life_derate": null,
    "bms_nameplate": {"capacity_ah": 200, "energy_kwh": 10.24, "nominal_voltage_v": 51.2,
                      "voltage_basis": "battery.nominal_voltage_v", "module_count": 2}})");
  compliance_report.config_fingerprint = "0123456789abcdef";

  health_report.values = {
      {"soh_pct", 98.0, std::nullopt, ValueSource::reported, "from the BMS (0x355)"},
      {"remaining_capacity_ah", 196.0, std::nullopt, ValueSource::derived, "soh_pct x capacity_ah"},
      {"energy_charged_kwh", 812.5, std::nullopt, ValueSource::derived, "integrated from V x I"},
      {"energy_discharged_kwh", 760.1, std::nullopt, ValueSource::derived, "integrated from V x I"},
      {"full_equivalent_cycles", 79.2, std::nullopt, ValueSource::derived,
       "discharged energy / nominal energy"},
      {"manufacture_date", std::nullopt, "2025-06-01", ValueSource::configured, ""},
      {"ohmic_resistance_mohm", std::nullopt, std::nullopt, ValueSource::unavailable,
       "no current step seen yet"},
  };

  config = {{"site", {{"name", "Test house"}}},
            {"api", {{"tcp", {{"enabled", false}, {"token_file", "/etc/bessd/token"}}}}},
            {"mqtt", {{"password", "hunter2"}}}};

  const WallTime now = clock_.wall_now();
  const auto ev = [&](std::int64_t id, int minutes_ago, core::Severity sev, std::string code,
                      std::string message) {
    core::Event e2;
    e2.severity = sev;
    e2.source = "control";
    e2.code = std::move(code);
    e2.message = std::move(message);
    event_log.push_back({id, now - std::chrono::minutes{minutes_ago}, e2});
  };
  ev(1, 120, core::Severity::info, "control.started", "controller started");
  ev(2, 90, core::Severity::warning, "OP-T-02", "charge derated: cells cold");
  ev(3, 30, core::Severity::error, "COM-01", "BMS silent for 5 s: safe state");
  ev(4, 29, core::Severity::info, "bms.restored", "BMS data restored");
}

StatusDto FakeFacade::status() const {
  StatusDto s = status_snapshot;
  s.time = clock_.wall_now();
  return s;
}

LimitsDto FakeFacade::limits() const {
  LimitsDto l = limits_snapshot;
  l.time = clock_.wall_now();
  return l;
}

void FakeFacade::complete(std::function<void()> fn) {
  if (hold_async)
    pending_.push_back(std::move(fn));
  else
    fn();
}

std::size_t FakeFacade::release_pending() {
  std::size_t n = 0;
  while (!pending_.empty()) {
    auto fn = std::move(pending_.front());
    pending_.pop_front();
    fn();
    ++n;
  }
  return n;
}

void FakeFacade::events(const EventQuery& query, Done<std::vector<EventRecord>> done) {
  event_queries.push_back(query);
  if (fail_next) {
    Error e = *std::exchange(fail_next, std::nullopt);
    return complete([done, e] { done(Failure{e}); });
  }
  std::vector<EventRecord> out;
  for (auto it = event_log.rbegin(); it != event_log.rend() && out.size() < query.limit; ++it)
    if (it->time >= query.since && it->event.severity >= query.min_severity) out.push_back(*it);
  complete([done, out = std::move(out)] { done(out); });
}

void FakeFacade::energy(const EnergyQuery& query, Done<EnergyReport> done) {
  energy_queries.push_back(query);
  if (fail_next) {
    Error e = *std::exchange(fail_next, std::nullopt);
    return complete([done, e] { done(Failure{e}); });
  }
  EnergyReport r{query.period,
                 energy::energy_by_period(energy_days, query.period, today, query.count), prices};
  complete([done, r = std::move(r)] { done(r); });
}

void FakeFacade::history(const HistoryQuery& query, Done<HistorySeries> done) {
  history_queries.push_back(query);
  if (fail_next) {
    Error e = *std::exchange(fail_next, std::nullopt);
    return complete([done, e] { done(Failure{e}); });
  }
  HistorySeries h;
  h.fields = query.fields;
  h.resolution = query.resolution;
  // At most 240 evenly spaced points: a smooth, deterministic curve per field.
  const auto span = query.to - query.from;
  const int n = 240;
  for (int i = 0; i < n; ++i) {
    HistoryPoint p;
    p.time = query.from + span / n * i;  // span * i could overflow
    for (std::size_t f = 0; f < query.fields.size(); ++f) {
      const double phase = static_cast<double>(i) / n * 6.283185307179586;
      p.values.push_back(i == 100 ? std::nullopt  // a gap
                                  : std::optional<double>(50.0 + 40.0 * std::sin(phase + f)));
    }
    h.points.push_back(std::move(p));
  }
  complete([done, h = std::move(h)] { done(h); });
}

void FakeFacade::audit(const AuditQuery& query, Done<std::vector<AuditRecord>> done) {
  audit_queries.push_back(query);
  if (fail_next) {
    Error e = *std::exchange(fail_next, std::nullopt);
    return complete([done, e] { done(Failure{e}); });
  }
  std::vector<AuditRecord> out;
  for (auto it = audit_log.rbegin(); it != audit_log.rend() && out.size() < query.limit; ++it)
    if (it->time >= query.since) out.push_back(*it);
  complete([done, out = std::move(out)] { done(out); });
}

void FakeFacade::record(const Requester& who, std::string action, std::string request,
                        std::string outcome, std::string message) {
  audit_log.push_back({static_cast<std::int64_t>(audit_log.size()) + 1, clock_.wall_now(), who,
                       std::move(action), std::move(request), std::move(outcome),
                       std::move(message)});
}

Result<SettingsDto> FakeFacade::request_settings(const SettingsRequest& request,
                                                 const Requester& who) {
  settings_requests.emplace_back(request, who);
  const auto body = to_json(request).dump();
  if (fail_next) {
    Error e = *std::exchange(fail_next, std::nullopt);
    record(who, "settings", body, "error", e.message);
    return Failure{e};
  }
  auto next = apply_settings_request(soc_window, settings_snapshot, request);
  if (!next) {
    record(who, "settings", body, "refused", next.error().message);
    return next;
  }
  next->set_by = who.describe();
  next->set_at = status_snapshot.time;
  settings_snapshot = *next;
  next->message = "settings stored and in force";
  record(who, "settings", body, "accepted", next->message);
  return next;
}

Result<ModeVerdict> FakeFacade::request_mode(const ModeRequest& request, const Requester& who) {
  mode_requests.emplace_back(request, who);
  nlohmann::json body{{"mode", to_string(request.mode)}};
  if (request.setpoint_w) body["setpoint_w"] = *request.setpoint_w;
  if (request.expires_in_s) body["expires_in_s"] = *request.expires_in_s;
  if (fail_next) {
    Error e = *std::exchange(fail_next, std::nullopt);
    record(who, "mode", body.dump(), "error", e.message);
    return Failure{e};
  }
  if (refuse_mode) {
    record(who, "mode", body.dump(), "refused", *refuse_mode);
    return ModeVerdict{false, status_snapshot.controller.mode, std::nullopt, *refuse_mode,
                       std::nullopt};
  }
  ModeVerdict v{true, request.mode, std::nullopt,
                "mode set to " + std::string(to_string(request.mode)), std::nullopt};
  if (request.expires_in_s)
    v.expires_at = status_snapshot.time + std::chrono::seconds(*request.expires_in_s);
  if (request.setpoint_w) {
    const auto& env = status_snapshot.envelope;
    const double sp = std::clamp(*request.setpoint_w, -env.discharge_power_max_w.value,
                                 env.charge_power_max_w.value);
    v.effective_setpoint_w = sp;
    if (sp != *request.setpoint_w)
      v.message =
          "setpoint clamped to " + std::to_string(static_cast<long>(sp)) + " W by the envelope";
  }
  status_snapshot.controller.mode = request.mode;
  status_snapshot.controller.manual_setpoint_w = request.setpoint_w;
  record(who, "mode", body.dump(), "accepted", v.message);
  return v;
}

Result<AckResult> FakeFacade::ack_faults(const Requester& who) {
  ack_requests.push_back(who);
  if (fail_next) {
    Error e = *std::exchange(fail_next, std::nullopt);
    record(who, "ack_faults", "{}", "error", e.message);
    return Failure{e};
  }
  AckResult r;
  auto& faults = status_snapshot.controller.active_faults;
  std::vector<ActiveFault> kept;
  for (const auto& f : faults) {
    if (f.latched && f.cause_cleared)
      r.acknowledged.push_back(f.code);
    else {
      if (f.latched) r.still_active.push_back(f.code);
      kept.push_back(f);
    }
  }
  faults = kept;
  r.message = std::to_string(r.acknowledged.size()) + " fault(s) acknowledged";
  record(who, "ack_faults", "{}", "accepted", r.message);
  return r;
}

void FakeFacade::run_self_test(const Requester& who, Done<SelfTestReport> done) {
  self_test_requests.push_back(who);
  if (fail_next) {
    Error e = *std::exchange(fail_next, std::nullopt);
    record(who, "self_test", "{}", "error", e.message);
    return complete([done, e] { done(Failure{e}); });
  }
  SelfTestReport r;
  r.started_at = clock_.wall_now();
  r.finished_at = r.started_at;
  r.steps = {{"over_voltage", "block charge", "block charge", "OP-V-01", true, true, ""},
             {"bms_silence", "safe state", "safe state", "COM-01", true, true, ""}};
  r.passed = true;
  record(who, "self_test", "{}", "accepted", "passed");
  complete([done, r] { done(r); });
}

}  // namespace bessd::api::testing
