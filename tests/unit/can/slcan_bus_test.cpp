// SlcanBus over a real pseudo-terminal pair: the test plays the adapter on the master side,
// reaching the bus through a symlink (like /dev/serial/by-id/...) so it can "unplug" (close the
// master) and "replug" (a new pty behind the same path).
#include <bessd/can/slcan_bus.hpp>

#include <fcntl.h>
#include <pty.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include <gtest/gtest.h>

#include "io_test_util.hpp"

namespace bessd::can {
namespace {

using testing::run_until;
namespace fs = std::filesystem;

class FakeAdapter {
 public:
  explicit FakeAdapter(const fs::path& link) : link_(link) { plug(); }
  ~FakeAdapter() { unplug(); }

  void plug() {
    int slave = -1;
    char name[256];
    if (::openpty(&master_, &slave, name, nullptr, nullptr) != 0)
      throw std::runtime_error("openpty failed");
    ::close(slave);  // the bus opens its own
    slave_ = -1;
    ::fcntl(master_, F_SETFL, ::fcntl(master_, F_GETFL) | O_NONBLOCK);
    retarget(name);
    received_.clear();
  }
  /// Keeps a slave descriptor open, as a real adapter's side stays up while the bus is closed:
  /// what is written meanwhile waits in the terminal's input queue for the next open.
  void hold_slave_open() {
    slave_ = ::open(link_.c_str(), O_RDWR | O_NOCTTY);
    ASSERT_GE(slave_, 0);
    termios t{};
    ::tcgetattr(slave_, &t);
    ::cfmakeraw(&t);  // a byte pipe, as the bus will set it
    ::tcsetattr(slave_, TCSANOW, &t);
  }
  void unplug() {
    if (slave_ >= 0) ::close(slave_);
    slave_ = -1;
    if (master_ >= 0) ::close(master_);
    master_ = -1;
    // The freed /dev/pts number can be handed to another test's pty at once (ctest -j), so a
    // link left pointing at it could open a stranger's terminal. Point it nowhere instead.
    retarget(link_.string() + ".unplugged");
  }
  void write(std::string_view s) {
    ASSERT_EQ(::write(master_, s.data(), s.size()), static_cast<ssize_t>(s.size()));
  }
  /// Everything the bus has written so far (non-blocking drain).
  const std::string& received() {
    char buf[256];
    for (;;) {
      const ssize_t n = ::read(master_, buf, sizeof buf);
      if (n <= 0) break;
      received_.append(buf, static_cast<std::size_t>(n));
    }
    return received_;
  }

 private:
  void retarget(const fs::path& target) {
    // error_code forms: this also runs from the destructor.
    std::error_code ec;
    const fs::path tmp = link_.string() + ".new";
    fs::remove(tmp, ec);
    fs::create_symlink(target, tmp, ec);
    if (!ec) fs::rename(tmp, link_, ec);  // atomic retarget, as udev does for by-id links
    EXPECT_FALSE(ec) << "retarget " << link_ << ": " << ec.message();
  }

  fs::path link_;
  int master_{-1};
  int slave_{-1};
  std::string received_;
};

class SlcanBusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/bessd-slcan-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    link_ = dir_ / "ttyCANable";
    adapter_ = std::make_unique<FakeAdapter>(link_);
  }
  void TearDown() override {
    bus_.reset();
    adapter_.reset();
    fs::remove_all(dir_);
  }
  void make_bus(std::uint32_t bitrate = 500000) {
    SlcanOptions opt;
    opt.device = link_.string();
    opt.bitrate = bitrate;
    opt.retry_min = std::chrono::milliseconds{5};
    opt.retry_max = std::chrono::milliseconds{20};
    bus_ = std::make_unique<SlcanBus>(io_, opt);
    bus_->on_frame([this](const CanFrame& f) { frames_.push_back(f); });
    bus_->on_error([this](const CanBusError& e) { errors_.push_back(e); });
    bus_->open();
  }
  int count(CanErrorKind kind) const {
    int n = 0;
    for (const auto& e : errors_) n += e.kind == kind;
    return n;
  }
  bool adapter_got(std::string_view s) { return adapter_->received().find(s) != std::string::npos; }

  boost::asio::io_context io_;
  fs::path dir_;
  fs::path link_;
  std::unique_ptr<FakeAdapter> adapter_;
  std::unique_ptr<SlcanBus> bus_;
  std::vector<CanFrame> frames_;
  std::vector<CanBusError> errors_;
};

TEST_F(SlcanBusTest, OpenSendsCloseBitrateOpenWithoutWaitingForAcks) {
  make_bus(250000);
  ASSERT_TRUE(run_until(io_, [&] { return adapter_got("C\rS5\rO\r"); })) << adapter_->received();
  EXPECT_TRUE(bus_->is_open());
  // No ack was sent (CANable); sending works at once.
  ASSERT_TRUE(bus_->send(make_frame(0x305, {0, 0, 0, 0, 0, 0, 0, 0})));
  ASSERT_TRUE(run_until(io_, [&] {
    return adapter_got("t30580000000000000000\r") && bus_->stats().frames_sent == 1;
  }));
  EXPECT_EQ(adapter_->received(), "C\rS5\rO\rt30580000000000000000\r");
}

// Red team 26g L4: a restart opens the port in the middle of the adapter's stream. The tail of
// the line sent before is counted, not reported; garbage after that is reported as before.
TEST_F(SlcanBusTest, TheTailOfALineFromBeforeTheOpenIsNoGarbage) {
  make_bus();
  ASSERT_TRUE(run_until(io_, [&] { return adapter_got("O\r"); }));
  adapter_->write("0C012C201\rt3518");
  adapter_->write("1402C012C012C201\r");
  ASSERT_TRUE(run_until(io_, [&] { return frames_.size() == 1; }));
  EXPECT_EQ(bus_->stats().malformed, 1U);
  EXPECT_EQ(count(CanErrorKind::malformed_input), 0) << "nothing to tell anyone";
  adapter_->write("garbage\rt35181402C012C012C201\r");
  ASSERT_TRUE(run_until(io_, [&] { return frames_.size() == 2; }));
  EXPECT_EQ(bus_->stats().malformed, 2U);
  EXPECT_EQ(count(CanErrorKind::malformed_input), 1);
}

// Red team 26k: what the adapter sent while nothing read it (bessd down for a restart) is stale:
// frames from before the open are not taken as the pack's present state, and a line the full
// buffer cut is not reported as garbage.
TEST_F(SlcanBusTest, WhatWasSentBeforeTheOpenIsDiscarded) {
  adapter_->hold_slave_open();  // the adapter's side stays up across the restart
  adapter_->write("t35181402C012C012C201\rt37986400000000000\rt35181402C012C012C201\r");
  make_bus();
  ASSERT_TRUE(run_until(io_, [&] { return adapter_got("O\r"); }));
  adapter_->write("t35680E1400D700000000\r");
  ASSERT_TRUE(run_until(io_, [&] { return !frames_.empty(); }));
  ASSERT_EQ(frames_.size(), 1U) << "only what was sent after the open";
  EXPECT_EQ(frames_[0].id, 0x356U);
  EXPECT_EQ(bus_->stats().malformed, 0U);
  EXPECT_EQ(count(CanErrorKind::malformed_input), 0);
}

// Red team 26i: the line cut by a restart is not always the first one read.
TEST_F(SlcanBusTest, EverythingBeforeTheFirstWholeMessageIsCountedOnly) {
  make_bus();
  ASSERT_TRUE(run_until(io_, [&] { return adapter_got("O\r"); }));
  adapter_->write("2C201\r");
  adapter_->write("t37986400000000000\r");  // cut short
  adapter_->write("t35181402C012C012C201\r");
  ASSERT_TRUE(run_until(io_, [&] { return frames_.size() == 1; }));
  EXPECT_EQ(bus_->stats().malformed, 2U);
  EXPECT_EQ(count(CanErrorKind::malformed_input), 0);
}

// A stream of nothing but garbage (a wrong baud rate) is reported all the same.
TEST_F(SlcanBusTest, AStreamOfOnlyGarbageIsReported) {
  make_bus();
  ASSERT_TRUE(run_until(io_, [&] { return adapter_got("O\r"); }));
  for (int i = 0; i < 12; ++i) adapter_->write("x~~~\r");
  ASSERT_TRUE(run_until(io_, [&] { return count(CanErrorKind::malformed_input) == 1; }));
}

TEST_F(SlcanBusTest, SplitWritesGarbageAcksAndBell) {
  make_bus();
  ASSERT_TRUE(run_until(io_, [&] { return adapter_got("O\r"); }));
  adapter_->write("\r");  // reply to C
  adapter_->write("t35181402C0");
  ASSERT_TRUE(run_until(io_, [&] { return bus_->stats().accepted == 1; }));
  EXPECT_TRUE(frames_.empty());
  adapter_->write("12C012C201\r\x01\x02garbage\r");
  adapter_->write("T1111222281122334455667788EA5F\rz\r\a");
  adapter_->write("more garbage\rt356");
  adapter_->write("67A13F2FE6B01\r");
  ASSERT_TRUE(run_until(io_, [&] { return frames_.size() == 3; }));
  EXPECT_EQ(frames_[0], make_frame(0x351, {0x14, 0x02, 0xC0, 0x12, 0xC0, 0x12, 0xC2, 0x01}));
  EXPECT_TRUE(frames_[1].extended);
  EXPECT_EQ(frames_[1].id, 0x11112222U);
  EXPECT_EQ(frames_[2].id, 0x356U);
  EXPECT_EQ(bus_->stats().malformed, 2U);
  EXPECT_EQ(count(CanErrorKind::malformed_input), 1);  // reported once, then counted
  EXPECT_EQ(bus_->stats().accepted, 2U);
  EXPECT_EQ(bus_->stats().rejected, 1U);
  EXPECT_EQ(count(CanErrorKind::send_failed), 1);
  EXPECT_TRUE(bus_->is_open());
}

TEST_F(SlcanBusTest, AdapterStatusAndKernelStateLinesAreReported) {
  make_bus();
  ASSERT_TRUE(run_until(io_, [&] { return adapter_got("O\r"); }));
  adapter_->write("FA0\rsb000000\r");
  ASSERT_TRUE(run_until(io_, [&] { return count(CanErrorKind::bus_off) == 1; }));
  EXPECT_EQ(count(CanErrorKind::error_passive), 1);
  EXPECT_EQ(count(CanErrorKind::bus_error), 1);
}

TEST_F(SlcanBusTest, UnplugAndReplugReopensWithBackoff) {
  make_bus();
  ASSERT_TRUE(run_until(io_, [&] { return adapter_got("O\r"); }));
  EXPECT_EQ(count(CanErrorKind::link_up), 1);
  adapter_->unplug();
  ASSERT_TRUE(run_until(io_, [&] { return count(CanErrorKind::link_lost) == 1; }));
  EXPECT_FALSE(bus_->is_open());
  EXPECT_FALSE(bus_->send(make_frame(0x305, {})));
  // The by-id path now leads nowhere: one clear error while it keeps retrying.
  const auto reconnects = bus_->stats().reconnects;
  ASSERT_TRUE(run_until(io_, [&] { return bus_->stats().reconnects >= reconnects + 3; }));
  EXPECT_EQ(count(CanErrorKind::open_failed), 2);  // "reopening after", then "cannot open"
  adapter_->plug();
  // The retry comes after the backoff reached so far (seconds); under TSan on a loaded 2-core
  // machine the reopen takes longer still, so these waits allow 10 s (they end when it happens).
  constexpr std::chrono::milliseconds kReplug{10'000};
  ASSERT_TRUE(run_until(
      io_, [&] { return adapter_got("C\rS6\rO\r"); }, kReplug))
      << adapter_->received();
  ASSERT_TRUE(run_until(
      io_, [&] { return count(CanErrorKind::link_up) == 2; }, kReplug))
      << count(CanErrorKind::link_up) << " link_up events";
  adapter_->write("t3562AABB\r");
  ASSERT_TRUE(run_until(io_, [&] { return frames_.size() == 1; }));
  EXPECT_EQ(frames_[0].data[1], 0xBB);
}

TEST_F(SlcanBusTest, MissingDeviceGivesOneClearError) {
  adapter_->unplug();
  fs::remove(link_);
  make_bus();
  ASSERT_TRUE(run_until(io_, [&] { return bus_->stats().reconnects >= 3; }));
  ASSERT_EQ(errors_.size(), 1U);
  EXPECT_EQ(errors_[0].kind, CanErrorKind::open_failed);
  EXPECT_NE(errors_[0].message.find("cannot open serial device"), std::string::npos);
  EXPECT_NE(errors_[0].message.find(link_.string()), std::string::npos);
}

TEST_F(SlcanBusTest, FiltersApplyToReceivedFrames) {
  SlcanOptions opt;
  opt.device = link_.string();
  opt.filters = {CanFilter{0x350, 0x7F0, false}};
  bus_ = std::make_unique<SlcanBus>(io_, opt);
  bus_->on_frame([this](const CanFrame& f) { frames_.push_back(f); });
  bus_->open();
  ASSERT_TRUE(run_until(io_, [&] { return adapter_got("O\r"); }));
  adapter_->write("t1231AA\rt35A1BB\r");
  ASSERT_TRUE(run_until(io_, [&] { return frames_.size() == 1; }));
  EXPECT_EQ(frames_[0].id, 0x35AU);
  EXPECT_EQ(bus_->stats().frames_filtered, 1U);
}

TEST(SlcanBusConfig, UnsupportedBitrateIsAStartupError) {
  boost::asio::io_context io;
  SlcanOptions opt;
  opt.device = "/dev/null";
  opt.bitrate = 83333;
  EXPECT_THROW(SlcanBus(io, opt), std::invalid_argument);
}

}  // namespace
}  // namespace bessd::can
