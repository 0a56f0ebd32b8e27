#include <bessd/app/daemon.hpp>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <bessd/app/logging.hpp>
#include <bessd/app/systemd_notifier.hpp>
#include <bessd/common/clock.hpp>
#include <bessd/common/date.hpp>
#include <bessd/compliance/checker.hpp>
#include <bessd/compliance/report_text.hpp>
#include <bessd/config/config_loader.hpp>

namespace bessd::app {

namespace asio = boost::asio;

struct Daemon::Impl {
  DaemonOptions options;
  config::Config config;
  asio::io_context io;
  asio::signal_set stop_signals{io, SIGINT, SIGTERM};
  asio::signal_set reload_signals{io, SIGHUP};
  asio::steady_timer control_timer{io};
  SystemdNotifier notifier;
  std::shared_ptr<spdlog::logger> log = logger("app");
  std::shared_ptr<spdlog::logger> compliance_log = logger("compliance");
  SystemClock clock;
  compliance::ComplianceReport compliance_report;

  Impl(DaemonOptions o, config::Config c) : options(std::move(o)), config(std::move(c)) {}

  void wait_stop() {
    stop_signals.async_wait([this](const boost::system::error_code& ec, int signo) {
      if (ec) return;
      log->info("received {}, stopping", signo == SIGTERM ? "SIGTERM" : "SIGINT");
      notifier.stopping();
      control_timer.cancel();
      reload_signals.cancel();
      io.stop();
    });
  }

  void wait_reload() {
    reload_signals.async_wait([this](const boost::system::error_code& ec, int) {
      if (ec) return;
      reload();
      wait_reload();
    });
  }

  void reload() {
    notifier.reloading();
    log->info("SIGHUP: reloading {}", options.config_path.string());
    try {
      config::Config fresh = config::load_config_file(options.config_path);
      config = std::move(fresh);
      setup_logging(config.logging, options.log_level);
      evaluate_compliance();
      log->info("configuration reloaded");
    } catch (const config::ConfigError& e) {
      log->error("reload rejected, keeping the running configuration: {}", e.what());
    }
    notifier.ready();
  }

  void schedule_control() {
    control_timer.expires_after(std::chrono::milliseconds(config.control.period_ms));
    control_timer.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      control_step();
      schedule_control();
    });
  }

  // The control step pets the watchdog itself, so a stalled loop gets the service restarted.
  void control_step() {
    stall_if_requested();
    notifier.watchdog();
  }

  // Test-only: with BESSD_TEST_STALL_FILE set, the loop hangs while that file exists, so the
  // systemd watchdog test can see the service restarted. Unset in production: no effect.
  void stall_if_requested() {
    if (stall_file.empty()) return;
    std::error_code ec;
    if (!std::filesystem::exists(stall_file, ec)) return;
    log->warn("BESSD_TEST_STALL_FILE {} exists: stalling the control loop (test hook)", stall_file);
    while (std::filesystem::exists(stall_file, ec))
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const std::string stall_file = [] {
    const char* v = std::getenv("BESSD_TEST_STALL_FILE");
    return std::string(v != nullptr ? v : "");
  }();

  // Checked at start-up and on every reload; each non-pass finding is logged once (on reload
  // only what changed), and the report is kept for the control loop and the API.
  void evaluate_compliance() {
    auto fresh = compliance::check(config.site, config.battery, config.compliance,
                                   date_of(clock.wall_now()));
    const bool first = compliance_report.findings.empty();
    const auto to_log = first ? fresh.notable() : fresh.changed_since(compliance_report);
    for (const auto* f : to_log) {
      const auto line = compliance::format_log_line(*f);
      switch (f->verdict) {
        case compliance::Verdict::block:
          compliance_log->error("{}", line);
          break;
        case compliance::Verdict::warn:
        case compliance::Verdict::derate:
          compliance_log->warn("{}", line);
          break;
        case compliance::Verdict::pass:
        case compliance::Verdict::not_applicable:
          compliance_log->info("{}", line);
          break;
      }
    }
    if (fresh.blocks()) {
      compliance_log->error(
          "installation blocked: no power flow until the findings above are fixed "
          "(bessd check-site explains each one)");
    }
    compliance_report = std::move(fresh);
  }

  int run() {
    evaluate_compliance();
    wait_stop();
    wait_reload();
    schedule_control();
    if (auto wd = SystemdNotifier::watchdog_interval()) {
      if (std::chrono::milliseconds(config.control.period_ms) > *wd) {
        log->warn("control period {} ms is longer than half the systemd watchdog interval",
                  config.control.period_ms);
      }
    }
    log->info("bessd ready (site \"{}\", config {})", config.site.name,
              options.config_path.string());
    notifier.ready();
    notifier.status("running");
    io.run();
    log->info("bessd stopped");
    return 0;
  }
};

Daemon::Daemon(DaemonOptions options, config::Config config)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(config))) {}
Daemon::~Daemon() = default;
int Daemon::run() {
  return impl_->run();
}

}  // namespace bessd::app
