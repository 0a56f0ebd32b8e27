#pragma once
// The CanBus port: how drivers and the BMS monitor reach a CAN bus. Implementations
// (SocketCanBus, SlcanBus, SimCanBus) run asynchronously on the application's io_context.
//
// Threading: every method and every callback runs on the io_context thread that owns the bus.
// Errors: nothing here throws on runtime problems. open() starts the connection attempt and
// returns at once; failures arrive through the error callback while the transport retries with
// backoff. send() queues a frame and returns an Error only for problems known at once (link
// down, invalid frame, queue full); later write failures go to the error callback.

#include <functional>

#include <bessd/can/can_bus_error.hpp>
#include <bessd/can/can_frame.hpp>
#include <bessd/common/result.hpp>

namespace bessd::can {

class CanBus {
 public:
  using FrameHandler = std::function<void(const CanFrame&)>;
  using ErrorHandler = std::function<void(const CanBusError&)>;

  virtual ~CanBus() = default;

  /// Set before open(); replaces any previous handler.
  virtual void on_frame(FrameHandler handler) = 0;
  virtual void on_error(ErrorHandler handler) = 0;

  /// Start connecting (and keep reconnecting). Idempotent.
  virtual void open() = 0;
  /// Stop all I/O and timers; no callback runs after close() returns.
  virtual void close() = 0;
  /// True while frames can be sent and received.
  virtual bool is_open() const = 0;
  /// Queue one frame for sending.
  virtual Status send(const CanFrame& frame) = 0;
};

}  // namespace bessd::can
