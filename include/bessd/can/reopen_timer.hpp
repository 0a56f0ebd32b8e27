#pragma once
// Reopening a CAN link after a failure, shared by the transports: exponential backoff, and the
// cause reported once until it changes (a missing adapter must not flood the log every retry).
// Single-threaded: use it on the io_context that owns the bus.

#include <chrono>
#include <functional>
#include <string>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <bessd/can/backoff.hpp>
#include <bessd/can/can_bus_error.hpp>

namespace bessd::can {

class ReopenTimer {
 public:
  ReopenTimer(boost::asio::io_context& io, Duration min, Duration max)
      : timer_(io), backoff_(min, max) {}

  /// Reports `why` through `report` (with the delay appended) unless it is the cause already
  /// reported, then calls `reopen` after the next backoff delay unless cancel() comes first.
  void schedule(const CanBusError& why, const std::function<void(const CanBusError&)>& report,
                std::function<void()> reopen) {
    const Duration delay = backoff_.next();
    if (why.message != last_error_) {
      last_error_ = why.message;
      auto e = why;
      e.message +=
          "; retrying with backoff (next in " +
          std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(delay).count()) +
          " ms)";
      report(e);
    }
    timer_.expires_after(delay);
    timer_.async_wait([reopen = std::move(reopen)](const boost::system::error_code& ec) {
      if (!ec) reopen();
    });
  }

  /// After a successful open: the backoff starts from its minimum again. Returns true when
  /// earlier attempts had failed (the caller says "open again after errors").
  bool opened() {
    backoff_.reset();
    const bool was_failing = !last_error_.empty();
    last_error_.clear();
    return was_failing;
  }

  /// A working link failed: its cause is new, report it even if it reads like the last one.
  void forget_error() { last_error_.clear(); }
  void cancel() { timer_.cancel(); }

 private:
  boost::asio::steady_timer timer_;
  Backoff backoff_;
  std::string last_error_;
};

}  // namespace bessd::can
