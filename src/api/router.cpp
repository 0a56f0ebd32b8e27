#include <bessd/api/router.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <memory>
#include <set>

#include <bessd/api/error_response.hpp>
#include <bessd/api/json.hpp>
#include <bessd/api/json_text.hpp>
#include <bessd/api/prometheus_text.hpp>
#include <bessd/api/query_params.hpp>
#include <bessd/common/printf_string.hpp>
#include <bessd/config/json_reader.hpp>

namespace bessd::api {

namespace {

using namespace std::chrono_literals;

Response json_response(const Json& body, unsigned status = 200) {
  Response r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  return r;
}

Response json_text_response(std::string body) {
  Response r;
  r.body = std::move(body);
  return r;
}

std::string join_details(const std::vector<ErrorDetail>& details) {
  std::string out;
  for (const auto& d : details) {
    if (!out.empty()) out += "; ";
    out += (d.where.empty() ? std::string{"/"} : d.where) + ": " + d.message;
  }
  return out;
}

Response invalid_query(const std::vector<ErrorDetail>& details) {
  return error_response(400, error_code::kInvalidQuery, "invalid query: " + join_details(details),
                        details);
}

Response invalid_body(const std::vector<ErrorDetail>& details) {
  return error_response(400, error_code::kInvalidBody,
                        "invalid request body: " + join_details(details), details);
}

bool is_json_content_type(std::string_view ct) {
  std::string lower;
  for (char c : ct.substr(0, ct.find(';')))
    if (c != ' ' && c != '\t')
      lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower == "application/json";
}

/// Parses a JSON body. nullopt + filled `error` when the body is unusable.
std::optional<Json> parse_body(const Request& req, bool allow_empty, Response& error) {
  if (!req.content_type.empty() && !is_json_content_type(req.content_type)) {
    error = error_response(
        415, error_code::kUnsupportedMediaType,
        "request body must be application/json, got Content-Type \"" + req.content_type + "\"");
    return std::nullopt;
  }
  const bool blank = std::all_of(req.body.begin(), req.body.end(), [](char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
  });
  if (blank) {
    if (allow_empty) return Json::object();
    error = error_response(400, error_code::kInvalidBody,
                           "request body is empty; expected a JSON object");
    return std::nullopt;
  }
  try {
    return Json::parse(req.body);
  } catch (const Json::parse_error& e) {
    // e.byte is the 1-based offset where parsing stopped.
    std::string what = e.what();
    const auto colon = what.find("syntax error");
    error = error_response(400, error_code::kMalformedJson,
                           "request body is not valid JSON at byte " + std::to_string(e.byte) +
                               ": " + (colon == std::string::npos ? what : what.substr(colon)));
    return std::nullopt;
  } catch (const Json::exception& e) {
    // Valid syntax the parser still refuses, e.g. a number beyond a double (1e500): found by
    // fuzz_router; it escaped as an uncaught exception.
    std::string what = e.what();
    const auto bracket = what.find("] ");
    error = error_response(400, error_code::kMalformedJson,
                           "request body is not usable JSON: " +
                               (bracket == std::string::npos ? what : what.substr(bracket + 2)));
    return std::nullopt;
  }
}

/// A write's body: a JSON object. nullopt + filled `error` otherwise.
std::optional<Json> parse_object_body(const Request& req, Response& error) {
  auto body = parse_body(req, false, error);
  if (body && !body->is_object()) {
    error = invalid_body({{"", "must be a JSON object, got " + config::describe_json(*body)}});
    return std::nullopt;
  }
  return body;
}

std::vector<ErrorDetail> to_details(const config::IssueList& issues) {
  std::vector<ErrorDetail> out;
  for (const auto& i : issues.items()) out.push_back({i.pointer, i.message});
  return out;
}

/// Bodies of POST /v1/faults/ack and /v1/self-test: empty or an empty object.
std::optional<Response> check_empty_object_body(const Request& req) {
  Response error;
  const auto body = parse_body(req, true, error);
  if (!body) return error;
  if (!body->is_object())
    return invalid_body({{"", "must be a JSON object, got " + config::describe_json(*body)}});
  std::vector<ErrorDetail> details;
  for (const auto& item : body->items())
    details.push_back({"/" + config::pointer_escape(item.key()),
                       "unknown key (this request takes no parameters)"});
  if (!details.empty()) return invalid_body(details);
  return std::nullopt;
}

std::optional<std::uint32_t> parse_limit(const std::string& text) {
  std::uint32_t n = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc{} || ptr != text.data() + text.size() || n < 1 || n > kMaxQueryLimit)
    return std::nullopt;
  return n;
}

const char* const kTimeHelp =
    "must be an RFC 3339 time (2026-11-24T02:00:00Z), Unix seconds, \"now\" or relative "
    "(-30s, -15m, -2h, -7d)";

std::optional<core::Severity> parse_severity(std::string_view text) {
  return enum_from_name(core::kSeverityNames, text);
}

/// The 403 when the requester's scope is too small for the route (docs/api.md "Transports and
/// access"): every route needs read, writes need control.
std::optional<Response> check_scope(const Request& request, const RouteInfo& route,
                                    const std::string& path) {
  const Requester& who = request.requester;
  const bool unix_peer = who.transport == Transport::unix_socket;
  const std::string what = std::string(to_string(request.method)) + " " + path;
  if (!who.may_read())
    return error_response(
        403, error_code::kForbidden,
        what + " needs the " + (route.write ? "control" : "read") + " scope; " + who.describe() +
            " has no access" +
            (unix_peer ? ": only root and members of the API's control or read group may use it"
                       : ""));
  if (route.write && !who.may_write()) {
    std::string message = what + " needs the control scope; " + who.describe() + " has " +
                          std::string(to_string(*who.scope));
    if (unix_peer)
      message += ": only root and members of the API group may change the system";
    else if (!who.credential.empty())
      message += " (token \"" + who.credential + "\" is read-only)";
    return error_response(403, error_code::kForbidden, message);
  }
  return std::nullopt;
}

/// True when a mode body asks for idle until changed (parsed again, fully, by put_mode); an idle
/// with an expiry releases power when it ends, so it is not the safe direction.
bool asks_for_idle(const std::string& body) {
  const auto j = Json::parse(body, nullptr, false);
  return j.is_object() && j.contains("mode") && j["mode"] == "idle" &&
         (!j.contains("expires_in_s") || j["expires_in_s"].is_null());
}

/// Wraps a reply so that a facade Result becomes JSON or an error response.
template <typename T>
Done<T> reply_with(Router::Reply reply, std::function<Json(const T&)> render) {
  return [reply = std::move(reply), render = std::move(render)](Result<T> result) {
    if (!result) return reply(error_response(result.error()));
    reply(json_response(render(*result)));
  };
}

}  // namespace

Router::Router(Facade& facade, const Clock& clock, WriteRateSettings write_rate)
    : facade_(facade), clock_(clock), write_limiter_(write_rate) {
  routes_ = {
      {Method::get, "/v1/status", false, "controller, pack, inverter, envelope, links"},
      {Method::get, "/v1/limits", false, "every bound of the envelope and its cause"},
      {Method::get, "/v1/compliance", false, "the installation compliance report"},
      {Method::get, "/v1/health", false, "state of health and lifetime data"},
      {Method::get, "/v1/events", false, "events, newest first"},
      {Method::get, "/v1/history", false, "telemetry history"},
      {Method::get, "/v1/audit", false, "API writes, newest first"},
      {Method::get, "/v1/energy", false, "energy per day, week, month or year"},
      {Method::get, "/v1/config", false, "running configuration, secrets redacted"},
      {Method::put, "/v1/mode", true, "request an operating mode"},
      {Method::get, "/v1/settings", false, "the owner's reserve and charge target"},
      {Method::put, "/v1/settings", true, "change the owner's reserve or charge target"},
      {Method::get, "/v1/plan", false, "the plan by price and its slots"},
      {Method::post, "/v1/faults/ack", true, "acknowledge latched faults whose cause cleared"},
      {Method::post, "/v1/self-test", true, "run the protection self-test"},
      {Method::get, "/metrics", false, "Prometheus metrics"},
      // Answered by the HTTP server over TCP when the dashboard is on (docs/api.md "Dashboard
      // sessions"); listed here for the documentation and the 405 Allow header.
      {Method::get, "/v1/session", false, "the dashboard session of the cookie"},
      {Method::post, "/v1/session", false, "open a dashboard session with a token"},
      {Method::delete_, "/v1/session", false, "end the dashboard session"},
  };
}

void Router::count(const std::string& route, Method method, unsigned status) {
  std::lock_guard lock(counts_mutex_);
  ++counts_[{route, std::string(to_string(method)), status}];
}

void Router::count_transport_error(unsigned status) {
  count("other", Method::other, status);
}

void Router::handle(const Request& request, Reply reply) {
  const std::string path(target_path(request.target));
  const RouteInfo* match = nullptr;
  std::string allow;
  for (const auto& r : routes_) {
    if (r.path != path) continue;
    allow += (allow.empty() ? "" : ", ") + std::string(to_string(r.method));
    // HEAD is GET without the body (RFC 9110, 9.3.2): the server drops the body, keeps the
    // Content-Length.
    if (r.method == Method::get) allow += ", HEAD";
    if (r.method == request.method || (r.method == Method::get && request.method == Method::head))
      match = &r;
  }
  const std::string counted_route = allow.empty() ? std::string{"other"} : path;
  const Method method = request.method;
  Reply counted = [this, counted_route, method, reply = std::move(reply)](Response r) {
    count(counted_route, method, r.status);
    reply(std::move(r));
  };
  if (allow.empty()) {
    return counted(error_response(404, error_code::kNotFound, "no such endpoint: " + path));
  }
  if (match == nullptr) {
    const std::string method_name = request.method_name.empty()
                                        ? std::string(to_string(request.method))
                                        : request.method_name.substr(0, 32);
    Response r =
        error_response(405, error_code::kMethodNotAllowed,
                       method_name + " is not allowed on " + path + " (allowed: " + allow + ")");
    r.headers.emplace_back("Allow", allow);
    return counted(std::move(r));
  }
  if (auto refused = refuse_write(request, *match, path, check_scope(request, *match, path)))
    return counted(std::move(*refused));
  if (match->method == Method::get && !request.body.empty()) {
    return counted(error_response(
        400, error_code::kInvalidBody,
        std::string(to_string(request.method)) + " " + path + " takes no request body"));
  }

  // Routes without query parameters reject any.
  const bool takes_query =
      path == "/v1/events" || path == "/v1/history" || path == "/v1/audit" || path == "/v1/energy";
  if (!takes_query) {
    const auto q = parse_query(request.target, {});
    if (!q.errors.empty()) return counted(invalid_query(q.errors));
  }

  if (path == "/v1/status") return counted(get_status());
  if (path == "/v1/limits") return counted(get_limits());
  if (path == "/v1/compliance") return counted(get_compliance());
  if (path == "/v1/health") return counted(get_health());
  if (path == "/v1/config") return counted(get_config());
  if (path == "/metrics") return counted(get_metrics());
  if (path == "/v1/events") return get_events(request, std::move(counted));
  if (path == "/v1/history") return get_history(request, std::move(counted));
  if (path == "/v1/audit") return get_audit(request, std::move(counted));
  if (path == "/v1/energy") return get_energy(request, std::move(counted));
  if (path == "/v1/mode") return put_mode(request, std::move(counted));
  if (path == "/v1/settings" && match->method == Method::put)
    return put_settings(request, std::move(counted));
  if (path == "/v1/settings") return counted(json_response(to_json(facade_.settings())));
  if (path == "/v1/plan") return counted(json_response(to_json(facade_.plan())));
  if (path == "/v1/faults/ack") return post_ack(request, std::move(counted));
  if (path == "/v1/self-test") return post_self_test(request, std::move(counted));
  if (path == "/v1/session")
    return counted(error_response(404, error_code::kNotFound,
                                  "dashboard sessions are served over TCP only, when "
                                  "api.dashboard.enabled is true"));
  counted(error_response(500, error_code::kInternal, "route without a handler: " + path));
}

// A write without the control scope, or over the client's write rate, is refused here, before
// it costs a control step or an audit row of its own; the limiter decides when the audit hears
// about refusals (docs/api.md "Write rate limit").
std::optional<Response> Router::refuse_write(const Request& req, const RouteInfo& route,
                                             const std::string& path,
                                             std::optional<Response> denied) {
  if (!route.write) return denied;
  const Requester& who = req.requester;
  // `mode idle` (the safe direction) has a bucket of its own per client: a script looping other
  // writes must not get the same client's emergency stop answered 429.
  const std::string client =
      write_client_key(who) + (path == "/v1/mode" && asks_for_idle(req.body) ? " (idle)" : "");
  const std::string what = std::string(to_string(req.method)) + " " + path;
  const auto now = clock_.now();
  if (!denied) {
    const auto admission = write_limiter_.admit(client, now);
    if (admission.allowed) return std::nullopt;
    const auto& s = write_limiter_.settings();
    denied = error_response(429, error_code::kTooManyWrites,
                            "too many writes from " + client + ": at most " +
                                std::to_string(s.burst) + " at once and " +
                                printf_string("%g", s.per_second) + " per second; try again in " +
                                std::to_string(admission.retry_after.count()) + " ms");
    denied->headers.emplace_back("Retry-After",
                                 std::to_string((admission.retry_after.count() + 999) / 1000));
  }
  if (client.empty()) return denied;
  const std::string reason = std::to_string(denied->status);
  if (const auto n = write_limiter_.count_refusal(client, reason, now, {who, what}))
    audit_refusals({{client, reason, {who, what}, *n}});
  return denied;
}

void Router::audit_refusals(const std::vector<RefusalCount>& counts) {
  for (const auto& c : counts) {
    facade_.audit_refusal(
        c.context.who, c.context.what,
        std::to_string(c.count) + (c.count == 1 ? " write" : " writes") + " refused with " +
            c.reason +
            (c.reason == "429" ? " (over the write rate limit)" : " (no control scope)") +
            " since the last record of this client");
  }
}

void Router::audit_due_refusals() {
  audit_refusals(write_limiter_.due_refusals(clock_.now()));
}

void Router::audit_pending_refusals() {
  audit_refusals(write_limiter_.take_refusals());
}

// Clients poll these two: their text is written directly, without a Json tree.
Response Router::get_status() {
  return json_text_response(to_json_text(facade_.status()));
}
Response Router::get_limits() {
  return json_text_response(to_json_text(facade_.limits()));
}
Response Router::get_compliance() {
  return json_response(to_json(facade_.compliance()));
}
Response Router::get_health() {
  return json_response(to_json(facade_.health()));
}
Response Router::get_config() {
  return json_response(redact_secrets(facade_.config_json()));
}

Response Router::get_metrics() {
  Response r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  PrometheusText text;
  add_status_metrics(text, facade_.status());
  for (const auto& s : facade_.metrics()) text.add(s);
  {
    std::lock_guard lock(counts_mutex_);
    for (const auto& [key, n] : counts_) {
      const auto& [route, method, status] = key;
      text.add({"bessd_api_requests_total",
                "API requests by route, method and status",
                MetricType::counter,
                {{"route", route}, {"method", method}, {"code", std::to_string(status)}},
                static_cast<double>(n)});
    }
  }
  r.body = text.render();
  return r;
}

void Router::get_events(const Request& req, Reply reply) {
  const auto q = parse_query(req.target, {"since", "level", "limit"});
  std::vector<ErrorDetail> errors = q.errors;
  EventQuery query;
  const WallTime now = clock_.wall_now();
  if (auto it = q.values.find("since"); it != q.values.end()) {
    if (auto t = parse_time(it->second, now))
      query.since = *t;
    else
      errors.push_back({"since", std::string(kTimeHelp) + ", got \"" + it->second + "\""});
  }
  if (auto it = q.values.find("level"); it != q.values.end()) {
    if (auto s = parse_severity(it->second))
      query.min_severity = *s;
    else
      errors.push_back({"level", "must be one of debug, info, warning, error, critical; got \"" +
                                     it->second + "\""});
  }
  if (auto it = q.values.find("limit"); it != q.values.end()) {
    if (auto n = parse_limit(it->second))
      query.limit = *n;
    else
      errors.push_back({"limit", "must be an integer from 1 to " + std::to_string(kMaxQueryLimit) +
                                     ", got \"" + it->second + "\""});
  }
  if (!errors.empty()) return reply(invalid_query(errors));
  facade_.events(query, reply_with<std::vector<EventRecord>>(
                            std::move(reply), [](const std::vector<EventRecord>& events) {
                              Json list = Json::array();
                              for (const auto& e : events) list.push_back(to_json(e));
                              return Json{{"events", std::move(list)}};
                            }));
}

void Router::get_history(const Request& req, Reply reply) {
  const auto q = parse_query(req.target, {"from", "to", "resolution", "fields"});
  std::vector<ErrorDetail> errors = q.errors;
  const WallTime now = clock_.wall_now();
  HistoryQuery query;
  query.from = now - std::chrono::hours{1};
  query.to = now;
  bool time_ok = true;
  for (const char* name : {"from", "to"}) {
    auto it = q.values.find(name);
    if (it == q.values.end()) continue;
    if (auto t = parse_time(it->second, now)) {
      (std::string_view{name} == "from" ? query.from : query.to) = *t;
    } else {
      time_ok = false;
      errors.push_back({name, std::string(kTimeHelp) + ", got \"" + it->second + "\""});
    }
  }
  if (time_ok && query.from >= query.to)
    errors.push_back({"from", "must be earlier than \"to\" (" + format_time(query.from) +
                                  " is not before " + format_time(query.to) + ")"});
  const auto span = query.to - query.from;
  if (auto it = q.values.find("resolution"); it != q.values.end() && it->second != "auto") {
    if (auto r = parse_resolution(it->second))
      query.resolution = *r;
    else
      errors.push_back({"resolution", "must be one of auto, raw, minute, quarter_hour; got \"" +
                                          it->second + "\""});
  } else {
    query.resolution = span <= std::chrono::hours{2}  ? Resolution::raw
                       : span <= std::chrono::days{7} ? Resolution::minute
                                                      : Resolution::quarter_hour;
  }
  // A cap on the answer's size: raw telemetry is nominally one sample per second.
  constexpr long long kMaxPoints = 20'000;
  const long long step_s = query.resolution == Resolution::raw      ? 1
                           : query.resolution == Resolution::minute ? 60
                                                                    : 900;
  const long long span_s = std::chrono::duration_cast<std::chrono::seconds>(span).count();
  if (time_ok && span_s > 0 && span_s / step_s > kMaxPoints)
    errors.push_back({"resolution", "\"" + std::string(to_string(query.resolution)) + "\" over " +
                                        std::to_string(span_s) + " s gives more than " +
                                        std::to_string(kMaxPoints) +
                                        " points; choose a coarser resolution or a shorter range"});
  std::string fields_text = "soc_pct,power_w";
  if (auto it = q.values.find("fields"); it != q.values.end()) fields_text = it->second;
  std::set<std::string> seen;
  std::string_view rest = fields_text;
  while (true) {
    const auto comma = rest.find(',');
    const std::string field(rest.substr(0, comma));
    const auto& known = history_fields();
    if (field.empty()) {
      errors.push_back({"fields", "empty field name in \"" + fields_text + "\""});
    } else if (std::find(known.begin(), known.end(), field) == known.end()) {
      std::string list;
      for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      errors.push_back({"fields", "unknown field \"" + field + "\" (known: " + list + ")"});
    } else if (!seen.insert(field).second) {
      errors.push_back({"fields", "field \"" + field + "\" given twice"});
    } else {
      query.fields.push_back(field);
    }
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  if (!errors.empty()) return reply(invalid_query(errors));
  const WallTime from = query.from;
  const WallTime to = query.to;
  facade_.history(query,
                  reply_with<HistorySeries>(std::move(reply), [from, to](const HistorySeries& h) {
                    Json out = to_json(h);
                    out["from"] = format_time(from);
                    out["to"] = format_time(to);
                    return out;
                  }));
}

void Router::get_audit(const Request& req, Reply reply) {
  const auto q = parse_query(req.target, {"since", "limit"});
  std::vector<ErrorDetail> errors = q.errors;
  AuditQuery query;
  if (auto it = q.values.find("since"); it != q.values.end()) {
    if (auto t = parse_time(it->second, clock_.wall_now()))
      query.since = *t;
    else
      errors.push_back({"since", std::string(kTimeHelp) + ", got \"" + it->second + "\""});
  }
  if (auto it = q.values.find("limit"); it != q.values.end()) {
    if (auto n = parse_limit(it->second))
      query.limit = *n;
    else
      errors.push_back({"limit", "must be an integer from 1 to " + std::to_string(kMaxQueryLimit) +
                                     ", got \"" + it->second + "\""});
  }
  if (!errors.empty()) return reply(invalid_query(errors));
  facade_.audit(query, reply_with<std::vector<AuditRecord>>(
                           std::move(reply), [](const std::vector<AuditRecord>& records) {
                             Json list = Json::array();
                             for (const auto& a : records) list.push_back(to_json(a));
                             return Json{{"records", std::move(list)}};
                           }));
}

void Router::get_energy(const Request& req, Reply reply) {
  const auto q = parse_query(req.target, {"period", "count"});
  std::vector<ErrorDetail> errors = q.errors;
  EnergyQuery query;
  if (auto it = q.values.find("period"); it != q.values.end()) {
    if (auto k = energy::parse_period_kind(it->second))
      query.period = *k;
    else
      errors.push_back(
          {"period", "must be one of day, week, month, year; got \"" + it->second + "\""});
  }
  query.count = default_energy_periods(query.period);
  if (auto it = q.values.find("count"); it != q.values.end()) {
    int n = 0;
    const auto& text = it->second;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc{} || ptr != text.data() + text.size() || n < 1 || n > kMaxEnergyPeriods)
      errors.push_back({"count", "must be an integer from 1 to " +
                                     std::to_string(kMaxEnergyPeriods) + ", got \"" + text + "\""});
    else
      query.count = n;
  }
  if (!errors.empty()) return reply(invalid_query(errors));
  facade_.energy(query, reply_with<EnergyReport>(std::move(reply),
                                                 [](const EnergyReport& r) { return to_json(r); }));
}

void Router::put_mode(const Request& req, Reply reply) {
  Response error;
  const auto body = parse_object_body(req, error);
  if (!body) return reply(std::move(error));
  config::IssueList issues;
  config::ObjectReader in(&*body, "", issues);
  ModeRequest request;
  const bool mode_ok = in.enumeration("mode", request.mode, kModeNames, config::Presence::required);
  if (body->contains("setpoint_w") && (*body)["setpoint_w"].is_null()) {
    in.accept("setpoint_w");
  } else {
    in.number("setpoint_w", request.setpoint_w,
              config::NumberRange::between(-kMaxSetpointMagnitudeW, kMaxSetpointMagnitudeW));
  }
  if (body->contains("expires_in_s") && !(*body)["expires_in_s"].is_null()) {
    std::int64_t seconds = 0;
    if (in.integer("expires_in_s", seconds, 1, kMaxModeExpirySeconds))
      request.expires_in_s = seconds;
  } else {
    in.accept("expires_in_s");
  }
  in.finish();
  if (issues.empty() && mode_ok) {
    if (request.mode == Mode::manual && !request.setpoint_w)
      issues.add("/setpoint_w", "is required when mode is \"manual\" (W, + = charge the battery)");
    if (request.mode != Mode::manual && request.setpoint_w)
      issues.add("/setpoint_w", "is only allowed when mode is \"manual\"");
  }
  if (!issues.empty()) return reply(invalid_body(to_details(issues)));
  facade_.submit_mode(
      request, req.requester, [reply = std::move(reply)](Result<ModeVerdict> verdict) {
        if (!verdict) return reply(error_response(verdict.error()));
        if (!verdict->accepted)
          return reply(error_response(409, error_code::kRefused,
                                      "the controller refused the request: " + verdict->message));
        reply(json_response(to_json(*verdict)));
      });
}

// docs/api.md "PUT /v1/settings": each key a percentage, or null for the configuration's
// value; a key left out is unchanged. The facade checks them against the configured window.
void Router::put_settings(const Request& req, Reply reply) {
  Response error;
  const auto body = parse_object_body(req, error);
  if (!body) return reply(std::move(error));
  config::IssueList issues;
  config::ObjectReader in(&*body, "", issues);
  SettingsRequest request;
  for (const auto& [key, field] : {std::pair{"reserve_soc_pct", &request.reserve_soc_pct},
                                   std::pair{"target_soc_pct", &request.target_soc_pct}}) {
    if (!body->contains(key)) continue;
    if ((*body)[key].is_null()) {
      in.accept(key);
      field->emplace(std::nullopt);
      continue;
    }
    std::optional<double> pct;
    if (in.number(key, pct, config::NumberRange::between(0.0, 100.0)) && pct) field->emplace(pct);
  }
  in.finish();
  if (issues.empty() && !request.reserve_soc_pct && !request.target_soc_pct)
    issues.add("",
               "nothing to change: give reserve_soc_pct and/or target_soc_pct (a percentage, "
               "or null for the configuration's value)");
  if (!issues.empty()) return reply(invalid_body(to_details(issues)));
  facade_.submit_settings(
      request, req.requester,
      reply_with<SettingsDto>(std::move(reply), [](const SettingsDto& r) { return to_json(r); }));
}

void Router::post_ack(const Request& req, Reply reply) {
  if (auto bad = check_empty_object_body(req)) return reply(std::move(*bad));
  facade_.submit_ack(req.requester, reply_with<AckResult>(std::move(reply), [](const AckResult& r) {
                       return to_json(r);
                     }));
}

void Router::post_self_test(const Request& req, Reply reply) {
  if (auto bad = check_empty_object_body(req)) return reply(*bad);
  facade_.run_self_test(req.requester,
                        reply_with<SelfTestReport>(
                            std::move(reply), [](const SelfTestReport& r) { return to_json(r); }));
}

}  // namespace bessd::api
