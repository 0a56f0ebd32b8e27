// bessctl: command-line client of the bessd API.
//
// Exit codes (stable, for scripts):
//   0  success
//   1  the daemon answered with an error (bad request, internal error, ...)
//   2  usage error (bad command line)
//   3  the daemon is not reachable (not running, wrong socket or URL, timeout)
//   4  access denied (not root / not in the API group; missing or wrong token)
//   5  the controller refused the request (409: refused or busy)
//   6  try again later: too many requests or connections (429, 503 with Retry-After)
//   check-site passes through the exit code of `bessd check-site`.

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>
#include <vector>

#include <unistd.h>
#include <CLI/CLI.hpp>

#include "api_client.hpp"
#include "render.hpp"

namespace {

using bessctl::Json;

enum Exit : int {
  kOk = 0,
  kApiError = 1,
  kUsage = 2,
  kUnreachable = 3,
  kDenied = 4,
  kRefused = 5,
  kTryLater = 6,
};

struct Globals {
  bool json = false;
  bool utc = false;
  std::string socket = "/run/bessd/api.sock";
  std::string url;
  std::string token;
  std::string token_file;
  int timeout_ms = 5000;
};

std::string query_escape(const std::string& v) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : v) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == ',') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

void add_param(std::string& target, const char* name, const std::string& value) {
  if (value.empty()) return;
  target += (target.find('?') == std::string::npos ? '?' : '&');
  target += std::string(name) + "=" + query_escape(value);
}

/// The secret in a client's token file: the first line that is not blank or a comment, either
/// the bare secret or a line of the daemon's format ("name scope secret", docs/api.md).
bessd::Result<std::string> read_client_token(const std::string& path) {
  // Checked before opening: opening a FIFO would wait for a writer for ever.
  std::error_code ec;
  const auto type = std::filesystem::status(path, ec).type();
  if (!ec && type != std::filesystem::file_type::regular)
    return bessd::fail(
        bessd::ErrorCode::invalid_argument,
        "token file " + path + " is " +
            (type == std::filesystem::file_type::directory ? "a directory" : "not a regular file") +
            ": give the file that holds the token");
  std::ifstream in(path);
  if (!in)
    return bessd::fail(bessd::ErrorCode::io_error,
                       "cannot read token file " + path + ": " + std::strerror(errno));
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::vector<std::string> words;
    for (std::string w; fields >> w;) words.push_back(w);
    if (words.empty() || words.front().front() == '#') continue;
    if (words.size() == 1) return words[0];
    if (words.size() == 3) return words[2];
    return bessd::fail(
        bessd::ErrorCode::invalid_argument,
        "token file " + path +
            ": expected the secret alone or \"name scope secret\" on its first line");
  }
  return bessd::fail(bessd::ErrorCode::invalid_argument, "token file " + path + " holds no token");
}

class Runner {
 public:
  explicit Runner(Globals g) : g_(std::move(g)) {}

  /// Sets up the endpoint; returns an exit code on failure.
  std::optional<int> prepare() {
    ep_.timeout = std::chrono::milliseconds{g_.timeout_ms};
    ep_.socket_path = g_.socket;
    if (!g_.url.empty()) {
      if (auto st = bessctl::parse_url(g_.url, ep_); !st) {
        std::cerr << "bessctl: " << st.error().message << "\n";
        return kUsage;
      }
      // Never from argv (ps and /proc show it to every user): a file, or the environment.
      std::string file = g_.token_file;
      if (file.empty())
        if (const char* env = std::getenv("BESSD_TOKEN_FILE")) file = env;
      if (!file.empty()) {
        auto token = read_client_token(file);
        if (!token) {
          std::cerr << "bessctl: " << token.error().message << "\n";
          return kUsage;
        }
        ep_.token = std::move(*token);
      } else if (const char* env = std::getenv("BESSD_TOKEN")) {
        // Surrounding blanks (a newline from `$(cat file)`) are not part of a token; anything
        // else that cannot stand in an HTTP header is refused here rather than sent.
        std::string token = env;
        token.erase(0, token.find_first_not_of(" \t\r\n"));
        token.erase(token.find_last_not_of(" \t\r\n") + 1);
        if (token.empty() || std::any_of(token.begin(), token.end(),
                                         [](unsigned char c) { return c <= 0x20 || c == 0x7f; })) {
          std::cerr << "bessctl: BESSD_TOKEN is " << (token.empty() ? "empty" : "not a token")
                    << ": it must hold the secret alone, without spaces or control characters\n";
          return kUsage;
        }
        ep_.token = std::move(token);
      }
    }
    return std::nullopt;
  }

  /// Calls the API; on success stores the parsed JSON (or raw text) and returns 0.
  int call(const std::string& method, const std::string& target, const std::string& body = "") {
    auto reply = bessctl::send_request(ep_, method, target, body);
    if (!reply) {
      std::cerr << "bessctl: " << reply.error().message << "\n";
      return reply.error().code == bessd::ErrorCode::permission_denied ? kDenied : kUnreachable;
    }
    raw_ = reply->body;
    json_ = Json::parse(reply->body, nullptr, false);
    if (reply->status >= 200 && reply->status < 300) return kOk;
    std::string message = reply->body;
    if (json_.is_object() && json_.contains("error") && json_["error"].contains("message"))
      message = json_["error"]["message"].get<std::string>();
    if (g_.json)
      std::cout << raw_ << "\n";
    else
      std::cerr << "bessctl: " << method << " " << target << ": " << reply->status << ": "
                << message << "\n";
    if (reply->status == 401)
      std::cerr << "bessctl: pass the API token with --token-file FILE, BESSD_TOKEN_FILE or "
                   "BESSD_TOKEN\n";
    if (reply->status == 401 || reply->status == 403) return kDenied;
    if (reply->status == 409) return kRefused;
    // Over a rate limit or a connection budget: the same request succeeds later (Retry-After).
    if (reply->status == 429 ||
        (reply->status == 503 && json_.is_object() && json_.contains("error") &&
         json_["error"].value("code", "") == "too_many_connections"))
      return kTryLater;
    return kApiError;
  }

  /// GET + render.
  int show(const std::string& target, std::string (*render)(const Json&)) {
    if (int rc = call("GET", target)) return rc;
    print(render);
    return kOk;
  }

  void print(std::string (*render)(const Json&)) {
    if (g_.json || render == nullptr)
      std::cout << (json_.is_discarded() ? raw_ : json_.dump(2)) << "\n";
    else
      std::cout << render(json_);
  }

  const Json& json() const { return json_; }
  const Globals& globals() const { return g_; }

 private:
  Globals g_;
  bessctl::Endpoint ep_;
  std::string raw_;
  Json json_;
};

volatile std::sig_atomic_t g_stop = 0;

int watch(Runner& r, double interval_s, int count) {
  std::signal(SIGINT, [](int) { g_stop = 1; });
  std::signal(SIGTERM, [](int) { g_stop = 1; });
  const bool tty = ::isatty(STDOUT_FILENO) != 0;
  int last_rc = kOk;
  for (int i = 0; (count <= 0 || i < count) && !g_stop; ++i) {
    if (i > 0) {
      // Sleep in small steps so that Ctrl-C ends the view promptly.
      const auto until = std::chrono::steady_clock::now() +
                         std::chrono::milliseconds(static_cast<long>(interval_s * 1000));
      while (!g_stop && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      if (g_stop) break;
    }
    const int rc = r.call("GET", "/v1/status");
    last_rc = rc;
    if (rc == kUnreachable) {
      // bessd restarting (an upgrade, a SIGHUP gone wrong): the view waits for it, as top
      // would wait for its process list, and says so in place of the status.
      if (tty) std::cout << "\x1b[H\x1b[2J";
      std::cout << "bessd is not reachable; retrying every " << interval_s
                << " s (Ctrl-C to quit)\n";
      std::cout.flush();
      continue;
    }
    if (rc != kOk) return rc;
    if (tty) std::cout << "\x1b[H\x1b[2J";  // home + clear: refresh in place like top
    if (r.globals().json)
      std::cout << r.json().dump() << "\n";
    else
      std::cout << bessctl::render_status(r.json()) << "\n(refreshing every " << interval_s
                << " s; Ctrl-C to quit)\n";
    std::cout.flush();
  }
  return last_rc;
}

struct CheckSiteArgs {
  std::string file;
  std::string format;  // empty: bessd's default (text), or json with --json
  std::string date;
};

int check_site(const CheckSiteArgs& site, bool json) {
  // The compliance report is produced by the daemon binary itself (same code, offline).
  std::string bessd = "bessd";
  if (const char* env = std::getenv("BESSCTL_BESSD")) {
    bessd = env;
  } else {
    // Prefer the bessd installed next to bessctl (same package), else PATH and /usr/sbin.
    char self[4096];
    const auto n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
      self[n] = '\0';
      std::string dir(self);
      dir = dir.substr(0, dir.rfind('/'));
      for (const std::string& c : {dir + "/bessd", dir + "/../sbin/bessd", dir + "/../bessd/bessd"})
        if (::access(c.c_str(), X_OK) == 0) {
          bessd = c;
          break;
        }
    }
    if (bessd == "bessd" && ::access("/usr/sbin/bessd", X_OK) == 0) bessd = "/usr/sbin/bessd";
  }
  std::vector<std::string> args{bessd, "check-site", "--config", site.file};
  if (!site.format.empty()) {
    args.insert(args.end(), {"--format", site.format});
  } else if (json) {
    args.emplace_back("--json");
  }
  if (!site.date.empty()) args.insert(args.end(), {"--date", site.date});
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::cout.flush();
  ::execvp(argv[0], argv.data());
  std::cerr << "bessctl: cannot run " << bessd << " check-site: " << std::strerror(errno)
            << " (install bessd, or set BESSCTL_BESSD to its path)\n";
  return kUnreachable;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bessctl: control and inspect the bessd home battery daemon"};
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 ok, 1 API error, 2 usage, 3 daemon not reachable, 4 access denied, "
      "5 refused by the controller, 6 try again later (rate limit, busy).");
  Globals g;
  if (const char* env = std::getenv("BESSD_SOCKET")) g.socket = env;
  app.add_flag("--json", g.json, "print the API's JSON instead of text");
  app.add_flag("--utc", g.utc, "print times in UTC instead of the local time zone");
  app.add_option("--socket", g.socket, "API Unix socket (env BESSD_SOCKET)")->capture_default_str();
  app.add_option("--url", g.url, "use the TCP API instead, e.g. http://127.0.0.1:8470");
  // Kept only to refuse it with the reason: a token in argv is visible to every local user.
  auto* token_opt = app.add_option("--token", g.token, "refused: use --token-file or BESSD_TOKEN");
  app.add_option("--token-file", g.token_file,
                 "read the bearer token for --url from FILE (env BESSD_TOKEN_FILE, or the token "
                 "itself in BESSD_TOKEN)");
  app.add_option("--timeout-ms", g.timeout_ms, "per-request timeout")
      ->check(CLI::Range(100, 600000))
      ->capture_default_str();

  auto* status = app.add_subcommand("status", "controller, battery, inverter, limits, links");
  auto* watch_cmd = app.add_subcommand("watch", "live status view, refreshing in place");
  double interval_s = 2.0;
  int count = 0;
  watch_cmd->add_option("-n,--interval", interval_s, "seconds between refreshes")
      ->check(CLI::Range(0.2, 3600.0))
      ->capture_default_str();
  watch_cmd->add_option("--count", count, "stop after N refreshes (0 = until Ctrl-C)");
  auto* limits = app.add_subcommand("limits", "every bound of the envelope and why");
  auto* compliance = app.add_subcommand("compliance", "the installation compliance report");
  auto* health = app.add_subcommand("health", "state of health and lifetime data");
  auto* config = app.add_subcommand("config", "running configuration (secrets redacted)");

  auto* events = app.add_subcommand("events", "events, newest first");
  std::string since;
  std::string level;
  std::string limit;
  events->add_option("--since", since, "RFC 3339 time, Unix seconds or relative (-2h)");
  events->add_option("--level", level, "minimum severity")
      ->check(CLI::IsMember({"debug", "info", "warning", "error", "critical"}));
  events->add_option("--limit", limit, "at most N events (1..1000)");

  auto* audit = app.add_subcommand("audit", "API writes, newest first");
  audit->add_option("--since", since, "RFC 3339 time, Unix seconds or relative (-7d)");
  audit->add_option("--limit", limit, "at most N records (1..1000)");

  auto* energy = app.add_subcommand("energy", "energy per day, week, month or year");
  std::string period;
  std::string periods;
  energy->add_option("--period", period, "day (default), week, month or year")
      ->check(CLI::IsMember({"day", "week", "month", "year"}));
  energy->add_option("--count", periods, "the last N periods, the present one included (1..400)");

  auto* history = app.add_subcommand("history", "a text chart of one field over time");
  std::string field = "soc_pct";
  std::string from = "-1h";
  std::string to;
  std::string resolution;
  int width = 72;
  int height = 12;
  history->add_option("field", field, "soc_pct, power_w, voltage_v, ...")->capture_default_str();
  history->add_option("--from", from, "start (RFC 3339, Unix seconds, -6h)")->capture_default_str();
  history->add_option("--to", to, "end (default now)");
  history->add_option("--resolution", resolution, "auto, raw, minute or quarter_hour");
  history->add_option("--width", width, "chart width in columns")->capture_default_str();
  history->add_option("--height", height, "chart height in rows")->capture_default_str();

  auto* mode = app.add_subcommand("mode", "request a mode: idle | manual W | self | schedule");
  std::string mode_name;
  double setpoint_w = 0.0;
  mode->add_option("mode", mode_name, "idle, manual, self or schedule")
      ->required()
      ->check(CLI::IsMember({"idle", "manual", "self", "self_consumption", "schedule"}));
  auto* sp = mode->add_option("setpoint_w", setpoint_w,
                              "manual only: battery power in W, + = charge, - = discharge");
  std::int64_t expires_in_s = 0;
  auto* mode_for =
      mode->add_option("--for", expires_in_s,
                       "end the mode after this long (e.g. 90m, 2h, 1d; seconds without a unit), "
                       "then the configured mode returns; default: until changed")
          ->transform(CLI::AsNumberWithUnit(
              std::map<std::string, std::int64_t>{{"s", 1}, {"m", 60}, {"h", 3600}, {"d", 86400}},
              CLI::AsNumberWithUnit::CASE_SENSITIVE))
          ->check(CLI::Range(std::int64_t{1}, std::int64_t{30} * 86400).description(""))
          ->type_name("DURATION");
  auto* settings = app.add_subcommand(
      "settings", "show or change the owner's reserve and charge target (kept across restarts)");
  std::string reserve_text;
  std::string target_text;
  // A plain decimal number (no hex, no blanks, no "%"), or "config".
  const auto parse_pct = [](const std::string& v) -> std::optional<double> {
    double pct = 0.0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), pct);
    if (v.empty() || ec != std::errc{} || end != v.data() + v.size() || !(pct >= 0.0) ||
        pct > 100.0)
      return std::nullopt;
    return pct;
  };
  const auto pct_or_config = CLI::Validator(
      [parse_pct](const std::string& v) -> std::string {
        if (v == "config" || parse_pct(v)) return {};
        return "must be a percentage from 0 to 100, or \"config\", got \"" + v + "\"";
      },
      "PCT|config");
  auto* reserve_opt = settings
                          ->add_option("--reserve", reserve_text,
                                       "discharging stops at this SOC (%); \"config\" = "
                                       "control.min_soc_pct")
                          ->check(pct_or_config);
  auto* target_opt = settings
                         ->add_option("--target", target_text,
                                      "charging stops at this SOC (%); \"config\" = "
                                      "control.max_soc_pct")
                         ->check(pct_or_config);
  auto* plan = app.add_subcommand(
      "plan", "show the plan by price: its price file, what it buys and sells, slot by slot");
  auto* ack = app.add_subcommand("ack", "acknowledge latched faults whose cause has cleared");
  auto* self_test = app.add_subcommand("self-test", "run the protection self-test");
  auto* check = app.add_subcommand("check-site", "check a configuration file offline");
  CheckSiteArgs site_args;
  check->add_option("file", site_args.file, "bessd configuration file")->required();
  check
      ->add_option("--format", site_args.format,
                   "text (a table), json, or html (a printable commissioning record)")
      ->check(CLI::IsMember({"text", "json", "html"}));
  check->add_option("--date", site_args.date,
                    "evaluate as of YYYY-MM-DD (default: today, local time)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kOk : kUsage;
  }
  if (token_opt->count() != 0) {
    std::cerr << "bessctl: --token is refused: a token on the command line is visible to every "
                 "local user (ps, /proc/PID/cmdline). Put it in a file readable only by you and "
                 "pass --token-file FILE (or set BESSD_TOKEN_FILE=FILE, or BESSD_TOKEN)\n";
    return kUsage;
  }
  if (*mode) {
    const bool manual = mode_name == "manual";
    if (manual && sp->count() == 0) {
      std::cerr << "bessctl: mode manual needs a setpoint in W (+ charges, - discharges), e.g. "
                   "\"bessctl mode manual -- -1500\"\n";
      return kUsage;
    }
    if (!manual && sp->count() != 0) {
      std::cerr << "bessctl: a setpoint is only allowed with mode manual\n";
      return kUsage;
    }
  }
  if (*check) return check_site(site_args, g.json);
  bessctl::show_times_in_utc(g.utc);

  Runner r(g);
  if (auto rc = r.prepare()) return *rc;
  if (*status) return r.show("/v1/status", bessctl::render_status);
  if (*watch_cmd) return watch(r, interval_s, count);
  if (*limits) return r.show("/v1/limits", bessctl::render_limits);
  if (*compliance) return r.show("/v1/compliance", bessctl::render_compliance);
  if (*health) return r.show("/v1/health", bessctl::render_health);
  if (*config) return r.show("/v1/config", nullptr);
  if (*events) {
    std::string target = "/v1/events";
    add_param(target, "since", since);
    add_param(target, "level", level);
    add_param(target, "limit", limit);
    return r.show(target, bessctl::render_events);
  }
  if (*audit) {
    std::string target = "/v1/audit";
    add_param(target, "since", since);
    add_param(target, "limit", limit);
    return r.show(target, bessctl::render_audit);
  }
  if (*energy) {
    std::string target = "/v1/energy";
    add_param(target, "period", period);
    add_param(target, "count", periods);
    return r.show(target, bessctl::render_energy);
  }
  if (*history) {
    std::string target = "/v1/history";
    add_param(target, "from", from);
    add_param(target, "to", to);
    add_param(target, "resolution", resolution);
    add_param(target, "fields", field);
    if (int rc = r.call("GET", target)) return rc;
    if (g.json)
      r.print(nullptr);
    else
      std::cout << bessctl::render_history_chart(r.json(), field, width, height);
    return kOk;
  }
  if (*mode) {
    Json body{{"mode", mode_name == "self" ? "self_consumption" : mode_name}};
    if (mode_name == "manual") body["setpoint_w"] = setpoint_w;
    if (mode_for->count() != 0) body["expires_in_s"] = expires_in_s;
    if (int rc = r.call("PUT", "/v1/mode", body.dump())) return rc;
    if (g.json)
      r.print(nullptr);
    else
      std::cout << "accepted: " << r.json().value("message", std::string{}) << "\n";
    return kOk;
  }
  if (*settings) {
    if (reserve_opt->count() == 0 && target_opt->count() == 0)
      return r.show("/v1/settings", bessctl::render_settings);
    Json body = Json::object();
    const auto value = [parse_pct](const std::string& text) {
      return text == "config" ? Json(nullptr) : Json(parse_pct(text).value_or(0.0));
    };
    if (reserve_opt->count() != 0) body["reserve_soc_pct"] = value(reserve_text);
    if (target_opt->count() != 0) body["target_soc_pct"] = value(target_text);
    if (int rc = r.call("PUT", "/v1/settings", body.dump())) return rc;
    if (g.json)
      r.print(nullptr);
    else
      std::cout << bessctl::render_settings(r.json());
    return kOk;
  }
  if (*plan) return r.show("/v1/plan", bessctl::render_plan);
  if (*ack) {
    if (int rc = r.call("POST", "/v1/faults/ack")) return rc;
    if (g.json) {
      r.print(nullptr);
    } else {
      std::cout << r.json().value("message", std::string{}) << "\n";
      const auto& still = r.json()["still_active"];
      if (still.is_array() && !still.empty())
        std::cout << "still active (cause not cleared): " << still.dump() << "\n";
    }
    return kOk;
  }
  if (*self_test) {
    if (int rc = r.call("POST", "/v1/self-test")) return rc;
    r.print(bessctl::render_self_test);
    return r.json().value("passed", false) ? kOk : kApiError;
  }
  return kUsage;
}
