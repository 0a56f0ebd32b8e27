// What bessd puts on the BMS bus in each bus role, built as the daemon builds it
// (make_bms_protocol + BmsMonitorOptions::from_config), on an in-process bus pair: the other end
// plays the pack and, in listen-only mode, the inverter that polls it.
#include <bessd/bms/bms_monitor.hpp>
#include <bessd/bms/bms_protocol_factory.hpp>
#include <bessd/bms/protocols/pylontech_hv_frames.hpp>
#include <bessd/can/sim_can_bus.hpp>

#include <vector>

#include <gtest/gtest.h>

namespace bessd::bms {
namespace {

using std::chrono::milliseconds;
namespace hv = pylontech_hv;

class BusRoleTest : public ::testing::Test {
 protected:
  void build(const config::BmsConfig& cfg) {
    protocol_ = make_bms_protocol(cfg);
    ASSERT_NE(protocol_, nullptr);
    monitor_ = std::make_unique<BmsMonitor>(inverter_side_, *protocol_, clock_,
                                            BmsMonitorOptions::from_config(cfg));
    can::SimCanBus::connect(inverter_side_, pack_side_);
    pack_side_.on_frame([this](const can::CanFrame& f) { on_the_wire_.push_back(f); });
    pack_side_.open();
    monitor_->start();
    pump();
  }
  void pump() {
    io_.restart();
    io_.poll();
  }
  // One second of an HV bus as a pack (and an inverter polling it) make it.
  void hv_second(bool inverter_polls) {
    if (inverter_polls) {
      ASSERT_TRUE(pack_side_.send(hv::encode(hv::Request{})));
    }
    ASSERT_TRUE(pack_side_.send(hv::encode(hv::Ensemble{409.6, -12.0, 21.0, 55, 99})));
    ASSERT_TRUE(pack_side_.send(hv::encode(hv::Limits{432.0, 345.6, 25.0, 25.0})));
    clock_.advance(milliseconds{1000});
    monitor_->tick();
    pump();
  }

  boost::asio::io_context io_;
  ManualClock clock_;
  can::SimCanBus inverter_side_{io_, "bessd"};
  can::SimCanBus pack_side_{io_, "pack"};
  std::unique_ptr<BmsProtocol> protocol_;
  std::unique_ptr<BmsMonitor> monitor_;
  std::vector<can::CanFrame> on_the_wire_;
};

TEST_F(BusRoleTest, ListenOnlyOnAnHvPackNeverTransmits) {
  config::BmsConfig cfg;
  cfg.protocol = config::BmsProtocol::pylontech_hv;
  cfg.bus_role = config::BmsBusRole::listen_only;
  build(cfg);
  for (int s = 0; s < 30; ++s) hv_second(true);
  EXPECT_TRUE(on_the_wire_.empty()) << can::to_string(on_the_wire_.front());
  EXPECT_EQ(monitor_->stats().keepalives_sent, 0u);
  EXPECT_EQ(monitor_->health(), BmsHealth::fresh);
  EXPECT_DOUBLE_EQ(*monitor_->state().soc_pct, 55);
  // Silent pack: stale, then lost, and still nothing sent.
  clock_.advance(milliseconds{6000});
  monitor_->tick();
  pump();
  EXPECT_EQ(monitor_->health(), BmsHealth::lost);
  EXPECT_TRUE(on_the_wire_.empty());
}

TEST_F(BusRoleTest, ListenOnlyOnAnLvBmsSendsNoKeepAlive) {
  config::BmsConfig cfg;
  cfg.bus_role = config::BmsBusRole::listen_only;
  build(cfg);
  for (int s = 0; s < 10; ++s) {
    clock_.advance(milliseconds{1000});
    monitor_->tick();
    pump();
  }
  EXPECT_TRUE(on_the_wire_.empty());
  EXPECT_EQ(monitor_->stats().keepalives_sent, 0u);
}

// The active master polls every period; it commands the relay only for what the controller
// permits, from the next period on.
TEST_F(BusRoleTest, TheActiveHvMasterPollsEveryPeriodAndCommandsWhatIsPermitted) {
  config::BmsConfig cfg;
  cfg.protocol = config::BmsProtocol::pylontech_hv;
  cfg.bus_role = config::BmsBusRole::active;
  build(cfg);
  const auto count = [this](std::uint32_t id) {
    std::size_t n = 0;
    for (const auto& f : on_the_wire_) n += f.id == id;
    return n;
  };
  for (int s = 0; s < 2; ++s) hv_second(false);
  EXPECT_EQ(count(hv::kIdRelayCommand), 0u);
  EXPECT_EQ(count(hv::kIdSleep), 0u);
  monitor_->permit({true, false, true});
  for (int s = 0; s < 3; ++s) hv_second(false);
  std::size_t ensemble_polls = 0;
  for (const auto& f : on_the_wire_) {
    EXPECT_TRUE(f.extended) << can::to_string(f);
    ensemble_polls += f.id == hv::kIdRequest && f.data[0] == hv::kRequestEnsemble;
    if (f.id == hv::kIdRelayCommand) {
      EXPECT_EQ(can::to_string(f), "00008210#AA00000000000000");
    }
  }
  // One at start, one per second after.
  EXPECT_EQ(ensemble_polls, 6u);
  EXPECT_EQ(count(hv::kIdRelayCommand), 3u);
  EXPECT_EQ(count(hv::kIdSleep), 3u);
  EXPECT_EQ(monitor_->health(), BmsHealth::fresh);
}

TEST(BmsProtocolFactory, BuildsTheConfiguredProtocol) {
  config::BmsConfig cfg;
  EXPECT_EQ(make_bms_protocol(cfg)->name(), "pylontech_lv");
  cfg.protocol = config::BmsProtocol::pylontech_hv;
  cfg.address = 3;
  cfg.bus_role = config::BmsBusRole::listen_only;
  auto hv_protocol = make_bms_protocol(cfg);
  EXPECT_EQ(hv_protocol->name(), "pylontech_hv");
  EXPECT_TRUE(hv_protocol->keepalive_frames().empty());
  core::PackState state;
  const auto other = hv_protocol->apply(hv::encode(hv::Ensemble{}, 0), TimePoint{}, state);
  EXPECT_EQ(other.kind, DecodeOutcome::Kind::ignored) << "address 3 is the one followed";
  EXPECT_FALSE(state.voltage_v);
}

}  // namespace
}  // namespace bessd::bms
