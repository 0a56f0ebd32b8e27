#pragma once
// ModbusClient: the port through which drivers talk Modbus. Asynchronous: every call returns at
// once and the handler runs later on the caller's io_context thread (never on the link's
// worker thread, never inline). Requests on one client are executed one at a time in the
// order they were made (one owner per link).
//
// Errors (Result<T> with bessd::Error):
//   ErrorCode::timeout       no (complete) answer within the response/byte timeout
//   ErrorCode::parse_error   CRC error or malformed answer (RTU noise, desynchronised stream)
//   ErrorCode::protocol_error the device answered with a Modbus exception: its code is in
//                            `Error::modbus->exception` (exception_code_of()); the message says
//                            "exception 0x02 Illegal Data Address" for people
//   ErrorCode::disconnected  the link is down; the client is reconnecting with backoff
//   ErrorCode::invalid_argument a request Modbus cannot carry (0 or > 125 registers, ...)
// Every error of a request carries the request in `Error::modbus` (function code, first
// register, count), so that a caller decides on data, never on the message.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <bessd/common/result.hpp>

namespace bessd::modbus {

using Registers = std::vector<std::uint16_t>;
using ReadHandler = std::function<void(Result<Registers>)>;
using WriteHandler = std::function<void(Status)>;
/// Link edges: `up` true after a (re)connect, false when the link is lost or the first
/// connection attempt fails (once per outage); `detail` says why.
using LinkHandler = std::function<void(bool up, const std::string& detail)>;

inline constexpr std::size_t kMaxReadRegisters = 125;
inline constexpr std::size_t kMaxWriteRegisters = 123;

/// Modbus exception codes (docs/protocols.md "Modbus").
enum class ExceptionCode : std::uint8_t {
  illegal_function = 0x01,
  illegal_data_address = 0x02,
  illegal_data_value = 0x03,
  server_device_failure = 0x04,
  acknowledge = 0x05,
  server_device_busy = 0x06,
  negative_acknowledge = 0x07,
  memory_parity_error = 0x08,
  gateway_path_unavailable = 0x0A,
  gateway_target_failed = 0x0B,
};

/// "Illegal Data Address" etc.; "Unknown exception" for codes outside the table.
std::string_view exception_name(std::uint8_t code) noexcept;
/// The exception code carried by an error from a ModbusClient, if the device sent one.
std::optional<std::uint8_t> exception_code_of(const Error& error) noexcept;
/// Builds the protocol_error for an exception to `request` (used by implementations and fakes):
/// the code as data beside the message "<where>: exception 0x02 Illegal Data Address".
Error exception_error(std::string_view where, std::uint8_t code, ModbusDetail request = {});
/// `error` with the request it belongs to (an exception code it carries is kept).
Error with_request(Error error, const ModbusDetail& request);

class ModbusClient {
 public:
  virtual ~ModbusClient() = default;
  /// FC03. `count` 1..125.
  virtual void read_holding(std::uint8_t unit_id, std::uint16_t address, std::uint16_t count,
                            ReadHandler handler) = 0;
  /// FC04. `count` 1..125.
  virtual void read_input(std::uint8_t unit_id, std::uint16_t address, std::uint16_t count,
                          ReadHandler handler) = 0;
  /// FC16 (write multiple registers), 1..123 values.
  virtual void write_registers(std::uint8_t unit_id, std::uint16_t address, Registers values,
                               WriteHandler handler) = 0;
  /// FC06 (write single register), for devices that refuse FC16 on some registers.
  virtual void write_register(std::uint8_t unit_id, std::uint16_t address, std::uint16_t value,
                              WriteHandler handler) = 0;
  /// Called on the io_context thread on every link edge. Set before start().
  virtual void set_link_handler(LinkHandler handler) = 0;
  /// Starts connecting (in the background). Idempotent.
  virtual void start() = 0;
  /// A link that is down tries again now (or right after the attempt under way fails), without
  /// waiting out its reconnect backoff, which starts over from its minimum. No effect while the
  /// link is up or not started. For a caller with a deadline of its own (the stop's wait for the
  /// safe state): the backoff grows to seconds after a long outage, longer than such a deadline.
  virtual void reconnect_now() = 0;
  /// Stops the worker; queued requests complete with `disconnected`. Blocks until the worker
  /// has finished its current request (at most one response timeout). Idempotent.
  virtual void stop() = 0;
  /// "tcp 127.0.0.1:502" / "rtu /dev/ttyUSB0 9600 8N1", for messages.
  virtual std::string describe() const = 0;
};

}  // namespace bessd::modbus
