#pragma once
// A Facade for tests, the fuzzer, the benchmark and the bessctl test server: realistic sample data
// in public members, every write recorded (and audited like the real facade), error injection,
// and optional holding of asynchronous completions so that tests can release them later.
// Not thread-safe: drive it from the thread that runs the router.

#include <deque>
#include <functional>
#include <optional>
#include <vector>

#include <bessd/api/facade.hpp>
#include <bessd/api/settings_change.hpp>
#include <bessd/common/clock.hpp>

namespace bessd::api::testing {

class FakeFacade final : public Facade {
 public:
  /// Fills every member with a plausible running system (LFP pack at 55 %, charging 1.2 kW,
  /// temperature derating OP-T-02 binding the charge power).
  explicit FakeFacade(const Clock& clock);

  StatusDto status() const override;
  LimitsDto limits() const override;
  ComplianceDto compliance() const override { return compliance_report; }
  HealthDto health() const override { return health_report; }
  nlohmann::json config_json() const override { return config; }
  std::vector<MetricSample> metrics() const override { return extra_metrics; }

  void events(const EventQuery& query, Done<std::vector<EventRecord>> done) override;
  void history(const HistoryQuery& query, Done<HistorySeries> done) override;
  void energy(const EnergyQuery& query, Done<EnergyReport> done) override;
  void audit(const AuditQuery& query, Done<std::vector<AuditRecord>> done) override;

  Result<ModeVerdict> request_mode(const ModeRequest& request, const Requester& who) override;
  Result<AckResult> ack_faults(const Requester& who) override;
  SettingsDto settings() const override { return settings_snapshot; }
  PlanDto plan() const override { return plan_snapshot; }
  Result<SettingsDto> request_settings(const SettingsRequest& request,
                                       const Requester& who) override;
  void run_self_test(const Requester& who, Done<SelfTestReport> done) override;
  void audit_refusal(const Requester& who, const std::string& request,
                     const std::string& message) override {
    record(who, "refused_write", nlohmann::json{{"request", request}}.dump(), "refused", message);
  }

  // --- Data shown by the reads (edit freely in tests) ---
  StatusDto status_snapshot;
  LimitsDto limits_snapshot;
  ComplianceDto compliance_report;
  HealthDto health_report;
  ConfiguredSocWindow soc_window;  // reserve 10 % and maximum 100 % configured, 3 points apart
  SettingsDto settings_snapshot;   // as the configured window, none set
  PlanDto plan_snapshot;           // none configured
  nlohmann::json config;
  std::vector<MetricSample> extra_metrics;
  std::vector<EventRecord> event_log;  // oldest first
  std::vector<AuditRecord> audit_log;  // oldest first; writes append here

  // --- Behaviour knobs ---
  /// When set, the next facade call (any method that can fail) fails with it, once.
  std::optional<Error> fail_next;
  /// request_mode refuses with this message when set (controller says no).
  std::optional<std::string> refuse_mode;
  /// When true, async completions are queued until release_pending().
  bool hold_async{false};
  std::size_t release_pending();
  std::size_t pending() const { return pending_.size(); }

  // --- What the router passed in ---
  std::vector<std::pair<ModeRequest, Requester>> mode_requests;
  std::vector<Requester> ack_requests;
  std::vector<std::pair<SettingsRequest, Requester>> settings_requests;
  std::vector<Requester> self_test_requests;
  std::vector<EventQuery> event_queries;
  std::vector<HistoryQuery> history_queries;
  std::vector<AuditQuery> audit_queries;
  std::vector<EnergyQuery> energy_queries;
  /// What energy() answers: these days, summed into the periods asked for up to `today`.
  std::vector<energy::DayEnergy> energy_days;
  std::optional<energy::FlatPrices> prices;
  Date today{std::chrono::year{2026}, std::chrono::December, std::chrono::day{5}};

 private:
  void complete(std::function<void()> fn);
  void record(const Requester& who, std::string action, std::string request, std::string outcome,
              std::string message);

  const Clock& clock_;
  std::deque<std::function<void()>> pending_;
};

}  // namespace bessd::api::testing
