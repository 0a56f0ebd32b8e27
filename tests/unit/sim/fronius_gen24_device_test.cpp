// bess-sim's SunSpec device as a Fronius GEN24 (--sunspec-variant fronius_gen24) seen from a Modbus
// client: where the GEN24 deviates from the standard and from the generic device (the sources are
// in src/sim/devices/fronius_gen24_device.cpp). Each test here fails on the generic device: its
// model chain, the end of its map, exception 03 for an invalid power window and for values out of
// range, writes to read-only points ignored, WChaMax the battery's, the auto-scaled factors, the
// revert time kept across a restart, MinRsvPct only under storage control, the meter at unit 200.

#include <modbus.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <bessd/sim/sim_world.hpp>

#include <bessd/sim/devices/inverter_device.hpp>

#include "device_test_fixture.hpp"

namespace bessd::sim {
namespace {
namespace fronius_test {  // a namespace of its own: unity batches merge the tests' anonymous ones

using test::ascii_of;

constexpr int kUnit = 1;         // the inverter's default [M]
constexpr int kMeterUnit = 200;  // the Smart Meter's default [M]
// Fronius's map (wire addresses): the chain and model 124's points.
constexpr int k103 = 40069, k120 = 40121, k160 = 40253, k124 = 40343, kEnd = 40369;
constexpr int kWChaMax = k124 + 2, kStorCtlMod = k124 + 5, kVAChaMax = k124 + 6,
              kMinRsvPct = k124 + 7, kChaState = k124 + 8, kStorAval = k124 + 9,
              kInBatV = k124 + 10, kOutWRte = k124 + 12, kInWRte = k124 + 13, kWinTms = k124 + 14,
              kRvrtTms = k124 + 15, kRmpTms = k124 + 16, kChaGriSet = k124 + 17;
constexpr int kIllegalFunction = 1, kIllegalAddress = 2, kIllegalDataValue = 3;

std::uint16_t word(int v) {
  return static_cast<std::uint16_t>(static_cast<std::int16_t>(v));
}
int s16(std::uint16_t r) {
  return static_cast<std::int16_t>(r);
}

class FroniusGen24Test : public test::DeviceTest {
 protected:
  static WorldParams gen24_world() {
    WorldParams p;
    // A BMS that lets the 5 kW rating through (50 A would cap the pack near 2.6 kW both ways).
    p.bms.rated_charge_current_a = 120.0;
    p.bms.rated_discharge_current_a = 120.0;
    return p;
  }
  void start_at(double hour, WorldParams p = gen24_world(), bool window_per_register = false) {
    start_device(
        [window_per_register](std::uint8_t unit, const SimWorld& w,
                              std::function<std::int64_t()> clock) {
          return make_sunspec_device(unit, w, std::move(clock),
                                     {.variant = SunSpecOptions::Variant::fronius_gen24,
                                      .window_per_register = window_per_register});
        },
        kUnit, hour, p);
  }
  /// A read the device may refuse: the exception code, 0 if it answered.
  int read_code(int address, int n) {
    std::vector<std::uint16_t> v(static_cast<std::size_t>(n));
    errno = 0;
    const int rc = modbus_read_registers(ctx, address, n, v.data());
    return rc >= 0 ? 0 : errno - MODBUS_ENOBASE;
  }
  /// A write the device's map refuses before the device sees it (no hook runs): the exception
  /// code, 0 if it was taken.
  int write_code(int address, std::uint16_t v) {
    errno = 0;
    const int rc = modbus_write_register(ctx, address, v);
    return rc >= 0 ? 0 : errno - MODBUS_ENOBASE;
  }
  /// The models a SunSpec reader finds walking the chain from 40002: (id, start, length).
  std::vector<std::vector<int>> chain() {
    std::vector<std::vector<int>> models;
    int a = 40002;
    for (int i = 0; i < 20; ++i) {
      const auto h = holding(a, 2);
      if (h[0] == 0xFFFF) break;
      models.push_back({h[0], a, h[1]});
      a += 2 + h[1];
    }
    return models;
  }
  /// A value and its scale factor, read in one request where they are adjacent.
  double scaled(int value_address, int sf_address) {
    const auto v = holding(value_address, 1)[0];
    const auto sf = holding(sf_address, 1)[0];
    return s16(v) * std::pow(10.0, s16(sf));
  }
  double wcha_w() { return holding(kWChaMax, 1)[0]; }
  /// Forced discharge at `pct` of WChaMax: OutWRte +pct, InWRte -pct (one FC16), StorCtl_Mod 3.
  void forced_discharge(double pct) {
    const int raw = static_cast<int>(std::lround(pct * 100));
    write_fc16(kOutWRte, {word(raw), word(-raw)});
    write_fc06(kStorCtlMod, 3);
  }
  void reconnect_after_restart() {
    // Reconnect once the old connection is gone (a new one made earlier could be dropped too).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    std::uint16_t probe = 0;
    while (modbus_read_registers(ctx, 40000, 1, &probe) == 1 &&
           std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    disconnect();
    connect();
  }
};

TEST_F(FroniusGen24Test, ModelChainIsTheGen24sWithModel124After160AndNo802) {
  start_at(19);
  EXPECT_EQ(holding(40000, 2), (std::vector<std::uint16_t>{0x5375, 0x6E53}));
  const auto models = chain();
  std::vector<int> ids(models.size());
  std::transform(models.begin(), models.end(), ids.begin(), [](const auto& m) { return m[0]; });
  EXPECT_EQ(ids, (std::vector<int>{1, 103, 120, 121, 122, 123, 160, 124}));
  ASSERT_EQ(models.size(), 8U);
  EXPECT_EQ(models[0], (std::vector<int>{1, 40002, 65}));  // no Pad
  EXPECT_EQ(models[1][1], k103);
  EXPECT_EQ(models[6], (std::vector<int>{160, k160, 88}));
  EXPECT_EQ(models[7], (std::vector<int>{124, k124, 24}));
  EXPECT_EQ(holding(kEnd, 2), (std::vector<std::uint16_t>{0xFFFF, 0}));
  EXPECT_EQ(ascii_of(holding(40004, 4)), std::string("Fronius") + '\0');
  EXPECT_EQ(ascii_of(holding(40020, 8)).substr(0, 14), "Symo GEN24 5.0");
  EXPECT_EQ(holding(40068, 1)[0], kUnit);               // DA
  EXPECT_EQ(holding(k120 + 2, 1)[0], 82);               // DERTyp PV_STOR
  EXPECT_NEAR(scaled(k120 + 3, k120 + 4), 5000, 1e-6);  // WRtg with SF 1
  EXPECT_EQ(holding(k160 + 8, 1)[0], 4);
  EXPECT_EQ(ascii_of(holding(k160 + 10 + 40 + 1, 4)).substr(0, 7), "StCha 3");
  EXPECT_EQ(ascii_of(holding(k160 + 10 + 60 + 1, 5)), "StDisCha 4");
}

TEST_F(FroniusGen24Test, OutsideItsMapReadsAndWritesGetException02AndFc04Exception01) {
  start_at(19);
  EXPECT_EQ(read_code(40370, 1), 0);  // the end marker's length: the map's last register
  EXPECT_EQ(read_code(40371, 1), kIllegalAddress);
  EXPECT_EQ(read_code(40360, 20), kIllegalAddress);  // a block running past the end
  EXPECT_EQ(read_code(0, 1), kIllegalAddress);
  EXPECT_EQ(read_code(39999, 2), kIllegalAddress);
  EXPECT_EQ(write_code(40400, 1), kIllegalAddress);
  std::uint16_t v = 0;
  errno = 0;
  EXPECT_EQ(modbus_read_input_registers(ctx, 40000, 1, &v), -1);
  EXPECT_EQ(errno - MODBUS_ENOBASE, kIllegalFunction);
}

TEST_F(FroniusGen24Test, InvalidPowerWindowIsRefusedWithException03AndChangesNothing) {
  start_at(19);
  forced_discharge(30);  // OutWRte +30 %, InWRte -30 %: -InWRte == OutWRte is valid
  EXPECT_EQ(holding(kStorCtlMod, 1)[0], 3);
  // InWRte -50 % beside OutWRte +30 % under StorCtl_Mod 3: -InWRte > OutWRte.
  EXPECT_EQ(refused_fc06(kInWRte, word(-5000)), kIllegalDataValue);
  EXPECT_EQ(s16(holding(kInWRte, 1)[0]), -3000);
  device->apply(*world);
  EXPECT_NEAR(commanded_w(), -0.3 * wcha_w(), 1.0);

  // Charge from grid the way evcc does (StorCtl_Mod 2, OutWRte negative), then block charging
  // (StorCtl_Mod 3, InWRte 0, OutWRte 100 %) with the falling rate first: refused, as [V] saw on
  // a GEN24. The rising rate first works.
  write_fc16(kOutWRte, {word(-5000), 10000});
  write_fc06(kStorCtlMod, 2);
  write_fc06(kStorCtlMod, 3);  // InWRte 100 %, OutWRte -50 %: still valid
  EXPECT_EQ(refused_fc06(kInWRte, 0), kIllegalDataValue);
  EXPECT_EQ(holding(kInWRte, 1)[0], 10000);
  write_fc06(kOutWRte, 10000);
  write_fc06(kInWRte, 0);
  device->apply(*world);
  const auto rd = world->readings();
  EXPECT_NEAR(commanded_w(), std::min(0.0, rd.pv_w - rd.load_w), 1e-6);  // no charging

  const auto s = device->status();
  EXPECT_EQ(s.at("refused_writes"), 2);
  EXPECT_EQ(s.at("refused_windows"), 2);
  EXPECT_EQ(s.at("refusals_by_code").at("03"), 2);
  EXPECT_EQ(s.at("refused_by_register").at("InWRte"), 2);
  EXPECT_EQ(s.at("last_refusal").at("reason"), "invalid_window");
  EXPECT_EQ(s.at("register_writes").at("StorCtl_Mod"), 3);
}

// --gen24-window-check per_register: the window judged after each register of one request. From
// a forced discharge, the hold's OutWRte 0 first (beside InWRte -30 %) closes it: refused, where
// the whole request (both rates 0) is a valid window and is taken by the default device.
TEST_F(FroniusGen24Test, APerRegisterWindowCheckRefusesARequestThatClosesItHalfway) {
  start_at(19, gen24_world(), /*window_per_register=*/true);
  EXPECT_EQ(device->status().at("window_check"), "per_register");
  forced_discharge(30);  // OutWRte first, beside InWRte 100 %: open all the way
  EXPECT_EQ(holding(kStorCtlMod, 1)[0], 3);
  std::vector<std::uint16_t> hold = {0, 0};
  errno = 0;
  EXPECT_EQ(modbus_write_registers(ctx, kOutWRte, 2, hold.data()), -1);
  EXPECT_EQ(errno - MODBUS_ENOBASE, kIllegalDataValue);
  EXPECT_EQ(s16(holding(kOutWRte, 1)[0]), 3000) << "nothing of the request taken";
  // InWRte first, then OutWRte: open at every step.
  write_fc06(kInWRte, 0);
  write_fc06(kOutWRte, 0);
  EXPECT_EQ(device->status().at("refused_windows"), 1);
}

TEST_F(FroniusGen24Test, TheDefaultDeviceJudgesTheWholeRequest) {
  start_at(19);
  EXPECT_EQ(device->status().at("window_check"), "whole_request");
  forced_discharge(30);
  write_fc16(kOutWRte, {0, 0});
  EXPECT_EQ(holding(kOutWRte, 2), (std::vector<std::uint16_t>{0, 0}));
  EXPECT_EQ(device->status().at("refused_windows"), 0);
}

TEST_F(FroniusGen24Test, ValuesOutsideFroniusRangesGetException03AndNothingOfTheRequest) {
  start_at(19);
  EXPECT_EQ(refused_fc06(kStorCtlMod, 4), kIllegalDataValue);
  EXPECT_EQ(refused_fc06(kOutWRte, 10001), kIllegalDataValue);
  EXPECT_EQ(refused_fc06(kInWRte, word(-10001)), kIllegalDataValue);
  EXPECT_EQ(refused_fc06(kRvrtTms, 28801), kIllegalDataValue);
  EXPECT_EQ(refused_fc06(kChaGriSet, 2), kIllegalDataValue);
  EXPECT_EQ(refused_fc06(kMinRsvPct, 10001), kIllegalDataValue);
  // One bad value refuses the whole FC16: StorCtl_Mod stays 0.
  EXPECT_EQ(refused_fc16(kStorCtlMod, {2, 0xFFFF, 20000}), kIllegalDataValue);
  EXPECT_EQ(holding(kStorCtlMod, 3), (std::vector<std::uint16_t>{0, 0xFFFF, 500}));
  // The limits themselves are taken.
  EXPECT_EQ(refused_fc06(kRvrtTms, 28800), 0);
  EXPECT_EQ(refused_fc06(kOutWRte, word(-10000)), 0);
  const auto s = device->status();
  EXPECT_EQ(s.at("refused_values"), 7);
  EXPECT_EQ(s.at("refused_windows"), 0);
  EXPECT_EQ(s.at("last_refusal").at("reason"), "out_of_range");
}

TEST_F(FroniusGen24Test, RatesArePercentOfTheBatterysWChaMaxNotOfTheRating) {
  WorldParams p = gen24_world();
  p.pack.capacity_ah = 200.0;  // WChaMax (1C) twice the 5 kW rating
  start_at(19, p);
  const double wcha = wcha_w();
  EXPECT_GT(wcha, 10000);
  EXPECT_EQ(holding(k120 + 23, 1)[0], wcha);  // MaxChaRte
  EXPECT_NEAR(scaled(k120 + 3, k120 + 4), 5000, 1e-6);
  forced_discharge(25);
  device->apply(*world);
  EXPECT_NEAR(commanded_w(), -0.25 * wcha, 1.0);  // not -1250 W (25 % of WRtg)
  // WChaMax is read-only: a controller setting its own reference is acknowledged and ignored.
  EXPECT_EQ(refused_fc06(kWChaMax, 5000), 0);
  EXPECT_EQ(holding(kWChaMax, 1)[0], wcha);
  forced_discharge(25);
  device->apply(*world);
  EXPECT_NEAR(commanded_w(), -0.25 * wcha, 1.0);
  EXPECT_EQ(device->status().at("ignored_writes").at("WChaMax"), 1);
}

TEST_F(FroniusGen24Test, WritesToReadOnlyPointsAreAcknowledgedAndIgnored) {
  start_at(19);
  const auto soc_raw = holding(kChaState, 1)[0];
  // One FC16 over the whole control block, with values in the read-only and unsupported points.
  write_fc16(kStorCtlMod, {2, 1234, 4000, 1111, 2222, 3333, 4, 0, 10000, 5, 60, 7, 1});
  EXPECT_EQ(
      holding(kStorCtlMod, 13),
      (std::vector<std::uint16_t>{2, 0xFFFF, 4000, soc_raw, 0xFFFF, 0xFFFF,
                                  holding(k124 + 11, 1)[0], 0, 10000, 0xFFFF, 60, 0xFFFF, 1}));
  const auto s = device->status();
  for (const char* name : {"VAChaMax", "ChaState", "StorAval", "InBatV", "ChaSt",
                           "InOutWRte_WinTms", "InOutWRte_RmpTms"})
    EXPECT_EQ(s.at("ignored_writes").at(name), 1) << name;
  EXPECT_EQ(s.at("register_writes").at("MinRsvPct"), 1);
  EXPECT_EQ(s.at("rvrt_s"), 60);
  EXPECT_TRUE(s.at("remote").get<bool>());
  EXPECT_EQ(refused_fc06(k103 + 14, 1234), 0);  // model 103's W: ignored as well
  EXPECT_NE(holding(k103 + 14, 1)[0], 1234);
}

TEST_F(FroniusGen24Test, Model124HasFroniusScaleFactorsAndUnsupportedPoints) {
  start_at(19);
  EXPECT_EQ(s16(holding(k124 + 22, 1)[0]), -2);  // ChaState_SF
  EXPECT_NEAR(holding(kChaState, 1)[0] / 100.0, world->pack().soc_pct(), 0.01);
  EXPECT_EQ(s16(holding(k124 + 21, 1)[0]), -2);  // MinRsvPct_SF
  EXPECT_EQ(holding(kMinRsvPct, 1)[0], 500);     // 5 % at power-on
  EXPECT_EQ(s16(holding(k124 + 25, 1)[0]), -2);  // InOutWRte_SF
  for (const int a : {kVAChaMax, kStorAval, kInBatV, kWinTms, kRmpTms})
    EXPECT_EQ(holding(a, 1)[0], 0xFFFF) << a;
  for (const int a : {k124 + 20, k124 + 23, k124 + 24})  // VAChaMax_SF, StorAval_SF, InBatV_SF
    EXPECT_EQ(holding(a, 1)[0], 0x8000) << a;
  EXPECT_EQ(holding(kRvrtTms, 1)[0], 0);
  EXPECT_EQ(holding(kChaGriSet, 1)[0], 1);
  EXPECT_EQ(holding(kStorCtlMod, 1)[0], 0);
}

TEST_F(FroniusGen24Test, ScaleFactorsFollowTheValueAndTheBatteryIsInModel160Only) {
  start_at(1);  // night: no PV
  const double wcha = wcha_w();
  forced_discharge(1000.0 / wcha * 100.0);
  step(3.0);
  auto wf = holding(k103 + 14, 2);  // W and W_SF in one read
  EXPECT_EQ(s16(wf[1]), -1);
  EXPECT_NEAR(s16(wf[0]) * 0.1, world->readings().ac_power_w, 0.1);
  forced_discharge(4000.0 / wcha * 100.0);
  step(3.0);
  wf = holding(k103 + 14, 2);
  EXPECT_EQ(s16(wf[1]), 0);  // 3840 W no longer fits at SF -1
  EXPECT_NEAR(s16(wf[0]), world->readings().ac_power_w, 1.0);
  // Model 160: the discharge input carries the power, the charge input reads 0, both carry the
  // battery port's voltage.
  const auto m = holding(k160, 2 + 88);
  const int dcv_sf = s16(m[3]);
  const int dcw_sf = s16(m[4]);
  const auto input = [&](std::size_t k, std::size_t off) { return m.at(10 + (20 * k) + off); };
  EXPECT_EQ(input(2, 11), 0);
  EXPECT_NEAR(input(3, 11) * std::pow(10.0, dcw_sf), -world->readings().battery_power_w, 1.0);
  EXPECT_NEAR(input(2, 10) * std::pow(10.0, dcv_sf), world->pack().voltage_v(), 0.01);
  EXPECT_EQ(input(2, 10), input(3, 10));
}

TEST_F(FroniusGen24Test, RevertTimeSurvivesARestartAndEndsAHoldWrittenOnce) {
  start_at(19);
  // Someone else (an owner's script, another integration) set a revert time once.
  write_fc06(kRvrtTms, 60);
  write_fc06(kMinRsvPct, 1500);
  forced_discharge(30);
  device->restart(*world);
  reconnect_after_restart();
  EXPECT_EQ(holding(kRvrtTms, 1)[0], 60);  // kept
  EXPECT_EQ(holding(kMinRsvPct, 1)[0], 1500);
  EXPECT_EQ(holding(kStorCtlMod, 1)[0], 0);  // the mode and the rates are lost
  EXPECT_EQ(holding(kOutWRte, 2), (std::vector<std::uint16_t>{10000, 10000}));
  EXPECT_EQ(device->status().at("rvrt_s"), 60);

  // A controller holds the battery with one write of its own, as evcc did before #33041.
  write_fc06(kOutWRte, 0);
  write_fc06(kStorCtlMod, 2);
  device->apply(*world);
  EXPECT_TRUE(remote());
  EXPECT_NEAR(commanded_w(), 0.0, 1e-6);
  now_ms += 59'000;
  device->apply(*world);
  EXPECT_TRUE(remote());
  now_ms += 2'000;
  device->apply(*world);  // 61 s without a write: the hold ends
  EXPECT_FALSE(remote());
  EXPECT_EQ(holding(kStorCtlMod, 1)[0], 0);
  EXPECT_EQ(holding(kOutWRte, 2), (std::vector<std::uint16_t>{10000, 10000}));
  const auto s = device->status();
  EXPECT_TRUE(s.at("revert_expired").get<bool>());
  EXPECT_EQ(s.at("reverts"), 1);
  EXPECT_EQ(s.at("restarts"), 1);
}

TEST_F(FroniusGen24Test, MinRsvPctStopsDischargingOnlyUnderStorageControl) {
  start_at(19);  // SoC 50 %, the house takes more than the PV gives
  write_fc06(kMinRsvPct, 6000);
  step(2.0);  // StorCtl_Mod 0: the inverter's own regulation, the Modbus reserve does not apply
  EXPECT_FALSE(remote());
  EXPECT_LT(world->readings().battery_power_w, -100);
  write_fc06(kStorCtlMod, 2);  // discharge limit at OutWRte 100 %
  device->apply(*world);
  EXPECT_NEAR(commanded_w(), 0.0, 1e-6);
  EXPECT_TRUE(device->status().at("reserve_reached").get<bool>());
  forced_discharge(30);
  device->apply(*world);
  EXPECT_NEAR(commanded_w(), 0.0, 1e-6);  // forced discharging stops at the reserve too
  write_fc06(kMinRsvPct, 500);
  device->apply(*world);
  EXPECT_NEAR(commanded_w(), -0.3 * wcha_w(), 1.0);
}

TEST_F(FroniusGen24Test, TheSmartMeterAnswersAtUnit200) {
  start_at(19);
  write_fc06(kOutWRte, 0);  // hold: the house from the grid
  write_fc06(kStorCtlMod, 2);
  step(3.0);
  modbus_set_slave(ctx, kMeterUnit);
  EXPECT_EQ(holding(40000, 4), (std::vector<std::uint16_t>{0x5375, 0x6E53, 1, 65}));
  EXPECT_EQ(ascii_of(holding(40020, 6)).substr(0, 11), "Smart Meter");
  EXPECT_EQ(holding(40068, 3), (std::vector<std::uint16_t>{kMeterUnit, 203, 105}));
  EXPECT_EQ(holding(40176, 2), (std::vector<std::uint16_t>{0xFFFF, 0}));
  const auto m = holding(40069, 2 + 22);
  const double w = s16(m[18]) * std::pow(10.0, s16(m[22]));
  EXPECT_GT(world->readings().grid_power_w, 100);       // importing
  EXPECT_NEAR(w, world->readings().grid_power_w, 0.5);  // + = import
  EXPECT_EQ(read_code(40177, 1), 0);
  EXPECT_EQ(read_code(40178, 1), kIllegalAddress);
}

}  // namespace fronius_test
}  // namespace
}  // namespace bessd::sim
