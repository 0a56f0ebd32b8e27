// GET routes of the router: bodies, units, sign convention, query validation.

#include <bessd/api/prometheus_text.hpp>

#include "router_test_support.hpp"

namespace bessd::api::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

using RouterRead = RouterFixture;

TEST_F(RouterRead, StatusShowsPackInverterEnvelopeAndLinksWithUnits) {
  const auto r = call(Method::get, "/v1/status");
  ASSERT_EQ(r.status, 200u);
  EXPECT_EQ(r.content_type, "application/json");
  const auto j = json(r);
  EXPECT_EQ(j["state"], "running");
  EXPECT_EQ(j["mode"], "self_consumption");
  EXPECT_EQ(j["time"], "2026-11-18T11:06:40.000Z");
  EXPECT_DOUBLE_EQ(j["pack"]["soc_pct"].get<double>(), 55.0);
  EXPECT_DOUBLE_EQ(j["pack"]["voltage_v"].get<double>(), 52.4);
  // + = charging: a positive current gives a positive power.
  EXPECT_GT(j["pack"]["current_a"].get<double>(), 0.0);
  EXPECT_NEAR(j["pack"]["power_w"].get<double>(), 52.4 * 22.9, 1e-9);
  EXPECT_NEAR(j["pack"]["cell_voltage_spread_mv"].get<double>(), 21.0, 1e-6);
  EXPECT_EQ(j["pack"]["protections"]["cell_over_voltage"], "ok");
  EXPECT_EQ(j["pack"]["protections"]["unknown"], "not_reported");
  EXPECT_TRUE(j["pack"]["bms_limits"]["discharge_voltage_limit_v"].is_null());
  EXPECT_DOUBLE_EQ(j["pack"]["bms_limits"]["charge_current_limit_a"].get<double>(), 100.0);
  EXPECT_DOUBLE_EQ(j["pack"]["age_s"].get<double>(), 0.4);
  EXPECT_EQ(j["inverter"]["operating"], "running");
  EXPECT_DOUBLE_EQ(j["inverter"]["grid_power_w"].get<double>(), -12.0);
  EXPECT_DOUBLE_EQ(j["envelope"]["charge_power_max_w"].get<double>(), 2100.0);
  EXPECT_EQ(j["envelope"]["charge_power_cause"]["rule_id"], "OP-T-02");
  EXPECT_THAT(j["envelope"]["charge_power_cause"]["sentence"].get<std::string>(),
              HasSubstr("cold"));
  EXPECT_TRUE(j["envelope"]["discharge_power_cause"]["rule_id"].is_null());
  EXPECT_EQ(j["compliance"]["verdict"], "pass");
  ASSERT_EQ(j["links"].size(), 3u);
  EXPECT_EQ(j["links"][1]["name"], "inverter");
  EXPECT_EQ(j["links"][1]["error_count"], 3);
}

TEST_F(RouterRead, StatusAbsentValuesAreNullNotZero) {
  facade.status_snapshot.pack = {};
  facade.status_snapshot.pack_age_s.reset();
  const auto j = json(call(Method::get, "/v1/status"));
  EXPECT_TRUE(j["pack"]["soc_pct"].is_null());
  EXPECT_TRUE(j["pack"]["power_w"].is_null());
  EXPECT_TRUE(j["pack"]["age_s"].is_null());
}

TEST_F(RouterRead, StatusListsActiveFaults) {
  facade.status_snapshot.controller.active_faults.push_back(
      {"ALM-01", core::Severity::critical, "fire alarm input tripped", std::nullopt, true, false});
  const auto j = json(call(Method::get, "/v1/status"));
  ASSERT_EQ(j["active_faults"].size(), 1u);
  EXPECT_EQ(j["active_faults"][0]["code"], "ALM-01");
  EXPECT_EQ(j["active_faults"][0]["severity"], "critical");
  EXPECT_EQ(j["active_faults"][0]["latched"], true);
  EXPECT_TRUE(j["active_faults"][0]["since"].is_null());
}

// Repeated GETs must never see an older document than the facade's: no caching in the router
// may hide a change of the snapshot or of the time.
TEST_F(RouterRead, StatusAndLimitsFollowEveryChange) {
  const auto first = call(Method::get, "/v1/status").body;
  EXPECT_EQ(call(Method::get, "/v1/status").body, first);
  facade.status_snapshot.pack.soc_pct = 56.0;
  const auto second = call(Method::get, "/v1/status").body;
  EXPECT_NE(second, first);
  EXPECT_DOUBLE_EQ(nlohmann::json::parse(second)["pack"]["soc_pct"].get<double>(), 56.0);
  clock.advance(std::chrono::milliseconds{1});
  EXPECT_EQ(json(call(Method::get, "/v1/status"))["time"], "2026-11-18T11:06:40.001Z");
  facade.status_snapshot.links[0].age_s = 0.5;
  EXPECT_DOUBLE_EQ(json(call(Method::get, "/v1/status"))["links"][0]["age_s"].get<double>(), 0.5);

  const auto limits = call(Method::get, "/v1/limits").body;
  facade.limits_snapshot.envelope.charge_power_max_w.value = 1800.0;
  EXPECT_NE(call(Method::get, "/v1/limits").body, limits);
  EXPECT_DOUBLE_EQ(
      json(call(Method::get, "/v1/limits"))["bounds"]["charge_power_max_w"]["value"].get<double>(),
      1800.0);
  clock.advance(std::chrono::milliseconds{1});
  EXPECT_EQ(json(call(Method::get, "/v1/limits"))["time"], "2026-11-18T11:06:40.002Z");
}

TEST_F(RouterRead, LimitsListsEveryBoundWithItsCause) {
  const auto r = call(Method::get, "/v1/limits");
  ASSERT_EQ(r.status, 200u);
  const auto j = json(r);
  for (const char* b : {"charge_power_max_w", "discharge_power_max_w", "charge_current_max_a",
                        "discharge_current_max_a", "charge_voltage_max_v"}) {
    ASSERT_TRUE(j["bounds"].contains(b)) << b;
    EXPECT_TRUE(j["bounds"][b]["value"].is_number()) << b;
    EXPECT_TRUE(j["bounds"][b]["kind"].is_string()) << b;
  }
  EXPECT_EQ(j["bounds"]["charge_power_max_w"]["kind"], "temperature");
  ASSERT_EQ(j["constraints"].size(), 3u);
  EXPECT_EQ(j["constraints"][0]["binding"], true);
  EXPECT_EQ(j["constraints"][0]["direction"], "charge");
}

TEST_F(RouterRead, ComplianceIsTheFullReport) {
  facade.compliance_report.report["verdict"] = "block";
  facade.compliance_report.charge_blocked = true;
  const auto j = json(call(Method::get, "/v1/compliance"));
  EXPECT_EQ(j["verdict"], "block");
  EXPECT_EQ(j["charge_blocked"], true);
  EXPECT_EQ(j["scope"]["pas_63100"], true);
  ASSERT_EQ(j["findings"].size(), 2u);
  EXPECT_EQ(j["findings"][0]["rule"], "PAS-LOC-01");
  EXPECT_EQ(j["findings"][0]["inputs"]["site.location"], "outdoor_wall");
  EXPECT_EQ(j["findings"][0]["note"], "verify against the published text");
  // not_applicable stays not_applicable (the offline report's word), never "pass".
  EXPECT_EQ(j["findings"][1]["verdict"], "not_applicable");
}

TEST_F(RouterRead, HealthMarksReportedAndDerivedValues) {
  const auto j = json(call(Method::get, "/v1/health"));
  EXPECT_EQ(j["values"]["soh_pct"]["source"], "reported");
  EXPECT_EQ(j["values"]["energy_charged_kwh"]["source"], "derived");
  EXPECT_EQ(j["values"]["manufacture_date"]["value"], "2025-06-01");
  EXPECT_TRUE(j["values"]["ohmic_resistance_mohm"]["value"].is_null());
  EXPECT_EQ(j["values"]["ohmic_resistance_mohm"]["source"], "unavailable");
}

TEST_F(RouterRead, ConfigRedactsSecrets) {
  const auto r = call(Method::get, "/v1/config");
  ASSERT_EQ(r.status, 200u);
  EXPECT_EQ(r.body.find("hunter2"), std::string::npos);
  const auto j = json(r);
  EXPECT_EQ(j["mqtt"]["password"], "<redacted>");
  EXPECT_EQ(j["api"]["tcp"]["token_file"], "<redacted>");
  EXPECT_EQ(j["site"]["name"], "Test house");
}

TEST_F(RouterRead, MetricsArePrometheusText) {
  (void)call(Method::get, "/v1/status");
  const auto r = call(Method::get, "/metrics");
  ASSERT_EQ(r.status, 200u);
  EXPECT_THAT(r.content_type, HasSubstr("text/plain"));
  EXPECT_THAT(r.body,
              HasSubstr("# TYPE bessd_pack_soc_percent gauge\nbessd_pack_soc_percent 55\n"));
  EXPECT_THAT(r.body, HasSubstr("bessd_pack_cell_voltage_volts{extreme=\"max\"} 3.302\n"));
  EXPECT_THAT(r.body, HasSubstr("bessd_envelope_power_max_watts{direction=\"charge\"} 2100\n"));
  EXPECT_THAT(r.body, HasSubstr("bessd_controller_state{state=\"running\"} 1\n"));
  EXPECT_THAT(r.body, HasSubstr("bessd_link_errors_total{link=\"inverter\"} 3\n"));
  EXPECT_THAT(
      r.body,
      HasSubstr("bessd_api_requests_total{code=\"200\",method=\"GET\",route=\"/v1/status\"} 1\n"));
  // One HELP/TYPE header per family even with several samples.
  const auto first = r.body.find("# TYPE bessd_pack_cell_voltage_volts");
  EXPECT_EQ(r.body.find("# TYPE bessd_pack_cell_voltage_volts", first + 1), std::string::npos);
}

// A flow nothing measures (no grid reading on SunSpec without a meter) is unknown: null in the
// status and no series in /metrics, not a 0 kWh that never grows (docs/api.md "Energy
// counters").
TEST_F(RouterRead, AFlowNothingMeasuresIsNullNotZero) {
  auto& t = facade.status_snapshot.energy.totals;
  t = {};
  t.battery_charged_kwh = 1.5;
  t.measured_s = 3600.0;
  t.pv_measured_s = 3600.0;  // PV read, at 0 W all night
  const auto j = json(call(Method::get, "/v1/status"));
  EXPECT_TRUE(j["energy"]["grid_import_kwh"].is_null()) << j["energy"].dump();
  EXPECT_TRUE(j["energy"]["grid_export_kwh"].is_null());
  EXPECT_TRUE(j["energy"]["house_kwh"].is_null());
  EXPECT_EQ(j["energy"]["pv_kwh"], 0.0);
  EXPECT_EQ(j["energy"]["battery_charged_kwh"], 1.5);
  const auto m = call(Method::get, "/metrics").body;
  EXPECT_THAT(m, HasSubstr("bessd_energy_kwh_total{flow=\"pv\"} 0\n"));
  EXPECT_THAT(m, Not(HasSubstr("flow=\"grid_import\"")));
  EXPECT_THAT(m, Not(HasSubstr("flow=\"house\"")));
}

TEST_F(RouterRead, MetricsIncludeFacadeSamplesAndEscapeLabels) {
  facade.extra_metrics.push_back({"bessd_storage_queue_dropped_total",
                                  "Dropped samples",
                                  MetricType::counter,
                                  {{"queue", "a\"b\\c"}},
                                  7});
  const auto r = call(Method::get, "/metrics");
  EXPECT_THAT(r.body, HasSubstr("# TYPE bessd_storage_queue_dropped_total counter\n"));
  EXPECT_THAT(r.body, HasSubstr("bessd_storage_queue_dropped_total{queue=\"a\\\"b\\\\c\"} 7\n"));
}

// Prometheus rejects a scrape that repeats a series: a facade sample that repeats a status
// series is left out, and the first value stays.
TEST_F(RouterRead, ARepeatedSeriesIsLeftOut) {
  facade.extra_metrics.push_back(
      {"bessd_pack_soc_percent", "State of charge again", MetricType::gauge, {}, 12});
  facade.extra_metrics.push_back(
      {"bessd_envelope_power_max_watts", "again", MetricType::gauge, {{"direction", "charge"}}, 1});
  const auto r = call(Method::get, "/metrics");
  EXPECT_THAT(r.body, HasSubstr("\nbessd_pack_soc_percent 55\n"));
  EXPECT_THAT(r.body, Not(HasSubstr("bessd_pack_soc_percent 12")));
  EXPECT_THAT(r.body, Not(HasSubstr("{direction=\"charge\"} 1\n")));
}

TEST(PrometheusText, ReportsTheSeriesItLeftOut) {
  api::PrometheusText t;
  t.add({"m", "h", MetricType::gauge, {{"a", "1"}}, 1});
  t.add({"m", "h", MetricType::gauge, {{"a", "2"}}, 2});
  t.add({"m", "h", MetricType::gauge, {{"a", "1"}}, 3});
  EXPECT_EQ(t.render(), "# HELP m h\n# TYPE m gauge\nm{a=\"1\"} 1\nm{a=\"2\"} 2\n");
  EXPECT_EQ(t.duplicates(), std::vector<std::string>{"m{a=\"1\"}"});
}

TEST_F(RouterRead, HistogramSeriesShareOneHeaderOfTypeHistogram) {
  for (const auto& [le, n] : {std::pair<const char*, double>{"0.001", 3}, {"+Inf", 4}})
    facade.extra_metrics.push_back({"bessd_safety_reaction_seconds_bucket",
                                    "Reaction",
                                    MetricType::histogram,
                                    {{"le", le}},
                                    n});
  facade.extra_metrics.push_back(
      {"bessd_safety_reaction_seconds_count", "Reaction", MetricType::histogram, {}, 4});
  const auto r = call(Method::get, "/metrics");
  EXPECT_THAT(r.body, HasSubstr("# TYPE bessd_safety_reaction_seconds histogram\n"
                                "bessd_safety_reaction_seconds_bucket{le=\"0.001\"} 3\n"
                                "bessd_safety_reaction_seconds_bucket{le=\"+Inf\"} 4\n"
                                "bessd_safety_reaction_seconds_count 4\n"));
}

TEST_F(RouterRead, EventsNewestFirstWithDefaults) {
  const auto r = call(Method::get, "/v1/events");
  ASSERT_EQ(r.status, 200u);
  const auto j = json(r);
  ASSERT_EQ(j["events"].size(), 4u);
  EXPECT_EQ(j["events"][0]["id"], 4);
  EXPECT_EQ(j["events"][1]["code"], "COM-01");
  EXPECT_EQ(j["events"][1]["severity"], "error");
  ASSERT_EQ(facade.event_queries.size(), 1u);
  EXPECT_EQ(facade.event_queries[0].limit, kDefaultQueryLimit);
}

TEST_F(RouterRead, EventsFilterByLevelSinceAndLimit) {
  auto j = json(call(Method::get, "/v1/events?level=warning"));
  EXPECT_EQ(j["events"].size(), 2u);
  j = json(call(Method::get, "/v1/events?since=-60m"));
  EXPECT_EQ(j["events"].size(), 2u);
  j = json(call(Method::get, "/v1/events?limit=1"));
  EXPECT_EQ(j["events"].size(), 1u);
  const auto r = call(Method::get, "/v1/events?since=2026-11-18T10%3A40%3A00Z");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(facade.event_queries.back().since,
            WallTime{std::chrono::seconds{1'795'000'000 - 1600}});
}

TEST_F(RouterRead, EventsRejectBadParameters) {
  auto m = expect_error(call(Method::get, "/v1/events?level=loud"), 400, "invalid_query");
  EXPECT_THAT(m, HasSubstr("level: must be one of debug, info, warning, error, critical"));
  m = expect_error(call(Method::get, "/v1/events?limit=0"), 400, "invalid_query");
  EXPECT_THAT(m, HasSubstr("limit: must be an integer from 1 to 1000, got \"0\""));
  m = expect_error(call(Method::get, "/v1/events?limit=1001"), 400, "invalid_query");
  m = expect_error(call(Method::get, "/v1/events?limit=ten"), 400, "invalid_query");
  m = expect_error(call(Method::get, "/v1/events?since=yesterday"), 400, "invalid_query");
  EXPECT_THAT(m, HasSubstr("since: must be an RFC 3339 time"));
  m = expect_error(call(Method::get, "/v1/events?levle=info"), 400, "invalid_query");
  EXPECT_THAT(m, HasSubstr("levle: unknown query parameter (allowed: since, level, limit)"));
  m = expect_error(call(Method::get, "/v1/events?limit=1&limit=2"), 400, "invalid_query");
  EXPECT_THAT(m, HasSubstr("given more than once"));
  m = expect_error(call(Method::get, "/v1/events?since=%zz"), 400, "invalid_query");
  EXPECT_THAT(m, HasSubstr("malformed percent-escape"));
  // Every problem is listed, not only the first.
  const auto r = call(Method::get, "/v1/events?level=x&limit=y");
  EXPECT_EQ(json(r)["error"]["details"].size(), 2u);
  EXPECT_TRUE(facade.event_queries.empty());
}

TEST_F(RouterRead, EventsStorageFailureIs503) {
  facade.fail_next = Error{ErrorCode::storage_error, "database is locked"};
  const auto m = expect_error(call(Method::get, "/v1/events"), 503, "unavailable");
  EXPECT_EQ(m, "database is locked");
}

TEST_F(RouterRead, HistoryDefaultsToTheLastHourRaw) {
  const auto r = call(Method::get, "/v1/history");
  ASSERT_EQ(r.status, 200u) << r.body;
  const auto j = json(r);
  EXPECT_EQ(j["resolution"], "raw");
  EXPECT_EQ(j["fields"], nlohmann::json({"soc_pct", "power_w"}));
  EXPECT_EQ(j["from"], "2026-11-18T10:06:40.000Z");
  EXPECT_EQ(j["to"], "2026-11-18T11:06:40.000Z");
  EXPECT_EQ(j["points"].size(), 240u);
  EXPECT_TRUE(j["points"][100]["soc_pct"].is_null());
  EXPECT_TRUE(j["points"][0]["power_w"].is_number());
}

TEST_F(RouterRead, HistoryChoosesResolutionAndFields) {
  auto r = call(Method::get, "/v1/history?from=-3d&fields=cell_voltage_max_v");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(json(r)["resolution"], "minute");
  EXPECT_EQ(facade.history_queries.back().fields, std::vector<std::string>{"cell_voltage_max_v"});
  r = call(Method::get, "/v1/history?from=-30d&to=-1d&resolution=quarter_hour");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(facade.history_queries.back().resolution, Resolution::quarter_hour);
}

TEST_F(RouterRead, HistoryRejectsBadParameters) {
  auto m = expect_error(call(Method::get, "/v1/history?fields=soc"), 400, "invalid_query");
  EXPECT_THAT(m, HasSubstr("unknown field \"soc\" (known: soc_pct,"));
  m = expect_error(call(Method::get, "/v1/history?fields=soc_pct,soc_pct"), 400, "invalid_query");
  EXPECT_THAT(m, HasSubstr("given twice"));
  m = expect_error(call(Method::get, "/v1/history?fields=soc_pct,"), 400, "invalid_query");
  EXPECT_THAT(m, HasSubstr("empty field name"));
  m = expect_error(call(Method::get, "/v1/history?from=-1h&to=-2h"), 400, "invalid_query");
  EXPECT_THAT(m, HasSubstr("from: must be earlier than \"to\""));
  m = expect_error(call(Method::get, "/v1/history?from=-30d&resolution=raw"), 400, "invalid_query");
  EXPECT_THAT(m, HasSubstr("choose a coarser resolution"));
  m = expect_error(call(Method::get, "/v1/history?resolution=hourly"), 400, "invalid_query");
  EXPECT_THAT(m, HasSubstr("must be one of auto, raw, minute, quarter_hour"));
  m = expect_error(call(Method::get, "/v1/history?to=2026-02-30T00:00:00Z"), 400, "invalid_query");
  EXPECT_TRUE(facade.history_queries.empty());
}

// Every GET, /metrics included, needs the read scope (docs/api.md "Transports and access").
TEST_F(RouterRead, ReadsNeedTheReadScope) {
  for (const char* target : {"/v1/status", "/metrics", "/v1/config", "/v1/events", "/v1/health"}) {
    Request req;
    req.method = Method::get;
    req.target = target;
    req.requester = writer();
    req.requester.scope = std::nullopt;
    std::optional<Response> out;
    router.handle(req, [&](Response r) { out = std::move(r); });
    ASSERT_TRUE(out.has_value());
    EXPECT_EQ(out->status, 403u) << target;
    EXPECT_THAT(out->body, HasSubstr("needs the read scope")) << target;
    EXPECT_THAT(out->body, HasSubstr("uid 1000 (alice)")) << target;
  }
  EXPECT_TRUE(facade.event_queries.empty());
  EXPECT_EQ(call(Method::get, "/metrics", "", false).status, 200u);  // read scope
  // A write from a peer with no access names the scope the write needs (red team 36b F7).
  Request put;
  put.method = Method::put;
  put.target = "/v1/mode";
  put.requester = writer();
  put.requester.scope = std::nullopt;
  std::optional<Response> out;
  router.handle(put, [&](Response r) { out = std::move(r); });
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->status, 403u);
  EXPECT_THAT(out->body, HasSubstr("needs the control scope"));
}

TEST_F(RouterRead, HistoryRepliesWhenTheFacadeCompletesLater) {
  facade.hold_async = true;
  Request req;
  req.method = Method::get;
  req.target = "/v1/history";
  req.requester.scope = Scope::read;
  std::optional<Response> out;
  router.handle(req, [&](Response r) { out = std::move(r); });
  EXPECT_FALSE(out.has_value());
  EXPECT_EQ(facade.release_pending(), 1u);
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->status, 200u);
}

TEST_F(RouterRead, AuditShowsWritesWithWho) {
  ASSERT_EQ(call(Method::put, "/v1/mode", R"({"mode":"idle"})").status, 200u);
  const auto r = call(Method::get, "/v1/audit?limit=10&since=-1h");
  ASSERT_EQ(r.status, 200u) << r.body;
  const auto j = json(r);
  ASSERT_EQ(j["records"].size(), 1u);
  EXPECT_EQ(j["records"][0]["action"], "mode");
  EXPECT_EQ(j["records"][0]["outcome"], "accepted");
  EXPECT_EQ(j["records"][0]["who"]["uid"], 1000);
  EXPECT_EQ(j["records"][0]["who"]["user"], "alice");
  EXPECT_EQ(j["records"][0]["who"]["transport"], "unix");
  expect_error(call(Method::get, "/v1/audit?level=info"), 400, "invalid_query");
  expect_error(call(Method::get, "/v1/audit?limit=-1"), 400, "invalid_query");
  expect_error(call(Method::get, "/v1/audit?since=1x"), 400, "invalid_query");
}

// GET /v1/energy: the periods asked for, each flow null where nothing measured it, and every
// bad parameter named.
TEST_F(RouterRead, EnergyGivesTheLastPeriodsWithUnknownFlowsAsNull) {
  energy::DayEnergy day{*parse_date("2026-12-04"), {}};
  day.increase.battery_charged_kwh = 2.5;
  day.increase.grid_import_kwh = 1.25;
  day.increase.measured_s = 3600.0;
  day.increase.grid_measured_s = 3600.0;
  facade.energy_days = {day};
  auto r = call(Method::get, "/v1/energy");
  ASSERT_EQ(r.status, 200u) << r.body;
  auto j = json(r);
  EXPECT_EQ(j["period"], "day");
  ASSERT_EQ(j["periods"].size(), 31u) << "a month of days by default";
  const auto& yesterday = j["periods"][29];
  EXPECT_EQ(yesterday["start"], "2026-12-04");
  EXPECT_EQ(yesterday["end"], "2026-12-05");
  EXPECT_EQ(yesterday["days"], 1);
  EXPECT_EQ(yesterday["days_with_data"], 1);
  EXPECT_DOUBLE_EQ(yesterday["battery_charged_kwh"].get<double>(), 2.5);
  EXPECT_DOUBLE_EQ(yesterday["grid_import_kwh"].get<double>(), 1.25);
  EXPECT_TRUE(yesterday["pv_kwh"].is_null()) << "nothing measured PV";
  EXPECT_EQ(yesterday["measured_s"], 3600);
  const auto& today = j["periods"][30];
  EXPECT_EQ(today["start"], "2026-12-05");
  EXPECT_TRUE(today["battery_charged_kwh"].is_null()) << "nothing counted yet";
  EXPECT_EQ(today["days_with_data"], 0);

  r = call(Method::get, "/v1/energy?period=month&count=2");
  ASSERT_EQ(r.status, 200u) << r.body;
  j = json(r);
  ASSERT_EQ(j["periods"].size(), 2u);
  EXPECT_EQ(j["periods"][1]["start"], "2026-12-01");
  EXPECT_EQ(j["periods"][1]["days"], 31);
  EXPECT_DOUBLE_EQ(j["periods"][1]["battery_charged_kwh"].get<double>(), 2.5);
  ASSERT_EQ(facade.energy_queries.size(), 2u);
  EXPECT_EQ(facade.energy_queries[1].period, energy::PeriodKind::month);
  EXPECT_EQ(facade.energy_queries[1].count, 2);

  EXPECT_TRUE(j["prices"].is_null()) << "no prices configured: kWh only";
  EXPECT_TRUE(j["periods"][1]["money"].is_null());
  facade.prices = energy::FlatPrices{"GBP", 0.3, 0.1};
  j = json(call(Method::get, "/v1/energy?period=day&count=2"));
  EXPECT_EQ(j["prices"]["currency"], "GBP");
  EXPECT_NE(j["prices"]["method"].get<std::string>().find("import price"), std::string::npos);
  const auto& money = j["periods"][0]["money"];
  EXPECT_DOUBLE_EQ(money["grid_cost"].get<double>(), 0.38) << "1.25 kWh x 0.30, to the cent";
  EXPECT_DOUBLE_EQ(money["export_income"].get<double>(), 0.0);
  EXPECT_DOUBLE_EQ(money["battery_saving"].get<double>(), -0.25) << "2.5 kWh stored, none given";
  EXPECT_TRUE(j["periods"][1]["money"]["battery_saving"].is_null()) << "nothing counted today";

  for (const char* bad : {"/v1/energy?period=days", "/v1/energy?count=0", "/v1/energy?count=401",
                          "/v1/energy?count=2x", "/v1/energy?from=-1d"})
    expect_error(call(Method::get, bad), 400, "invalid_query");
  const auto e = json(call(Method::get, "/v1/energy?period=fortnight"));
  EXPECT_NE(e.dump().find("must be one of day, week, month, year"), std::string::npos) << e;
}

TEST_F(RouterRead, ReadsNeedNoWriteAccess) {
  EXPECT_EQ(call(Method::get, "/v1/status", "", false).status, 200u);
  EXPECT_EQ(call(Method::get, "/metrics", "", false).status, 200u);
}

}  // namespace
}  // namespace bessd::api::test
