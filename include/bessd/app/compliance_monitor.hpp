#pragma once
// Keeps the installation compliance report true while the daemon runs (docs/compliance.md):
// the check runs at start, on every reload, when the local calendar day changes (date-based
// rules such as SL-CAL-01 and SL-GRADE-01 take effect on the day, not at the next restart), and
// when the BMS first reports or changes its nameplate capacity and the new value has been stable
// for a while (BAT-CAP-01, PAS-ENE-01; docs/compliance.md, "BMS nameplate energy"). Every
// new report goes to `on_report` (the control loop: a new block drives the compliance lockout).
// Single-threaded: every method runs on the io_context thread.

#include <chrono>
#include <cstdint>
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
  /// A nameplate the BMS reports is used once it has stayed the same this long (10 s, within
  /// 2 %): one garbage frame never locks the site out or lets it loose.
  compliance::NameplateDebounceOptions nameplate{};
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
  /// Every BMS update: re-checks when a new nameplate has been stable for
  /// options.nameplate.stable_for (judged at the next update after that).
  void on_pack(const core::PackState& pack);

  const compliance::ComplianceReport& report() const noexcept { return report_; }
  /// The nameplate the current report used.
  const std::optional<compliance::BmsNameplate>& nameplate() const noexcept {
    return nameplate_debounce_.accepted();
  }
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
  struct NameplateInputs {
    std::optional<double> capacity_ah;
    std::optional<double> charge_voltage_limit_v;
    std::optional<std::uint16_t> modules_total;
    std::optional<std::uint16_t> modules_online;
    friend bool operator==(const NameplateInputs&, const NameplateInputs&) = default;
  };
  compliance::NameplateDebouncer nameplate_debounce_;
  NameplateInputs last_inputs_;
  std::optional<core::PackState> accepted_pack_;  // the pack the accepted nameplate came from
  std::size_t evaluations_{0};
  bool stopped_{true};
};

}  // namespace bessd::app
