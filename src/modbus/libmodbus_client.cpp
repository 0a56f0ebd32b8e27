// The worker-thread libmodbus link. Why a thread per link: libmodbus is blocking and keeps
// per-connection state in modbus_t; one owner thread serialises requests without locks around
// libmodbus itself, and the io_context only ever sees posted results.
#include <bessd/modbus/libmodbus_client.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <random>
#include <thread>
#include <utility>
#include <variant>

#include <modbus.h>
#include <boost/asio/post.hpp>

namespace bessd::modbus {

namespace {
using Clock = std::chrono::steady_clock;

enum class Op : std::uint8_t { read_holding, read_input, write };

struct Job {
  Op op{Op::read_holding};
  std::uint8_t unit{1};
  std::uint16_t address{0};
  std::uint16_t count{0};
  Registers values;
  bool single{false};  // a write as FC06 (one register)
  ReadHandler on_read;
  WriteHandler on_write;
};

std::string op_text(const Job& j) {
  const char* name = j.op == Op::read_holding ? "read holding"
                     : j.op == Op::read_input ? "read input"
                     : j.single               ? "write single"
                                              : "write";
  return std::string(name) + " " + std::to_string(j.address) + "+" + std::to_string(j.count) +
         " unit " + std::to_string(j.unit);
}

// The request as data for its errors (modbus_client.hpp: callers decide on it, not on text).
ModbusDetail request_of(const Job& j) {
  const std::uint8_t function = j.op == Op::read_holding ? ModbusDetail::kReadHolding
                                : j.op == Op::read_input ? ModbusDetail::kReadInput
                                : j.single               ? ModbusDetail::kWriteRegister
                                                         : ModbusDetail::kWriteRegisters;
  return ModbusDetail{.function = function, .unit = j.unit, .address = j.address, .count = j.count};
}

bool is_link_errno(int e) {
  return e == ECONNRESET || e == EPIPE || e == ENOTCONN || e == EBADF || e == ECONNREFUSED ||
         e == ECONNABORTED || e == EIO || e == ENXIO || e == ENODEV || e == EHOSTUNREACH ||
         e == ENETUNREACH;
}

}  // namespace

std::chrono::microseconds rtu_t35(int baud) noexcept {
  if (baud <= 0) return std::chrono::microseconds{1750};
  if (baud > 19200) return std::chrono::microseconds{1750};
  // 3.5 characters of 11 bits.
  return std::chrono::microseconds{static_cast<long>(std::ceil(3.5 * 11.0 * 1e6 / baud))};
}

LinkOptions link_options_from(const config::ModbusLinkConfig& cfg) {
  LinkOptions o;
  o.tcp = cfg.transport == config::ModbusTransport::tcp;
  o.tcp_link.host = cfg.tcp.host;
  o.tcp_link.port = static_cast<std::uint16_t>(cfg.tcp.port);
  o.rtu_link.device = cfg.rtu.device;
  o.rtu_link.baud = static_cast<int>(cfg.rtu.baud);
  o.rtu_link.parity = cfg.rtu.parity == config::Parity::even  ? 'E'
                      : cfg.rtu.parity == config::Parity::odd ? 'O'
                                                              : 'N';
  o.rtu_link.data_bits = static_cast<int>(cfg.rtu.data_bits);
  o.rtu_link.stop_bits = static_cast<int>(cfg.rtu.stop_bits);
  o.rtu_link.rs485 = cfg.rtu.rs485;
  o.response_timeout = std::chrono::milliseconds{cfg.response_timeout_ms};
  o.byte_timeout = std::chrono::milliseconds{cfg.byte_timeout_ms};
  return o;
}

struct LibmodbusClient::Impl : std::enable_shared_from_this<Impl> {
  Impl(boost::asio::io_context& io_ctx, LinkOptions opts) : io(io_ctx), options(std::move(opts)) {}

  boost::asio::io_context& io;
  const LinkOptions options;
  LinkHandler link_handler;

  std::mutex mutex;
  std::condition_variable cv;
  std::deque<Job> queue;
  bool stopping{false};
  bool started{false};
  bool connected{false};  // the worker's link is up (a hurry applies only while it is not)
  bool hurry{false};      // reconnect_now(): the next backoff wait ends at once
  std::thread worker;

  // Worker-thread state.
  modbus_t* ctx{nullptr};
  Clock::time_point quiet_until{};
  int failures{0};
  bool timed_out_on_this_connection{false};  // a late answer may still be on its way
  std::mt19937 rng{std::random_device{}()};

  std::string describe() const {
    if (options.tcp)
      return "modbus tcp " + options.tcp_link.host + ":" + std::to_string(options.tcp_link.port);
    const auto& r = options.rtu_link;
    return "modbus rtu " + r.device + " " + std::to_string(r.baud) + " " +
           std::to_string(r.data_bits) + r.parity + std::to_string(r.stop_bits);
  }

  void post_link(bool up, std::string detail) {
    auto self = shared_from_this();
    boost::asio::post(io, [self, up, d = std::move(detail)] {
      if (self->link_handler) self->link_handler(up, d);
    });
  }

  void complete(Job& job, Result<Registers> result) {
    if (!result) result = Failure{with_request(result.error(), request_of(job))};
    if (job.op == Op::write) {
      Status st = result ? Status{} : Status{Failure{result.error()}};
      boost::asio::post(
          io, [h = std::move(job.on_write), st = std::move(st)]() mutable { h(std::move(st)); });
    } else {
      boost::asio::post(
          io, [h = std::move(job.on_read), r = std::move(result)]() mutable { h(std::move(r)); });
    }
  }

  void enqueue(Job job) {
    std::string invalid;
    if (job.op != Op::write && (job.count == 0 || job.count > kMaxReadRegisters))
      invalid = "register count must be 1.." + std::to_string(kMaxReadRegisters);
    if (job.op == Op::write && (job.values.empty() || job.values.size() > kMaxWriteRegisters))
      invalid = "register count must be 1.." + std::to_string(kMaxWriteRegisters);
    if (job.single && job.values.size() != 1) invalid = "a single-register write takes one value";
    if (static_cast<std::uint32_t>(job.address) + job.count > 0x10000u)
      invalid = "range runs past register 65535";
    if (!invalid.empty()) {
      complete(job, fail(ErrorCode::invalid_argument,
                         describe() + ": " + op_text(job) + ": " + invalid));
      return;
    }
    std::lock_guard lock(mutex);
    if (stopping || !started) {
      complete(job, fail(ErrorCode::disconnected,
                         describe() + ": " + op_text(job) + ": client is not running"));
      return;
    }
    queue.push_back(std::move(job));
    cv.notify_one();
  }

  void fail_queued(const std::string& why) {
    std::deque<Job> jobs;
    {
      std::lock_guard lock(mutex);
      jobs.swap(queue);
    }
    for (auto& j : jobs)
      complete(j, fail(ErrorCode::disconnected, describe() + ": " + op_text(j) + ": " + why));
  }

  void close_ctx() {
    if (ctx != nullptr) {
      modbus_close(ctx);
      modbus_free(ctx);
      ctx = nullptr;
    }
  }

  // Returns an empty string on success, else why not.
  std::string connect(std::string& note) {
    close_ctx();
    if (options.tcp) {
      const std::string port = std::to_string(options.tcp_link.port);
      ctx = modbus_new_tcp_pi(options.tcp_link.host.c_str(), port.c_str());
    } else {
      const auto& r = options.rtu_link;
      ctx = modbus_new_rtu(r.device.c_str(), r.baud, r.parity, r.data_bits, r.stop_bits);
    }
    if (ctx == nullptr) return std::string("cannot create context: ") + modbus_strerror(errno);
    const auto rt = options.response_timeout;
    const auto bt = options.byte_timeout;
    modbus_set_response_timeout(ctx, static_cast<std::uint32_t>(rt.count() / 1000),
                                static_cast<std::uint32_t>((rt.count() % 1000) * 1000));
    modbus_set_byte_timeout(ctx, static_cast<std::uint32_t>(bt.count() / 1000),
                            static_cast<std::uint32_t>((bt.count() % 1000) * 1000));
    modbus_set_error_recovery(ctx, MODBUS_ERROR_RECOVERY_NONE);
    timed_out_on_this_connection = false;
    if (modbus_connect(ctx) == -1) {
      std::string why = modbus_strerror(errno);
      close_ctx();
      return "connect failed: " + why;
    }
    if (!options.tcp) {
      if (options.rtu_link.rs485 &&
          modbus_rtu_set_serial_mode(ctx, MODBUS_RTU_RS485) == -1)  // e.g. a pty: ENOTTY
        note = std::string("RS-485 mode not available (") + modbus_strerror(errno) +
               "), continuing in RS-232 mode";
      if (options.rtu_link.rts_emulation) modbus_rtu_set_rts(ctx, MODBUS_RTU_RTS_UP);
      modbus_flush(ctx);
    }
    return {};
  }

  Clock::duration backoff() {
    const double base =
        static_cast<double>(options.reconnect_min.count()) * std::pow(2.0, std::min(failures, 16));
    const double capped = std::min(base, static_cast<double>(options.reconnect_max.count()));
    std::uniform_real_distribution<double> jitter(1.0 - options.reconnect_jitter,
                                                  1.0 + options.reconnect_jitter);
    return std::chrono::milliseconds{static_cast<long>(capped * jitter(rng))};
  }

  // Waits until `deadline` or stop, failing every request that arrives meanwhile (the link is
  // down: callers must not wait for a reconnect). A reconnect_now() ends the wait early and
  // restarts the backoff from its minimum; one made during a connection attempt, the wait after.
  bool wait_down(Clock::time_point deadline, const std::string& why) {
    for (;;) {
      bool hurried = false;
      {
        std::unique_lock lock(mutex);
        cv.wait_until(lock, deadline, [&] { return stopping || hurry || !queue.empty(); });
        if (stopping) return false;
        hurried = std::exchange(hurry, false);
      }
      fail_queued(why);
      if (hurried) failures = 0;
      if (hurried || Clock::now() >= deadline) return true;
    }
  }

  void set_connected(bool up) {
    std::lock_guard lock(mutex);
    connected = up;
    if (up) hurry = false;
  }

  void quiet_gap() {
    if (options.tcp) return;
    std::this_thread::sleep_until(quiet_until);
  }

  void mark_quiet() {
    if (!options.tcp) quiet_until = Clock::now() + rtu_t35(options.rtu_link.baud);
  }

  // Runs one request; returns false when the link was lost.
  bool execute(Job& job) {
    const std::string where = describe() + ": " + op_text(job);
    modbus_set_slave(ctx, job.unit);
    int attempts = 0;
    for (;;) {
      quiet_gap();
      Registers data(job.op == Op::write ? 0 : job.count);
      int rc = -1;
      switch (job.op) {
        case Op::read_holding:
          rc = modbus_read_registers(ctx, job.address, job.count, data.data());
          break;
        case Op::read_input:
          rc = modbus_read_input_registers(ctx, job.address, job.count, data.data());
          break;
        case Op::write:
          rc = job.single
                   ? modbus_write_register(ctx, job.address, job.values.front())
                   : modbus_write_registers(ctx, job.address, static_cast<int>(job.values.size()),
                                            job.values.data());
          break;
      }
      const int err = errno;
      mark_quiet();
      if (rc != -1) {
        complete(job, std::move(data));
        return true;
      }
      if (err > MODBUS_ENOBASE && err <= MODBUS_ENOBASE + 0x0B) {
        complete(job,
                 Failure{exception_error(where, static_cast<std::uint8_t>(err - MODBUS_ENOBASE),
                                         request_of(job))});
        return true;
      }
      if (err == ETIMEDOUT) {
        timed_out_on_this_connection = true;
        modbus_flush(ctx);
        if (attempts++ < options.timeout_retries) continue;
        complete(job,
                 fail(ErrorCode::timeout, where + ": timeout after " +
                                              std::to_string(options.response_timeout.count()) +
                                              " ms (" + std::to_string(attempts) + " attempts)"));
        lost("device does not answer (" + std::to_string(attempts) + " timeouts)");
        return false;
      }
      if (err == EMBBADCRC) {
        modbus_flush(ctx);
        complete(job, fail(ErrorCode::parse_error, where + ": CRC error"));
        return true;
      }
      if (err == EMBBADDATA || err == EMBBADEXC || err == EMBMDATA || err == EMBBADSLAVE ||
          err == EMBUNKEXC) {
        modbus_flush(ctx);
        complete(job, fail(ErrorCode::parse_error,
                           where + ": malformed response: " + modbus_strerror(err)));
        if (options.tcp) {  // a TCP stream out of step is cured only by a new connection
          // After a timeout, the usual cause is the late answer to the request that timed out:
          // a device slower than the configured timeout, which a longer timeout cures.
          std::string why = std::string("stream out of step: ") + modbus_strerror(err);
          if (timed_out_on_this_connection)
            why += " (likely a late answer after a timeout: the device answers slower than " +
                   std::to_string(options.response_timeout.count()) +
                   " ms; raise inverter.response_timeout_ms)";
          lost(why);
          return false;
        }
        return true;
      }
      if (is_link_errno(err)) {
        complete(job, fail(ErrorCode::disconnected, where + ": " + modbus_strerror(err)));
        lost(modbus_strerror(err));
        return false;
      }
      complete(job, fail(ErrorCode::io_error, where + ": " + modbus_strerror(err)));
      lost(modbus_strerror(err));
      return false;
    }
  }

  void lost(const std::string& why) {
    close_ctx();
    set_connected(false);
    post_link(false, describe() + ": link lost: " + why);
  }

  void run() {
    bool up = false;
    bool reported_down = false;  // a link that never came up is reported down once
    for (;;) {
      {
        std::lock_guard lock(mutex);
        if (stopping) break;
      }
      if (!up) {
        std::string note;
        const std::string why = connect(note);
        if (!why.empty()) {
          if (!reported_down) post_link(false, describe() + ": " + why);
          reported_down = true;
          const auto delay = backoff();
          ++failures;
          if (!wait_down(Clock::now() + delay, "link down (" + why + "), reconnecting")) break;
          continue;
        }
        failures = 0;
        up = true;
        set_connected(true);
        reported_down = false;
        post_link(true, describe() + ": connected" + (note.empty() ? "" : "; " + note));
      }
      Job job;
      {
        std::unique_lock lock(mutex);
        cv.wait(lock, [&] { return stopping || !queue.empty(); });
        if (stopping) break;
        job = std::move(queue.front());
        queue.pop_front();
      }
      if (!execute(job)) {
        up = false;
        reported_down = true;  // lost() posted the edge
        // First reconnect attempt after the minimum backoff, not at once: a device that just
        // dropped us usually needs a moment.
        const auto delay = backoff();
        ++failures;
        if (!wait_down(Clock::now() + delay, "link lost, reconnecting")) break;
      }
    }
    close_ctx();
    fail_queued("client stopped");
  }
};

LibmodbusClient::LibmodbusClient(boost::asio::io_context& io, LinkOptions options)
    : impl_(std::make_shared<Impl>(io, std::move(options))) {}

LibmodbusClient::~LibmodbusClient() {
  stop();
}

void LibmodbusClient::read_holding(std::uint8_t unit_id, std::uint16_t address, std::uint16_t count,
                                   ReadHandler handler) {
  Job j;
  j.op = Op::read_holding;
  j.unit = unit_id;
  j.address = address;
  j.count = count;
  j.on_read = std::move(handler);
  impl_->enqueue(std::move(j));
}

void LibmodbusClient::read_input(std::uint8_t unit_id, std::uint16_t address, std::uint16_t count,
                                 ReadHandler handler) {
  Job j;
  j.op = Op::read_input;
  j.unit = unit_id;
  j.address = address;
  j.count = count;
  j.on_read = std::move(handler);
  impl_->enqueue(std::move(j));
}

void LibmodbusClient::write_registers(std::uint8_t unit_id, std::uint16_t address, Registers values,
                                      WriteHandler handler) {
  Job j;
  j.op = Op::write;
  j.unit = unit_id;
  j.address = address;
  j.count = static_cast<std::uint16_t>(values.size());
  j.values = std::move(values);
  j.on_write = std::move(handler);
  impl_->enqueue(std::move(j));
}

void LibmodbusClient::write_register(std::uint8_t unit_id, std::uint16_t address,
                                     std::uint16_t value, WriteHandler handler) {
  Job j;
  j.op = Op::write;
  j.single = true;
  j.unit = unit_id;
  j.address = address;
  j.count = 1;
  j.values = {value};
  j.on_write = std::move(handler);
  impl_->enqueue(std::move(j));
}

void LibmodbusClient::set_link_handler(LinkHandler handler) {
  impl_->link_handler = std::move(handler);
}

void LibmodbusClient::start() {
  std::lock_guard lock(impl_->mutex);
  if (impl_->started || impl_->stopping) return;
  impl_->started = true;
  impl_->worker = std::thread([impl = impl_] { impl->run(); });
}

void LibmodbusClient::reconnect_now() {
  std::lock_guard lock(impl_->mutex);
  if (impl_->connected || !impl_->started || impl_->stopping) return;
  impl_->hurry = true;
  impl_->cv.notify_all();
}

void LibmodbusClient::stop() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
    impl_->cv.notify_all();
  }
  if (impl_->worker.joinable()) impl_->worker.join();
}

std::string LibmodbusClient::describe() const {
  return impl_->describe();
}

}  // namespace bessd::modbus
