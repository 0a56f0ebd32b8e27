#pragma once
// The API's only view of the daemon (docs/architecture.md "Rules the build and the tests enforce",
// rule 4). The app implements it over the controller, the drivers, storage and the compliance
// report; tests use api::testing::FakeFacade.
//
// Threading: the router calls every method on the io_context thread that owns the daemon's state.
// The synchronous methods must be cheap (copy the latest snapshot) and never block. Queries that
// hit the database (events, history, audit) and the self-test are asynchronous: the facade
// starts them and calls `done` exactly once, from any thread (the HTTP server posts the response
// back to its own executor). Calling `done` before the method returns is allowed.
//
// Errors: a Result error maps to an HTTP status (router.hpp). A refusal by the controller is
// not an error: ModeVerdict{accepted = false}.

#include <functional>

#include <nlohmann/json.hpp>

#include <bessd/api/command_dto.hpp>
#include <bessd/api/compliance_dto.hpp>
#include <bessd/api/health_dto.hpp>
#include <bessd/api/limits_dto.hpp>
#include <bessd/api/metric_sample.hpp>
#include <bessd/api/plan_dto.hpp>
#include <bessd/api/query_dto.hpp>
#include <bessd/api/requester.hpp>
#include <bessd/api/status_dto.hpp>
#include <bessd/common/result.hpp>

namespace bessd::api {

template <typename T>
using Done = std::function<void(Result<T>)>;

class Facade {
 public:
  virtual ~Facade() = default;

  virtual StatusDto status() const = 0;
  virtual LimitsDto limits() const = 0;
  virtual ComplianceDto compliance() const = 0;
  virtual HealthDto health() const = 0;
  /// The running configuration as JSON. The router redacts secrets again before sending it.
  virtual nlohmann::json config_json() const = 0;
  /// Facade counters for /metrics (link errors, queue drops, storage backlog ...).
  virtual std::vector<MetricSample> metrics() const = 0;

  virtual void events(const EventQuery& query, Done<std::vector<EventRecord>> done) = 0;
  virtual void history(const HistoryQuery& query, Done<HistorySeries> done) = 0;
  virtual void audit(const AuditQuery& query, Done<std::vector<AuditRecord>> done) = 0;
  virtual void energy(const EnergyQuery& query, Done<EnergyReport> done) = 0;

  /// Writes. `who` is recorded in the audit log with the outcome. The router has already
  /// checked who.may_write() and validated the request.
  virtual Result<ModeVerdict> request_mode(const ModeRequest& request, const Requester& who) = 0;
  virtual Result<AckResult> ack_faults(const Requester& who) = 0;
  /// The owner's reserve and charge target; the write refuses (invalid_argument) values outside
  /// the configured window, naming the bound.
  virtual SettingsDto settings() const = 0;
  /// The plan by price (docs/schedules.md "Planning by price"); configured false without one.
  virtual PlanDto plan() const = 0;
  virtual Result<SettingsDto> request_settings(const SettingsRequest& request,
                                               const Requester& who) = 0;
  /// The router's form of the two writes: `done` may run on any thread, and a facade whose
  /// writes wait (for a disk, an audit record) answers later instead of holding the caller, so
  /// that reads go on meanwhile. By default they answer at once with the calls above.
  // NOLINTBEGIN(performance-unnecessary-value-param): the overrides keep `done` for later.
  virtual void submit_mode(const ModeRequest& request, const Requester& who,
                           Done<ModeVerdict> done) {
    done(request_mode(request, who));
  }
  virtual void submit_ack(const Requester& who, Done<AckResult> done) { done(ack_faults(who)); }
  virtual void submit_settings(const SettingsRequest& request, const Requester& who,
                               Done<SettingsDto> done) {
    done(request_settings(request, who));
  }
  // NOLINTEND(performance-unnecessary-value-param)
  /// Refuses (Result error `busy`) unless the system is idle or simulated.
  virtual void run_self_test(const Requester& who, Done<SelfTestReport> done) = 0;
  /// Records writes the router refused (no control scope, over the write rate) in the audit
  /// log. The router already counts and rate-limits these calls (docs/api.md "Write rate
  /// limit"); `request` is "PUT /v1/mode", `message` says why and how many.
  virtual void audit_refusal(const Requester& who, const std::string& request,
                             const std::string& message) = 0;
};

}  // namespace bessd::api
