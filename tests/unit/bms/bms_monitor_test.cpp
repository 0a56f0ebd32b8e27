// BmsMonitor with a ManualClock and an in-process bus pair (the test plays the BMS).
#include <bessd/bms/bms_bus_factory.hpp>
#include <bessd/bms/bms_monitor.hpp>
#include <bessd/bms/bms_monitor_timer.hpp>
#include <bessd/bms/protocols/pylontech_lv.hpp>
#include <bessd/can/sim_can_bus.hpp>
#include <bessd/can/slcan_bus.hpp>
#include <bessd/can/socketcan_bus.hpp>

#include <optional>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include <support/enum_round_trip.hpp>

namespace bessd::bms {
namespace {

using can::make_frame;
using std::chrono::milliseconds;

class BmsMonitorTest : public ::testing::Test {
 protected:
  BmsMonitorTest() : inverter_side_(io_, "inverter"), bms_side_(io_, "bms") {
    can::SimCanBus::connect(inverter_side_, bms_side_);
    bms_side_.on_frame([this](const can::CanFrame& f) { at_bms_.push_back(f); });
    bms_side_.open();
    monitor_.on_change(
        [this](const core::PackState&, const BmsChange& c) { changes_.push_back(c); });
  }
  void pump() {
    io_.restart();
    io_.poll();
  }
  void bms_sends(const can::CanFrame& f) {
    ASSERT_TRUE(bms_side_.send(f));
    pump();
  }
  void send_limits_and_measurements() {
    bms_sends(make_frame(0x351, {0x14, 0x02, 0xC0, 0x12, 0xC0, 0x12, 0xC2, 0x01}));
    bms_sends(make_frame(0x356, {0x7A, 0x13, 0xF2, 0xFE, 0x6B, 0x01}));
  }
  void advance(milliseconds d) {
    clock_.advance(d);
    monitor_.tick();
    pump();
  }
  std::vector<std::string> codes_since(std::size_t from) const {
    std::vector<std::string> out;
    for (std::size_t i = from; i < changes_.size(); ++i)
      for (const auto& e : changes_[i].events)
        out.push_back(e.code + ":" + std::string(core::to_string(e.edge)));
    return out;
  }
  bool safety_since(std::size_t from) const {
    for (std::size_t i = from; i < changes_.size(); ++i)
      if (changes_[i].safety_relevant) return true;
    return false;
  }
  std::size_t keepalives() const {
    std::size_t n = 0;
    for (const auto& f : at_bms_) n += f.id == 0x305;
    return n;
  }

  boost::asio::io_context io_;
  ManualClock clock_;
  can::SimCanBus inverter_side_;
  can::SimCanBus bms_side_;
  pylontech::PylontechLv protocol_;
  BmsMonitor monitor_{inverter_side_, protocol_, clock_, BmsMonitorOptions{}};
  std::vector<BmsChange> changes_;
  std::vector<can::CanFrame> at_bms_;
};

TEST_F(BmsMonitorTest, KeepAliveEverySecondOnAFixedGrid) {
  monitor_.start();
  pump();
  ASSERT_EQ(keepalives(), 1U);
  EXPECT_EQ(can::to_string(at_bms_[0]), "305#0000000000000000");
  advance(milliseconds{999});
  EXPECT_EQ(keepalives(), 1U);
  advance(milliseconds{1});
  EXPECT_EQ(keepalives(), 2U);
  advance(milliseconds{1500});  // late tick: sent once, grid kept (next at 3 s)
  EXPECT_EQ(keepalives(), 3U);
  advance(milliseconds{500});
  EXPECT_EQ(keepalives(), 4U);
  EXPECT_EQ(monitor_.stats().keepalives_sent, 4U);
}

TEST_F(BmsMonitorTest, FramesFillStateAndAges) {
  monitor_.start();
  pump();
  EXPECT_EQ(monitor_.health(), BmsHealth::waiting);
  send_limits_and_measurements();
  EXPECT_EQ(monitor_.health(), BmsHealth::fresh);
  EXPECT_DOUBLE_EQ(*monitor_.state().limits.charge_voltage_limit_v, 53.2);
  EXPECT_NEAR(*monitor_.state().current_a, -27.0, 1e-9);
  clock_.advance(milliseconds{700});
  ASSERT_TRUE(monitor_.age(PackPart::limits));
  EXPECT_EQ(*monitor_.age(PackPart::limits), milliseconds{700});
  EXPECT_FALSE(monitor_.age(PackPart::cells));
  EXPECT_EQ(monitor_.stats().frames_applied, 2U);
  // The inverter's own keep-alive echoing back, or any unknown id, is ignored.
  bms_sends(make_frame(0x360, {0xFF}));
  const std::uint8_t hv[3] = {1, 2, 3};
  bms_sends(can::make_extended_frame(0x4210, hv));
  EXPECT_EQ(monitor_.stats().frames_ignored, 2U);
}

TEST_F(BmsMonitorTest, StaleLostAndRestoredEdges) {
  monitor_.start();
  pump();
  send_limits_and_measurements();
  std::size_t mark = changes_.size();
  advance(milliseconds{2999});
  EXPECT_EQ(monitor_.health(), BmsHealth::fresh);
  EXPECT_TRUE(codes_since(mark).empty());
  advance(milliseconds{1});
  EXPECT_EQ(monitor_.health(), BmsHealth::stale);
  EXPECT_EQ(codes_since(mark), std::vector<std::string>{"bms.stale:raised"});
  EXPECT_TRUE(safety_since(mark));
  mark = changes_.size();
  advance(milliseconds{1999});
  EXPECT_TRUE(codes_since(mark).empty());  // no repeat while stale
  advance(milliseconds{1});
  EXPECT_EQ(monitor_.health(), BmsHealth::lost);
  ASSERT_EQ(codes_since(mark), std::vector<std::string>{"bms.lost:raised"});
  EXPECT_TRUE(safety_since(mark));
  EXPECT_EQ(changes_.back().events.front().fields.at("rule"), "COM-01");
  EXPECT_EQ(changes_.back().events.front().severity, core::Severity::critical);
  mark = changes_.size();
  advance(milliseconds{10000});
  EXPECT_TRUE(codes_since(mark).empty());
  // Only one of the two parts back: still lost.
  bms_sends(make_frame(0x351, {0x14, 0x02, 0xC0, 0x12, 0xC0, 0x12, 0xC2, 0x01}));
  EXPECT_EQ(monitor_.health(), BmsHealth::lost);
  bms_sends(make_frame(0x356, {0x7A, 0x13, 0xF2, 0xFE, 0x6B, 0x01}));
  EXPECT_EQ(monitor_.health(), BmsHealth::fresh);
  EXPECT_EQ(codes_since(mark), (std::vector<std::string>{"bms.lost:cleared", "bms.stale:cleared",
                                                         "bms.restored:once"}));
  EXPECT_TRUE(changes_.back().safety_relevant);
}

TEST_F(BmsMonitorTest, SilentBmsFromStartGoesStaleThenLost) {
  monitor_.start();
  pump();
  advance(milliseconds{3000});
  EXPECT_EQ(monitor_.health(), BmsHealth::stale);
  EXPECT_NE(changes_.back().events.front().message.find("no limits"), std::string::npos);
  advance(milliseconds{2000});
  EXPECT_EQ(monitor_.health(), BmsHealth::lost);
}

TEST_F(BmsMonitorTest, LimitsOlderThanMeasurementsStillGoStale) {
  monitor_.start();
  send_limits_and_measurements();
  for (int i = 0; i < 3; ++i) {
    clock_.advance(milliseconds{1000});
    bms_sends(make_frame(0x356, {0x7A, 0x13, 0xF2, 0xFE, 0x6B, 0x01}));
    monitor_.tick();
  }
  EXPECT_EQ(monitor_.health(), BmsHealth::stale);  // 0x351 is 3 s old
}

TEST_F(BmsMonitorTest, NextDeadlineCoversKeepAliveStaleAndLost) {
  monitor_.start();
  pump();
  const TimePoint t0 = clock_.now();
  EXPECT_EQ(monitor_.next_deadline(), t0 + milliseconds{1000});  // keep-alive
  BmsMonitor no_keepalive(inverter_side_, protocol_, clock_,
                          BmsMonitorOptions{milliseconds{3000}, milliseconds{5000}, {}});
  no_keepalive.start();
  EXPECT_EQ(no_keepalive.next_deadline(), t0 + milliseconds{3000});
  clock_.advance(milliseconds{3000});
  no_keepalive.tick();
  EXPECT_EQ(no_keepalive.next_deadline(), t0 + milliseconds{5000});
  clock_.advance(milliseconds{2000});
  no_keepalive.tick();
  EXPECT_EQ(no_keepalive.next_deadline(), TimePoint::max());
}

TEST_F(BmsMonitorTest, ProtectionEdgesAreSafetyRelevant) {
  monitor_.start();
  send_limits_and_measurements();
  bms_sends(make_frame(0x359, {0, 0, 0, 0, 6, 'P', 'N'}));
  std::size_t mark = changes_.size();
  bms_sends(make_frame(0x359, {0x02, 0, 0x08, 0, 6, 'P', 'N'}));
  EXPECT_EQ(codes_since(mark), (std::vector<std::string>{"bms.protection.cell_over_voltage:raised",
                                                         "bms.warning.over_temperature:raised"}));
  EXPECT_TRUE(changes_.back().safety_relevant);
  EXPECT_EQ(changes_.back().part, PackPart::flags);
  mark = changes_.size();
  bms_sends(make_frame(0x359, {0, 0, 0, 0, 6, 'P', 'N'}));
  EXPECT_EQ(codes_since(mark), (std::vector<std::string>{"bms.protection.cell_over_voltage:cleared",
                                                         "bms.warning.over_temperature:cleared"}));
  EXPECT_FALSE(changes_.back().safety_relevant);
  // Same flags again: no edge, not safety relevant.
  mark = changes_.size();
  bms_sends(make_frame(0x359, {0, 0, 0, 0, 6, 'P', 'N'}));
  EXPECT_TRUE(codes_since(mark).empty());
  EXPECT_FALSE(safety_since(mark));
}

TEST_F(BmsMonitorTest, LoweredLimitsAndDroppedEnablesAreSafetyRelevant) {
  monitor_.start();
  send_limits_and_measurements();
  bms_sends(make_frame(0x35C, {0xC0, 0}));
  std::size_t mark = changes_.size();
  bms_sends(make_frame(0x351, {0x14, 0x02, 0xC0, 0x12, 0xC0, 0x12, 0xC2, 0x01}));  // same
  EXPECT_FALSE(safety_since(mark));
  mark = changes_.size();
  bms_sends(make_frame(0x351, {0x14, 0x02, 0x00, 0x00, 0xC0, 0x12, 0xC2, 0x01}));  // CCL 0
  EXPECT_TRUE(safety_since(mark));
  mark = changes_.size();
  bms_sends(make_frame(0x35C, {0x40, 0}));  // charging no longer allowed
  EXPECT_TRUE(safety_since(mark));
  mark = changes_.size();
  bms_sends(make_frame(0x351, {0x14, 0x02, 0xC0, 0x12, 0xC0, 0x12, 0xC2, 0x01}));  // raised
  EXPECT_FALSE(safety_since(mark));
}

TEST_F(BmsMonitorTest, RejectedFramesRaiseOneEdgePerId) {
  monitor_.start();
  pump();
  std::size_t mark = changes_.size();
  bms_sends(make_frame(0x356, {0x7A, 0x13}));
  bms_sends(make_frame(0x356, {0x7A}));
  EXPECT_EQ(codes_since(mark), std::vector<std::string>{"bms.frame_rejected:raised"});
  EXPECT_EQ(changes_.back().events[0].message, "pylontech_lv 0x356: DLC 2, need at least 6");
  EXPECT_EQ(changes_.back().events[0].fields.at("id"), "0x356");
  EXPECT_EQ(monitor_.stats().frames_rejected, 2U);
  mark = changes_.size();
  bms_sends(make_frame(0x356, {0x7A, 0x13, 0xF2, 0xFE, 0x6B, 0x01}));
  EXPECT_EQ(codes_since(mark), std::vector<std::string>{"bms.frame_rejected:cleared"});
}

TEST_F(BmsMonitorTest, BusErrorsBecomeEventsBusOffIsSafetyRelevant) {
  monitor_.start();
  pump();
  std::size_t mark = changes_.size();
  inverter_side_.inject_error(can::CanBusError{can::CanErrorKind::bus_off, "sim: bus-off"});
  pump();
  EXPECT_EQ(codes_since(mark), std::vector<std::string>{"can.bus_off:once"});
  EXPECT_TRUE(changes_.back().safety_relevant);
  EXPECT_EQ(changes_.back().events[0].source, "can");
  EXPECT_EQ(changes_.back().events[0].message, "sim: bus-off");
  EXPECT_EQ(monitor_.stats().bus_errors, 1U);
}

// The link's error count (status, metrics) counts problems: recovery notices are only events.
TEST_F(BmsMonitorTest, RecoveryNoticesAreEventsNotErrors) {
  monitor_.start();
  pump();
  const std::size_t mark = changes_.size();
  for (const auto kind :
       {can::CanErrorKind::link_up, can::CanErrorKind::error_active, can::CanErrorKind::restarted})
    inverter_side_.inject_error(can::CanBusError{kind, "sim"});
  pump();
  EXPECT_EQ(codes_since(mark),
            (std::vector<std::string>{"can.link_up:once", "can.error_active:once",
                                      "can.restarted:once"}));
  EXPECT_EQ(monitor_.stats().bus_errors, 0U);
  inverter_side_.inject_error(can::CanBusError{can::CanErrorKind::error_passive, "sim"});
  pump();
  EXPECT_EQ(monitor_.stats().bus_errors, 1U);
}

TEST_F(BmsMonitorTest, KeepAliveFailureIsOneEdgeUntilItWorksAgain) {
  monitor_.start();
  pump();
  inverter_side_.set_link_up(false);
  pump();
  std::size_t mark = changes_.size();
  advance(milliseconds{1000});
  advance(milliseconds{1000});
  auto codes = codes_since(mark);
  EXPECT_EQ(std::count(codes.begin(), codes.end(), "bms.keepalive_failed:raised"), 1);
  EXPECT_EQ(monitor_.stats().keepalive_failures, 2U);
  inverter_side_.set_link_up(true);
  pump();
  mark = changes_.size();
  advance(milliseconds{1000});
  codes = codes_since(mark);
  EXPECT_EQ(std::count(codes.begin(), codes.end(), "bms.keepalive_failed:cleared"), 1);
  EXPECT_EQ(std::count(codes.begin(), codes.end(), "bms.keepalive_failed:raised"), 0);
}

TEST_F(BmsMonitorTest, StopDetachesFromTheBus) {
  monitor_.start();
  pump();
  monitor_.stop();
  EXPECT_FALSE(inverter_side_.is_open());
  const auto before = changes_.size();
  monitor_.tick();
  EXPECT_EQ(changes_.size(), before);
}

TEST(BmsMonitorOptions, FromConfig) {
  config::BmsConfig cfg;
  cfg.stale_ms = 2500;
  cfg.timeout_ms = 4000;
  cfg.keepalive_period_ms = 500;
  const auto o = BmsMonitorOptions::from_config(cfg);
  EXPECT_EQ(o.stale_after, milliseconds{2500});
  EXPECT_EQ(o.lost_after, milliseconds{4000});
  EXPECT_EQ(o.keepalive_period, milliseconds{500});
  const auto d = BmsMonitorOptions::from_config(config::BmsConfig{});
  EXPECT_EQ(d.stale_after, milliseconds{3000});
  EXPECT_EQ(d.lost_after, milliseconds{5000});
}

TEST(BmsMonitorTimer, DrivesKeepAliveOnARealLoop) {
  boost::asio::io_context io;
  SystemClock clock;
  can::SimCanBus inverter(io), bms(io);
  can::SimCanBus::connect(inverter, bms);
  std::size_t keepalives = 0;
  bms.on_frame([&](const can::CanFrame& f) { keepalives += f.id == 0x305; });
  bms.open();
  pylontech::PylontechLv proto;
  BmsMonitor monitor(inverter, proto, clock,
                     BmsMonitorOptions{milliseconds{3000}, milliseconds{5000}, milliseconds{10}});
  BmsMonitorTimer timer(io, monitor, clock);
  monitor.start();
  timer.start();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{3};
  while (keepalives < 3 && std::chrono::steady_clock::now() < deadline)
    io.run_one_for(milliseconds{20});
  EXPECT_GE(keepalives, 3U);
  timer.stop();
  monitor.stop();
}

TEST(BmsBusFactory, BuildsTheConfiguredTransport) {
  boost::asio::io_context io;
  config::BmsConfig cfg;
  EXPECT_NE(make_bms_bus(io, cfg, {}), nullptr);  // socketcan: nothing opened yet
  cfg.transport = config::BmsTransport::slcan;
  EXPECT_THROW(make_bms_bus(io, cfg, {}), std::invalid_argument);  // no device
  cfg.device = "/dev/ttyACM0";
  EXPECT_NE(make_bms_bus(io, cfg, {}), nullptr);
  cfg.bitrate = 83333;
  EXPECT_THROW(make_bms_bus(io, cfg, {}), std::invalid_argument);
}

// Listen-only reaches the controller: SLCAN opens with "L" (no acknowledgements), and a
// SocketCAN bus refuses every frame, opened or not.
TEST(BmsBusFactory, ListenOnlyReachesTheCanController) {
  boost::asio::io_context io;
  config::BmsConfig cfg;
  cfg.bus_role = config::BmsBusRole::listen_only;
  auto socketcan = make_bms_bus(io, cfg, {});
  auto* kernel = dynamic_cast<can::SocketCanBus*>(socketcan.get());
  ASSERT_NE(kernel, nullptr);
  EXPECT_TRUE(kernel->options().listen_only);
  const auto refused = kernel->send(can::make_frame(0x305, {0}));
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("listen-only"), std::string::npos)
      << refused.error().message;
  cfg.transport = config::BmsTransport::slcan;
  cfg.device = "/dev/ttyACM0";
  auto slcan = make_bms_bus(io, cfg, {});
  auto* serial = dynamic_cast<can::SlcanBus*>(slcan.get());
  ASSERT_NE(serial, nullptr);
  EXPECT_TRUE(serial->options().listen_only);
  cfg.bus_role = config::BmsBusRole::active;
  EXPECT_FALSE(dynamic_cast<can::SlcanBus&>(*make_bms_bus(io, cfg, {})).options().listen_only);
}

// A name once written (a log line, a message) must keep meaning its value: the words are pinned.
TEST(BmsHealthNames, NamesRoundTrip) {
  EXPECT_EQ(test_support::round_tripped_names(kBmsHealthNames),
            (std::vector<std::string_view>{"waiting", "fresh", "stale", "lost"}));
  EXPECT_EQ(enum_from_name(kBmsHealthNames, "ok"), std::nullopt);
  EXPECT_EQ(enum_from_name(kBmsHealthNames, "Fresh"), std::nullopt);
}

}  // namespace
}  // namespace bessd::bms
