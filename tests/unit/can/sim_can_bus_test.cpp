#include <bessd/can/sim_can_bus.hpp>

#include <gtest/gtest.h>

#include "io_test_util.hpp"

namespace bessd::can {
namespace {

using testing::run_until;

TEST(SimCanBus, ConnectedPairExchangesFramesBothWays) {
  boost::asio::io_context io;
  SimCanBus a(io, "a"), b(io, "b");
  SimCanBus::connect(a, b);
  std::vector<CanFrame> at_a, at_b;
  a.on_frame([&](const CanFrame& f) { at_a.push_back(f); });
  b.on_frame([&](const CanFrame& f) { at_b.push_back(f); });
  a.open();
  b.open();
  ASSERT_TRUE(a.send(make_frame(0x305, {0, 0, 0, 0, 0, 0, 0, 0})));
  ASSERT_TRUE(b.send(make_frame(0x351, {0x14, 0x02})));
  EXPECT_TRUE(at_b.empty());  // asynchronous, like a real transport
  ASSERT_TRUE(run_until(io, [&] { return at_a.size() == 1 && at_b.size() == 1; }));
  EXPECT_EQ(at_b[0].id, 0x305U);
  EXPECT_EQ(at_a[0].id, 0x351U);
  EXPECT_EQ(a.sent().size(), 1U);
  EXPECT_EQ(a.sent()[0].id, 0x305U);
}

TEST(SimCanBus, InjectLinkDownAndClose) {
  boost::asio::io_context io;
  SimCanBus a(io);
  std::vector<CanFrame> got;
  std::vector<CanBusError> errors;
  a.on_frame([&](const CanFrame& f) { got.push_back(f); });
  a.on_error([&](const CanBusError& e) { errors.push_back(e); });
  EXPECT_FALSE(a.send(make_frame(0x1, {})));  // not open
  a.open();
  a.inject(make_frame(0x356, {1, 2, 3, 4, 5, 6}));
  ASSERT_TRUE(run_until(io, [&] { return got.size() == 1; }));
  a.set_link_up(false);
  auto st = a.send(make_frame(0x305, {}));
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::disconnected);
  a.inject(make_frame(0x356, {}));
  ASSERT_TRUE(run_until(
      io, [&] { return !errors.empty() && errors.back().kind == CanErrorKind::link_lost; }));
  EXPECT_EQ(got.size(), 1U);
  a.set_link_up(true);
  a.inject_error(CanBusError{CanErrorKind::bus_off, "sim: bus-off"});
  ASSERT_TRUE(run_until(io, [&] { return errors.back().kind == CanErrorKind::bus_off; }));
  a.close();
  a.inject(make_frame(0x356, {}));
  testing::run_for(io, std::chrono::milliseconds{10});
  EXPECT_EQ(got.size(), 1U);
}

TEST(SimCanBus, DestroyedPeerIsDisconnected) {
  boost::asio::io_context io;
  SimCanBus a(io);
  a.open();
  {
    SimCanBus b(io);
    b.open();
    SimCanBus::connect(a, b);
    ASSERT_TRUE(a.send(make_frame(0x1, {})));
  }
  // The frame posted to b must not run after b is gone, and a no longer has b as a peer.
  ASSERT_TRUE(a.send(make_frame(0x2, {})));
  testing::run_for(io, std::chrono::milliseconds{10});
  EXPECT_EQ(a.sent().size(), 2U);
}

}  // namespace
}  // namespace bessd::can
