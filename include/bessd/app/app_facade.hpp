#pragma once
// The daemon's implementation of the API facade. Reads are snapshots taken on the io_context
// thread (the HTTP server runs there too); history, events and audit queries go to a worker
// thread so the control loop never waits on SQLite; writes are requests to the control loop,
// which may clamp or refuse them, and each one is recorded in the audit log with its requester.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/thread_pool.hpp>

#include <bessd/api/facade.hpp>
#include <bessd/app/audit_commit.hpp>
#include <bessd/app/control_loop.hpp>
#include <bessd/app/latch_write_behind.hpp>
#include <bessd/app/price_feed.hpp>
#include <bessd/app/safety_state_store.hpp>
#include <bessd/app/staged_write.hpp>
#include <bessd/bms/bms_monitor.hpp>
#include <bessd/common/clock.hpp>
#include <bessd/compliance/report.hpp>
#include <bessd/config/config.hpp>
#include <bessd/inverter/inverter_driver.hpp>
#include <bessd/storage/store.hpp>

namespace bessd::app {

/// What the facade reads; all references outlive the facade (owned by the daemon).
struct FacadeContext {
  // The io_context's executor: results computed on the query thread complete there, so the
  // callbacks (and the API sessions they keep alive) are run and released on the io thread.
  boost::asio::any_io_executor io;
  const Clock& clock;
  const config::Config& config;
  std::filesystem::path config_path;
  ControlLoop& loop;
  const bms::BmsMonitor& bms;
  const inverter::InverterDriver& inverter;
  storage::Store& store;
  const compliance::ComplianceReport& compliance;
  std::string bms_link_detail;       // "slcan /dev/ttyACM0", "socketcan can0"
  std::string inverter_link_detail;  // "modbus tcp 127.0.0.1:502"
  // Problems the inverter driver reported (warning and above, not the clears); io thread only.
  const std::uint64_t* inverter_problems{nullptr};
  // The durable safety state: the operator's mode is stored there before it is applied.
  SafetyStateStore* safety{nullptr};
  // The controller's latch writer (its FaultLatchStore): modes and acknowledgements are stored
  // on its thread, after the latches queued before them. Null: the controller's store clears
  // latches itself (tests).
  LatchWriteBehind* latch_writer{nullptr};
  // The text of the configuration in force (loaded at start or by the last accepted reload),
  // owned by the daemon: /v1/config shows it, never the file on disk, which may have been edited
  // since or hold a reload that was refused. io thread only.
  const std::string* config_text{nullptr};
  // The service around the controller (API listeners, reloads): links and faults shown in
  // /v1/status; io thread only. Either may be empty.
  std::function<std::vector<api::LinkStatus>()> service_links;
  std::function<std::vector<api::ActiveFault>()> service_faults;
  // config::config_fingerprint of the configuration in force (/v1/compliance); io thread only.
  const std::string* config_fingerprint{nullptr};
  // Warning-level conditions active now (ActiveWarnings); may be empty.
  std::function<std::vector<api::ActiveFault>()> active_warnings;
  // Counters of the service around the controller (the fleet uplink) for /metrics; may be empty.
  std::function<std::vector<api::MetricSample>()> service_metrics;
  // schedule.by_price's file (docs/schedules.md "Price files"); null or empty without one.
  std::function<const PriceFileState*()> price_file;
};

/// What a write asked for, as its audit records keep it (docs/api.md "GET /v1/audit").
struct AuditedRequest {
  std::string action;             // "mode", "settings", "ack_faults", "self_test", ...
  std::string parameters = "{}";  // the request's parameters as JSON text
};

class AppFacade final : public api::Facade, public StagedWrites {
 public:
  explicit AppFacade(FacadeContext ctx);
  ~AppFacade() override;

  api::StatusDto status() const override;
  api::LimitsDto limits() const override;
  api::ComplianceDto compliance() const override;
  api::HealthDto health() const override;
  nlohmann::json config_json() const override;
  std::vector<api::MetricSample> metrics() const override;
  void events(const api::EventQuery& query, api::Done<std::vector<api::EventRecord>> done) override;
  void history(const api::HistoryQuery& query, api::Done<api::HistorySeries> done) override;
  void audit(const api::AuditQuery& query, api::Done<std::vector<api::AuditRecord>> done) override;
  void energy(const api::EnergyQuery& query, api::Done<api::EnergyReport> done) override;
  /// All stages on the calling thread (which must be the control thread).
  Result<api::ModeVerdict> request_mode(const api::ModeRequest& request,
                                        const api::Requester& who) override;
  Result<api::AckResult> ack_faults(const api::Requester& who) override;
  StagedWrite<api::ModeVerdict> stage_mode(
      const api::ModeRequest& request, const api::Requester& who,
      std::function<bool()> superseded = {},
      std::optional<std::chrono::steady_clock::time_point> answer_by = std::nullopt) override;
  StagedWrite<api::AckResult> stage_ack(
      const api::Requester& who,
      std::optional<std::chrono::steady_clock::time_point> answer_by = std::nullopt) override;
  api::SettingsDto settings() const override;
  api::PlanDto plan() const override;
  api::PlanDto plan_of(bool with_slots) const;
  bool plan_in_force() const;
  Result<api::SettingsDto> request_settings(const api::SettingsRequest& request,
                                            const api::Requester& who) override;
  StagedWrite<api::SettingsDto> stage_settings(
      const api::SettingsRequest& request, const api::Requester& who,
      std::optional<std::chrono::steady_clock::time_point> answer_by = std::nullopt) override;
  void run_self_test(const api::Requester& who, api::Done<api::SelfTestReport> done) override;
  void audit_refusal(const api::Requester& who, const std::string& request,
                     const std::string& message) override {
    record_audit(who, {"refused_write", nlohmann::json{{"request", request}}.dump()}, "refused",
                 message);
  }

  /// The commits of the audit records written since the last call (control thread): the API
  /// thread answers a write once they are done (ControlThreadFacade).
  std::vector<AuditCommit> take_audit_commits() { return std::exchange(audit_commits_, {}); }

 private:
  static void add_reaction_metrics(std::vector<api::MetricSample>& m, const LatencyHistogram& h);
  struct ModePlan;
  struct AckPlan;
  struct SettingsPlan;
  Result<api::SettingsDto> apply_settings(const SettingsPlan& plan);
  Result<api::ModeVerdict> apply_mode(const ModePlan& plan);
  Result<api::ModeVerdict> refuse_late_mode(const ModePlan& plan);
  Result<api::AckResult> apply_ack(const AckPlan& plan);
  Result<api::AckResult> refuse_late_ack(const AckPlan& plan);
  /// A power-releasing safety-state write, given the check to make just before its commit (it
  /// says no once the deadline has passed) and the callback to call once it is committed.
  using CommittingWrite = std::function<Result<bool>(const SafetyStateStore::CommitCheck&,
                                                     const SafetyStateStore::Committed&)>;
  /// Runs `write` on the latch writer and returns once it is committed, withheld or failed, or
  /// at `answer_by` if it has not reached its commit by then (withheld: false).
  Result<bool> store_until_committed(std::optional<std::chrono::steady_clock::time_point> answer_by,
                                     const CommittingWrite& write);
  std::optional<AuditCommit> record_requested(const api::Requester& who,
                                              const AuditedRequest& request);
  static std::optional<std::string> wait_for_requested(const std::optional<AuditCommit>& requested);
  std::optional<std::string> audit_unavailable() const;
  std::optional<Failure> refused_without_audit(const api::Requester& who,
                                               const AuditedRequest& request);
  static void log_audit_fallback(const api::Requester& who, const AuditedRequest& request,
                                 const std::string& outcome, const std::string& message);
  /// `outcome` one word (docs/api.md "GET /v1/audit"), `message` why.
  void record_audit(const api::Requester& who, const AuditedRequest& request,
                    const std::string& outcome, const std::string& message);

  FacadeContext ctx_;
  // /v1/config parses the running text once per change, not per request.
  std::vector<AuditCommit> audit_commits_;  // control thread; see take_audit_commits()
  mutable std::string parsed_text_;
  mutable nlohmann::json parsed_config_;
  boost::asio::thread_pool queries_{1};
};

}  // namespace bessd::app
