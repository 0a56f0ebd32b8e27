#pragma once
// SimCanBus: an in-process CAN bus for tests and the simulator. Buses connected with
// connect() see each other's frames (like nodes on one wire); inject() delivers a frame to this
// bus's own handler as if received; sent() captures what was sent. Delivery is asynchronous
// (posted to the io_context), like a real transport. Not thread-safe: one io_context thread.

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include <bessd/can/can_bus.hpp>

namespace bessd::can {

class SimCanBus final : public CanBus {
 public:
  explicit SimCanBus(boost::asio::io_context& io, std::string name = "sim0");
  ~SimCanBus() override;
  SimCanBus(const SimCanBus&) = delete;
  SimCanBus& operator=(const SimCanBus&) = delete;

  /// Put a and b on the same wire (both directions). Disconnected on destruction.
  static void connect(SimCanBus& a, SimCanBus& b);

  void on_frame(FrameHandler handler) override { frame_handler_ = std::move(handler); }
  void on_error(ErrorHandler handler) override { error_handler_ = std::move(handler); }
  void open() override;
  void close() override;
  bool is_open() const override { return open_; }
  /// Captures the frame and delivers it to connected, open peers. Fails like a real bus when
  /// closed, when the link is down (set_link_up(false)) or for an invalid frame.
  Status send(const CanFrame& frame) override;

  /// Deliver a frame to this bus's handler (posted), as if it came from the wire.
  void inject(const CanFrame& frame);
  /// Deliver an error to this bus's error handler (posted).
  void inject_error(CanBusError error);
  /// Simulate a cable pull: while down, send() fails and nothing is delivered either way.
  void set_link_up(bool up);

  const std::vector<CanFrame>& sent() const { return sent_; }
  void clear_sent() { sent_.clear(); }
  const std::string& name() const { return name_; }

 private:
  void deliver(const CanFrame& frame);

  boost::asio::io_context& io_;
  std::string name_;
  FrameHandler frame_handler_;
  ErrorHandler error_handler_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
  std::vector<SimCanBus*> peers_;
  std::vector<CanFrame> sent_;
  bool open_{false};
  bool link_up_{true};
};

}  // namespace bessd::can
