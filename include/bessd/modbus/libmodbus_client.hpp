#pragma once
// LibmodbusClient: ModbusClient over libmodbus, RTU or TCP. libmodbus blocks, so each client
// owns one worker thread that owns the modbus_t: requests are queued, executed in order and the
// results posted to the io_context given at construction. While the link is down requests fail
// at once with `disconnected` (the control loop never waits for a reconnect) and the worker
// reconnects with exponential backoff and jitter. On RTU the worker keeps ≥ t3.5 of silence
// after every response or timeout before the next request (docs/protocols.md "Modbus"). A timed-out
// request is retried once; a second timeout marks the link lost and reconnects.
//
// Thread-safety: all public functions may be called from the io_context thread; handlers run
// there too. The io_context must outlive the client; destroy the client (or stop()) before it.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include <bessd/config/inverter_config.hpp>
#include <bessd/modbus/modbus_client.hpp>

namespace bessd::modbus {

struct TcpLink {
  std::string host{"127.0.0.1"};
  std::uint16_t port{502};
};

struct RtuLink {
  std::string device;
  int baud{9600};
  char parity{'N'};  // 'N', 'E', 'O'
  int data_bits{8};
  int stop_bits{1};
  /// TIOCSRS485 through modbus_rtu_set_serial_mode; failure (e.g. on a pty) is reported in the
  /// link-up detail and is not fatal.
  bool rs485{false};
  /// libmodbus RTS emulation (RTS raised around each frame, with one byte time of delay and a
  /// transmit-time wait): needed by some adapters; also makes a pty behave like a real line.
  bool rts_emulation{false};
};

struct LinkOptions {
  bool tcp{true};
  TcpLink tcp_link;
  RtuLink rtu_link;
  std::chrono::milliseconds response_timeout{500};
  std::chrono::milliseconds byte_timeout{100};
  std::chrono::milliseconds reconnect_min{200};
  std::chrono::milliseconds reconnect_max{10'000};
  double reconnect_jitter{0.2};  // ± fraction of the backoff
  /// Retries after a timeout before the link is declared lost (docs/protocols.md: once).
  int timeout_retries{1};
};

/// Builds link options from the [inverter] config section.
LinkOptions link_options_from(const config::ModbusLinkConfig& cfg);

/// RTU inter-frame gap t3.5 for a baud rate (11-bit characters; fixed 1750 µs above 19200).
std::chrono::microseconds rtu_t35(int baud) noexcept;

class LibmodbusClient final : public ModbusClient {
 public:
  LibmodbusClient(boost::asio::io_context& io, LinkOptions options);
  ~LibmodbusClient() override;
  LibmodbusClient(const LibmodbusClient&) = delete;
  LibmodbusClient& operator=(const LibmodbusClient&) = delete;

  void read_holding(std::uint8_t unit_id, std::uint16_t address, std::uint16_t count,
                    ReadHandler handler) override;
  void read_input(std::uint8_t unit_id, std::uint16_t address, std::uint16_t count,
                  ReadHandler handler) override;
  void write_register(std::uint8_t unit_id, std::uint16_t address, std::uint16_t value,
                      WriteHandler handler) override;
  void write_registers(std::uint8_t unit_id, std::uint16_t address, Registers values,
                       WriteHandler handler) override;
  void set_link_handler(LinkHandler handler) override;
  void start() override;
  void reconnect_now() override;
  void stop() override;
  std::string describe() const override;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace bessd::modbus
