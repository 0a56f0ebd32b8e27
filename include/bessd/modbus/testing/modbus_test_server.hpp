#pragma once
// ModbusTestServer: a real libmodbus server on its own thread, for tests and benchmarks (the
// seed of bess-sim's inverter server). It serves per-unit register banks over Modbus TCP on a
// free loopback port, or over Modbus RTU on a pseudo-terminal (the client opens device_path()).
// Faults can be injected while it runs: exception answers for address ranges, silence
// (timeouts), dropped connections, a restart that loses the registers, ignored writes, and
// corrupted CRCs (RTU). A device may refuse writes by their content (on_write_check()).
//
// Thread-safety: every public function may be called from any thread while the server runs.
// Not for production: it trusts its peer and allocates 256 KiB per unit.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace bessd::modbus::testing {

struct RtuServerOptions {
  int baud{9600};
  std::uint8_t slave_id{1};
  /// libmodbus RTS emulation on the server side as well: each frame then takes its real
  /// transmit time on the pty (for timing measurements).
  bool rts_emulation{false};
};

class ModbusTestServer {
 public:
  /// Modbus TCP on 127.0.0.1, port chosen by the kernel (see port()). Unknown unit ids are
  /// answered with exception 0x0B, like a Victron GX.
  static std::unique_ptr<ModbusTestServer> tcp();
  /// Modbus TCP on 127.0.0.1:`port` (0 = chosen by the kernel). Throws when the port is taken.
  static std::unique_ptr<ModbusTestServer> tcp(std::uint16_t port);
  /// Modbus RTU on a new pty pair; the client opens device_path(). Serves `slave_id` only
  /// (frames for other slaves are ignored, as on a real bus).
  static std::unique_ptr<ModbusTestServer> rtu(RtuServerOptions options = {});

  ~ModbusTestServer();
  ModbusTestServer(const ModbusTestServer&) = delete;
  ModbusTestServer& operator=(const ModbusTestServer&) = delete;

  void start();
  void stop();
  std::uint16_t port() const;
  const std::string& device_path() const;

  // Register banks (created on first use of a unit).
  void set_holding(std::uint8_t unit, std::uint16_t address, const std::vector<std::uint16_t>& v);
  void set_input(std::uint8_t unit, std::uint16_t address, const std::vector<std::uint16_t>& v);
  std::vector<std::uint16_t> holding(std::uint8_t unit, std::uint16_t address,
                                     std::uint16_t count) const;
  std::vector<std::uint16_t> input(std::uint8_t unit, std::uint16_t address,
                                   std::uint16_t count) const;
  /// Remembers the current banks as the power-on image used by restart().
  void save_power_on_image();
  /// A device's own register map for `unit`: requests touching a holding register outside
  /// [first, last] are answered with exception 02 (ILLEGAL DATA ADDRESS), as a device whose map
  /// ends there does, and FC04 with exception 01 (ILLEGAL FUNCTION) unless `input_registers`.
  /// Checked after the injected faults; unlike them it survives clear_faults() and restart().
  void set_register_map(std::uint8_t unit, std::uint16_t first, std::uint16_t last,
                        bool input_registers = false);

  // Fault injection.
  /// Requests of `function` (3, 4, 6, 16; 0 = any) touching [first, last] get `code`.
  void add_exception(std::uint8_t function, std::uint16_t first, std::uint16_t last,
                     std::uint8_t code);
  void set_silent(bool silent);                     // receive requests, never answer
  void set_delay(std::chrono::milliseconds delay);  // answer each request this much later
  void set_ignore_writes(bool ignore);              // acknowledge writes but keep the old values
  void corrupt_next_responses(int n);               // RTU: flip the CRC of the next n answers
  void drop_connections();                          // TCP: close every client connection now
  /// Power cycle: drops connections and restores the power-on image (setpoints lost).
  void restart();
  void clear_faults();

  /// Called on the server thread after every write was stored (or ignored).
  void on_write(std::function<void(std::uint8_t unit, std::uint16_t address,
                                   const std::vector<std::uint16_t>& values)>
                    hook);
  /// A device's own refusal of a write (FC06 or FC16) by its shape or values: called on the
  /// server thread before the write is stored, after the injected faults; a non-zero return is
  /// answered as that exception code, and nothing is stored or passed to on_write(). It runs
  /// with the server's lock held and must not call back into the server.
  using WriteCheck =
      std::function<std::uint8_t(std::uint8_t unit, std::uint8_t function, std::uint16_t address,
                                 const std::vector<std::uint16_t>& values)>;
  void on_write_check(WriteCheck check);

  std::size_t requests() const;
  std::size_t writes() const;
  std::size_t connections_accepted() const;

 private:
  struct Impl;
  explicit ModbusTestServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace bessd::modbus::testing
