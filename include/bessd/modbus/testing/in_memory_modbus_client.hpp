#pragma once
// InMemoryModbusClient: a ModbusClient whose device is a register image in memory, for driver
// tests that need no socket, no thread and no wall-clock timeouts. It keeps the port's contract
// (modbus_client.hpp): every handler runs later on the io_context, never inline, and requests
// complete one at a time in the order they were made.
//
// Failures are injected the way real links fail: a device exception for an address range, the
// link going down (or up) at a chosen moment, every request after the Nth failing, answers
// delayed or never coming (a timeout), writes acknowledged but not kept. Each request is logged
// so a test can assert what was written, in which order.
//
// Threading: construct, use and destroy on the io_context's thread (tests run the io_context
// on the test thread). Register banks: unknown units answer exception 0x0B (a gateway with no
// such device); a unit's registers read 0 until set.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <bessd/modbus/modbus_client.hpp>

namespace bessd::modbus::testing {

class InMemoryModbusClient final : public ModbusClient {
 public:
  enum class Function : std::uint8_t {
    read_holding = 3,
    read_input = 4,
    write_register = 6,
    write_registers = 16
  };

  /// One request as it reached the device (logged when it is carried out, not when queued).
  struct Request {
    Function function{Function::read_holding};
    std::uint8_t unit{1};
    std::uint16_t address{0};
    std::uint16_t count{0};
    Registers values;  // what a write carried
    bool ok{true};     // false: it was answered with an error
  };

  explicit InMemoryModbusClient(boost::asio::io_context& io, std::string name = "memory");
  ~InMemoryModbusClient() override;
  InMemoryModbusClient(const InMemoryModbusClient&) = delete;
  InMemoryModbusClient& operator=(const InMemoryModbusClient&) = delete;

  // ModbusClient.
  void read_holding(std::uint8_t unit_id, std::uint16_t address, std::uint16_t count,
                    ReadHandler handler) override;
  void read_input(std::uint8_t unit_id, std::uint16_t address, std::uint16_t count,
                  ReadHandler handler) override;
  void write_registers(std::uint8_t unit_id, std::uint16_t address, Registers values,
                       WriteHandler handler) override;
  void write_register(std::uint8_t unit_id, std::uint16_t address, std::uint16_t value,
                      WriteHandler handler) override;
  void set_link_handler(LinkHandler handler) override;
  /// The link comes up (an edge posted to the link handler) unless link_down() was called.
  void start() override;
  /// Counted only (reconnect_requests()): the link comes back when the test says link_up().
  void reconnect_now() override { ++reconnect_requests_; }
  void stop() override;
  std::string describe() const override;
  /// How often reconnect_now() was called.
  std::size_t reconnect_requests() const { return reconnect_requests_; }

  // The device's registers.
  void set_holding(std::uint8_t unit, std::uint16_t address, const Registers& values);
  void set_input(std::uint8_t unit, std::uint16_t address, const Registers& values);
  Registers holding(std::uint8_t unit, std::uint16_t address, std::uint16_t count) const;
  Registers input(std::uint8_t unit, std::uint16_t address, std::uint16_t count) const;

  // Failure injection.
  /// Requests of `function` (3, 4, 6, 16; 0 = any) touching [first, last] are answered `code`.
  void add_exception(std::uint8_t function, std::uint16_t first, std::uint16_t last,
                     std::uint8_t code);
  /// After `n` more requests are answered normally, every request fails with `error` until
  /// clear_faults() (a device that stops answering mid-sequence: timeout; a gateway: 0x0B).
  void fail_after(std::size_t n, Error error);
  /// Each answer comes this much later (a slow device or RTU bus); queued requests wait.
  void set_delay(std::chrono::milliseconds delay);
  /// Writes are acknowledged but the registers keep their old values (a device that ignores).
  void set_ignore_writes(bool ignore);
  /// The link is lost now: queued and later requests fail `disconnected` and the link handler
  /// is told (once per outage).
  void link_down(const std::string& detail = "connection reset by peer");
  /// The link is back (the client's reconnect succeeded): the link handler is told.
  void link_up();
  void clear_faults();
  /// Called with each request just before it is carried out (it may inject a failure for
  /// this very request: link_down(), add_exception(), ...).
  void on_request(std::function<void(const Request&)> hook) { on_request_ = std::move(hook); }

  /// Every request carried out so far, in order.
  const std::vector<Request>& requests() const { return log_; }
  /// The writes among them that reached [first, last] (ok or not).
  std::vector<Request> writes_to(std::uint16_t first, std::uint16_t last) const;
  void clear_log() { log_.clear(); }

 private:
  struct Pending {
    Request request;
    ReadHandler on_read;
    WriteHandler on_write;
  };
  struct Exception {
    std::uint8_t function;
    std::uint16_t first;
    std::uint16_t last;
    std::uint8_t code;
  };
  using Bank = std::map<std::uint16_t, std::uint16_t>;  // sparse: unset registers read 0
  struct Unit {
    Bank holding;
    Bank input;
  };

  void submit(Pending p);
  void run_next();
  void complete(Pending p);
  std::optional<Error> injected(const Request& r);
  Error error_for(const Request& r, std::uint8_t code) const;
  std::string where(const Request& r) const;
  void notify_link(bool up, const std::string& detail);

  boost::asio::io_context& io_;
  std::string name_;
  boost::asio::steady_timer timer_;
  LinkHandler on_link_;
  std::function<void(const Request&)> on_request_;
  bool started_{false};
  bool up_{true};  // the device is reachable (link_down/link_up)
  bool running_one_{false};
  std::deque<Pending> queue_;
  std::map<std::uint8_t, Unit> units_;
  std::vector<Exception> exceptions_;
  std::optional<std::size_t> fail_after_;
  std::optional<Error> fail_with_;
  std::chrono::milliseconds delay_{0};
  bool ignore_writes_{false};
  std::size_t reconnect_requests_{0};
  std::vector<Request> log_;
  // Handlers posted to the io_context hold it weakly: one running after the client is gone
  // does nothing.
  std::shared_ptr<char> alive_{std::make_shared<char>()};
};

}  // namespace bessd::modbus::testing
