#include <bessd/can/socketcan_bus.hpp>

#include <bessd/can/codec/error_frame.hpp>
#include <bessd/common/errno_text.hpp>

#include <linux/can.h>
#include <linux/can/error.h>
#include <linux/can/raw.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <boost/asio/write.hpp>

#include "link_manager.hpp"

namespace bessd::can {

// The pure error-frame decoder carries its own copy of the kernel ABI constants.
static_assert(error_frame::kBusOff == CAN_ERR_BUSOFF);
static_assert(error_frame::kController == CAN_ERR_CRTL);
static_assert(error_frame::kLostArbitration == CAN_ERR_LOSTARB);
static_assert(error_frame::kRestarted == CAN_ERR_RESTARTED);
static_assert(error_frame::kNoAck == CAN_ERR_ACK);
static_assert(error_frame::kCtrlTxPassive == CAN_ERR_CRTL_TX_PASSIVE);
static_assert(error_frame::kCtrlActive == CAN_ERR_CRTL_ACTIVE);
static_assert(sizeof(struct can_frame) == 16);

namespace {
struct can_frame to_kernel(const CanFrame& f) {
  struct can_frame k {};
  k.can_id = f.id;
  if (f.extended) k.can_id |= CAN_EFF_FLAG;
  if (f.remote) k.can_id |= CAN_RTR_FLAG;
  k.len = f.dlc;
  std::memcpy(k.data, f.data.data(), 8);
  return k;
}

CanFrame from_kernel(const struct can_frame& k) {
  CanFrame f;
  f.extended = (k.can_id & CAN_EFF_FLAG) != 0;
  f.remote = (k.can_id & CAN_RTR_FLAG) != 0;
  f.error = (k.can_id & CAN_ERR_FLAG) != 0;
  f.id = k.can_id & (f.error ? CAN_ERR_MASK : (f.extended ? CAN_EFF_MASK : CAN_SFF_MASK));
  if (f.error) f.extended = false;
  f.dlc = k.len > 8 ? 8 : k.len;
  std::memcpy(f.data.data(), k.data, f.dlc);
  return f;
}
}  // namespace

SocketCanBus::SocketCanBus(boost::asio::io_context& io, SocketCanOptions options)
    : options_(std::move(options)),
      descriptor_(io),
      reopen_(io, options_.retry_min, options_.retry_max),
      restart_timer_(io),
      restart_backoff_(options_.retry_min, options_.retry_max) {}

std::unique_ptr<SocketCanBus> SocketCanBus::adopt(boost::asio::io_context& io, int fd,
                                                  SocketCanOptions options) {
  auto bus = std::make_unique<SocketCanBus>(io, std::move(options));
  bus->adopted_ = true;
  bus->adopted_fd_ = fd;
  return bus;
}

SocketCanBus::~SocketCanBus() {
  close();
  if (adopted_fd_ >= 0) ::close(adopted_fd_);
}

std::string SocketCanBus::where() const {
  return "socketcan " + options_.interface;
}

void SocketCanBus::report(const CanBusError& e) {
  if (error_handler_) error_handler_(e);
}

void SocketCanBus::open() {
  if (wanted_open_) return;
  wanted_open_ = true;
  alive_ = std::make_shared<int>(0);
  try_open();
}

void SocketCanBus::close() {
  wanted_open_ = false;
  open_ = false;
  alive_.reset();
  boost::system::error_code ec;
  reopen_.cancel();
  restart_timer_.cancel();
  if (descriptor_.is_open()) {
    descriptor_.cancel(ec);
    if (adopted_) {
      adopted_fd_ = descriptor_.release();  // closed by the destructor, reusable by open()
    } else {
      descriptor_.close(ec);
    }
  }
  tx_queue_.clear();
  writing_ = false;
}

Status SocketCanBus::open_socket() {
  const int fd = ::socket(PF_CAN, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, CAN_RAW);
  if (fd < 0) {
    const int err = errno;
    std::string msg = where() + ": socket(PF_CAN, CAN_RAW) failed: " + errno_text(err);
    if (err == EAFNOSUPPORT || err == EPROTONOSUPPORT)
      msg +=
          " (this kernel has no CAN support: load can and can-raw, or use an SLCAN adapter "
          "with bms.transport \"slcan\")";
    return fail(ErrorCode::unsupported, msg);
  }
  auto fail_close = [&](ErrorCode code, std::string msg) {
    ::close(fd);
    return fail(code, std::move(msg));
  };
  const unsigned index = if_nametoindex(options_.interface.c_str());
  if (index == 0)
    return fail_close(ErrorCode::not_found,
                      where() +
                          ": no such network interface (is the CAN adapter plugged in and "
                          "its driver loaded? `ip link show` lists interfaces)");

  if (options_.manage_link) {
    auto st = socketcan::configure_link(options_.interface, options_.bitrate, options_.listen_only);
    if (!st && !link_config_reported_) {
      link_config_reported_ = true;
      report(CanBusError{CanErrorKind::config, st.error().message});
    }
  } else if (options_.listen_only && !link_config_reported_) {
    if (auto problem = socketcan::listen_only_problem(options_.interface)) {
      link_config_reported_ = true;
      report(CanBusError{CanErrorKind::config, *problem});
    }
  }
  struct ifreq ifr {};
  std::strncpy(ifr.ifr_name, options_.interface.c_str(), IFNAMSIZ - 1);
  if (::ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_UP) == 0)
    return fail_close(ErrorCode::disconnected,
                      where() + ": interface is down (bring it up: `ip link set " +
                          options_.interface + " up type can bitrate " +
                          std::to_string(options_.bitrate) + "`, or set bms.manage_link)");

  std::vector<struct can_filter> filters;
  for (const auto& f : options_.filters) {
    struct can_filter k {};
    k.can_id = f.id | (f.extended ? CAN_EFF_FLAG : 0U);
    k.can_mask = f.mask | CAN_EFF_FLAG | CAN_RTR_FLAG;
    filters.push_back(k);
  }
  if (!filters.empty() &&
      ::setsockopt(fd, SOL_CAN_RAW, CAN_RAW_FILTER, filters.data(),
                   static_cast<socklen_t>(filters.size() * sizeof(struct can_filter))) != 0)
    return fail_close(ErrorCode::io_error,
                      where() + ": setting CAN_RAW_FILTER failed: " + errno_text(errno));
  const can_err_mask_t err_mask = CAN_ERR_MASK;
  if (::setsockopt(fd, SOL_CAN_RAW, CAN_RAW_ERR_FILTER, &err_mask, sizeof err_mask) != 0)
    return fail_close(ErrorCode::io_error,
                      where() + ": enabling error frames failed: " + errno_text(errno));
  struct sockaddr_can addr {};
  addr.can_family = AF_CAN;
  addr.can_ifindex = static_cast<int>(index);
  if (::bind(fd, reinterpret_cast<struct sockaddr*>(&addr), sizeof addr) != 0)
    return fail_close(ErrorCode::io_error, where() + ": bind failed: " + errno_text(errno));
  boost::system::error_code ec;
  descriptor_.assign(fd, ec);
  if (ec) return fail_close(ErrorCode::io_error, where() + ": " + ec.message());
  return {};
}

void SocketCanBus::try_open() {
  if (!wanted_open_) return;
  if (adopted_) {
    if (adopted_fd_ < 0) {
      report(CanBusError{CanErrorKind::open_failed, where() + ": adopted descriptor is gone"});
      return;
    }
    boost::system::error_code ec;
    descriptor_.assign(adopted_fd_, ec);
    if (ec) {
      report(CanBusError{CanErrorKind::open_failed, where() + ": " + ec.message()});
      return;
    }
    adopted_fd_ = -1;
  } else {
    auto st = open_socket();
    if (!st) {
      schedule_retry(CanBusError{CanErrorKind::open_failed, st.error().message});
      return;
    }
  }
  open_ = true;
  const bool was_failing = reopen_.opened();
  report(CanBusError{CanErrorKind::link_up,
                     where() + (was_failing ? ": open again after errors" : ": open")});
  start_read();
  if (!tx_queue_.empty()) start_write();
}

void SocketCanBus::schedule_retry(const CanBusError& why) {
  std::weak_ptr<int> alive = alive_;
  reopen_.schedule(
      why, [this](const CanBusError& e) { report(e); },
      [this, alive] {
        if (alive.expired()) return;
        ++stats_.reconnects;
        try_open();
      });
}

void SocketCanBus::link_failed(const std::string& what) {
  open_ = false;
  boost::system::error_code ec;
  descriptor_.close(ec);
  writing_ = false;
  if (adopted_) {
    report(CanBusError{CanErrorKind::link_lost,
                       where() + ": " + what + " (adopted descriptor: not reopened)"});
    return;
  }
  report(CanBusError{CanErrorKind::link_lost, where() + ": " + what});
  reopen_.forget_error();
  schedule_retry(CanBusError{CanErrorKind::open_failed, where() + ": reopening after: " + what});
}

void SocketCanBus::start_read() {
  std::weak_ptr<int> alive = alive_;
  descriptor_.async_read_some(boost::asio::buffer(rx_buffer_, sizeof rx_buffer_),
                              [this, alive](const boost::system::error_code& ec, std::size_t n) {
                                if (alive.expired() || ec == boost::asio::error::operation_aborted)
                                  return;
                                if (ec) {
                                  link_failed("read failed: " + ec.message());
                                  return;
                                }
                                if (n == 0) {
                                  link_failed("peer closed the socket");
                                  return;
                                }
                                handle_frame(n);
                                if (!alive.expired() && open_) start_read();
                              });
}

void SocketCanBus::handle_frame(std::size_t bytes) {
  if (bytes != sizeof(struct can_frame)) {
    ++stats_.malformed;
    report(CanBusError{CanErrorKind::malformed_input,
                       where() + ": read " + std::to_string(bytes) + " bytes, expected a " +
                           std::to_string(sizeof(struct can_frame)) + "-byte struct can_frame"});
    return;
  }
  struct can_frame k;
  std::memcpy(&k, rx_buffer_, sizeof k);
  const CanFrame frame = from_kernel(k);
  if (frame.error) {
    ++stats_.error_frames;
    for (const auto& e : error_frame::decode(frame, where())) {
      report(e);
      if (e.kind == CanErrorKind::bus_off && options_.manage_link) schedule_restart();
      if (e.kind == CanErrorKind::error_active || e.kind == CanErrorKind::restarted)
        restart_backoff_.reset();
    }
    return;
  }
  if (k.len > 8) {
    ++stats_.malformed;
    report(CanBusError{CanErrorKind::malformed_input, where() + ": frame " + to_string(frame) +
                                                          " with DLC " + std::to_string(k.len) +
                                                          " above 8"});
    return;
  }
  if (!options_.filters.empty()) {
    bool pass = false;
    for (const auto& f : options_.filters) pass = pass || matches(f, frame);
    if (!pass) {
      ++stats_.frames_filtered;
      return;
    }
  }
  ++stats_.frames_received;
  if (frame_handler_) frame_handler_(frame);
}

void SocketCanBus::schedule_restart() {
  if (restart_pending_) return;
  restart_pending_ = true;
  const Duration delay = restart_backoff_.next();
  restart_timer_.expires_after(delay);
  std::weak_ptr<int> alive = alive_;
  restart_timer_.async_wait([this, alive](const boost::system::error_code& ec) {
    restart_pending_ = false;
    if (ec || alive.expired()) return;
    auto st = socketcan::restart_link(options_.interface);
    if (st) {
      report(CanBusError{CanErrorKind::restarted, where() + ": restarted after bus-off"});
    } else {
      report(CanBusError{CanErrorKind::config, st.error().message});
    }
  });
}

Status SocketCanBus::send(const CanFrame& frame) {
  if (options_.listen_only) {
    ++stats_.send_failures;
    return fail(ErrorCode::unsupported,
                where() + ": listen-only; frame " + to_string(frame) + " not sent");
  }
  if (!open_) {
    ++stats_.send_failures;
    return fail(ErrorCode::disconnected,
                where() + ": not open; frame " + to_string(frame) + " not sent");
  }
  if (frame.error || !is_valid(frame))
    return fail(ErrorCode::invalid_argument, where() + ": invalid frame " + to_string(frame));
  if (tx_queue_.size() >= options_.max_queued_frames) {
    ++stats_.send_failures;
    return fail(ErrorCode::busy, where() + ": send queue full (" +
                                     std::to_string(options_.max_queued_frames) + " frames)");
  }
  const struct can_frame k = to_kernel(frame);
  std::array<unsigned char, 16> raw{};
  std::memcpy(raw.data(), &k, sizeof k);
  tx_queue_.push_back(raw);
  if (!writing_) start_write();
  return {};
}

void SocketCanBus::start_write() {
  if (tx_queue_.empty() || !open_) return;
  writing_ = true;
  std::weak_ptr<int> alive = alive_;
  descriptor_.async_write_some(
      boost::asio::buffer(tx_queue_.front()),
      [this, alive](const boost::system::error_code& ec, std::size_t n) {
        if (alive.expired() || ec == boost::asio::error::operation_aborted) return;
        writing_ = false;
        if (!tx_queue_.empty()) tx_queue_.pop_front();
        if (ec == boost::asio::error::no_buffer_space) {
          // The controller's TX queue is full (nobody acks? bus-off?): drop this frame.
          ++stats_.send_failures;
          report(CanBusError{CanErrorKind::send_failed,
                             where() + ": kernel TX queue full (ENOBUFS): frame dropped"});
        } else if (ec) {
          ++stats_.send_failures;
          link_failed("write failed: " + ec.message());
          return;
        } else if (n != 16) {
          ++stats_.send_failures;
          report(CanBusError{CanErrorKind::send_failed, where() + ": short write"});
        } else {
          ++stats_.frames_sent;
        }
        start_write();
      });
}

}  // namespace bessd::can
