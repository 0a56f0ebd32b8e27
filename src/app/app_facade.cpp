#include <bessd/app/app_facade.hpp>

#include <array>
#include <charconv>
#include <cmath>
#include <fstream>
#include <future>
#include <sstream>

#include <boost/asio/post.hpp>

#include <bessd/api/json.hpp>
#include <bessd/app/compliance_monitor.hpp>
#include <bessd/app/logging.hpp>
#include <bessd/compliance/report_json.hpp>
#include <bessd/control/direction_blocks.hpp>
#include <bessd/control/protection_self_test.hpp>

namespace bessd::app {

namespace {

api::Mode to_api(config::OperatingMode m) {
  switch (m) {
    case config::OperatingMode::idle:
      return api::Mode::idle;
    case config::OperatingMode::manual:
      return api::Mode::manual;
    case config::OperatingMode::self_consumption:
      return api::Mode::self_consumption;
    case config::OperatingMode::schedule:
      return api::Mode::schedule;
  }
  return api::Mode::idle;
}

api::Verdict to_api(compliance::Verdict v) {
  switch (v) {
    case compliance::Verdict::block:
      return api::Verdict::block;
    case compliance::Verdict::derate:
      return api::Verdict::derate;
    case compliance::Verdict::warn:
      return api::Verdict::warn;
    case compliance::Verdict::pass:
    case compliance::Verdict::not_applicable:
      return api::Verdict::pass;
  }
  return api::Verdict::pass;
}

std::optional<double> seconds(std::optional<Duration> d) {
  if (!d) return std::nullopt;
  return to_seconds(*d);
}

// API history names -> storage telemetry names (the API keeps the shorter pack names).
std::string storage_field(const std::string& api_name) {
  if (api_name == "voltage_v") return "pack_voltage_v";
  if (api_name == "current_a") return "pack_current_a";
  if (api_name == "power_w") return "pack_power_w";
  if (api_name == "temperature_c") return "pack_temperature_c";
  if (api_name == "setpoint_w") return "command_power_w";
  return api_name;
}

storage::Resolution to_storage(api::Resolution r) {
  switch (r) {
    case api::Resolution::raw:
      return storage::Resolution::raw;
    case api::Resolution::minute:
      return storage::Resolution::minute;
    case api::Resolution::quarter_hour:
      return storage::Resolution::quarter_hour;
  }
  return storage::Resolution::minute;
}

api::Resolution to_api(storage::Resolution r) {
  switch (r) {
    case storage::Resolution::raw:
      return api::Resolution::raw;
    case storage::Resolution::minute:
    case storage::Resolution::automatic:
      return api::Resolution::minute;
    case storage::Resolution::quarter_hour:
      return api::Resolution::quarter_hour;
  }
  return api::Resolution::minute;
}

api::HealthValue health_value(std::string name, const control::HealthValue& v,
                              std::string note = {}) {
  api::HealthValue out;
  out.name = std::move(name);
  out.number = v.value;
  out.source = !v.value ? api::ValueSource::unavailable
               : v.provenance == control::Provenance::reported_by_bms ? api::ValueSource::reported
                                                                      : api::ValueSource::derived;
  out.note = std::move(note);
  return out;
}

api::ProtectionStatus protection_status(const control::StepOutput& out) {
  api::ProtectionStatus p;
  auto blocks = control::direction_blocks(out);
  p.charge_blocked_by = std::move(blocks.charge);
  p.discharge_blocked_by = std::move(blocks.discharge);
  p.recovery_charge = out.recovery;
  p.waiting_for_bms = out.waiting_for_bms;
  // Before the first BMS data there are no cells to speak of: say "measured" only once seen.
  if (out.findings.cell_data_estimated)
    p.cell_data = out.findings.estimated_cell_voltage_v ? "estimated" : "none";
  p.estimated_cell_voltage_v = out.findings.estimated_cell_voltage_v;
  p.uncommanded_discharge_w = out.uncommanded_discharge_w;
  return p;
}

/// Completes `done` on `io` with `value`. The callback is moved there, so nothing it holds is
/// destroyed on the query thread.
template <class T, class V>
void complete_on(const boost::asio::any_io_executor& io, api::Done<T>& done, V&& value) {
  boost::asio::post(io, [d = std::move(done), r = Result<T>(std::forward<V>(value))]() mutable {
    d(std::move(r));
  });
}

// The audit's actor column holds who made the write as a JSON object (docs/api.md "GET
// /v1/audit": `who`), with describe()'s line as "text" for a human reading the database.
// Reads the actor column back. Rows written before it held JSON carry describe()'s line only:
// it becomes `user`, and its " via unix"/" via tcp" gives the transport.
api::Requester requester_from_audit_actor(const std::string& actor) {
  api::Requester who;
  const auto j = nlohmann::json::parse(actor, nullptr, false);
  if (!j.is_object() || !j.contains("transport")) {
    who.user = actor;
    if (actor.find(" via unix") != std::string::npos) who.transport = api::Transport::unix_socket;
    if (actor.find(" via tcp") != std::string::npos) who.transport = api::Transport::tcp;
    return who;
  }
  // A word this build does not know (a newer bessd wrote the row) keeps the default, internal.
  if (const auto t = enum_from_name(api::kTransportNames, j.value("transport", std::string{})))
    who.transport = *t;
  if (const auto v = j.find("uid"); v != j.end() && v->is_number_unsigned())
    who.uid = v->get<std::uint32_t>();
  if (const auto v = j.find("gid"); v != j.end() && v->is_number_unsigned())
    who.gid = v->get<std::uint32_t>();
  if (const auto v = j.find("pid"); v != j.end() && v->is_number_integer())
    who.pid = v->get<std::int32_t>();
  const auto text = [&](const char* key) {
    const auto v = j.find(key);
    return v != j.end() && v->is_string() ? v->get<std::string>() : std::string{};
  };
  who.user = text("user");
  who.credential = text("token");
  who.peer = text("peer");
  return who;
}

std::optional<energy::FlatPrices> flat_prices(const config::Config& config) {
  if (!config.prices) return std::nullopt;
  const auto& p = *config.prices;
  return energy::FlatPrices{p.currency, p.import_per_kwh, p.export_per_kwh};
}

}  // namespace

AppFacade::AppFacade(FacadeContext ctx) : ctx_(std::move(ctx)) {}

AppFacade::~AppFacade() {
  queries_.join();
}

api::StatusDto AppFacade::status() const {
  const auto& out = ctx_.loop.last_output();
  api::StatusDto s;
  s.time = ctx_.clock.wall_now();
  s.controller.state = std::string(control::to_string(out.state));
  s.controller.mode = to_api(ctx_.loop.request().mode);
  if (ctx_.loop.request().mode == config::OperatingMode::manual)
    s.controller.manual_setpoint_w = ctx_.loop.request().manual_setpoint_w;
  const auto stored_mode = ctx_.safety ? ctx_.safety->mode() : std::nullopt;
  if (ctx_.loop.operator_mode() && stored_mode) {
    const auto& m = *stored_mode;
    s.controller.mode_source = "operator";
    s.controller.mode_set_by = m.set_by;
    s.controller.mode_set_at = WallTime{std::chrono::milliseconds{m.set_unix_ms}};
    s.controller.mode_expires_at = ctx_.loop.request().expires_at;
  }
  if (const auto& sp = out.scheduled;
      sp && ctx_.loop.request().mode == config::OperatingMode::schedule) {
    api::ScheduleStatus sc;
    sc.action = std::string(config::to_string(sp->kind));
    if (!sp->window.empty()) sc.window = sp->window;
    if (sp->kind == config::ScheduleActionKind::charge ||
        sp->kind == config::ScheduleActionKind::discharge)
      sc.goal_soc_pct = sp->goal_pct;
    if (const auto& zone = ctx_.loop.schedule_zone()) {
      sc.time_zone = zone->name();
      sc.local_time = zone->clock_text(s.time);
    }
    if (ctx_.loop.price_schedule() && plan_in_force()) sc.plan = plan_of(false).summary;
    s.controller.schedule = std::move(sc);
  }
  const auto soc_window = settings();
  s.controller.reserve_soc_pct = soc_window.reserve.effective_pct;
  s.controller.target_soc_pct = soc_window.target.effective_pct;
  if (out.command.kind == core::CommandKind::set_power)
    s.controller.commanded_power_w = out.command.battery_power_w;
  if (out.command.kind == core::CommandKind::safe_state) s.controller.commanded_power_w = 0.0;
  s.controller.command_reason = out.command.reason;
  s.controller.operating_reason_code = out.operating.code;
  s.controller.operating_reason = out.operating.text;
  // The mode shown is the one requested; while the start-up hold runs it as idle, say why. A
  // protection's reason (a recharge of an empty pack) goes first: the hold is said after it.
  if (ctx_.loop.holding_until_confirmed() &&
      ctx_.loop.request().mode != config::OperatingMode::idle) {
    constexpr const char* kHold =
        "idle until the safety state is rewritten at start (the restored mode applies once it "
        "is on disk)";
    s.controller.command_reason =
        out.command.reason == "idle" ? std::string(kHold) : out.command.reason + "; mode " + kHold;
  }
  for (const auto& f : out.faults) {
    api::ActiveFault a;
    a.code = f.id;
    a.message = f.reason;
    a.latched = f.latched;
    a.cause_cleared = f.latched && !f.cause_active;
    a.severity = f.latched ? core::Severity::critical : core::Severity::error;
    s.controller.active_faults.push_back(std::move(a));
  }
  s.protection = protection_status(out);
  s.pack = ctx_.bms.state();
  s.pack_age_s = seconds(ctx_.bms.age(bms::PackPart::measurements));
  s.inverter = ctx_.loop.inverter();
  if (s.inverter.read_at) s.inverter_age_s = to_seconds(ctx_.clock.now() - *s.inverter.read_at);
  for (const auto& h : s.inverter.held_limits) {
    api::HeldLimitStatus held{h.limit, h.held, h.envelope, std::nullopt};
    if (h.loosen_at) held.loosen_in_s = std::max(0.0, to_seconds(*h.loosen_at - ctx_.clock.now()));
    s.inverter_held_limits.push_back(std::move(held));
  }
  s.envelope = out.envelope;
  s.compliance.verdict = to_api(ctx_.compliance.verdict);
  for (const auto& f : ctx_.compliance.findings) {
    if (f.verdict == compliance::Verdict::block) s.compliance.blocking_rules.push_back(f.rule_id);
    if (f.verdict == compliance::Verdict::warn) ++s.compliance.warnings;
    if (f.verdict == compliance::Verdict::derate) ++s.compliance.derates;
  }
  api::LinkStatus bms_link;
  bms_link.name = "bms";
  switch (ctx_.bms.health()) {
    case bms::BmsHealth::waiting:
      bms_link.state = api::LinkState::unknown;
      break;
    case bms::BmsHealth::fresh:
      bms_link.state = api::LinkState::up;
      break;
    case bms::BmsHealth::stale:
      bms_link.state = api::LinkState::stale;
      break;
    case bms::BmsHealth::lost:
      bms_link.state = api::LinkState::down;
      break;
  }
  bms_link.age_s = s.pack_age_s;
  bms_link.error_count = ctx_.bms.stats().frames_rejected + ctx_.bms.stats().bus_errors;
  bms_link.detail = ctx_.bms_link_detail;
  s.links.push_back(bms_link);
  api::LinkStatus inv_link;
  inv_link.name = "inverter";
  inv_link.state = s.inverter.online ? api::LinkState::up : api::LinkState::down;
  inv_link.age_s = s.inverter_age_s;
  inv_link.detail = ctx_.inverter_link_detail;
  inv_link.error_count = ctx_.inverter_problems != nullptr ? *ctx_.inverter_problems : 0;
  s.links.push_back(inv_link);
  const auto m = ctx_.store.metrics();
  api::LinkStatus db;
  db.name = "storage";
  db.state = m.available ? api::LinkState::up : api::LinkState::down;
  db.error_count = m.write_failures;
  db.detail = m.last_error.empty() ? ctx_.config.storage.path : m.last_error;
  s.links.push_back(db);
  const auto shown = ctx_.loop.energy_shown();
  s.energy = api::EnergyStatus{shown.totals, ctx_.loop.energy_since(), shown.as_of, shown.today,
                               flat_prices(ctx_.config)};
  if (ctx_.service_links)
    for (auto& l : ctx_.service_links()) s.links.push_back(std::move(l));
  if (ctx_.service_faults) s.service_faults = ctx_.service_faults();
  if (ctx_.active_warnings) {
    // A controller fault raises an event of its own code: listed once, as the fault.
    for (auto& w : ctx_.active_warnings()) {
      const auto same = [&](const api::ActiveFault& f) { return f.code == w.code; };
      if (std::none_of(s.controller.active_faults.begin(), s.controller.active_faults.end(),
                       same) &&
          std::none_of(s.service_faults.begin(), s.service_faults.end(), same))
        s.warnings.push_back(std::move(w));
    }
  }
  return s;
}

api::LimitsDto AppFacade::limits() const {
  const auto& env = ctx_.loop.last_output().envelope;
  api::LimitsDto l;
  l.time = ctx_.clock.wall_now();
  l.envelope = env;
  auto add = [&](const char* name, api::Direction d, const core::Bound& b) {
    l.constraints.push_back({name, d, b.value, b.cause, true});
  };
  add("charge_power_max_w", api::Direction::charge, env.charge_power_max_w);
  add("discharge_power_max_w", api::Direction::discharge, env.discharge_power_max_w);
  add("charge_current_max_a", api::Direction::charge, env.charge_current_max_a);
  add("discharge_current_max_a", api::Direction::discharge, env.discharge_current_max_a);
  add("charge_voltage_max_v", api::Direction::charge, env.charge_voltage_max_v);
  return l;
}

api::ComplianceDto AppFacade::compliance() const {
  const auto& r = ctx_.compliance;
  api::ComplianceDto c;
  c.checked_at = ctx_.clock.wall_now();
  c.charge_blocked = c.discharge_blocked = r.blocks();
  c.report = nlohmann::json(compliance::to_json(r));  // the document check-site --json prints
  if (ctx_.config_fingerprint && !ctx_.config_fingerprint->empty())
    c.config_fingerprint = *ctx_.config_fingerprint;
  return c;
}

api::HealthDto AppFacade::health() const {
  const auto d = ctx_.loop.lifetime();
  api::HealthDto h;
  h.time = ctx_.clock.wall_now();
  h.values.push_back(health_value("soh_pct", d.soh_pct));
  h.values.push_back(health_value("remaining_capacity_ah", d.remaining_capacity_ah));
  h.values.push_back(health_value("ohmic_resistance_mohm", d.ohmic_resistance_mohm,
                                  "from voltage steps over current steps (dV/dI)"));
  h.values.push_back(health_value("round_trip_efficiency_pct", d.round_trip_efficiency_pct,
                                  "energy out / energy in, SOC-corrected"));
  h.values.push_back(health_value("energy_charged_kwh", d.energy_charged_kwh));
  h.values.push_back(health_value("energy_discharged_kwh", d.energy_discharged_kwh));
  h.values.push_back(health_value("capacity_charged_ah", d.capacity_charged_ah));
  h.values.push_back(health_value("capacity_discharged_ah", d.capacity_discharged_ah));
  h.values.push_back(health_value("full_equivalent_cycles", d.full_equivalent_cycles));
  h.values.push_back(
      health_value("deep_discharge_count", d.deep_discharge_count, "SOC at or below 5 %"));
  h.values.push_back(health_value("time_in_extreme_temperature_s", d.time_in_extreme_temperature_s,
                                  "cells outside 0 to 45 °C"));
  h.values.push_back(health_value("time_charging_in_extreme_temperature_s",
                                  d.time_charging_in_extreme_temperature_s));
  auto date_value = [&](const char* name, const std::optional<Date>& date) {
    api::HealthValue v;
    v.name = name;
    if (date) {
      v.text = format_date(*date);
      v.source = api::ValueSource::configured;
    } else {
      v.note = "not configured (battery section)";
    }
    h.values.push_back(v);
  };
  date_value("manufacture_date", ctx_.config.battery.manufacture_date);
  date_value("in_service_date", ctx_.config.battery.in_service_date);
  return h;
}

nlohmann::json AppFacade::config_json() const {
  if (ctx_.config_text == nullptr) return nlohmann::json::object();
  if (parsed_text_ != *ctx_.config_text || parsed_config_.is_null()) {
    parsed_text_ = *ctx_.config_text;
    // The router redacts secrets; comments are allowed in the file.
    parsed_config_ = nlohmann::json::parse(parsed_text_, nullptr, false, true);
  }
  return parsed_config_;
}

std::vector<api::MetricSample> AppFacade::metrics() const {
  std::vector<api::MetricSample> m;
  auto gauge = [&](std::string name, std::string help, std::optional<double> v) {
    if (v) m.push_back({std::move(name), std::move(help), api::MetricType::gauge, {}, *v});
  };
  auto counter = [&](std::string name, std::string help, double v) {
    m.push_back({std::move(name), std::move(help), api::MetricType::counter, {}, v});
  };
  // The status series (add_status_metrics) come first; these are the daemon's own, and none
  // repeats one of them: Prometheus rejects a scrape with a duplicate series.
  gauge("bessd_compliance_blocked", "1 when an installation rule blocks power flow",
        ctx_.compliance.blocks() ? 1.0 : 0.0);
  const auto& bs = ctx_.bms.stats();
  counter("bessd_bms_frames_total", "BMS frames applied", static_cast<double>(bs.frames_applied));
  counter("bessd_bms_frames_rejected_total", "BMS frames rejected as malformed",
          static_cast<double>(bs.frames_rejected));
  counter("bessd_can_bus_errors_total", "CAN bus errors", static_cast<double>(bs.bus_errors));
  counter("bessd_control_steps_total", "Control steps run", static_cast<double>(ctx_.loop.steps()));
  const auto sm = ctx_.store.metrics();
  counter("bessd_storage_telemetry_written_total", "Telemetry samples stored",
          static_cast<double>(sm.telemetry_written));
  counter("bessd_storage_telemetry_dropped_total", "Telemetry samples dropped (queue full)",
          static_cast<double>(sm.telemetry_dropped));
  counter("bessd_storage_write_failures_total", "Failed storage transactions",
          static_cast<double>(sm.write_failures));
  gauge("bessd_storage_queue_depth", "Storage write queue depth",
        static_cast<double>(sm.queue_depth));
  gauge("bessd_storage_database_bytes", "Database size", static_cast<double>(sm.database_bytes));
  const auto soc_window = settings();
  gauge("bessd_soc_reserve_percent", "State of charge where discharging stops",
        soc_window.reserve.effective_pct);
  gauge("bessd_soc_target_percent", "State of charge where charging stops",
        soc_window.target.effective_pct);
  if (const LatencyHistogram* h = ctx_.inverter.safety_reactions()) add_reaction_metrics(m, *h);
  if (ctx_.service_metrics)
    for (auto& sample : ctx_.service_metrics()) m.push_back(std::move(sample));
  return m;
}

// bessd's own part of a reaction, which no benchmark on the outside can separate from the
// devices' (docs/api.md, "GET /metrics").
void AppFacade::add_reaction_metrics(std::vector<api::MetricSample>& m, const LatencyHistogram& h) {
  const std::string name = "bessd_safety_reaction_seconds";
  const std::string help =
      "From a safety input reaching the control loop to the inverter acknowledging the first "
      "write of the command it caused";
  auto sample = [&](std::map<std::string, std::string> labels, double v, const char* series) {
    m.push_back({name + series, help, api::MetricType::histogram, std::move(labels), v});
  };
  for (std::size_t i = 0; i < LatencyHistogram::kBoundsS.size(); ++i) {
    std::array<char, 32> le{};
    const auto end = std::to_chars(le.data(), le.data() + le.size(), LatencyHistogram::kBoundsS[i]);
    sample({{"le", std::string(le.data(), end.ptr)}}, static_cast<double>(h.at_or_below(i)),
           "_bucket");
  }
  sample({{"le", "+Inf"}}, static_cast<double>(h.count()), "_bucket");
  sample({}, h.sum_s(), "_sum");
  sample({}, static_cast<double>(h.count()), "_count");
  if (h.count() > 0)
    m.push_back({"bessd_safety_reaction_max_seconds",
                 "The longest of those reactions since start",
                 api::MetricType::gauge,
                 {},
                 h.max_s()});
}

void AppFacade::events(const api::EventQuery& query,
                       api::Done<std::vector<api::EventRecord>> done) {
  boost::asio::post(queries_, [this, query, done = std::move(done)]() mutable {
    storage::EventQuery q;
    q.since = query.since;
    q.min_severity = query.min_severity;
    q.limit = 100'000;  // the store returns oldest first; the API wants the newest `limit`
    auto r = ctx_.store.events(q);
    if (!r) return complete_on(ctx_.io, done, Failure{r.error()});
    std::vector<api::EventRecord> out;
    const auto& all = *r;
    const std::size_t n = std::min<std::size_t>(all.size(), query.limit);
    for (std::size_t i = 0; i < n; ++i) {
      const auto& e = all[all.size() - 1 - i];
      out.push_back({e.id, e.at, e.event});
    }
    complete_on(ctx_.io, done, std::move(out));
  });
}

void AppFacade::history(const api::HistoryQuery& query, api::Done<api::HistorySeries> done) {
  boost::asio::post(queries_, [this, query, done = std::move(done)]() mutable {
    storage::HistoryQuery q;
    q.from = query.from;
    q.to = query.to;
    q.resolution = to_storage(query.resolution);
    for (const auto& f : query.fields) q.fields.push_back(storage_field(f));
    auto r = ctx_.store.history(q);
    if (!r) return complete_on(ctx_.io, done, Failure{r.error()});
    api::HistorySeries s;
    s.fields = query.fields;
    s.resolution = to_api(r->resolution);
    for (const auto& p : r->points) {
      api::HistoryPoint point;
      point.time = p.at;
      for (const auto& v : p.values) point.values.push_back(v.mean);
      s.points.push_back(std::move(point));
    }
    complete_on(ctx_.io, done, std::move(s));
  });
}

void AppFacade::energy(const api::EnergyQuery& query, api::Done<api::EnergyReport> done) {
  // The local calendar day now, on the control thread where the clock lives.
  const Date today = local_date(ctx_.clock.wall_now());
  auto prices = flat_prices(ctx_.config);
  boost::asio::post(queries_, [this, query, today, prices, done = std::move(done)]() mutable {
    const auto empty = energy::energy_by_period({}, query.period, today, query.count);
    if (empty.empty())
      return complete_on(ctx_.io, done, api::EnergyReport{query.period, {}, prices});
    auto days = ctx_.store.energy_days(empty.front().start, today);
    if (!days) return complete_on(ctx_.io, done, Failure{days.error()});
    complete_on(ctx_.io, done,
                api::EnergyReport{query.period,
                                  energy::energy_by_period(*days, query.period, today, query.count),
                                  prices});
  });
}

void AppFacade::audit(const api::AuditQuery& query, api::Done<std::vector<api::AuditRecord>> done) {
  boost::asio::post(queries_, [this, query, done = std::move(done)]() mutable {
    // Newest first, straight from the store: none of the newest rows can fall off the end.
    auto r = ctx_.store.audit(query.since, query.limit);
    if (!r) return complete_on(ctx_.io, done, Failure{r.error()});
    std::vector<api::AuditRecord> out;
    for (const auto& a : *r) {
      api::AuditRecord rec;
      rec.id = a.id;
      rec.time = a.record.at;
      rec.who = requester_from_audit_actor(a.record.actor);
      rec.action = a.record.action;
      rec.request = a.record.request;
      rec.outcome = a.record.outcome;
      rec.message = a.record.message;
      out.push_back(std::move(rec));
    }
    complete_on(ctx_.io, done, std::move(out));
  });
}

void AppFacade::run_self_test(const api::Requester& who, api::Done<api::SelfTestReport> done) {
  // The self-test runs on a copy of the decision logic: it never touches the real inverter.
  auto settings = control::ControllerSettings::from_config(ctx_.config);
  auto limits = limits::LimitsSettings::from_config(ctx_.config);
  const auto started = ctx_.clock.wall_now();
  record_audit(who, {"self_test"}, "accepted", "protection self-test started");
  boost::asio::post(queries_, [this, settings, limits, started, done = std::move(done)]() mutable {
    const auto r = control::run_protection_self_test(settings, limits);
    api::SelfTestReport out;
    out.started_at = started;
    out.finished_at = ctx_.clock.wall_now();
    out.passed = r.all_passed;
    for (const auto& c : r.cases) {
      api::SelfTestStep s;
      s.condition = c.condition;
      s.expected_action = c.expected_action;
      s.observed_action = c.actual_action;
      s.expected_event = c.expected_event;
      s.event_seen = c.event_seen;
      s.passed = c.passed;
      s.message = c.injected + (c.note.empty() ? "" : "; " + c.note);
      out.steps.push_back(std::move(s));
    }
    complete_on(ctx_.io, done, std::move(out));
  });
}

}  // namespace bessd::app
