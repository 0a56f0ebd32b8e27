#pragma once
// SocketCanBus: the kernel's CAN stack (PF_CAN / CAN_RAW) driven by Asio.
//
// - Reads and writes struct can_frame records through a posix::stream_descriptor on the
//   caller's io_context; all callbacks run on that io_context's thread.
// - Applies acceptance filters in the kernel (CAN_RAW_FILTER) and again in user space (so an
//   adopted descriptor behaves the same); enables error frames and reports bus-off,
//   error-passive/warning, lost arbitration and the other classes through on_error().
// - A missing interface, a kernel without CAN or an interface that is down gives one clear
//   error (repeated only when the cause changes), then retries with exponential backoff.
// - With manage_link, uses libsocketcan to set the bit rate (and the listen-only control mode)
//   and bring the interface up, and restarts it after bus-off with backoff. This needs
//   CAP_NET_ADMIN; without it the bus says so once (kind `config`) and carries on with the link as
//   it is.
// Errors are reported, never thrown.

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <bessd/can/backoff.hpp>
#include <bessd/can/can_bus.hpp>
#include <bessd/can/reopen_timer.hpp>

namespace bessd::can {

struct SocketCanOptions {
  std::string interface { "can0" };
  std::uint32_t bitrate{500000};  // used only with manage_link
  bool manage_link{false};        // set bitrate, bring up, restart after bus-off (CAP_NET_ADMIN)
  // Never transmit: send() refuses, and with manage_link the controller is put in listen-only
  // mode (no acknowledgements, no error frames); without it, a controller that is not in that
  // mode is reported once (the installer sets it with `ip link`).
  bool listen_only{false};
  std::vector<CanFilter> filters;  // empty: receive everything
  Duration retry_min{std::chrono::milliseconds{200}};
  Duration retry_max{std::chrono::seconds{30}};
  std::size_t max_queued_frames{256};  // send() fails with `busy` beyond this
};

struct CanBusStats {
  std::uint64_t frames_received{0};
  std::uint64_t frames_filtered{0};  // received but not matching the filters
  std::uint64_t frames_sent{0};
  std::uint64_t error_frames{0};
  std::uint64_t malformed{0};  // short reads, SLCAN garbage
  std::uint64_t send_failures{0};
  std::uint64_t reconnects{0};
};

class SocketCanBus final : public CanBus {
 public:
  SocketCanBus(boost::asio::io_context& io, SocketCanOptions options);
  /// Adopt an already-open descriptor carrying struct can_frame records (a CAN_RAW socket
  /// opened elsewhere, or one end of socketpair(AF_UNIX, SOCK_SEQPACKET) in tests). The bus owns
  /// and closes it; an adopted descriptor is not reopened after a failure.
  static std::unique_ptr<SocketCanBus> adopt(boost::asio::io_context& io, int fd,
                                             SocketCanOptions options);
  ~SocketCanBus() override;
  SocketCanBus(const SocketCanBus&) = delete;
  SocketCanBus& operator=(const SocketCanBus&) = delete;

  void on_frame(FrameHandler handler) override { frame_handler_ = std::move(handler); }
  void on_error(ErrorHandler handler) override { error_handler_ = std::move(handler); }
  void open() override;
  void close() override;
  bool is_open() const override { return open_; }
  Status send(const CanFrame& frame) override;

  const CanBusStats& stats() const { return stats_; }
  const SocketCanOptions& options() const { return options_; }

 private:
  void try_open();
  Status open_socket();
  void schedule_retry(const CanBusError& why);
  void start_read();
  void handle_frame(std::size_t bytes);
  void start_write();
  void link_failed(const std::string& what);
  void schedule_restart();
  void report(const CanBusError& e);
  std::string where() const;

  SocketCanOptions options_;
  boost::asio::posix::stream_descriptor descriptor_;
  ReopenTimer reopen_;
  boost::asio::steady_timer restart_timer_;
  Backoff restart_backoff_;
  FrameHandler frame_handler_;
  ErrorHandler error_handler_;
  std::shared_ptr<int> alive_;  // handlers check it so none runs after close()/destruction
  int adopted_fd_{-1};
  bool adopted_{false};
  bool wanted_open_{false};
  bool open_{false};
  bool restart_pending_{false};
  bool link_config_reported_{false};
  alignas(8) unsigned char rx_buffer_[80]{};  // one struct can_frame (16), room for oversize reads
  std::deque<std::array<unsigned char, 16>> tx_queue_;
  bool writing_{false};
  CanBusStats stats_;
};

}  // namespace bessd::can
