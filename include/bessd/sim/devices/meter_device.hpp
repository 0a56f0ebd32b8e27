#pragma once
// A grid meter beside the simulated inverter (docs/protocols.md "Meters"), on a Modbus TCP port
// of its own: an Eastron SDM630 (total system power, input registers 52-53, IEEE float) or a
// SunSpec meter (model 203 at 40000; W with its scale factor). Positive is import.

#include <cstdint>
#include <memory>
#include <string>

#include <bessd/modbus/testing/modbus_test_server.hpp>
#include <bessd/sim/sim_world.hpp>

namespace bessd::sim {

class SimMeter {
 public:
  /// `kind`: "sdm630", "sunspec_meter" (model 203) or "sunspec_meter_float" (model 213);
  /// throws std::invalid_argument otherwise.
  SimMeter(const std::string& kind, std::uint8_t unit, std::uint16_t port);
  void start();
  void stop();
  /// Reads the site's grid power from the world into the registers.
  void refresh(const SimWorld& world);
  /// A meter that stops answering (its RS485 converter unplugged).
  void set_silent(bool silent) { server_->set_silent(silent); }
  std::uint16_t port() const { return server_->port(); }

 private:
  bool sunspec_;
  bool float_;
  std::uint8_t unit_;
  std::unique_ptr<modbus::testing::ModbusTestServer> server_;
};

}  // namespace bessd::sim
