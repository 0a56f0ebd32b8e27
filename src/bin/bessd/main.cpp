// bessd: the home battery controller daemon. Exit codes: 0 clean stop / valid config,
// 1 runtime failure, 2 command-line usage error, 78 invalid configuration (EX_CONFIG).
// `bessd check-site`: 0 nothing blocks, 3 an installation rule blocks, 78 invalid configuration.

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>

#include <CLI/CLI.hpp>

#include <bessd/api/http/http_server.hpp>
#include <bessd/app/compliance_monitor.hpp>
#include <bessd/app/daemon.hpp>
#include <bessd/app/daemon_signals.hpp>
#include <bessd/app/fleet_uplink.hpp>
#include <bessd/app/logging.hpp>
#include <bessd/app/mqtt_bridge.hpp>
#include <bessd/app/process_memory.hpp>
#include <bessd/app/site_meter.hpp>
#include <bessd/common/date.hpp>
#include <bessd/compliance/bms_nameplate.hpp>
#include <bessd/compliance/checker.hpp>
#include <bessd/compliance/report_html.hpp>
#include <bessd/compliance/report_json.hpp>
#include <bessd/compliance/report_text.hpp>
#include <bessd/config/config_loader.hpp>
#include <bessd/config/plausibility.hpp>
#include <bessd/inverter/profile.hpp>
#include <bessd/version.hpp>

#include "live_site.hpp"

namespace {

std::optional<bessd::config::LogLevel> parse_level(const std::string& text) {
  using L = bessd::config::LogLevel;
  for (L l : {L::trace, L::debug, L::info, L::warn, L::error, L::critical, L::off})
    if (bessd::config::to_string(l) == text) return l;
  return std::nullopt;
}

/// The API's own checks that the schema cannot make: the token file (hygiene, format, strength;
/// every problem with its line), a non-loopback TCP address without allow_remote and the
/// dashboard's files (docs/api.md "Dashboard sessions").
void check_api(const bessd::config::Config& config, const std::string& path) {
  if (!config.api.tcp.enabled) return;
  const auto options = bessd::api::http::ServerOptions::from_config(config.api);
  if (options) return;
  const std::string& message = options.error().message;
  const std::string pointer =
      options.error().config_pointer.empty() ? "/api" : options.error().config_pointer;
  std::vector<bessd::config::ConfigIssue> issues;
  std::istringstream lines(message);
  for (std::string line; std::getline(lines, line);) issues.push_back({pointer, line});
  throw bessd::config::ConfigError(path, std::move(issues));
}

/// `--check-config FILE`: exit 0 means the daemon starts with this file. Loads the configuration
/// and the inverter profile it names (errors: exit 78); prints plausibility warnings (exit 0).
int check_config(const std::string& path) {
  try {
    const auto config = bessd::config::load_config_file(path);
    (void)bessd::inverter::load_configured_profile(config.inverter.profile,
                                                   config.inverter.profile_dir, path);
    if (config.meter) (void)bessd::app::load_meter_profile(config, path);
    if (config.mqtt) (void)bessd::app::broker_options_of(config, path);
    if (config.uplink) (void)bessd::app::uplink_broker_options_of(config, path);
    check_api(config, path);
    if (!config.site.jurisdiction_as_written.empty()) {
      std::cout << path << ": note: /site/jurisdiction: \"" << config.site.jurisdiction_as_written
                << "\" is read as \"" << config.site.jurisdiction << "\"\n";
    }
    const auto warnings = bessd::config::plausibility_warnings(config);
    for (const auto& w : warnings) std::cout << path << ": warning: " << w.to_string() << '\n';
    std::cout << path << ": configuration is valid";
    if (!warnings.empty())
      std::cout << " (" << warnings.size() << (warnings.size() == 1 ? " warning" : " warnings")
                << ": check the units)";
    std::cout << '\n';
    return 0;
  } catch (const bessd::config::ConfigError& e) {
    std::cerr << e.what() << '\n';
    return bessd::config::kExitConfig;
  }
}

struct CheckSiteOptions {
  std::string format{"text"};
  std::string date_text;
  bool live{false};
  std::string socket_path;  // empty: the configuration's api.unix_socket.path
};

/// Prints the installation compliance report of the config at `path` as of `date_text`
/// (YYYY-MM-DD; empty = today in the local time zone, as the daemon counts days) in `format`:
/// "text" (a table), "json" (the document /v1/compliance serves) or "html" (the commissioning
/// record). `live`: the BMS's nameplate and the pack's identity come from the running daemon,
/// so the report judges what the daemon judges (BAT-CAP-01, PAS-ENE-01).
int check_site(const std::string& path, const CheckSiteOptions& opt) {
  const std::string& format = opt.format;
  const std::string& date_text = opt.date_text;
  const auto now_day = bessd::app::local_date(std::chrono::system_clock::now());
  auto today = now_day;
  if (!date_text.empty()) {
    const auto date = bessd::parse_date(date_text);
    if (!date) {
      std::cerr << "--date: expected a calendar date YYYY-MM-DD, got \"" << date_text << "\"\n";
      return 2;
    }
    today = *date;
  }
  bessd::config::Config config;
  try {
    config = bessd::config::load_config_file(path);
  } catch (const bessd::config::ConfigError& e) {
    std::cerr << e.what() << '\n';
    return bessd::config::kExitConfig;
  }
  std::optional<bessd::cli::LiveSite> live;
  std::optional<bessd::compliance::BmsNameplate> bms_nameplate;
  std::ostringstream file_text;
  {
    std::ifstream in(path, std::ios::binary);
    file_text << in.rdbuf();
  }
  const std::string file_fingerprint = bessd::config::config_fingerprint(file_text.str());
  if (opt.live) {
    const std::string socket =
        opt.socket_path.empty() ? config.api.unix_socket.path : opt.socket_path;
    auto read = bessd::cli::read_live_site(socket, std::chrono::seconds(5));
    if (!read) {
      std::cerr << "check-site --live: " << read.error().message << '\n';
      return 1;
    }
    live = std::move(*read);
    // A record is only made for the configuration the daemon runs (docs/compliance.md).
    if (live->daemon_config_fingerprint != file_fingerprint) {
      std::cerr << "check-site --live: " << path << " (fingerprint " << file_fingerprint
                << ") is not the configuration the running daemon uses (fingerprint "
                << (live->daemon_config_fingerprint.empty() ? std::string{"not reported"}
                                                            : live->daemon_config_fingerprint)
                << "): reload the daemon with this file (systemctl reload bessd) or pass the "
                   "file it runs with --config, then run check-site --live again\n";
      return 1;
    }
    bms_nameplate = live->bms_nameplate;  // as the daemon judged it, never recomputed
  }
  const auto report = bessd::compliance::check(config.site, config.battery, config.compliance,
                                               today, bms_nameplate);
  if (live && !live->daemon_verdict.empty() &&
      live->daemon_verdict != bessd::compliance::to_string(report.verdict))
    std::cerr << "check-site --live: the running daemon's verdict is \"" << live->daemon_verdict
              << "\", this report's is \"" << bessd::compliance::to_string(report.verdict)
              << "\": is the daemon running " << path << "? (reload it: systemctl reload bessd)\n";
  if (format == "json") {
    std::cout << bessd::compliance::to_json(report).dump(2) << '\n';
  } else if (format == "html") {
    bessd::compliance::CommissioningInfo info;
    info.installer_name = config.site.installer.name;
    info.installer_registration = config.site.installer.registration;
    info.bessd_version = bessd::kVersion;
    info.config_path = std::filesystem::absolute(path).string();
    info.config_checksum = file_fingerprint;
    info.generated_on = bessd::format_date(now_day);
    if (live) info.pack_identity = bessd::cli::pack_identity_lines(*live);
    std::cout << bessd::compliance::format_html(report, info);
  } else {
    std::cout << bessd::compliance::format_table(report);
  }
  return report.blocks() ? bessd::compliance::kExitSiteBlocked : 0;
}

}  // namespace

int main(int argc, char** argv) {
  // First of all (docs/architecture.md "Signals"): a stop or reload sent while bessd starts
  // waits for the control loop instead of killing the process; the checks below unblock them.
  bessd::app::block_daemon_signals();
  bessd::app::ignore_broken_pipes();
  CLI::App cli{"bessd: home battery energy storage controller"};
  std::string config_path = "/etc/bessd/bessd.json";
  std::string check_path;
  std::string log_level;
  bool version = false;
  cli.add_option("-c,--config", config_path, "configuration file")->capture_default_str();
  cli.add_option(
      "--check-config", check_path,
      "check that the daemon starts with FILE (configuration and inverter profile), print every "
      "problem and unit-mistake warning and exit (0 valid, 78 invalid)");
  cli.add_option("--log-level", log_level, "trace, debug, info, warn, error, critical or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  cli.add_flag("-V,--version", version, "print the version and exit");
  bool site_json = false;
  CheckSiteOptions site_opt;
  auto* check_site_cmd = cli.add_subcommand(
      "check-site",
      "print the installation compliance report (0 nothing blocks, 3 blocked, 78 "
      "invalid config)");
  check_site_cmd->add_option("-c,--config", config_path, "configuration file")
      ->capture_default_str();
  check_site_cmd->add_flag("--json", site_json, "print the report as JSON (= --format json)");
  check_site_cmd
      ->add_option("--format", site_opt.format,
                   "text (a table), json, or html (a printable commissioning record)")
      ->check(CLI::IsMember({"text", "json", "html"}))
      ->capture_default_str();
  check_site_cmd->add_option("--date", site_opt.date_text,
                             "evaluate as of YYYY-MM-DD (default: today, local time)");
  check_site_cmd->add_flag(
      "--live", site_opt.live,
      "read the pack's identity and the BMS's nameplate from the running daemon (its API's Unix "
      "socket), so the report judges what the daemon judges");
  check_site_cmd
      ->add_option("--socket", site_opt.socket_path,
                   "the daemon's API socket for --live (default: api.unix_socket.path of the "
                   "configuration)")
      ->needs("--live");
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help prints and exits 0; every real usage error exits 2 (documented), not CLI11's codes.
    const int code = cli.exit(e);
    return code == 0 ? 0 : 2;
  }

  if (version) {
    std::cout << "bessd " << bessd::kVersion << '\n';
    return 0;
  }
  if (!check_path.empty() || *check_site_cmd)
    bessd::app::unblock_daemon_signals();  // Ctrl-C ends them
  if (!check_path.empty()) return check_config(check_path);
  if (*check_site_cmd) {
    if (site_json) site_opt.format = "json";
    return check_site(config_path, site_opt);
  }

  const auto level = log_level.empty() ? std::nullopt : parse_level(log_level);
  bessd::app::setup_logging({}, level);
  bessd::config::Config config;
  try {
    config = bessd::config::load_config_file(config_path);
  } catch (const bessd::config::ConfigError& e) {
    bessd::app::logger("config")->critical("{}", e.what());
    return bessd::config::kExitConfig;
  }
  bessd::app::setup_logging(config.logging, level);
  if (!config.site.jurisdiction_as_written.empty()) {
    bessd::app::logger("config")->info("site.jurisdiction \"{}\" is read as \"{}\"",
                                       config.site.jurisdiction_as_written,
                                       config.site.jurisdiction);
  }
  for (const auto& w : bessd::config::plausibility_warnings(config))
    bessd::app::logger("config")->warn("{} (bessd --check-config lists every one)", w.to_string());
  // Before the daemon starts its threads: the limits apply to threads created afterwards.
  if (const auto mem = bessd::app::limit_process_memory(); !mem.detail.empty())
    bessd::app::logger("daemon")->debug("memory limits: {}", mem.detail);
  try {
    bessd::app::Daemon daemon({config_path, level}, std::move(config));
    return daemon.run();
  } catch (const bessd::config::ConfigError& e) {
    // A profile or other file the configuration names is invalid: same exit as a bad config.
    bessd::app::logger("config")->critical("{}", e.what());
    return bessd::config::kExitConfig;
  } catch (const std::exception& e) {
    bessd::app::logger("app")->critical("fatal: {}", e.what());
    return 1;
  }
}
