#pragma once
// The BMS end of an SLCAN adapter, on the master side of a pseudo-terminal: bessd opens the
// slave (through a stable symlink) as if it were a CANable. Frames go out as Lawicel lines;
// commands bessd sends (C, Sn, O, Z0, V, ...) are acknowledged with "\r" and otherwise ignored;
// frames bessd transmits (0x305 keep-alive, 0x307) are parsed and counted. Like a real adapter,
// bus traffic is forwarded only while the channel is open ("O" until "C").
// Threading: one io_context thread. Writes never block: when nobody reads the slave, lines
// that do not fit into the pty buffer are dropped (counted), like frames on an unacknowledged bus.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <bessd/can/can_frame.hpp>
#include <bessd/can/codec/slcan.hpp>

namespace bessd::sim {

class SlcanBmsPort {
 public:
  /// Creates the pty and, when `link_path` is not empty, a symlink to its slave (an existing
  /// symlink is replaced; any other file there is an error). Throws std::runtime_error.
  SlcanBmsPort(boost::asio::io_context& io, std::string link_path);
  ~SlcanBmsPort();
  SlcanBmsPort(const SlcanBmsPort&) = delete;
  SlcanBmsPort& operator=(const SlcanBmsPort&) = delete;

  void start();
  /// Called for every frame bessd transmits (a Pylontech HV pack answers bessd's polls).
  void on_frame(std::function<void(const can::CanFrame&)> handler) {
    on_frame_ = std::move(handler);
  }
  const std::string& pty_path() const { return pty_path_; }

  /// False when the channel is closed (nothing sent).
  bool send(const std::vector<can::CanFrame>& frames);
  /// Scenario "garbage": random bytes, an over-long line and a frame with bad hex.
  void send_garbage(std::mt19937& rng);

  std::size_t keepalives_seen() const { return keepalives_; }
  std::size_t frames_received() const { return frames_received_; }
  std::size_t commands_seen() const { return commands_; }
  std::size_t frames_sent() const { return frames_sent_; }
  std::size_t lines_dropped() const { return lines_dropped_; }
  bool channel_open() const { return channel_open_; }
  /// Steady-clock time (ms since the epoch of steady_clock) of the last keep-alive; 0 = none.
  std::int64_t last_keepalive_ms() const { return last_keepalive_ms_; }

 private:
  void read_more();
  void handle(const can::slcan::Message& m);
  void handle_command(const std::string& line);
  void write_text(const std::string& text);

  boost::asio::posix::stream_descriptor master_;
  int slave_fd_{-1};  // kept open so the master never sees a hang-up between bessd's opens
  std::string pty_path_;
  std::function<void(const can::CanFrame&)> on_frame_;
  std::string link_path_;
  std::array<char, 512> buffer_{};
  std::string line_;
  std::size_t keepalives_{0};
  std::size_t frames_received_{0};
  std::size_t commands_{0};
  std::size_t frames_sent_{0};
  std::size_t lines_dropped_{0};
  bool channel_open_{false};
  std::int64_t last_keepalive_ms_{0};
};

std::int64_t steady_ms();
std::int64_t steady_us();

}  // namespace bessd::sim
