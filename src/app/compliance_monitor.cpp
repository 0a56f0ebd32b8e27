#include <bessd/app/compliance_monitor.hpp>

#include <ctime>

#include <spdlog/spdlog.h>

#include <bessd/app/logging.hpp>
#include <bessd/compliance/checker.hpp>
#include <bessd/compliance/report_text.hpp>

namespace bessd::app {

Date local_date(WallTime t) {
  const std::time_t seconds = WallClock::to_time_t(t);
  std::tm local{};
  if (::localtime_r(&seconds, &local) == nullptr) return date_of(t);  // no zone data: UTC
  return Date{std::chrono::year{local.tm_year + 1900},
              std::chrono::month{static_cast<unsigned>(local.tm_mon + 1)},
              std::chrono::day{static_cast<unsigned>(local.tm_mday)}};
}

ComplianceMonitor::ComplianceMonitor(boost::asio::io_context& io, const Clock& clock,
                                     const config::Config& config, ReportSink on_report,
                                     ComplianceMonitorOptions options)
    : timer_(io),
      clock_(clock),
      config_(config),
      on_report_(std::move(on_report)),
      options_(options),
      nameplate_debounce_(options.nameplate) {}

void ComplianceMonitor::start() {
  stopped_ = false;
  evaluate("start-up");
  schedule();
}

void ComplianceMonitor::stop() {
  stopped_ = true;
  timer_.cancel();
}

void ComplianceMonitor::reevaluate(std::string_view why) {
  // The nameplate's conversion may depend on the new battery section (nominal voltage): the
  // capacity the BMS reported stays, its kWh follows the configuration at once.
  if (accepted_pack_)
    nameplate_debounce_.replace_accepted(
        compliance::bms_nameplate(config_.battery, *accepted_pack_));
  evaluate(why);
}

void ComplianceMonitor::on_pack(const core::PackState& pack) {
  // Runs for every BMS update: what the nameplate depends on (installed capacity, charge-voltage
  // limit, module count) rarely changes, so the common case returns here.
  const NameplateInputs inputs{pack.capacity_ah, pack.limits.charge_voltage_limit_v,
                               pack.modules.total, pack.modules.online};
  if (inputs == last_inputs_ && !nameplate_debounce_.pending()) return;
  last_inputs_ = inputs;
  const auto seen = compliance::bms_nameplate(config_.battery, pack);
  if (!nameplate_debounce_.update(seen, clock_.now())) return;
  accepted_pack_ = pack;
  const auto& n = *nameplate_debounce_.accepted();
  if (n.energy_kwh) {
    logger("compliance")
        ->info(
            "BMS nameplate: {} Ah × {:.1f} V ({}) = {:.2f} kWh, stable for {} s; checking the "
            "installation again",
            n.capacity_ah, *n.nominal_voltage_v, n.voltage_basis, *n.energy_kwh,
            std::chrono::duration_cast<std::chrono::seconds>(options_.nameplate.stable_for)
                .count());
  } else {
    logger("compliance")
        ->warn("BMS nameplate: {} Ah, {}; checking the installation again", n.capacity_ah,
               n.voltage_basis);
  }
  evaluate("BMS nameplate");
}

void ComplianceMonitor::schedule() {
  if (stopped_) return;
  timer_.expires_after(options_.date_check_period);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    if (local_date(clock_.wall_now()) != report_.evaluated_on) evaluate("new day");
    schedule();
  });
}

// Each non-pass finding is logged once (afterwards only what changed), and every report goes to
// the sink so the control loop and the API see the same one.
void ComplianceMonitor::evaluate(std::string_view why) {
  const auto log = logger("compliance");
  auto fresh = compliance::check(config_.site, config_.battery, config_.compliance,
                                 local_date(clock_.wall_now()), nameplate_debounce_.accepted());
  const bool first = evaluations_ == 0;
  ++evaluations_;
  if (first && !fresh.pas_63100_applies) log->warn("{}", fresh.scope_note);
  const auto to_log = first ? fresh.notable() : fresh.changed_since(report_);
  for (const auto* f : to_log) {
    const auto line = compliance::format_log_line(*f);
    switch (f->verdict) {
      case compliance::Verdict::block:
        log->error("{}", line);
        break;
      case compliance::Verdict::warn:
      case compliance::Verdict::derate:
        log->warn("{}", line);
        break;
      case compliance::Verdict::pass:
      case compliance::Verdict::not_applicable:
        log->info("{}", line);
        break;
    }
  }
  if (fresh.blocks() && (first || !report_.blocks())) {
    log->error(
        "installation blocked ({}): no power flow until the findings above are fixed "
        "(bessd check-site explains each one)",
        why);
  } else if (!fresh.blocks() && !first && report_.blocks()) {
    log->info("installation no longer blocked ({})", why);
  }
  report_ = std::move(fresh);
  if (on_report_) on_report_(report_);
}

}  // namespace bessd::app
