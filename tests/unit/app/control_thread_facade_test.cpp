// ControlThreadFacade: every call of the API thread is carried out on the control thread, and
// the answer comes back to the caller.

#include <bessd/app/control_thread_facade.hpp>

#include <chrono>
#include <future>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <bessd/api/testing/fake_facade.hpp>

namespace bessd::app {
namespace {

using namespace std::chrono_literals;

struct ControlThread {
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  std::thread thread{[this] { io.run(); }};
  ~ControlThread() {
    work.reset();
    io.stop();
    thread.join();
  }
  /// Keeps the control thread busy until the returned promise is set.
  std::promise<void> block() {
    std::promise<void> release;
    auto released = std::make_shared<std::shared_future<void>>(release.get_future().share());
    boost::asio::post(io, [released] { released->wait(); });
    return release;
  }
};

api::Requester operator_at_uid(std::uint32_t uid) {
  api::Requester who;
  who.transport = api::Transport::unix_socket;
  who.uid = uid;
  who.scope = api::Scope::control;
  return who;
}

TEST(ControlThreadFacade, AWriteWaitsForTheControlThreadAndReturnsItsAnswer) {
  ManualClock clock;
  api::testing::FakeFacade inner(clock);
  ControlThread control;
  ControlThreadFacade facade(inner, control.io.get_executor());

  auto release = control.block();
  auto ack = std::async(std::launch::async, [&] { return facade.ack_faults(operator_at_uid(7)); });
  EXPECT_EQ(ack.wait_for(100ms), std::future_status::timeout)
      << "the call ran while the control thread was busy elsewhere";
  release.set_value();
  ASSERT_EQ(ack.wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(ack.get().has_value());
  ASSERT_EQ(inner.ack_requests.size(), 1U);
  EXPECT_EQ(inner.ack_requests[0].uid, 7U);
}

TEST(ControlThreadFacade, ReadsComeBackWithTheControlThreadsState) {
  ManualClock clock;
  api::testing::FakeFacade inner(clock);
  inner.status_snapshot.controller.state = "fault";
  ControlThread control;
  ControlThreadFacade facade(inner, control.io.get_executor());
  EXPECT_EQ(facade.status().controller.state, "fault");
  EXPECT_EQ(facade.compliance(), inner.compliance_report);
}

TEST(ControlThreadFacade, QueriesAndRefusalRecordsRunOnTheControlThread) {
  ManualClock clock;
  api::testing::FakeFacade inner(clock);
  ControlThread control;
  ControlThreadFacade facade(inner, control.io.get_executor());

  std::promise<std::size_t> events;
  facade.events(
      {}, [&](Result<std::vector<api::EventRecord>> r) { events.set_value(r ? r->size() : 999); });
  auto got = events.get_future();
  ASSERT_EQ(got.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(got.get(), inner.event_log.size());

  facade.audit_refusal(operator_at_uid(7), "POST /v1/faults/ack", "1 write refused with 429");
  // The record is posted: it is there once the control thread has run what was queued before.
  std::promise<std::size_t> audited;
  boost::asio::post(control.io, [&] { audited.set_value(inner.audit_log.size()); });
  EXPECT_EQ(audited.get_future().get(), 1U);
}

// docs/api.md "GET /v1/audit": a write is answered only once its audit record is committed, so
// that a kill -9 right after the answer cannot lose the record (red team 16, finding 6).
TEST(ControlThreadFacade, AWriteIsAnsweredOnlyOnceItsAuditRecordIsCommitted) {
  ManualClock clock;
  api::testing::FakeFacade inner(clock);
  ControlThread control;
  std::promise<void> commit;
  const AuditCommit committed = commit.get_future().share();
  ControlThreadFacade facade(inner, control.io.get_executor(),
                             [&] { return std::vector<AuditCommit>{committed}; });

  auto ack = std::async(std::launch::async, [&] { return facade.ack_faults(operator_at_uid(7)); });
  EXPECT_EQ(ack.wait_for(100ms), std::future_status::timeout)
      << "answered before its audit record was committed";
  // The control thread is free meanwhile: it never waits for the database.
  EXPECT_EQ(facade.status().controller.state, inner.status_snapshot.controller.state);
  commit.set_value();
  ASSERT_EQ(ack.wait_for(5s), std::future_status::ready);
  const auto answer = ack.get();
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->message.find("audit record"), std::string::npos) << answer->message;
}

TEST(ControlThreadFacade, AnAuditRecordNotStoredInTimeIsSaidNotWaitedFor) {
  ManualClock clock;
  api::testing::FakeFacade inner(clock);
  ControlThread control;
  std::promise<void> never;
  const AuditCommit pending = never.get_future().share();
  ControlThreadFacade facade(
      inner, control.io.get_executor(), [&] { return std::vector<AuditCommit>{pending}; }, 10ms);
  const auto answer = facade.request_mode({api::Mode::idle, {}, {}}, operator_at_uid(7));
  ASSERT_TRUE(answer.has_value());
  EXPECT_NE(answer->message.find("audit record is not stored yet"), std::string::npos)
      << answer->message;
}

TEST(ControlThreadFacade, AnAuditRecordTheStoreDroppedIsSaid) {
  ManualClock clock;
  api::testing::FakeFacade inner(clock);
  ControlThread control;
  AuditCommit dropped;
  {
    std::promise<void> gone;  // destroyed unfulfilled: the store stopped first
    dropped = gone.get_future().share();
  }
  ControlThreadFacade facade(inner, control.io.get_executor(),
                             [&] { return std::vector<AuditCommit>{dropped}; });
  const auto answer = facade.ack_faults(operator_at_uid(7));
  ASSERT_TRUE(answer.has_value());
  EXPECT_NE(answer->message.find("was not stored"), std::string::npos) << answer->message;
}

// A write whose durable part blocks like a stalled SD card: the control thread must stay free
// (a fire alarm's 0 W command cannot wait for it), and the write takes effect only once stored.
class StalledDiskWrites final : public StagedWrites {
 public:
  StagedWrite<api::ModeVerdict> stage_mode(
      const api::ModeRequest&, const api::Requester&, std::function<bool()>,
      std::optional<std::chrono::steady_clock::time_point>) override {
    return StagedWrite<api::ModeVerdict>::answered(fail(ErrorCode::invalid_argument, "unused"));
  }
  StagedWrite<api::SettingsDto> stage_settings(
      const api::SettingsRequest&, const api::Requester&,
      std::optional<std::chrono::steady_clock::time_point>) override {
    return StagedWrite<api::SettingsDto>::answered(fail(ErrorCode::invalid_argument, "unused"));
  }
  StagedWrite<api::AckResult> stage_ack(
      const api::Requester&, std::optional<std::chrono::steady_clock::time_point>) override {
    staged_on = std::this_thread::get_id();
    StagedWrite<api::AckResult> w;
    w.store = [this] {
      stored_on = std::this_thread::get_id();
      disk.wait();
    };
    w.apply = [this]() -> Result<api::AckResult> {
      applied_on = std::this_thread::get_id();
      api::AckResult r;
      r.message = "applied";
      return r;
    };
    return w;
  }
  std::shared_future<void> disk;
  std::thread::id staged_on, stored_on, applied_on;
};

TEST(ControlThreadFacade, AStagedWritesDurablePartRunsOffTheControlThread) {
  ManualClock clock;
  api::testing::FakeFacade inner(clock);
  ControlThread control;
  StalledDiskWrites staged;
  std::promise<void> disk;
  staged.disk = disk.get_future().share();
  ControlThreadFacade facade(inner, control.io.get_executor(), {}, 5s, &staged);

  auto ack = std::async(std::launch::async, [&] { return facade.ack_faults(operator_at_uid(7)); });
  EXPECT_EQ(ack.wait_for(100ms), std::future_status::timeout) << "answered before it was stored";
  // The control thread answers meanwhile: it is not the one waiting for the disk.
  std::promise<void> ran;
  boost::asio::post(control.io, [&] { ran.set_value(); });
  EXPECT_EQ(ran.get_future().wait_for(2s), std::future_status::ready)
      << "the control thread waited for the disk";
  EXPECT_EQ(staged.applied_on, std::thread::id{}) << "applied before it was stored";
  disk.set_value();
  ASSERT_EQ(ack.wait_for(5s), std::future_status::ready);
  const auto answer = ack.get();
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->message, "applied");
  EXPECT_EQ(staged.staged_on, control.thread.get_id());
  EXPECT_EQ(staged.applied_on, control.thread.get_id());
  EXPECT_NE(staged.stored_on, control.thread.get_id());
  EXPECT_TRUE(inner.ack_requests.empty()) << "the unstaged path ran too";
}

}  // namespace
}  // namespace bessd::app
