// SocketCanBus over socketpair(AF_UNIX, SOCK_SEQPACKET) carrying struct can_frame records, so
// the real Asio read/write path runs without kernel CAN. The SocketCanVcan tests run only when
// BESSD_VCAN names a real (v)can interface: the VM test (tests/vm/) sets it.
#include <bessd/can/socketcan_bus.hpp>

#include <linux/can.h>
#include <linux/can/error.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include <gtest/gtest.h>

#include "io_test_util.hpp"

namespace bessd::can {
namespace {

using testing::run_until;

struct can_frame kframe(canid_t id, std::initializer_list<std::uint8_t> data) {
  struct can_frame k {};
  k.can_id = id;
  k.len = static_cast<std::uint8_t>(data.size());
  std::copy(data.begin(), data.end(), k.data);
  return k;
}

class SocketCanPairTest : public ::testing::Test {
 protected:
  void SetUp() override {
    int fds[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds), 0);
    peer_ = fds[1];
    SocketCanOptions opt;
    opt.interface = "pair0";
    opt.filters = filters_;
    bus_ = SocketCanBus::adopt(io_, fds[0], opt);
    bus_->on_frame([this](const CanFrame& f) { frames_.push_back(f); });
    bus_->on_error([this](const CanBusError& e) { errors_.push_back(e); });
    bus_->open();
  }
  void TearDown() override {
    bus_.reset();
    if (peer_ >= 0) ::close(peer_);
  }
  void peer_write(const struct can_frame& k) {
    ASSERT_EQ(::write(peer_, &k, sizeof k), static_cast<ssize_t>(sizeof k));
  }
  bool has_error(CanErrorKind kind) const {
    for (const auto& e : errors_)
      if (e.kind == kind) return true;
    return false;
  }

  boost::asio::io_context io_;
  int peer_{-1};
  std::vector<CanFilter> filters_;
  std::unique_ptr<SocketCanBus> bus_;
  std::vector<CanFrame> frames_;
  std::vector<CanBusError> errors_;
};

TEST_F(SocketCanPairTest, ReceivesStandardAndExtendedFrames) {
  ASSERT_TRUE(bus_->is_open());
  peer_write(kframe(0x351, {0x14, 0x02, 0xC0, 0x12, 0xC0, 0x12, 0xC2, 0x01}));
  peer_write(kframe(0x1ABCDEF | CAN_EFF_FLAG, {0xAA}));
  auto rtr = kframe(0x123 | CAN_RTR_FLAG, {});
  rtr.len = 4;
  peer_write(rtr);
  ASSERT_TRUE(run_until(io_, [&] { return frames_.size() == 3; }));
  EXPECT_EQ(frames_[0], make_frame(0x351, {0x14, 0x02, 0xC0, 0x12, 0xC0, 0x12, 0xC2, 0x01}));
  EXPECT_TRUE(frames_[1].extended);
  EXPECT_EQ(frames_[1].id, 0x1ABCDEFU);
  EXPECT_TRUE(frames_[2].remote);
  EXPECT_EQ(frames_[2].dlc, 4);
  EXPECT_EQ(bus_->stats().frames_received, 3U);
}

TEST_F(SocketCanPairTest, SendsStructCanFrameRecords) {
  ASSERT_TRUE(bus_->send(make_frame(0x305, {0, 0, 0, 0, 0, 0, 0, 0})));
  const std::uint8_t ext_data[2] = {1, 2};
  ASSERT_TRUE(bus_->send(make_extended_frame(0x18FF50E5, ext_data)));
  ASSERT_TRUE(run_until(io_, [&] { return bus_->stats().frames_sent == 2; }));
  struct can_frame k {};
  ASSERT_EQ(::read(peer_, &k, sizeof k), static_cast<ssize_t>(sizeof k));
  EXPECT_EQ(k.can_id, 0x305U);
  EXPECT_EQ(k.len, 8);
  ASSERT_EQ(::read(peer_, &k, sizeof k), static_cast<ssize_t>(sizeof k));
  EXPECT_EQ(k.can_id, 0x18FF50E5U | CAN_EFF_FLAG);
  EXPECT_EQ(k.len, 2);
  EXPECT_EQ(k.data[1], 2);
}

TEST_F(SocketCanPairTest, RejectsInvalidFramesAtSend) {
  auto st = bus_->send(make_frame(0x800, {}));
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::invalid_argument);
}

TEST_F(SocketCanPairTest, ErrorFramesAreDecodedAndReported) {
  peer_write(kframe(CAN_ERR_FLAG | CAN_ERR_BUSOFF, {0, 0, 0, 0, 0, 0, 0, 0}));
  peer_write(kframe(CAN_ERR_FLAG | CAN_ERR_CRTL, {0, CAN_ERR_CRTL_TX_PASSIVE, 0, 0, 0, 0, 0, 0}));
  peer_write(kframe(CAN_ERR_FLAG | CAN_ERR_LOSTARB, {3, 0, 0, 0, 0, 0, 0, 0}));
  ASSERT_TRUE(run_until(io_, [&] { return bus_->stats().error_frames == 3; }));
  EXPECT_TRUE(has_error(CanErrorKind::bus_off));
  EXPECT_TRUE(has_error(CanErrorKind::error_passive));
  EXPECT_TRUE(has_error(CanErrorKind::arbitration_lost));
  EXPECT_TRUE(frames_.empty());  // error frames never reach the frame handler
}

TEST_F(SocketCanPairTest, ShortRecordReportedThenReadingContinues) {
  const char junk[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  ASSERT_EQ(::write(peer_, junk, sizeof junk), 8);
  peer_write(kframe(0x356, {0x7A, 0x13, 0xF2, 0xFE, 0x6B, 0x01}));
  ASSERT_TRUE(run_until(io_, [&] { return frames_.size() == 1; }));
  EXPECT_TRUE(has_error(CanErrorKind::malformed_input));
  EXPECT_EQ(bus_->stats().malformed, 1U);
}

TEST_F(SocketCanPairTest, PeerGoneIsLinkLostAndSendFails) {
  ::close(peer_);
  peer_ = -1;
  ASSERT_TRUE(run_until(io_, [&] { return has_error(CanErrorKind::link_lost); }));
  EXPECT_FALSE(bus_->is_open());
  auto st = bus_->send(make_frame(0x305, {}));
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::disconnected);
}

TEST_F(SocketCanPairTest, NoCallbackAfterClose) {
  bus_->close();
  peer_write(kframe(0x351, {1}));
  testing::run_for(io_, std::chrono::milliseconds{20});
  EXPECT_TRUE(frames_.empty());
  EXPECT_FALSE(bus_->send(make_frame(0x305, {})));
  // Re-opening an adopted descriptor works (the bus kept it).
  bus_->open();
  ASSERT_TRUE(run_until(io_, [&] { return frames_.size() == 1; }));
}

class SocketCanFilterTest : public SocketCanPairTest {
 protected:
  void SetUp() override {
    filters_ = {CanFilter{0x350, 0x7F0, false}};
    SocketCanPairTest::SetUp();
  }
};

TEST_F(SocketCanFilterTest, FiltersApplyInUserSpaceToo) {
  peer_write(kframe(0x123, {1}));
  peer_write(kframe(0x351 | CAN_EFF_FLAG, {2}));  // extended 0x351 is a different frame
  peer_write(kframe(0x35A, {3}));
  ASSERT_TRUE(run_until(io_, [&] { return frames_.size() == 1; }));
  testing::run_for(io_, std::chrono::milliseconds{10});
  ASSERT_EQ(frames_.size(), 1U);
  EXPECT_EQ(frames_[0].id, 0x35AU);
  EXPECT_EQ(bus_->stats().frames_filtered, 2U);
}

TEST(SocketCanOpen, MissingInterfaceOrKernelWithoutCanGivesOneClearErrorAndRetries) {
  boost::asio::io_context io;
  SocketCanOptions opt;
  opt.interface = "bessdnocan9";
  opt.retry_min = std::chrono::milliseconds{2};
  opt.retry_max = std::chrono::milliseconds{4};
  SocketCanBus bus(io, opt);
  std::vector<CanBusError> errors;
  bus.on_error([&](const CanBusError& e) { errors.push_back(e); });
  bus.open();
  ASSERT_TRUE(run_until(io, [&] { return bus.stats().reconnects >= 5; }));
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_EQ(errors[0].kind, CanErrorKind::open_failed);
  const auto& msg = errors[0].message;
  EXPECT_NE(msg.find("socketcan bessdnocan9"), std::string::npos) << msg;
  EXPECT_TRUE(msg.find("no CAN support") != std::string::npos ||
              msg.find("no such network interface") != std::string::npos)
      << msg;
  EXPECT_NE(msg.find("retrying"), std::string::npos) << msg;
  EXPECT_FALSE(bus.is_open());
  bus.close();
}

// --- Real kernel CAN: runs inside the VM (tests/vm/), skipped elsewhere. ---
TEST(SocketCanVcan, ExchangesFramesOverRealInterface) {
  const char* ifname = std::getenv("BESSD_VCAN");
  if (ifname == nullptr) GTEST_SKIP() << "BESSD_VCAN not set (the VM test sets it)";
  boost::asio::io_context io;
  SocketCanOptions a_opt;
  a_opt.interface = ifname;
  SocketCanOptions b_opt = a_opt;
  b_opt.filters = {CanFilter{0x350, 0x7F0, false}};  // kernel filter on the receiving side
  SocketCanBus a(io, a_opt), b(io, b_opt);
  std::vector<CanFrame> at_a, at_b;
  std::vector<CanBusError> errors;
  a.on_frame([&](const CanFrame& f) { at_a.push_back(f); });
  b.on_frame([&](const CanFrame& f) { at_b.push_back(f); });
  a.on_error([&](const CanBusError& e) { errors.push_back(e); });
  b.on_error([&](const CanBusError& e) { errors.push_back(e); });
  a.open();
  b.open();
  ASSERT_TRUE(run_until(io, [&] { return a.is_open() && b.is_open(); }))
      << (errors.empty() ? "" : errors.back().message);
  ASSERT_TRUE(a.send(make_frame(0x123, {9})));  // filtered out at b
  ASSERT_TRUE(a.send(make_frame(0x351, {0x14, 0x02, 0xC0, 0x12, 0xC0, 0x12, 0xC2, 0x01})));
  const std::uint8_t ext[3] = {1, 2, 3};
  ASSERT_TRUE(b.send(make_extended_frame(0x18FF50E5, ext)));
  ASSERT_TRUE(b.send(make_frame(0x305, {0, 0, 0, 0, 0, 0, 0, 0})));
  ASSERT_TRUE(run_until(io, [&] { return !at_b.empty() && at_a.size() >= 2; }));
  testing::run_for(io, std::chrono::milliseconds{50});
  ASSERT_EQ(at_b.size(), 1U);
  EXPECT_EQ(at_b[0], make_frame(0x351, {0x14, 0x02, 0xC0, 0x12, 0xC0, 0x12, 0xC2, 0x01}));
  ASSERT_EQ(at_a.size(), 2U);
  EXPECT_EQ(at_a[0], make_extended_frame(0x18FF50E5, ext));
  EXPECT_EQ(at_a[1].id, 0x305U);
  EXPECT_EQ(a.stats().frames_sent, 2U);
}

TEST(SocketCanVcan, ManageLinkOnVcanReportsConfigErrorButOpens) {
  const char* ifname = std::getenv("BESSD_VCAN");
  if (ifname == nullptr) GTEST_SKIP() << "BESSD_VCAN not set (the VM test sets it)";
  boost::asio::io_context io;
  SocketCanOptions opt;
  opt.interface = ifname;
  opt.manage_link = true;  // libsocketcan has no bit rate on vcan: reported, not fatal
  SocketCanBus bus(io, opt);
  std::vector<CanBusError> errors;
  bus.on_error([&](const CanBusError& e) { errors.push_back(e); });
  bus.open();
  ASSERT_TRUE(run_until(io, [&] { return bus.is_open(); }))
      << (errors.empty() ? "" : errors.back().message);
  bool config_reported = false;
  for (const auto& e : errors) config_reported = config_reported || e.kind == CanErrorKind::config;
  EXPECT_TRUE(config_reported);
}

TEST(SocketCanVcan, InterfaceDownGivesClearError) {
  const char* ifname = std::getenv("BESSD_VCAN_DOWN");
  if (ifname == nullptr) GTEST_SKIP() << "BESSD_VCAN_DOWN not set (the VM test sets it)";
  boost::asio::io_context io;
  SocketCanOptions opt;
  opt.interface = ifname;
  opt.retry_min = std::chrono::milliseconds{5};
  SocketCanBus bus(io, opt);
  std::vector<CanBusError> errors;
  bus.on_error([&](const CanBusError& e) { errors.push_back(e); });
  bus.open();
  ASSERT_TRUE(run_until(io, [&] { return bus.stats().reconnects >= 2; }));
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_NE(errors[0].message.find("interface is down"), std::string::npos) << errors[0].message;
}

}  // namespace
}  // namespace bessd::can
