// LibmodbusClient against a real libmodbus server: TCP on a loopback port, RTU over a pty.
#include <gtest/gtest.h>

#include <mutex>
#include <optional>

#include <boost/asio/io_context.hpp>

#include <bessd/modbus/libmodbus_client.hpp>
#include <bessd/modbus/testing/modbus_test_server.hpp>

#include "run_until.hpp"

namespace bessd::modbus {
namespace {

using testing::ModbusTestServer;
using namespace std::chrono_literals;

LinkOptions tcp_options(std::uint16_t port) {
  LinkOptions o;
  o.tcp = true;
  o.tcp_link.port = port;
  o.response_timeout = 200ms;
  o.byte_timeout = 50ms;
  o.reconnect_min = 20ms;
  o.reconnect_max = 200ms;
  return o;
}

LinkOptions rtu_options(const std::string& device, int baud) {
  LinkOptions o;
  o.tcp = false;
  o.rtu_link.device = device;
  o.rtu_link.baud = baud;
  o.rtu_link.rs485 = true;  // fails on a pty: must not be fatal
  o.response_timeout = 200ms;
  o.byte_timeout = 50ms;
  o.reconnect_min = 20ms;
  o.reconnect_max = 200ms;
  return o;
}

class Link {
 public:
  Link(boost::asio::io_context& io, LinkOptions o) : client(io, std::move(o)) {
    client.set_link_handler([this](bool up, const std::string& detail) {
      (up ? ups : downs)++;
      last_detail = detail;
    });
    client.start();
  }
  Result<Registers> read(boost::asio::io_context& io, std::uint8_t unit, std::uint16_t addr,
                         std::uint16_t count, bool input = false) {
    std::optional<Result<Registers>> out;
    auto h = [&](Result<Registers> r) { out.emplace(std::move(r)); };
    if (input)
      client.read_input(unit, addr, count, h);
    else
      client.read_holding(unit, addr, count, h);
    EXPECT_TRUE(test::run_until(io, [&] { return out.has_value(); }));
    if (!out) return fail(ErrorCode::internal, "no answer");
    return std::move(*out);
  }
  Status write(boost::asio::io_context& io, std::uint8_t unit, std::uint16_t addr,
               Registers values) {
    std::optional<Status> out;
    client.write_registers(unit, addr, std::move(values), [&](const Status& s) { out.emplace(s); });
    EXPECT_TRUE(test::run_until(io, [&] { return out.has_value(); }));
    if (!out) return fail(ErrorCode::internal, "no answer");
    return *out;
  }
  LibmodbusClient client;
  int ups{0};
  int downs{0};
  std::string last_detail;
};

TEST(LibmodbusClientTcp, ReadsAndWritesRealRegisters) {
  boost::asio::io_context io;
  auto server = ModbusTestServer::tcp();
  server->set_holding(1, 40000, {0x5375, 0x6E53, 1, 66});
  server->set_input(1, 10, {1, 2, 3});
  server->start();
  Link link(io, tcp_options(server->port()));
  ASSERT_TRUE(test::run_until(io, [&] { return link.ups == 1; }));

  auto r = link.read(io, 1, 40000, 4);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, (Registers{0x5375, 0x6E53, 1, 66}));
  auto in = link.read(io, 1, 10, 3, true);
  ASSERT_TRUE(in) << in.error().message;
  EXPECT_EQ(*in, (Registers{1, 2, 3}));

  ASSERT_TRUE(link.write(io, 1, 2716, {0xFFFF, 0xF830}));
  EXPECT_EQ(server->holding(1, 2716, 2), (Registers{0xFFFF, 0xF830}));
}

TEST(LibmodbusClientTcp, RequestsAreAnsweredInOrder) {
  boost::asio::io_context io;
  auto server = ModbusTestServer::tcp();
  for (std::uint16_t i = 0; i < 20; ++i)
    server->set_holding(1, i, {static_cast<std::uint16_t>(i * 3)});
  server->start();
  Link link(io, tcp_options(server->port()));
  ASSERT_TRUE(test::run_until(io, [&] { return link.ups == 1; }));
  std::vector<int> order;
  for (std::uint16_t i = 0; i < 20; ++i)
    link.client.read_holding(1, i, 1, [&order, i](Result<Registers> r) {
      ASSERT_TRUE(r);
      EXPECT_EQ((*r)[0], i * 3);
      order.push_back(i);
    });
  ASSERT_TRUE(test::run_until(io, [&] { return order.size() == 20; }));
  for (int i = 0; i < 20; ++i) EXPECT_EQ(order[static_cast<std::size_t>(i)], i);
}

TEST(LibmodbusClientTcp, ExceptionsCarryTheirCodeAndName) {
  boost::asio::io_context io;
  auto server = ModbusTestServer::tcp();
  server->set_holding(1, 0, {0});
  server->add_exception(3, 100, 109, 0x02);
  server->start();
  Link link(io, tcp_options(server->port()));
  auto r = link.read(io, 1, 105, 2);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::protocol_error);
  EXPECT_EQ(exception_code_of(r.error()), 0x02);
  // The request and the code come as data (a caller decides on them), the name for people.
  EXPECT_EQ(r.error().modbus, (ModbusDetail{.function = ModbusDetail::kReadHolding,
                                            .unit = 1,
                                            .address = 105,
                                            .count = 2,
                                            .exception = 0x02}));
  EXPECT_NE(r.error().message.find("Illegal Data Address"), std::string::npos);
  // Unknown unit: the server answers 0x0B like a Victron GX; the link stays up.
  auto u = link.read(io, 77, 0, 1, true);
  ASSERT_FALSE(u);
  EXPECT_EQ(exception_code_of(u.error()), 0x0B);
  ASSERT_TRUE(u.error().modbus);
  EXPECT_EQ(u.error().modbus->function, ModbusDetail::kReadInput);
  EXPECT_EQ(u.error().modbus->unit, 77);
  EXPECT_TRUE(link.read(io, 1, 0, 1));
  EXPECT_EQ(link.downs, 0);
}

// A simulated device refuses writes by their shape or values (on_write_check): the check sees
// what the request carries, a refused write is answered with its code and stores nothing.
TEST(LibmodbusClientTcp, AWriteCheckRefusesByContentAndStoresNothing) {
  boost::asio::io_context io;
  auto server = ModbusTestServer::tcp();
  server->set_holding(1, 0, {0, 0, 0});
  std::mutex mutex;  // the check and the hook run on the server's thread
  Registers seen;
  int stored = 0;
  server->on_write_check([&](std::uint8_t unit, std::uint8_t function, std::uint16_t address,
                             const std::vector<std::uint16_t>& values) -> std::uint8_t {
    const std::lock_guard lock(mutex);
    seen = values;
    return unit == 1 && function == 0x10 && address == 0 && values.size() != 3 ? 0x02 : 0;
  });
  server->on_write([&](std::uint8_t, std::uint16_t, const std::vector<std::uint16_t>&) {
    const std::lock_guard lock(mutex);
    ++stored;
  });
  server->start();
  Link link(io, tcp_options(server->port()));
  auto w = link.write(io, 1, 0, {7, 8});
  ASSERT_FALSE(w);
  EXPECT_EQ(exception_code_of(w.error()), 0x02);
  EXPECT_EQ(server->holding(1, 0, 3), (Registers{0, 0, 0}));
  {
    const std::lock_guard lock(mutex);
    EXPECT_EQ(seen, (Registers{7, 8}));
    EXPECT_EQ(stored, 0);
  }
  ASSERT_TRUE(link.write(io, 1, 0, {7, 8, 9}));
  EXPECT_EQ(server->holding(1, 0, 3), (Registers{7, 8, 9}));
  const std::lock_guard lock(mutex);
  EXPECT_EQ(stored, 1);
}

TEST(LibmodbusClientTcp, TimeoutIsRetriedOnceThenTheLinkReconnects) {
  boost::asio::io_context io;
  auto server = ModbusTestServer::tcp();
  server->set_holding(1, 0, {42});
  server->start();
  Link link(io, tcp_options(server->port()));
  ASSERT_TRUE(test::run_until(io, [&] { return link.ups == 1; }));
  server->set_silent(true);
  const auto before = server->requests();
  auto r = link.read(io, 1, 0, 1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::timeout);
  EXPECT_EQ(server->requests() - before, 2u) << "one retry after the first timeout";
  ASSERT_TRUE(test::run_until(io, [&] { return link.downs == 1; }));
  server->set_silent(false);
  ASSERT_TRUE(test::run_until(io, [&] { return link.ups == 2; }));
  auto ok = link.read(io, 1, 0, 1);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ((*ok)[0], 42);
}

// A device slower than the timeout: its late answer arrives while the retry waits, the stream is
// out of step, and the reason says what cures it.
TEST(LibmodbusClientTcp, ALateAnswerSaysTheTimeoutIsTooShort) {
  boost::asio::io_context io;
  auto server = ModbusTestServer::tcp();
  server->set_holding(1, 0, {42});
  server->start();
  Link link(io, tcp_options(server->port()));
  ASSERT_TRUE(test::run_until(io, [&] { return link.ups == 1; }));
  server->set_delay(300ms);  // the client waits 200 ms
  auto r = link.read(io, 1, 0, 1);
  ASSERT_FALSE(r);
  ASSERT_TRUE(test::run_until(io, [&] { return link.downs >= 1; }));
  EXPECT_NE(link.last_detail.find("raise inverter.response_timeout_ms"), std::string::npos)
      << link.last_detail;
  server->set_delay(0ms);
}

TEST(LibmodbusClientTcp, DroppedConnectionIsReportedAndRestored) {
  boost::asio::io_context io;
  auto server = ModbusTestServer::tcp();
  server->set_holding(1, 0, {7});
  server->start();
  Link link(io, tcp_options(server->port()));
  ASSERT_TRUE(link.read(io, 1, 0, 1));
  server->drop_connections();
  // The next request notices the drop (or fails fast while reconnecting); never hangs.
  Result<Registers> r = fail(ErrorCode::internal, "unset");
  ASSERT_TRUE(test::run_until(io, [&] {
    r = link.read(io, 1, 0, 1);
    return !r.has_value() || link.downs > 0;
  }));
  ASSERT_TRUE(test::run_until(io, [&] { return link.downs == 1 && link.ups == 2; }));
  auto ok = link.read(io, 1, 0, 1);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(server->connections_accepted(), 2u);
}

TEST(LibmodbusClientTcp, FailsFastWhileTheServerIsAbsent) {
  boost::asio::io_context io;
  std::uint16_t port = 0;
  {
    auto probe = ModbusTestServer::tcp();  // reserve-and-release a free port
    port = probe->port();
  }
  Link link(io, tcp_options(port));
  auto r = link.read(io, 1, 0, 1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::disconnected);
  EXPECT_EQ(link.ups, 0);
  ASSERT_TRUE(test::run_until(io, [&] { return link.downs == 1; }));
  EXPECT_NE(link.last_detail.find("connect failed"), std::string::npos) << link.last_detail;
  // Further failed attempts (backoff) do not repeat the edge.
  auto again = link.read(io, 1, 0, 1);
  EXPECT_FALSE(again);
  EXPECT_EQ(link.downs, 1);
}

TEST(LibmodbusClientTcp, ReconnectNowCutsALongBackoffShort) {
  boost::asio::io_context io;
  std::uint16_t port = 0;
  {
    auto probe = ModbusTestServer::tcp();  // reserve-and-release a free port
    port = probe->port();
  }
  auto o = tcp_options(port);
  o.reconnect_min = 10s;  // as after a long outage: the next attempt is seconds away
  o.reconnect_max = 10s;
  Link link(io, o);
  ASSERT_TRUE(test::run_until(io, [&] { return link.downs == 1; }));
  auto server = ModbusTestServer::tcp(port);
  server->set_holding(1, 0, {42});
  server->start();
  // Asked once: whether the worker is already waiting or still in its failed attempt, the
  // request is kept for its wait.
  link.client.reconnect_now();
  const auto asked = std::chrono::steady_clock::now();
  ASSERT_TRUE(test::run_until(
      io, [&] { return link.ups == 1; }, 3000ms));
  EXPECT_LT(std::chrono::steady_clock::now() - asked, 3s);
  auto r = link.read(io, 1, 0, 1);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ((*r)[0], 42);
  // While the link is up it changes nothing: no second connection.
  link.client.reconnect_now();
  ASSERT_TRUE(link.read(io, 1, 0, 1));
  EXPECT_EQ(server->connections_accepted(), 1u);
}

TEST(LibmodbusClientTcp, RejectsRequestsModbusCannotCarry) {
  boost::asio::io_context io;
  auto server = ModbusTestServer::tcp();
  server->start();
  Link link(io, tcp_options(server->port()));
  auto r = link.read(io, 1, 0, 126);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
  auto w = link.write(io, 1, 0, Registers(124, 0));
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().code, ErrorCode::invalid_argument);
}

TEST(LibmodbusClientRtu, ReadsAndWritesOverAPty) {
  boost::asio::io_context io;
  auto server = ModbusTestServer::rtu({19200, 3, false});
  server->set_holding(3, 0, {10, 20, 30, 40, 50, 60, 70, 80, 90, 100});
  server->start();
  Link link(io, rtu_options(server->device_path(), 19200));
  ASSERT_TRUE(test::run_until(io, [&] { return link.ups == 1; }));
  EXPECT_NE(link.last_detail.find("RS-485 mode not available"), std::string::npos)
      << link.last_detail;
  auto r = link.read(io, 3, 0, 10);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, (Registers{10, 20, 30, 40, 50, 60, 70, 80, 90, 100}));
  ASSERT_TRUE(link.write(io, 3, 5, {0xBEEF}));
  EXPECT_EQ(server->holding(3, 5, 1), (Registers{0xBEEF}));
}

TEST(LibmodbusClientRtu, CrcErrorIsTypedAndTheLinkSurvives) {
  boost::asio::io_context io;
  auto server = ModbusTestServer::rtu({9600, 1, false});
  server->set_holding(1, 0, {1, 2});
  server->start();
  Link link(io, rtu_options(server->device_path(), 9600));
  server->corrupt_next_responses(1);
  auto bad = link.read(io, 1, 0, 2);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::parse_error);
  EXPECT_NE(bad.error().message.find("CRC"), std::string::npos) << bad.error().message;
  auto ok = link.read(io, 1, 0, 2);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(link.downs, 0);
}

TEST(LibmodbusClientRtu, OtherSlaveIdsTimeOut) {
  boost::asio::io_context io;
  auto server = ModbusTestServer::rtu({115200, 1, false});
  server->start();
  Link link(io, rtu_options(server->device_path(), 115200));
  auto r = link.read(io, 9, 0, 1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::timeout);
}

TEST(LibmodbusClientRtu, ExceptionOverRtu) {
  boost::asio::io_context io;
  auto server = ModbusTestServer::rtu({115200, 1, false});
  server->add_exception(16, 0, 10, 0x04);
  server->start();
  Link link(io, rtu_options(server->device_path(), 115200));
  auto w = link.write(io, 1, 3, {1, 2});
  ASSERT_FALSE(w);
  EXPECT_EQ(exception_code_of(w.error()), 0x04);
  EXPECT_EQ(w.error().modbus, (ModbusDetail{.function = ModbusDetail::kWriteRegisters,
                                            .unit = 1,
                                            .address = 3,
                                            .count = 2,
                                            .exception = 0x04}));
}

TEST(RtuTiming, T35FollowsTheBaudRate) {
  EXPECT_EQ(rtu_t35(9600).count(), 4011);
  EXPECT_EQ(rtu_t35(19200).count(), 2006);
  EXPECT_EQ(rtu_t35(115200).count(), 1750);
}

}  // namespace
}  // namespace bessd::modbus
