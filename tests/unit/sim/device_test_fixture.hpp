#pragma once
// What the simulated inverters' tests share: a device on a SimWorld, served by a real loopback
// ModbusTestServer, a libmodbus client talking to it, a hand-advanced device clock, and the
// io_context the device's write hooks run on (polled by the test, as bess-sim's loop would).

#include <modbus.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <bessd/modbus/testing/modbus_test_server.hpp>
#include <bessd/sim/devices/inverter_device.hpp>
#include <bessd/sim/sim_world.hpp>

namespace bessd::sim::test {

/// Registers as text: two characters each, high byte first (vendors' ASCII fields).
inline std::string ascii_of(const std::vector<std::uint16_t>& registers) {
  std::string s;
  for (const auto w : registers) {
    s += static_cast<char>(w >> 8);
    s += static_cast<char>(w & 0xFF);
  }
  return s;
}

class DeviceTest : public ::testing::Test {
 protected:
  using MakeDevice = std::function<std::unique_ptr<InverterDevice>(
      std::uint8_t unit, const SimWorld& world, std::function<std::int64_t()> now_ms)>;

  /// The world at `hour` of the day, with its timers left to the device (as bess-sim does),
  /// and `make`'s device at `unit` on it, served and connected.
  void start_device(const MakeDevice& make, int unit, double hour, WorldParams p = {}) {
    p.inverter.revert_timeout_s = 1e12;
    p.start_seconds_of_day = hour * 3600.0;
    unit_ = unit;
    world = std::make_unique<SimWorld>(p);
    server = modbus::testing::ModbusTestServer::tcp();
    device = make(static_cast<std::uint8_t>(unit), *world, [this] { return now_ms; });
    device->add_server(server.get());
    device->start(io);
    device->refresh(*world);
    server->start();
    connect();
  }
  void connect() {
    ctx = modbus_new_tcp("127.0.0.1", server->port());
    ASSERT_NE(ctx, nullptr);
    modbus_set_slave(ctx, unit_);
    ASSERT_EQ(modbus_connect(ctx), 0);
  }
  void disconnect() {
    if (ctx == nullptr) return;
    modbus_close(ctx);
    modbus_free(ctx);
    ctx = nullptr;
  }
  void TearDown() override {
    disconnect();
    if (server) server->stop();
  }
  std::vector<std::uint16_t> holding(int address, int n) {
    std::vector<std::uint16_t> v(static_cast<std::size_t>(n));
    EXPECT_EQ(modbus_read_registers(ctx, address, n, v.data()), n);
    return v;
  }
  std::vector<std::uint16_t> input(int address, int n) {
    std::vector<std::uint16_t> v(static_cast<std::size_t>(n));
    EXPECT_EQ(modbus_read_input_registers(ctx, address, n, v.data()), n);
    return v;
  }
  // The server replies first, then posts the device's hook (on_write, or on_refused) to the
  // io_context: poll until it ran (`work` keeps poll() from stopping the io_context while it
  // finds nothing yet), so that it is not taken for the next write's.
  void wait_for_hook() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (io.poll() == 0 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  void write_fc16(int address, const std::vector<std::uint16_t>& v) {
    ASSERT_EQ(modbus_write_registers(ctx, address, static_cast<int>(v.size()), v.data()),
              static_cast<int>(v.size()));
    wait_for_hook();
  }
  void write_fc06(int address, std::uint16_t v) {
    ASSERT_EQ(modbus_write_register(ctx, address, v), 1);
    wait_for_hook();
  }
  /// A write the device may refuse: the exception code it answered with, 0 if it took it.
  int refused_fc16(int address, const std::vector<std::uint16_t>& v) {
    errno = 0;
    const int rc = modbus_write_registers(ctx, address, static_cast<int>(v.size()), v.data());
    const int code = rc >= 0 ? 0 : errno - MODBUS_ENOBASE;
    wait_for_hook();
    return code;
  }
  int refused_fc06(int address, std::uint16_t v) {
    errno = 0;
    const int rc = modbus_write_register(ctx, address, v);
    const int code = rc >= 0 ? 0 : errno - MODBUS_ENOBASE;
    wait_for_hook();
    return code;
  }
  void step(double seconds) {
    device->apply(*world);
    world->advance(seconds);
    device->refresh(*world);
  }
  double commanded_w() const { return world->inverter().setpoint_w(); }
  bool remote() const { return world->inverter().mode() == InverterMode::remote; }

  std::int64_t now_ms{1'000'000};  // the device's clock
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  std::unique_ptr<SimWorld> world;
  std::unique_ptr<modbus::testing::ModbusTestServer> server;
  std::unique_ptr<InverterDevice> device;
  modbus_t* ctx{nullptr};

 private:
  int unit_{1};
};

}  // namespace bessd::sim::test
