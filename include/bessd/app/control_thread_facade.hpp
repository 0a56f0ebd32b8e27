#pragma once
// The API's view of the controller when the API runs on a thread of its own (docs/architecture.md
// "Threads"): every call is carried out on the control thread, where the controller's state
// lives, and the API thread waits for the answer. A flood of HTTP connections then costs the API
// thread, never the control loop's time for BMS frames and inverter commands; the control thread
// spends only the facade calls themselves.
//
// Threading: call from one thread other than the control thread. The control thread must keep
// running its executor until the caller has stopped calling (the daemon stops the API thread
// first); it never waits for the API thread, so the two cannot deadlock.
//
// Writes that release power (a mode, an acknowledgement) are stored durably first. With a
// `staged` inner facade, that write runs here, on the API thread, between the control thread's
// two short stages (staged_write.hpp): the control thread never waits for the disk.
//
// The router submits writes (submit_mode, submit_ack): they run one at a time on a writer
// thread of this facade, which does the waiting above, so reads on the API thread go on while
// a write waits for the disk or its audit record. `mode idle` without an expiry (the operator's
// stop, docs/api.md "PUT /v1/mode") never queues behind them: it has a writer of its own, and
// a mode write submitted before it that has not been stored yet is refused rather than carried
// out after it. stop_writes() ends both writers.
//
// Audit: a mode change or an acknowledgement is answered only once its audit record is committed
// (docs/api.md "GET /v1/audit"). Right after the write, still on the control thread,
// `take_audit_commits` hands over the commits of the records it wrote; the API thread then waits
// for them, at most `audit_wait`. The control thread never waits for the database. A record not
// stored in time is said in the answer's message and the journal; the answer is never held
// longer.

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <type_traits>
#include <utility>
#include <vector>

#include <atomic>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include <bessd/api/facade.hpp>
#include <bessd/api/json.hpp>
#include <bessd/app/audit_commit.hpp>
#include <bessd/app/staged_write.hpp>

namespace bessd::app {

class ControlThreadFacade final : public api::Facade {
 public:
  /// The commits of the audit records written since the last call; called on the control thread.
  using TakeAuditCommits = std::function<std::vector<AuditCommit>()>;

  /// `inner` is used only on `control`; it must outlive this object. Without
  /// `take_audit_commits`, writes are answered without waiting for their audit record. With
  /// `staged` (the same object as `inner`), mode changes and acknowledgements run staged.
  ControlThreadFacade(api::Facade& inner, boost::asio::any_io_executor control,
                      TakeAuditCommits take_audit_commits = {},
                      std::chrono::milliseconds audit_wait = std::chrono::seconds(5),
                      StagedWrites* staged = nullptr)
      : inner_(inner),
        control_(std::move(control)),
        take_audit_commits_(std::move(take_audit_commits)),
        audit_wait_(audit_wait),
        staged_(staged) {}

  api::StatusDto status() const override {
    return on_control([this] { return inner_.status(); });
  }
  api::LimitsDto limits() const override {
    return on_control([this] { return inner_.limits(); });
  }
  api::ComplianceDto compliance() const override {
    return on_control([this] { return inner_.compliance(); });
  }
  api::HealthDto health() const override {
    return on_control([this] { return inner_.health(); });
  }
  nlohmann::json config_json() const override {
    return on_control([this] { return inner_.config_json(); });
  }
  std::vector<api::MetricSample> metrics() const override {
    return on_control([this] { return inner_.metrics(); });
  }

  // The queries start on the control thread and complete wherever the inner facade completes
  // them; the HTTP server brings the reply back to its own thread.
  void events(const api::EventQuery& query,
              api::Done<std::vector<api::EventRecord>> done) override {
    boost::asio::post(control_, [this, query, done = std::move(done)]() mutable {
      inner_.events(query, std::move(done));
    });
  }
  void history(const api::HistoryQuery& query, api::Done<api::HistorySeries> done) override {
    boost::asio::post(control_, [this, query, done = std::move(done)]() mutable {
      inner_.history(query, std::move(done));
    });
  }
  void audit(const api::AuditQuery& query, api::Done<std::vector<api::AuditRecord>> done) override {
    boost::asio::post(control_, [this, query, done = std::move(done)]() mutable {
      inner_.audit(query, std::move(done));
    });
  }
  void energy(const api::EnergyQuery& query, api::Done<api::EnergyReport> done) override {
    boost::asio::post(control_, [this, query, done = std::move(done)]() mutable {
      inner_.energy(query, std::move(done));
    });
  }

  Result<api::ModeVerdict> request_mode(const api::ModeRequest& request,
                                        const api::Requester& who) override {
    return mode_write(request, who, {}, std::nullopt);
  }
  Result<api::ModeVerdict> mode_write(
      const api::ModeRequest& request, const api::Requester& who, std::function<bool()> superseded,
      std::optional<std::chrono::steady_clock::time_point> answer_by) {
    if (staged_)
      return answered_after_audit(run_staged<api::ModeVerdict>(
          [&] { return staged_->stage_mode(request, who, superseded, answer_by); }));
    return answered_after_audit(on_control([&] {
      auto result = inner_.request_mode(request, who);
      return std::pair{std::move(result), take_audit_commits()};
    }));
  }
  Result<api::AckResult> ack_faults(const api::Requester& who) override {
    return ack_write(who, std::nullopt);
  }
  Result<api::AckResult> ack_write(const api::Requester& who,
                                   std::optional<std::chrono::steady_clock::time_point> answer_by) {
    if (staged_)
      return answered_after_audit(
          run_staged<api::AckResult>([&] { return staged_->stage_ack(who, answer_by); }));
    return answered_after_audit(on_control([&] {
      auto result = inner_.ack_faults(who);
      return std::pair{std::move(result), take_audit_commits()};
    }));
  }
  api::SettingsDto settings() const override {
    return on_control([this] { return inner_.settings(); });
  }
  api::PlanDto plan() const override {
    return on_control([this] { return inner_.plan(); });
  }
  Result<api::SettingsDto> request_settings(const api::SettingsRequest& request,
                                            const api::Requester& who) override {
    return settings_write(request, who, std::nullopt);
  }
  Result<api::SettingsDto> settings_write(
      const api::SettingsRequest& request, const api::Requester& who,
      std::optional<std::chrono::steady_clock::time_point> answer_by) {
    if (staged_)
      return answered_after_audit(run_staged<api::SettingsDto>(
          [&] { return staged_->stage_settings(request, who, answer_by); }));
    return answered_after_audit(on_control([&] {
      auto result = inner_.request_settings(request, who);
      return std::pair{std::move(result), take_audit_commits()};
    }));
  }
  void submit_settings(const api::SettingsRequest& request, const api::Requester& who,
                       api::Done<api::SettingsDto> done) override {
    const auto answer_by = std::chrono::steady_clock::now() + kStoreBy;  // as for a mode
    boost::asio::post(writes_, [this, request, who, answer_by, done = std::move(done)] {
      if (stopping_)
        return done(refused_at_stop(who, "PUT /v1/settings " + api::to_json(request).dump()));
      done(settings_write(request, who, answer_by));
    });
  }
  void submit_mode(const api::ModeRequest& request, const api::Requester& who,
                   api::Done<api::ModeVerdict> done) override {
    if (request.mode == api::Mode::idle && !request.expires_in_s) {
      idles_.fetch_add(1);  // before it runs: what was submitted earlier is overtaken from now
      boost::asio::post(idle_writes_, [this, request, who, done = std::move(done)] {
        if (stopping_) return done(refused_at_stop(who, mode_request_text(request)));
        done(mode_write(request, who, {}, std::nullopt));
      });
      return;
    }
    const std::uint64_t idles_before = idles_.load();
    // Stored by then, or not applied: the answer (after its audit record, at most audit_wait_)
    // must reach a client that waits 5 s (bessctl).
    const auto answer_by = std::chrono::steady_clock::now() + kStoreBy;
    boost::asio::post(writes_, [this, request, who, idles_before, answer_by,
                                done = std::move(done)] {
      if (stopping_) return done(refused_at_stop(who, mode_request_text(request)));
      done(mode_write(
          request, who, [this, idles_before] { return idles_.load() != idles_before; }, answer_by));
    });
  }
  void submit_ack(const api::Requester& who, api::Done<api::AckResult> done) override {
    const auto answer_by = std::chrono::steady_clock::now() + kStoreBy;  // as for a mode
    boost::asio::post(writes_, [this, who, answer_by, done = std::move(done)] {
      if (stopping_) return done(refused_at_stop(who, "POST /v1/faults/ack"));
      done(ack_write(who, answer_by));
    });
  }
  /// From now on, writes not yet started are answered "stopping" without taking effect (any
  /// thread; the daemon calls it when the stop begins).
  void refuse_writes() { stopping_ = true; }
  /// Runs `then` on a writer thread once every write submitted so far has been answered.
  void when_writes_done(std::function<void()> then) {
    boost::asio::post(idle_writes_, [this, then = std::move(then)]() mutable {
      boost::asio::post(writes_, std::move(then));
    });
  }
  /// Ends the writer thread: the write running finishes (the control thread must still run),
  /// those queued behind it are answered "stopping" without taking effect. Call before the
  /// control thread stops, from a thread other than it.
  void stop_writes() {
    stopping_ = true;
    idle_writes_.join();
    writes_.join();
  }
  ~ControlThreadFacade() override { stop_writes(); }

  void run_self_test(const api::Requester& who, api::Done<api::SelfTestReport> done) override {
    // The self-test moves no power: its report does not wait for its audit record.
    boost::asio::post(control_, [this, who, done = std::move(done)]() mutable {
      inner_.run_self_test(who, std::move(done));
      (void)take_audit_commits();
    });
  }
  void audit_refusal(const api::Requester& who, const std::string& request,
                     const std::string& message) override {
    // Nothing to wait for: the refusal has been answered already.
    boost::asio::post(control_, [this, who, request, message] {
      inner_.audit_refusal(who, request, message);
      (void)take_audit_commits();
    });
  }

 private:
  std::vector<AuditCommit> take_audit_commits() const {
    return take_audit_commits_ ? take_audit_commits_() : std::vector<AuditCommit>{};
  }

  // API thread: stage 1 and 3 on the control thread, the durable write (stage 2) here.
  template <typename T, typename Stage>
  std::pair<Result<T>, std::vector<AuditCommit>> run_staged(Stage stage) const {
    auto first = on_control([&] {
      auto write = stage();
      return std::pair{std::move(write), take_audit_commits()};
    });
    auto& [write, commits] = first;
    if (write.answer) return {std::move(*write.answer), std::move(commits)};
    write.store();
    // `staged` rather than the binding `write`: clang before 16 cannot capture a structured
    // binding (clang-tidy 14 parses this header too).
    auto& staged = first.first;
    auto applied = on_control([&] {
      auto result = staged.apply();
      return std::pair{std::move(result), take_audit_commits()};
    });
    applied.second.insert(applied.second.begin(), commits.begin(), commits.end());
    return applied;
  }

  // API thread: waits (bounded) for the audit records of a write before it is answered.
  template <typename T>
  Result<T> answered_after_audit(std::pair<Result<T>, std::vector<AuditCommit>> written) const {
    auto& [result, commits] = written;
    if (const auto why = wait_for_audit_commits(commits, audit_wait_)) {
      report_unstored_audit(*why);
      if (result) result->message += "; " + *why;
    }
    return std::move(result);
  }

  template <typename F>
  std::invoke_result_t<F> on_control(F fn) const {
    std::packaged_task<std::invoke_result_t<F>()> task(std::move(fn));
    auto result = task.get_future();
    boost::asio::post(control_, [&task] { task(); });
    return result.get();
  }

  static Failure stopping() {
    return fail(ErrorCode::disconnected, "bessd is stopping: the write was not carried out");
  }
  // A write that the stop kept from running is audited like any refused write (docs/api.md
  // "GET /v1/audit"): whoever reconstructs a restart sees who asked for what.
  Failure refused_at_stop(const api::Requester& who, const std::string& what) {
    auto failure = stopping();
    audit_refusal(who, what, "1 write refused with 503 (" + failure.error.message + ")");
    return failure;
  }
  static std::string mode_request_text(const api::ModeRequest& request) {
    return "PUT /v1/mode " + api::to_json(request).dump();
  }

  static constexpr std::chrono::milliseconds kStoreBy{2500};

  api::Facade& inner_;
  boost::asio::any_io_executor control_;
  TakeAuditCommits take_audit_commits_;
  std::chrono::milliseconds audit_wait_;
  StagedWrites* staged_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> idles_{0};  // `mode idle` writes submitted so far
  // Last: joined before the members they use go.
  boost::asio::thread_pool writes_{1};
  boost::asio::thread_pool idle_writes_{1};
};

}  // namespace bessd::app
