#pragma once
// SlcanBus: a USB-serial CAN adapter speaking Lawicel SLCAN (CANable, USBtin, Lawicel,
// CanHacker clones) through an Asio serial_port on the caller's io_context.
//
// - On open it sends "C\r", "S<n>\r", "O\r" (or "L\r" listen-only) and never waits for an
//   acknowledgement (CANable firmware sends none); "\r"/"z\r"/"Z\r" count as accepted and BEL as
//   rejected in the statistics.
// - The pure codec (bessd/can/codec/slcan.hpp) parses whatever arrives in any split; garbage and
//   over-long lines are counted and reported (the first per connection), never fatal.
// - A read/write error (adapter unplugged: EIO/EOF) closes the port and reopens it by path with
//   exponential backoff; a device path that does not exist gives one clear error until it
//   appears. Use a stable path (/dev/serial/by-id/...) so a replugged adapter is found again.
// All callbacks run on the io_context thread; nothing throws.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/serial_port.hpp>
#include <boost/asio/steady_timer.hpp>

#include <bessd/can/backoff.hpp>
#include <bessd/can/can_bus.hpp>
#include <bessd/can/codec/slcan.hpp>
#include <bessd/can/reopen_timer.hpp>
#include <bessd/can/socketcan_bus.hpp>  // CanBusStats

namespace bessd::can {

struct SlcanOptions {
  std::string device;                 // e.g. /dev/serial/by-id/usb-CANable...-if00
  std::uint32_t serial_baud{115200};  // ignored by USB CDC adapters
  std::uint32_t bitrate{500000};      // CAN bit rate -> S-code
  bool listen_only{false};            // "L" instead of "O" (no ACKs, no sending)
  std::vector<CanFilter> filters;     // applied in user space; empty: everything
  Duration retry_min{std::chrono::milliseconds{200}};
  Duration retry_max{std::chrono::seconds{30}};
  std::size_t max_queued_lines{256};
};

struct SlcanStats : CanBusStats {
  std::uint64_t accepted{0};  // "\r", "z\r", "Z\r" replies
  std::uint64_t rejected{0};  // BEL replies
};

class SlcanBus final : public CanBus {
 public:
  /// invalid_argument (thrown: a start-up/config error) when the bit rate has no S-code.
  SlcanBus(boost::asio::io_context& io, SlcanOptions options);
  ~SlcanBus() override;
  SlcanBus(const SlcanBus&) = delete;
  SlcanBus& operator=(const SlcanBus&) = delete;

  void on_frame(FrameHandler handler) override { frame_handler_ = std::move(handler); }
  void on_error(ErrorHandler handler) override { error_handler_ = std::move(handler); }
  void open() override;
  void close() override;
  bool is_open() const override { return open_; }
  Status send(const CanFrame& frame) override;

  const SlcanStats& stats() const { return stats_; }
  const SlcanOptions& options() const { return options_; }

 private:
  void try_open();
  void schedule_retry(const CanBusError& why);
  void start_read();
  void handle_bytes(std::size_t n);
  void queue_line(std::string line);
  void start_write();
  void link_failed(const std::string& what);
  void report(const CanBusError& e);
  std::string where() const { return "slcan " + options_.device; }

  SlcanOptions options_;
  std::string bitrate_command_;
  boost::asio::serial_port port_;
  ReopenTimer reopen_;
  FrameHandler frame_handler_;
  ErrorHandler error_handler_;
  std::shared_ptr<int> alive_;
  bool wanted_open_{false};
  bool open_{false};
  bool malformed_reported_{false};  // first garbage line per connection is reported
  // Opened in the middle of the adapter's stream: what comes before the first whole message
  // may be the tail of lines sent before; it is counted, not reported, unless it goes on.
  bool line_synced_{false};
  std::size_t unsynced_errors_{0};
  static constexpr std::size_t kUnsyncedErrorsCounted = 8;
  bool rejected_reported_{false};  // first BEL per connection is reported
  slcan::Parser parser_;
  slcan::Parser::Output parsed_;
  std::array<std::uint8_t, 512> rx_buffer_{};
  std::deque<std::string> tx_queue_;
  bool writing_{false};
  SlcanStats stats_;
};

}  // namespace bessd::can
