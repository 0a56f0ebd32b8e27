#include <bessd/can/slcan_bus.hpp>

#include <termios.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <boost/asio/write.hpp>

namespace bessd::can {

SlcanBus::SlcanBus(boost::asio::io_context& io, SlcanOptions options)
    : options_(std::move(options)), port_(io), reopen_(io, options_.retry_min, options_.retry_max) {
  auto cmd = slcan::encode_bitrate(options_.bitrate);
  if (!cmd) throw std::invalid_argument(cmd.error().message);
  bitrate_command_ = *cmd;
}

SlcanBus::~SlcanBus() {
  close();
}

void SlcanBus::report(const CanBusError& e) {
  if (error_handler_) error_handler_(e);
}

void SlcanBus::open() {
  if (wanted_open_) return;
  wanted_open_ = true;
  alive_ = std::make_shared<int>(0);
  try_open();
}

void SlcanBus::close() {
  wanted_open_ = false;
  open_ = false;
  alive_.reset();
  boost::system::error_code ec;
  reopen_.cancel();
  if (port_.is_open()) {
    port_.cancel(ec);
    port_.close(ec);
  }
  tx_queue_.clear();
  writing_ = false;
}

void SlcanBus::try_open() {
  if (!wanted_open_) return;
  boost::system::error_code ec;
  port_.open(options_.device, ec);
  if (ec) {
    std::string msg = where() + ": cannot open serial device: " + ec.message();
    if (ec == boost::system::errc::no_such_file_or_directory)
      msg += " (adapter unplugged? check /dev/serial/by-id/)";
    if (ec == boost::system::errc::permission_denied)
      msg += " (add the service user to the dialout group)";
    schedule_retry(CanBusError{CanErrorKind::open_failed, msg});
    return;
  }
  using boost::asio::serial_port_base;
  // A pty or a USB CDC device ignores some of these; a failure is reported, not fatal.
  port_.set_option(serial_port_base::baud_rate(options_.serial_baud), ec);
  if (!ec) port_.set_option(serial_port_base::character_size(8), ec);
  if (!ec) port_.set_option(serial_port_base::parity(serial_port_base::parity::none), ec);
  if (!ec) port_.set_option(serial_port_base::stop_bits(serial_port_base::stop_bits::one), ec);
  if (!ec)
    port_.set_option(serial_port_base::flow_control(serial_port_base::flow_control::none), ec);
  if (ec) report(CanBusError{CanErrorKind::config, where() + ": serial settings: " + ec.message()});
  // What the adapter sent while nothing read it (bessd down for a restart) waits in the
  // terminal's input queue: old frames that would pass for the pack's state now, and a line the
  // full queue cut short. Dropped, so the first frame read is one sent after this open
  // (docs/protocols.md "What bessd reads").
  if (::tcflush(port_.native_handle(), TCIFLUSH) != 0)
    report(CanBusError{CanErrorKind::config, where() + ": discarding input from before the open: " +
                                                 std::string(std::strerror(errno))});

  open_ = true;
  parser_.reset();
  malformed_reported_ = false;
  line_synced_ = false;
  unsynced_errors_ = 0;
  rejected_reported_ = false;
  const bool was_failing = reopen_.opened();
  // Close first (the adapter may still be open from a previous run), set the bit rate, open.
  // Sent as one write; no acknowledgement is awaited.
  tx_queue_.clear();  // nothing can be queued while down (send() refuses)
  tx_queue_.push_back(slcan::encode_close() + bitrate_command_ +
                      (options_.listen_only ? std::string("L\r") : slcan::encode_open()));
  writing_ = false;
  report(CanBusError{CanErrorKind::link_up,
                     where() + (was_failing ? ": open again after errors" : ": open")});
  start_read();
  start_write();
}

void SlcanBus::schedule_retry(const CanBusError& why) {
  std::weak_ptr<int> alive = alive_;
  reopen_.schedule(
      why, [this](const CanBusError& e) { report(e); },
      [this, alive] {
        if (alive.expired()) return;
        ++stats_.reconnects;
        try_open();
      });
}

void SlcanBus::link_failed(const std::string& what) {
  open_ = false;
  writing_ = false;
  tx_queue_.clear();
  boost::system::error_code ec;
  port_.cancel(ec);
  port_.close(ec);
  report(CanBusError{CanErrorKind::link_lost, where() + ": " + what});
  reopen_.forget_error();
  schedule_retry(CanBusError{CanErrorKind::open_failed, where() + ": reopening after: " + what});
}

void SlcanBus::start_read() {
  std::weak_ptr<int> alive = alive_;
  port_.async_read_some(boost::asio::buffer(rx_buffer_),
                        [this, alive](const boost::system::error_code& ec, std::size_t n) {
                          if (alive.expired() || ec == boost::asio::error::operation_aborted)
                            return;
                          if (ec) {
                            link_failed("adapter unplugged or read failed: " + ec.message());
                            return;
                          }
                          handle_bytes(n);
                          if (!alive.expired() && open_) start_read();
                        });
}

void SlcanBus::handle_bytes(std::size_t n) {
  parsed_.messages.clear();
  parsed_.errors.clear();
  std::span<const std::uint8_t> bytes(rx_buffer_.data(), n);
  parser_.feed(bytes, parsed_);
  if (!line_synced_) {
    // Opened in the middle of the adapter's stream: what comes before its first whole message
    // (the tail of a line sent before, a line cut by the restart) is only counted. A stream with
    // nothing but garbage (a wrong baud rate, no SLCAN adapter) is still reported.
    line_synced_ = !parsed_.messages.empty();
    unsynced_errors_ += parsed_.errors.size();
    if (line_synced_ || unsynced_errors_ <= kUnsyncedErrorsCounted) {
      stats_.malformed += parsed_.errors.size();
      parsed_.errors.clear();
    }
  }
  for (const auto& err : parsed_.errors) {
    ++stats_.malformed;
    if (!malformed_reported_) {
      malformed_reported_ = true;
      report(CanBusError{CanErrorKind::malformed_input,
                         where() + ": " + err.message + " (further garbage only counted)"});
    }
  }
  for (const auto& msg : parsed_.messages) {
    if (const auto* rx = std::get_if<slcan::ReceivedFrame>(&msg)) {
      if (!options_.filters.empty()) {
        bool pass = false;
        for (const auto& f : options_.filters) pass = pass || matches(f, rx->frame);
        if (!pass) {
          ++stats_.frames_filtered;
          continue;
        }
      }
      ++stats_.frames_received;
      if (frame_handler_) frame_handler_(rx->frame);
      if (!open_) return;  // the handler closed the bus
    } else if (std::holds_alternative<slcan::Accepted>(msg)) {
      ++stats_.accepted;
    } else if (std::holds_alternative<slcan::Rejected>(msg)) {
      ++stats_.rejected;
      if (!rejected_reported_) {
        rejected_reported_ = true;
        report(CanBusError{CanErrorKind::send_failed,
                           where() + ": adapter rejected a command or frame (BEL); further "
                                     "rejections only counted"});
      }
    } else if (const auto* st = std::get_if<slcan::StatusFlags>(&msg)) {
      const std::uint8_t f = st->flags;
      if (f & 0x20) report(CanBusError{CanErrorKind::error_passive, where() + ": error passive"});
      if (f & 0x04) report(CanBusError{CanErrorKind::error_warning, where() + ": error warning"});
      if (f & 0x40)
        report(CanBusError{CanErrorKind::arbitration_lost, where() + ": arbitration lost"});
      if (f & 0x80) report(CanBusError{CanErrorKind::bus_error, where() + ": bus error"});
      if (f & 0x0B)
        report(CanBusError{CanErrorKind::controller_overflow,
                           where() + ": " + slcan::describe_status_flags(f & 0x0B)});
    } else if (const auto* bs = std::get_if<slcan::BusState>(&msg)) {
      switch (bs->state) {
        case 'b':
          report(CanBusError{CanErrorKind::bus_off, where() + ": controller is bus-off"});
          break;
        case 'p':
          report(CanBusError{CanErrorKind::error_passive, where() + ": error passive"});
          break;
        case 'w':
          report(CanBusError{CanErrorKind::error_warning, where() + ": error warning"});
          break;
        default:
          report(CanBusError{CanErrorKind::error_active, where() + ": error active"});
          break;
      }
    }
    // Info replies (version, serial number) need no action.
  }
}

Status SlcanBus::send(const CanFrame& frame) {
  if (!open_) {
    ++stats_.send_failures;
    return fail(ErrorCode::disconnected,
                where() + ": not open; frame " + to_string(frame) + " not sent");
  }
  if (options_.listen_only)
    return fail(ErrorCode::unsupported, where() + ": listen-only mode; cannot send");
  auto line = slcan::encode_frame(frame);
  if (!line) return Failure{line.error()};
  if (tx_queue_.size() >= options_.max_queued_lines) {
    ++stats_.send_failures;
    return fail(ErrorCode::busy, where() + ": send queue full");
  }
  queue_line(std::move(*line));
  return {};
}

void SlcanBus::queue_line(std::string line) {
  tx_queue_.push_back(std::move(line));
  if (!writing_) start_write();
}

void SlcanBus::start_write() {
  if (tx_queue_.empty() || !open_ || writing_) return;
  writing_ = true;
  std::weak_ptr<int> alive = alive_;
  boost::asio::async_write(
      port_, boost::asio::buffer(tx_queue_.front()),
      [this, alive](const boost::system::error_code& ec, std::size_t) {
        if (alive.expired() || ec == boost::asio::error::operation_aborted) return;
        writing_ = false;
        if (ec) {
          ++stats_.send_failures;
          link_failed("write failed: " + ec.message());
          return;
        }
        // The first line is the C/S/O command batch; every later one is a frame.
        if (!tx_queue_.empty()) {
          if (tx_queue_.front().front() == 't' || tx_queue_.front().front() == 'T' ||
              tx_queue_.front().front() == 'r' || tx_queue_.front().front() == 'R')
            ++stats_.frames_sent;
          tx_queue_.pop_front();
        }
        start_write();
      });
}

}  // namespace bessd::can
