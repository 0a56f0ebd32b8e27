// bess-sim's SunSpec device seen from a Modbus client: the model chain a SunSpec reader walks,
// model 124 control semantics (rates, forcing, StorCtl_Mod) and the revert timeout.

#include <modbus.h>

#include <chrono>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <bessd/inverter/registers/sunspec.hpp>
#include <bessd/modbus/testing/modbus_test_server.hpp>
#include <bessd/sim/sim_world.hpp>

#include <bessd/sim/devices/inverter_device.hpp>

namespace bessd::sim {
namespace {

namespace ss = inverter::registers::sunspec;
using modbus::testing::ModbusTestServer;

class SunSpecDeviceTest : public ::testing::Test {
 protected:
  std::int64_t now_ms{1'000'000};  // the device's clock
  void SetUp() override {
    WorldParams p;
    p.inverter.revert_timeout_s = 1e12;
    p.start_seconds_of_day = 19 * 3600.0;  // evening: self-use would discharge
    world = std::make_unique<SimWorld>(p);
    server = ModbusTestServer::tcp();
    device = make_sunspec_device(1, *world, [this] { return now_ms; });
    device->add_server(server.get());
    device->start(io);
    device->refresh(*world);
    server->start();
    ctx = modbus_new_tcp("127.0.0.1", server->port());
    ASSERT_NE(ctx, nullptr);
    modbus_set_slave(ctx, 1);
    ASSERT_EQ(modbus_connect(ctx), 0);
  }
  void TearDown() override {
    modbus_close(ctx);
    modbus_free(ctx);
    server->stop();
  }
  std::vector<std::uint16_t> read(int address, int n) {
    std::vector<std::uint16_t> v(static_cast<std::size_t>(n));
    EXPECT_EQ(modbus_read_registers(ctx, address, n, v.data()), n);
    return v;
  }
  void write(int address, std::vector<std::uint16_t> v) {
    ASSERT_EQ(modbus_write_registers(ctx, address, static_cast<int>(v.size()), v.data()),
              static_cast<int>(v.size()));
    // The server replies first, then its thread posts the write hook to the io_context: poll
    // until the hook has run. `work` keeps poll() from stopping the io_context when it finds
    // nothing yet (a stopped io_context runs nothing, even once the hook is posted: that once
    // left a write unapplied on a loaded machine). The bound only ends a broken run.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (io.poll() == 0 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::uint16_t start_of(std::uint16_t model) {
    std::uint32_t a = 40002;
    for (int i = 0; i < 10; ++i) {
      const auto h = read(static_cast<int>(a), 2);
      if (h[0] == model) return static_cast<std::uint16_t>(a);
      auto next = ss::next_model_address(a, {h[0], h[1]});
      EXPECT_TRUE(next);
      if (!next || !*next) break;
      a = **next;
    }
    ADD_FAILURE() << "model " << model << " not found";
    return 0;
  }

  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  std::unique_ptr<SimWorld> world;
  std::unique_ptr<ModbusTestServer> server;
  std::unique_ptr<InverterDevice> device;
  modbus_t* ctx{nullptr};
};

TEST_F(SunSpecDeviceTest, ModelChainAsASunSpecReaderWalksIt) {
  EXPECT_TRUE(ss::is_marker(read(40000, 2)));
  for (std::uint16_t m : {1, 103, 120, 124, 802, 160}) EXPECT_NE(start_of(m), 0) << m;
  const auto m124 = start_of(124);
  const auto b = read(m124, 26);
  EXPECT_EQ(b[1], 24);
  EXPECT_EQ(b[2], 5000);                            // WChaMax
  EXPECT_EQ(static_cast<std::int16_t>(b[25]), -2);  // InOutWRte_SF
  // After 802 comes 160 (four modules of 20 registers after 8 fixed), then the end marker.
  const auto m802 = start_of(802);
  EXPECT_EQ(read(m802 + 2 + 62, 1)[0], 160);
  const auto m160 = start_of(160);
  EXPECT_EQ(read(m160 + 1, 1)[0], 8 + 4 * 20);
  EXPECT_EQ(read(m160 + 8, 1)[0], 4);  // N
  EXPECT_EQ(read(m160 + 2 + 8 + 4 * 20, 1)[0], ss::kEndModelId);
}

TEST_F(SunSpecDeviceTest, ForcedRatesFixTheBatteryPowerAndRevertAfterTheTimeout) {
  const int m124 = start_of(124);
  // Forced discharge at 30 % (bessd's recipe: OutWRte +30 %, InWRte -30 %, StorCtl_Mod 3).
  write(m124 + 12, {3000, static_cast<std::uint16_t>(-3000)});
  write(m124 + 15, {1});  // revert after 1 s
  write(m124 + 5, {3});
  device->apply(*world);
  EXPECT_NEAR(world->inverter().setpoint_w(), -1500, 1e-6);
  EXPECT_EQ(world->inverter().mode(), InverterMode::remote);
  const auto status = device->status();
  EXPECT_EQ(status.at("storctl_mod"), 3);
  EXPECT_NEAR(status.at("window_w")[0].get<double>(), -1500, 1e-6);
  EXPECT_NEAR(status.at("window_w")[1].get<double>(), -1500, 1e-6);

  // Hold (both rates 0 with both limits applied): 0 W.
  write(m124 + 12, {0, 0});
  device->apply(*world);
  EXPECT_NEAR(world->inverter().setpoint_w(), 0, 1e-6);

  // No write for longer than InOutWRte_RvrtTms: rates back to 100 %, StorCtl_Mod 0, self-use.
  now_ms += 1100;  // the device's clock, advanced by hand
  device->apply(*world);
  EXPECT_EQ(world->inverter().mode(), InverterMode::self_use);
  const auto r = read(m124, 14);
  EXPECT_EQ(r[5], 0);
  EXPECT_EQ(r[12], 10000);
  EXPECT_EQ(r[13], 10000);
  EXPECT_EQ(device->status().at("reverts"), 1);
}

TEST_F(SunSpecDeviceTest, ChargeLimitOnlyCapsSelfUse) {
  const int m124 = start_of(124);
  // StorCtl_Mod 1 (charge limit) with InWRte 0: the evening self-use discharge is untouched.
  write(m124 + 13, {0});
  write(m124 + 5, {1});
  device->apply(*world);
  const auto rd = world->readings();
  EXPECT_NEAR(world->inverter().setpoint_w(), std::min(0.0, rd.pv_w - rd.load_w), 1e-6);
}

}  // namespace
}  // namespace bessd::sim
