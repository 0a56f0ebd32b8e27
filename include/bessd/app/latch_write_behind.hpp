#pragma once
// Latch writes never delay a safe command (docs/operations.md, "Safety state").
//
// A new latch (ALM-01 fire alarm, a BMS protection...) blocks power in the controller at once.
// Storing it durably means a file write and two fsyncs: tens of milliseconds on an SD card, far
// longer on a failing disk. Written inside the control step, that would come between the alarm
// and the 0 W command on the wire, and would hold the io thread that carries the inverter's
// transactions. So the controller's latch() and save_trips() are handed to a writer thread of
// their own and return at once. Both are the safe direction: a latch not yet on disk already
// blocks power in memory, and a crash before it is written loses it exactly as a crash an
// instant earlier would have. A write that fails is reported by the durable store's failure
// handler (SafetyStateStore::set_write_failure_handler), and the controller latches FAULT-STORE.
//
// Writes that release power (an acknowledgement, a mode) are the opposite direction: durable
// before they take effect. They must not wait on the control thread either, so the API thread
// stores them first with store_now(), which runs on this writer thread after every latch queued
// before it, and only then does the control thread apply them. For an acknowledgement, the
// controller's clear() then returns what store_now() stored (acknowledged()); it never waits.

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/thread_pool.hpp>

#include <bessd/app/coalescing_latch_store.hpp>
#include <bessd/control/fault_latch_store.hpp>

namespace bessd::app {

class LatchWriteBehind final : public control::FaultLatchStore {
 public:
  /// `durable` must be safe to call from the writer thread and outlive this object.
  explicit LatchWriteBehind(control::FaultLatchStore& durable) : durable_(durable) {}
  /// Latches and trips are staged in `durable` at once and written by one flush for all those
  /// staged while the previous write ran.
  explicit LatchWriteBehind(CoalescingLatchStore& durable)
      : durable_(durable), coalescing_(&durable) {}
  ~LatchWriteBehind() override;
  LatchWriteBehind(const LatchWriteBehind&) = delete;
  LatchWriteBehind& operator=(const LatchWriteBehind&) = delete;

  Result<std::vector<control::LatchedFault>> load() override { return durable_.load(); }
  Status latch(const control::LatchedFault& fault) override;
  Status clear(std::string_view id) override;
  std::vector<control::TripRecord> load_trips() override { return durable_.load_trips(); }
  Status save_trips(const std::vector<control::TripRecord>& trips) override;

  /// The durable part of an operator's write: runs `write` after every write queued so far and
  /// returns its result. Never call it on the control thread: it waits for the disk.
  Status store_now(const std::function<Status()>& write);
  /// The same without waiting: the result once written.
  std::shared_future<Status> store_later(std::function<Status()> write);
  /// Control thread, around one acknowledgement step: the results of the clears store_now() made
  /// for it. clear() answers from them; an id without one (it latched while the acknowledgement
  /// was being stored) is not cleared. Reset with an empty map after the step.
  void acknowledged(std::map<std::string, Status, std::less<>> stored) {
    acknowledged_ = std::move(stored);
  }

  /// Waits until every write queued so far is done (before stop completes, and in tests).
  /// `still_waiting` is told every 5 s how long it has waited (a hung disk: the journal says
  /// why the stop takes so long).
  void drain(const std::function<void(std::chrono::seconds)>& still_waiting = {});
  /// Another safety-state write that need not be durable before it takes effect (forgetting an
  /// expired mode), run after those queued; its failure is reported like a latch's.
  void defer(std::function<void()> write);

 private:
  void flush_later();

  control::FaultLatchStore& durable_;
  CoalescingLatchStore* coalescing_{nullptr};
  std::atomic<bool> flush_queued_{false};
  std::map<std::string, Status, std::less<>> acknowledged_;  // control thread
  boost::asio::thread_pool writer_{1};
};

}  // namespace bessd::app
