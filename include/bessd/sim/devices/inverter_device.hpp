#pragma once
// The simulated inverter's Modbus face: a register image refreshed from the world, and the
// device's own reaction to writes (its control semantics, as the standard or the vendor defines
// them; not a mirror of bessd's driver). One device may be served by several Modbus servers
// (TCP and RTU); writes through any of them are mirrored to the others.
// Threading: all methods on the io_context thread; on_write() is called from a server thread
// and only posts; refuse_write() runs on a server thread.

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include <bessd/modbus/testing/modbus_test_server.hpp>
#include <bessd/sim/sim_world.hpp>

namespace bessd::sim {

/// One accepted control write as the device understood it: the battery power window it now
/// allows (+ = charge). lo == hi means a fixed battery power.
struct ControlWrite {
  std::int64_t at_ms{0};  // steady clock
  double lo_w{0.0};
  double hi_w{0.0};
  std::uint16_t address{0};
  std::int64_t at_us{0};  // steady clock, when the write arrived (reaction-time benchmarks)
};

class InverterDevice {
 public:
  virtual ~InverterDevice() = default;
  void add_server(modbus::testing::ModbusTestServer* server);
  /// Registers the write hooks; `io` is where writes are handled.
  void start(boost::asio::io_context& io);
  /// Power-on register image (called by start()).
  virtual void initialise() = 0;
  /// Reads from the world into the read-only registers.
  virtual void refresh(const SimWorld& world) = 0;
  /// Applies the control state to the world (every step) and runs the device's own timers.
  virtual void apply(SimWorld& world) = 0;
  /// Power cycle: volatile settings lost, connections dropped.
  virtual void restart(SimWorld& world) = 0;
  virtual nlohmann::json status() const = 0;
  nlohmann::json history() const;
  std::uint8_t unit() const { return unit_; }

 protected:
  explicit InverterDevice(std::uint8_t unit) : unit_(unit) {}
  virtual void on_write(std::uint16_t address, std::uint16_t count) = 0;
  /// The device's refusal of a write by its function, shape or values: a Modbus exception code,
  /// 0 = accept. Called on a server's thread before anything is stored, so it may read only its
  /// arguments and what start() fixed (the rating, the unit), and change only atomics.
  virtual std::uint8_t refuse_write(std::uint8_t /*function*/, std::uint16_t /*address*/,
                                    const std::vector<std::uint16_t>& /*values*/) const {
    return 0;
  }
  /// A write refuse_write() answered with `code`, on the io thread (for the device's counters).
  virtual void on_refused(std::uint8_t /*function*/, std::uint16_t /*address*/,
                          std::uint16_t /*count*/, std::uint8_t /*code*/) {}
  void set(std::uint16_t address, const std::vector<std::uint16_t>& v);
  std::vector<std::uint16_t> get(std::uint16_t address, std::uint16_t count) const;
  void record(ControlWrite w);

  std::uint8_t unit_;
  std::vector<modbus::testing::ModbusTestServer*> servers_;
  std::deque<ControlWrite> history_;
  std::size_t writes_{0};
  std::int64_t received_us_{0};  // the arrival of the write being handled, for record()
};

/// Which SunSpec hybrid the SunSpec device plays (docs/simulator.md).
struct SunSpecOptions {
  enum class Variant : std::uint8_t {
    /// The standard's models and semantics as bessd-sim has always served them.
    generic,
    /// A Fronius Symo/Primo GEN24 Plus with a battery where it deviates from the standard: its
    /// model chain (int+SF), its auto-scaled scale factors, exception 03 for an invalid model 124
    /// power window, read-only registers that ignore writes, the revert time kept across a
    /// restart, the Smart Meter at unit 200 (make_fronius_gen24_device).
    fronius_gen24,
  };
  Variant variant{Variant::generic};
  /// fronius_gen24: judge the model 124 power window after each register of a request, in
  /// address order, rather than after the whole request. Fronius documents neither; this is the
  /// stricter reading, which a controller must survive as well.
  bool window_per_register{false};
};

/// `now_ms` is the device's own clock for the revert timeout (steady milliseconds); tests pass
/// a hand-advanced one.
std::unique_ptr<InverterDevice> make_sunspec_device(std::uint8_t unit, const SimWorld& world,
                                                    std::function<std::int64_t()> now_ms = {},
                                                    SunSpecOptions options = {});
/// The Fronius GEN24 variant of the SunSpec device (src/sim/devices/fronius_gen24_device.cpp lists
/// its sources); `now_ms` runs the model 124 revert timer; `window_per_register` as in
/// SunSpecOptions.
std::unique_ptr<InverterDevice> make_fronius_gen24_device(std::uint8_t unit, const SimWorld& world,
                                                          std::function<std::int64_t()> now_ms = {},
                                                          bool window_per_register = false);
std::unique_ptr<InverterDevice> make_victron_device(std::uint8_t unit, const SimWorld& world);
/// A GoodWe ET/EH/BT hybrid (docs/simulator.md): GoodWe's own registers and signs, EMS power mode
/// control at 47511/47512 without any inverter-side timeout. `now_ms` only stamps the writes.
std::unique_ptr<InverterDevice> make_goodwe_device(std::uint8_t unit, const SimWorld& world,
                                                   std::function<std::int64_t()> now_ms = {});
/// A Sofar HYD G3 hybrid (HYD 3-6K-EP, HYD 5-20KTL-3PH; docs/simulator.md): Sofar's registers
/// and signs, the energy storage mode at 0x1110 and the passive-mode block at 0x1187, taken only
/// whole by FC16, with the passive timeout at 0x1184. `now_ms` runs that timeout.
std::unique_ptr<InverterDevice> make_sofar_device(std::uint8_t unit, const SimWorld& world,
                                                  std::function<std::int64_t()> now_ms = {});

/// A Fox ESS H1 hybrid on its RS485 port (docs/simulator.md): readings in input registers from
/// 11000 with Fox's signs, the work mode at 41000 and remote control at 44000..44003 (active
/// power at the AC port) written with FC06, a watchdog of 44001 seconds fed by 44002 writes on
/// `now_ms`; FC16 only for the charge-period block.
std::unique_ptr<InverterDevice> make_foxess_device(std::uint8_t unit, const SimWorld& world,
                                                   std::function<std::int64_t()> now_ms = {});

/// A SolaX X1/X3-Hybrid Gen4/Gen5 (docs/simulator.md): SolaX's input and holding maps, 32-bit
/// values low word first, "Mode 1" active power control through the FC16 block at 0x7C, taken
/// only whole, for Time_of_Duration seconds of `now_ms`; writes need the unlock password.
std::unique_ptr<InverterDevice> make_solax_device(std::uint8_t unit, const SimWorld& world,
                                                  std::function<std::int64_t()> now_ms = {});

/// Which Sungrow SH the Sungrow device plays (docs/simulator.md).
struct SungrowOptions {
  /// An SH-RS (single phase) instead of an SH-RT (three phase).
  bool single_phase{false};
  /// SH-RT firmware before late 2024: 13021/13022 carry magnitudes, the direction only in the
  /// power flow bits of 13001 (an SH-RS is always signed).
  bool legacy_battery_sign{false};
};

/// A Sungrow SH hybrid (SH5.0-10RT, SH3.0-6.0RS; docs/simulator.md): Sungrow's registers (the
/// wire address is the documented number - 1) and signs, input registers for measurements, 32-bit
/// values low word first, the EMS mode 13050 with the charge/discharge command 13051 and power
/// 13052 (FC06 or FC16), forced mode without any timeout, external EMS mode with the heartbeat
/// 13080 counted down on `now_ms`.
std::unique_ptr<InverterDevice> make_sungrow_device(std::uint8_t unit, const SimWorld& world,
                                                    std::function<std::int64_t()> now_ms = {},
                                                    SungrowOptions options = {});

}  // namespace bessd::sim
