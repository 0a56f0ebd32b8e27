#pragma once
// Keeps the installation compliance report true while the daemon runs (docs/compliance.md):
// the check runs at start, on every reload, when the local calendar day changes (date-based
// rules such as SL-CAL-01 and SL-GRADE-01 take effect on the day, not at the next restart), and
// when the BMS first reports or changes its nameplate capacity (BAT-CAP-01, PAS-ENE-01). Every
// new report goes to `on_report` (the control loop: a new block drives the compliance lockout).
// Single-threaded: every method runs on the io_context thread.

#include <chrono>
#include <functional>
#include <optional>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <bessd/common/clock.hpp>
#include <bessd/common/date.hpp>
#include <bessd/compliance/bms_nameplate.hpp>
#include <bessd/compliance/report.hpp>
#include <bessd/config/config.hpp>
#include <bessd/core/pack_state.hpp>

namespace bessd::app {

struct ComplianceMonitorOptions {
  /// How often the local date is compared with the date of the last check. Checking often
  /// (rather than sleeping until midnight) survives wall-clock steps, DST and suspend.
  std::chrono::milliseconds date_check_period{std::chrono::seconds{30}};
};

/// The calendar day of `t` in the local time zone (TZ / /etc/localtime).
Date local_date(WallTime t);

class ComplianceMonitor {
 public:
  using ReportSink = std::function<void(const compliance::ComplianceReport&)>;

  /// `config` must outlive the monitor (the daemon's current configuration; reload updates it
  /// in place and then calls reevaluate()).
  ComplianceMonitor(boost::asio::io_context& io, const Clock& clock, const config::Config& config,
                    ReportSink on_report, ComplianceMonitorOptions options = {});

  /// Checks now and starts watching the date.
  void start();
  void stop();
  /// Checks again now (after a reload): logs what changed.
  void reevaluate(std::string_view why);
  /// Every BMS update: re-checks when the nameplate appears or changes.
  void on_pack(const core::PackState& pack);

  const compliance::ComplianceReport& report() const noexcept { return report_; }
  const std::optional<compliance::BmsNameplate>& nameplate() const noexcept { return nameplate_; }
  std::size_t evaluations() const noexcept { return evaluations_; }

 private:
  void evaluate(std::string_view why);
  void schedule();

  boost::asio::steady_timer timer_;
  const Clock& clock_;
  const config::Config& config_;
  ReportSink on_report_;
  ComplianceMonitorOptions options_;
  compliance::ComplianceReport report_;
  std::optional<compliance::BmsNameplate> nameplate_;  // the one the current report used
  std::optional<core::PackState> last_pack_;
  std::size_t evaluations_{0};
  bool stopped_{true};
};

}  // namespace bessd::app
