#pragma once
// A ProfileInverterDriver on a libmodbus client against the libmodbus test server (over a real
// loopback socket or a pty), with a hand-advanced clock: the rig of the driver tests.
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include <bessd/inverter/profile_inverter_driver.hpp>
#include <bessd/modbus/libmodbus_client.hpp>
#include <bessd/modbus/testing/modbus_test_server.hpp>

#include "../modbus/run_until.hpp"
#include "driver_test_support.hpp"
#include "register_bank.hpp"

namespace bessd::inverter::test {

using namespace std::chrono_literals;
using core::EventEdge;
using modbus::testing::ModbusTestServer;

struct Rig {
  explicit Rig(const std::string& profile_name, std::unique_ptr<ModbusTestServer> srv = nullptr,
               std::uint8_t unit = 1)
      : Rig(load_profile(kProfiles / (profile_name + ".json")), std::move(srv), unit) {}
  explicit Rig(Profile p, std::unique_ptr<ModbusTestServer> srv = nullptr, std::uint8_t unit = 1)
      : profile(std::move(p)),
        server(srv ? std::move(srv) : ModbusTestServer::tcp()),
        bank(*server, profile, unit) {
    options.unit_id = unit;
    options.poll_period = 20ms;
    options.lease = 10s;
    options.obey_tolerance_w = 100;
    options.obey_window = 5s;
  }

  void start() {
    server->save_power_on_image();
    server->start();
    modbus::LinkOptions lo;
    lo.tcp = server->device_path().empty();
    lo.tcp_link.port = server->port();
    lo.rtu_link.device = server->device_path();
    lo.rtu_link.baud = 115200;
    lo.response_timeout = 200ms;
    lo.byte_timeout = 50ms;
    lo.reconnect_min = 20ms;
    lo.reconnect_max = 100ms;
    client = std::make_unique<modbus::LibmodbusClient>(io, lo);
    driver = std::make_unique<ProfileInverterDriver>(io, *client, profile, options, clock);
    driver->set_event_handler([this](const core::Event& e) { events.push_back(e); });
    driver->start();
  }

  bool wait(const std::function<bool()>& f, std::chrono::milliseconds limit = 5000ms) {
    return modbus::test::run_until(io, f, limit);
  }
  /// Waits until the driver confirmed `w` by read-back (not merely until the server has it).
  bool wait_asserted(double w) {
    return wait([&] {
      auto s = driver->latest_state();
      return s && s->setpoint_readback_w == w;
    });
  }
  int count(const std::string& code, EventEdge edge) const {
    int n = 0;
    for (const auto& e : events) n += e.code == code && e.edge == edge;
    return n;
  }

  Profile profile;
  std::unique_ptr<ModbusTestServer> server;
  test::RegisterBank bank;
  DriverOptions options;
  ManualClock clock;
  boost::asio::io_context io;
  std::unique_ptr<modbus::LibmodbusClient> client;
  std::unique_ptr<ProfileInverterDriver> driver;
  std::vector<core::Event> events;
};

/// Writes seen by the server (filled on the server thread, read on the test thread).
struct WriteLog {
  struct Entry {
    std::uint16_t address;
    std::size_t count;
    std::size_t requests_before;
  };
  void add(std::uint16_t address, std::size_t count, std::size_t requests_before) {
    std::lock_guard lock(mutex);
    entries.push_back({address, count, requests_before});
  }
  std::vector<Entry> snapshot() const {
    std::lock_guard lock(mutex);
    return entries;
  }
  mutable std::mutex mutex;
  std::vector<Entry> entries;
};

/// Every write the rig's server takes goes into `log` (which must outlive the server thread).
inline void log_writes(Rig& r, WriteLog& log) {
  ModbusTestServer* srv = r.server.get();
  r.server->on_write(
      [&log, srv](std::uint8_t, std::uint16_t a, const std::vector<std::uint16_t>& v) {
        log.add(a, v.size(), srv->requests());
      });
}

}  // namespace bessd::inverter::test
