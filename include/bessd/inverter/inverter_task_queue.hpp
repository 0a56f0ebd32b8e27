#pragma once
// InverterTaskQueue: the driver's device transactions (start-up, a poll, a command), one at a
// time, so that the requests of two tasks never interleave on one device. A command goes ahead
// of the polls queued before it: only the task in flight is older. A link edge resets the queue:
// what was queued is dropped, and a task of the old link that finishes late does not free the
// slot of the new link's task (it would let two run at once).
//
// Threading: construct, call and destroy on the executor's thread; the next task starts from a
// handler posted there, never inside the previous task's `finished`.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include <boost/asio/any_io_executor.hpp>

namespace bessd::inverter {

class InverterTaskQueue {
 public:
  /// Called once by a task when its last request has been answered.
  using Finished = std::function<void()>;
  using Task = std::function<void(Finished)>;

  explicit InverterTaskQueue(boost::asio::any_io_executor executor);
  ~InverterTaskQueue();
  InverterTaskQueue(const InverterTaskQueue&) = delete;
  InverterTaskQueue& operator=(const InverterTaskQueue&) = delete;

  /// Runs `task` when the slot is free; `first` puts it ahead of every queued task.
  void enqueue(Task task, bool first = false);
  /// A link edge: drops the queued tasks and frees the slot; the task in flight, if any, now
  /// belongs to an older generation.
  void reset();
  /// Starts queued tasks from now on (a new queue is started).
  void start();
  /// Drops the queued tasks and starts none until start().
  void stop();

  /// Bumped by reset(): results of requests made under an older generation are stale.
  std::uint64_t generation() const;
  /// No task in flight and none queued.
  bool idle() const;
  std::size_t queued() const;

 private:
  struct State;
  static void pump(const std::shared_ptr<State>& state);
  std::shared_ptr<State> state_;
};

}  // namespace bessd::inverter
