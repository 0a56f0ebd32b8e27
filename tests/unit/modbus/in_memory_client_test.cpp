// The in-memory ModbusClient keeps the port's contract (handlers later, in order) and injects
// failures the way real links fail.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include <bessd/modbus/testing/in_memory_modbus_client.hpp>

#include "run_until.hpp"

namespace bessd::modbus {
namespace {

using testing::InMemoryModbusClient;
using namespace std::chrono_literals;
using test::run_until;

struct MemoryRig {
  boost::asio::io_context io;
  InMemoryModbusClient client{io, "memory"};
  std::vector<std::pair<bool, std::string>> edges;

  MemoryRig() {
    client.set_link_handler([this](bool up, const std::string& d) { edges.emplace_back(up, d); });
    client.set_holding(1, 100, {1, 2, 3, 4});
    client.start();
  }
  Result<Registers> read(std::uint16_t address, std::uint16_t count, std::uint8_t unit = 1) {
    std::optional<Result<Registers>> got;
    client.read_holding(unit, address, count, [&](Result<Registers> r) { got = std::move(r); });
    EXPECT_TRUE(run_until(io, [&] { return got.has_value(); }));
    return got.value_or(Result<Registers>{fail(ErrorCode::timeout, "no answer")});
  }
  Status write(std::uint16_t address, Registers values) {
    std::optional<Status> got;
    client.write_registers(1, address, std::move(values), [&](Status s) { got = std::move(s); });
    EXPECT_TRUE(run_until(io, [&] { return got.has_value(); }));
    return got.value_or(fail(ErrorCode::timeout, "no answer"));
  }
};

TEST(InMemoryModbusClient, AnswersLaterInOrderNeverInline) {
  MemoryRig rig;
  std::vector<int> order;
  bool returned = false;
  rig.client.read_holding(1, 100, 2, [&](Result<Registers> r) {
    EXPECT_TRUE(returned) << "handler ran inside the call";
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(*r, (Registers{1, 2}));
    order.push_back(1);
  });
  rig.client.write_registers(1, 101, {9}, [&](Status s) {
    EXPECT_TRUE(s.has_value());
    order.push_back(2);
  });
  rig.client.read_holding(1, 100, 3, [&](Result<Registers> r) {
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(*r, (Registers{1, 9, 3}));  // after the write queued before it
    order.push_back(3);
  });
  returned = true;
  ASSERT_TRUE(run_until(rig.io, [&] { return order.size() == 3; }));
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  ASSERT_EQ(rig.edges.size(), 1U);
  EXPECT_TRUE(rig.edges[0].first);
}

TEST(InMemoryModbusClient, ExceptionsForAnAddressRangeAndUnknownUnits) {
  MemoryRig rig;
  rig.client.add_exception(16, 200, 209, 0x02);
  const auto refused = rig.write(205, {1, 2});
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(exception_code_of(refused.error()), std::uint8_t{0x02});
  EXPECT_EQ(refused.error().modbus, (ModbusDetail{.function = ModbusDetail::kWriteRegisters,
                                                  .unit = 1,
                                                  .address = 205,
                                                  .count = 2,
                                                  .exception = 0x02}));
  EXPECT_NE(refused.error().message.find("memory unit 1: write 205+2"), std::string::npos)
      << refused.error().message;
  EXPECT_TRUE(rig.read(205, 2).has_value()) << "only writes were refused";
  const auto gateway = rig.read(100, 1, 7);
  ASSERT_FALSE(gateway.has_value());
  EXPECT_EQ(exception_code_of(gateway.error()), std::uint8_t{0x0B});
  EXPECT_FALSE(rig.read(100, 0).has_value());
  EXPECT_FALSE(rig.read(100, 126).has_value());
}

TEST(InMemoryModbusClient, FailsEveryRequestAfterTheNth) {
  MemoryRig rig;
  rig.client.fail_after(2, Error{ErrorCode::timeout, "memory: timeout after 200 ms"});
  EXPECT_TRUE(rig.read(100, 1).has_value());
  EXPECT_TRUE(rig.write(100, {5}).has_value());
  const auto third = rig.read(100, 1);
  ASSERT_FALSE(third.has_value());
  EXPECT_EQ(third.error().code, ErrorCode::timeout);
  // An injected failure names the request it failed, as the real client's do.
  EXPECT_EQ(third.error().modbus,
            (ModbusDetail{
                .function = ModbusDetail::kReadHolding, .unit = 1, .address = 100, .count = 1}));
  EXPECT_FALSE(rig.write(100, {6}).has_value());
  EXPECT_EQ(rig.client.holding(1, 100, 1), (Registers{5})) << "a failed write changed nothing";
  rig.client.clear_faults();
  EXPECT_TRUE(rig.read(100, 1).has_value());
  ASSERT_EQ(rig.client.requests().size(), 5U);
  EXPECT_FALSE(rig.client.requests()[3].ok);
  EXPECT_EQ(rig.client.writes_to(100, 100).size(), 2U);
}

TEST(InMemoryModbusClient, IgnoredWritesAreAcknowledgedButNotKept) {
  MemoryRig rig;
  rig.client.set_ignore_writes(true);
  EXPECT_TRUE(rig.write(100, {42}).has_value());
  EXPECT_EQ(rig.read(100, 1).value(), (Registers{1}));
}

TEST(InMemoryModbusClient, LinkDownFailsQueuedRequestsAndReportsOneEdgePerOutage) {
  MemoryRig rig;
  ASSERT_TRUE(run_until(rig.io, [&] { return rig.edges.size() == 1; }));
  std::optional<Result<Registers>> queued;
  rig.client.read_holding(1, 100, 1, [&](Result<Registers> r) { queued = std::move(r); });
  rig.client.link_down();
  rig.client.link_down();  // the same outage
  ASSERT_TRUE(run_until(rig.io, [&] { return queued.has_value(); }));
  ASSERT_FALSE(queued->has_value());
  EXPECT_EQ(queued->error().code, ErrorCode::disconnected);
  rig.client.link_up();
  EXPECT_TRUE(rig.read(100, 1).has_value());
  ASSERT_EQ(rig.edges.size(), 3U);
  EXPECT_FALSE(rig.edges[1].first);
  EXPECT_TRUE(rig.edges[2].first);
}

TEST(InMemoryModbusClient, DelayedAnswersKeepTheirOrder) {
  MemoryRig rig;
  rig.client.set_delay(30ms);
  std::vector<int> order;
  const auto t0 = std::chrono::steady_clock::now();
  rig.client.write_registers(1, 100, {7}, [&](Status) { order.push_back(1); });
  rig.client.read_holding(1, 100, 1, [&](Result<Registers> r) {
    EXPECT_EQ(r.value(), (Registers{7}));
    order.push_back(2);
  });
  ASSERT_TRUE(run_until(rig.io, [&] { return order.size() == 2; }));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 60ms);
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
}

TEST(InMemoryModbusClient, StopCompletesQueuedRequestsDisconnected) {
  MemoryRig rig;
  rig.client.set_delay(1000ms);
  std::vector<ErrorCode> codes;
  for (int i = 0; i < 3; ++i)
    rig.client.read_holding(1, 100, 1, [&](Result<Registers> r) {
      codes.push_back(r ? ErrorCode::internal : r.error().code);
    });
  rig.client.stop();
  ASSERT_TRUE(run_until(
      rig.io, [&] { return codes.size() == 3; }, 500ms));
  for (auto c : codes) EXPECT_EQ(c, ErrorCode::disconnected);
}

TEST(InMemoryModbusClient, AHandlerOutlivingTheClientDoesNothing) {
  boost::asio::io_context io;
  bool called = false;
  {
    InMemoryModbusClient client(io);
    client.set_holding(1, 0, {1});
    client.start();
    client.read_holding(1, 0, 1, [&](Result<Registers>) { called = true; });
  }
  io.run();
  EXPECT_FALSE(called);
}

}  // namespace
}  // namespace bessd::modbus
