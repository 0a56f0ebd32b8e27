// Points a device reads elsewhere than it takes them (`read_at`) and points it never shows
// (access "w"), as SolaX's remote control needs them (docs/profiles.md "Points"): the loader's
// checks, and the driver writing where a point is written and reading it back where it is read.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <bessd/config/config_error.hpp>
#include <bessd/inverter/planning/point_layout.hpp>
#include <bessd/inverter/profile.hpp>
#include <bessd/modbus/testing/modbus_test_server.hpp>

#include "driver_rig.hpp"
#include "driver_test_support.hpp"

namespace bessd::inverter {
namespace {

using namespace std::chrono_literals;
using test::Rig;
using test::set_power;

// A SolaX-like device: the serial number and the unlock share holding 0 (read map and write
// map), the block is written at holding 124.. and shown among the input registers from 256.
// `extra_point` goes among the points, `safe` is the safe state's list.
std::string device_profile(const std::string& extra_point = "",
                           const std::string& safe = R"({"point":"unlock","value":2014},
        {"point":"mode","value":1},{"point":"power","value":0})") {
  return R"({"name":"ra","points":{
      "serial":{"address":0,"type":"string","registers":7},
      "unlock":{"address":0,"type":"u16","access":"w","write_function":"fc06"},
      "bat":{"function":"input","address":22,"type":"s16","sign":"charge_positive"},
      "mode":{"address":124,"type":"u16","access":"rw","read_at":{"function":"input","address":256}},
      "set_type":{"address":125,"type":"u16","access":"w"},
      "power":{"address":126,"type":"s32","word_order":"low_first","access":"rw",
               "sign":"charge_positive","read_at":{"function":"input","address":258}},
      "duration":{"address":128,"type":"u16","unit":"s","access":"rw",
                  "read_at":{"function":"input","address":282}})" +
         extra_point + R"(},
    "readings":{"battery_power":"bat","serial":"serial"},
    "control":{"style":"battery_setpoint","points":{"setpoint":"power"},
      "target_writes":[{"point":"unlock","value":2014}],
      "blocks":[{"points":["mode","set_type","power","duration"],
                 "fill":{"mode":1,"set_type":1,"power":0,"duration":20}}],
      "safe_state":[)" +
         safe + R"(]}})";
}

TEST(ReadAtProfile, ADeviceWithAReadMapAndAWriteMapLoads) {
  ASSERT_EQ(test::profile_issues(device_profile()), "");
  const Profile p = parse_profile_text(device_profile(), "r.json");
  const PointLayout layout(p, {}, 1);
  const PointAddress* read = layout.find("power");
  const PointAddress* written = layout.find_written("power");
  ASSERT_NE(read, nullptr);
  ASSERT_NE(written, nullptr);
  EXPECT_EQ(read->function, RegisterFunction::input);
  EXPECT_EQ(read->address, 258);
  EXPECT_EQ(written->function, RegisterFunction::holding);
  EXPECT_EQ(written->address, 126);
  // The block's read-back: the mode and the power in one read, the duration (22 registers on)
  // in another; the write-only points are not read.
  const auto reads = layout.reads_for(p, {"mode", "set_type", "power", "duration", "unlock"});
  ASSERT_EQ(reads.size(), 2u);
  EXPECT_EQ(reads[0].function, RegisterFunction::input);
  EXPECT_EQ(reads[0].address, 256);
  EXPECT_EQ(reads[0].count, 4);
  EXPECT_EQ(reads[0].points, (std::vector<std::string>{"mode", "power"}));
  EXPECT_EQ(reads[1].address, 282);
  EXPECT_EQ(reads[1].points, (std::vector<std::string>{"duration"}));
  for (const auto& poll : layout.poll_blocks())
    for (const auto& n : poll.points) EXPECT_NE(n, "unlock") << "a write-only point is polled";
}

TEST(ReadAtProfile, AWriteOnlyPointIsNeverRead) {
  std::string text = device_profile(R"(,"lock":{"address":300,"type":"u16","access":"w"})");
  const std::string serial = R"("serial":"serial")";
  text.replace(text.find(serial), serial.size(), R"("serial":"serial","operating":"lock")");
  const auto in_reading = test::profile_issues(text);
  EXPECT_NE(in_reading.find("/readings/operating: point \"lock\" is write-only (access \"w\"), but "
                            "the reading reads it"),
            std::string::npos)
      << in_reading;
  const auto stored = test::profile_issues(
      device_profile(R"(,"lock":{"address":300,"type":"u16","access":"w","persistent":true})"));
  EXPECT_NE(stored.find("/points/lock/persistent: a write-only point (access \"w\") is never "
                        "read: it takes no \"persistent\""),
            std::string::npos)
      << stored;
  // A control role is read back: write-only will not do.
  std::string role = device_profile();
  const std::string setpoint = R"("setpoint":"power")";
  role.replace(role.find(setpoint), setpoint.size(), R"("setpoint":"set_type")");
  EXPECT_NE(
      test::profile_issues(role).find("/points/set_type/access: point is written by the control"),
      std::string::npos)
      << test::profile_issues(role);
}

TEST(ReadAtProfile, ReadAtBelongsToWrittenPointsAtAnAddress) {
  const auto on_read_only = test::profile_issues(device_profile(
      R"(,"x":{"address":300,"type":"u16","read_at":{"function":"input","address":400}})"));
  EXPECT_NE(on_read_only.find("/points/x/read_at: only an \"rw\" point is read somewhere else"),
            std::string::npos)
      << on_read_only;
  const auto with_function = test::profile_issues(device_profile(
      R"(,"x":{"function":"input","address":300,"type":"u16","access":"rw",
              "read_at":{"function":"input","address":400}})"));
  EXPECT_NE(with_function.find("/points/x/function: a point with \"read_at\" is written to "
                               "holding registers"),
            std::string::npos)
      << with_function;
  const auto no_function = test::profile_issues(device_profile(
      R"(,"x":{"address":300,"type":"u16","access":"rw","read_at":{"address":400}})"));
  EXPECT_NE(no_function.find("/points/x/read_at/function"), std::string::npos) << no_function;
}

TEST(ReadAtProfile, OverlapsCountWhereAPointIsReadAndWhereItIsWritten) {
  // Read at another point's read-back register.
  const auto read_clash = test::profile_issues(device_profile(
      R"(,"x":{"address":300,"type":"u16","access":"rw","read_at":{"function":"input","address":259}})"));
  EXPECT_NE(read_clash.find("/points/x: registers 259..259 overlap point \"power\""),
            std::string::npos)
      << read_clash;
  // Written where the block is written, though read elsewhere.
  const auto write_clash =
      test::profile_issues(device_profile(R"(,"x":{"address":127,"type":"u16","access":"w"})"));
  EXPECT_NE(write_clash.find("written to registers 127..127 overlap point \"power\""),
            std::string::npos)
      << write_clash;
  // The serial number and the unlock share holding 0: one is read, the other written.
  EXPECT_EQ(test::profile_issues(device_profile()), "");
}

TEST(ReadAtProfile, AStoredBlockIsReadWhereItIsWritten) {
  std::string text = device_profile();
  for (const char* name : {R"("mode":{)", R"("power":{)", R"("duration":{)"})
    text.insert(text.find(name) + std::string(name).size(), R"("persistent":true,)");
  const std::string set_type = R"("set_type":{"address":125,"type":"u16","access":"w"})";
  text.replace(text.find(set_type), set_type.size(),
               R"("set_type":{"address":125,"type":"u16","access":"rw","persistent":true})");
  const auto issues = test::profile_issues(text);
  EXPECT_NE(issues.find("point \"mode\" is read elsewhere (\"read_at\"): a stored block is read "
                        "where it is written"),
            std::string::npos)
      << issues;
}

// The device of device_profile(): writes only after the unlock, shows the block at input 256..
// and its firmware words at holding 124.. whatever was written there.
struct ReadMapDevice {
  explicit ReadMapDevice(Rig& r) : server(*r.server) {
    server.set_holding(1, 124, kFirmware);
    server.on_write_check([this](std::uint8_t, std::uint8_t function, std::uint16_t address,
                                 const std::vector<std::uint16_t>& v) -> std::uint8_t {
      if (function == 6 && address == 0) {
        unlocked = v[0] == 2014;
        return 0;
      }
      return unlocked ? 0 : 4;
    });
    server.on_write(
        [this](std::uint8_t, std::uint16_t address, const std::vector<std::uint16_t>& v) {
          if (address == 0) {
            server.set_holding(1, 0, {0x4834});  // the serial's first characters, as before
            return;
          }
          if (address != 124 || v.size() < 5) return;
          server.set_holding(1, 124, kFirmware);
          if (ignore_block) return;
          if (late) {
            std::lock_guard lock(mutex);
            pending = v;
            due = std::chrono::steady_clock::now() + 150ms;
            return;
          }
          show(v);
        });
  }
  ReadMapDevice(const ReadMapDevice&) = delete;
  ReadMapDevice& operator=(const ReadMapDevice&) = delete;
  ~ReadMapDevice() {
    server.stop();  // its thread calls the hooks above: done with them before they go
    stopping = true;
    if (worker.joinable()) worker.join();
  }
  void show(const std::vector<std::uint16_t>& v) {
    server.set_input(1, 256, {v[0]});
    server.set_input(1, 258, {v[2], v[3]});
    server.set_input(1, 282, {v[4]});
  }
  /// From now on the block shows 150 ms after it was written (a device that updates its input
  /// registers on a cycle of its own).
  void show_late() {
    late = true;
    worker = std::thread([this] {
      while (!stopping) {
        std::this_thread::sleep_for(10ms);
        std::lock_guard lock(mutex);
        if (pending.empty() || std::chrono::steady_clock::now() < due) continue;
        show(pending);
        pending.clear();
      }
    });
  }

  const std::vector<std::uint16_t> kFirmware{57, 1, 1, 1, 0};
  modbus::testing::ModbusTestServer& server;
  std::atomic<bool> unlocked{false};
  std::atomic<bool> ignore_block{false};
  std::atomic<bool> late{false};
  std::atomic<bool> stopping{false};
  std::mutex mutex;
  std::vector<std::uint16_t> pending;
  std::chrono::steady_clock::time_point due;
  std::thread worker;
};

// The rig against that device, started and in its safe state (mode 1, the battery at 0 W).
class ReadAtDriver : public ::testing::Test {
 protected:
  void SetUp() override {
    r.bank.set("bat", 0);
    r.server->set_holding(1, 0, {0x4834});
    r.start();
    ASSERT_TRUE(r.wait([&] { return r.driver->ready(); }));
    ASSERT_TRUE(r.wait([&] { return r.bank.get("mode") == 1.0; })) << "the safe state";
  }
  Rig r{parse_profile_text(device_profile(), "r.json")};
  ReadMapDevice device{r};  // after the rig: gone before its server
};

TEST_F(ReadAtDriver, WritesTheBlockWhereItIsTakenAndReadsItBackWhereItIsShown) {
  r.driver->apply(set_power(-1800));
  ASSERT_TRUE(r.wait_asserted(-1800));
  EXPECT_EQ(r.bank.get("power"), -1800.0) << "shown among the input registers";
  EXPECT_EQ(r.bank.get("duration"), 20.0);
  EXPECT_EQ(r.server->holding(1, 124, 5), device.kFirmware) << "holding 124.. is not the block";
  EXPECT_EQ(r.count("inverter.readback_mismatch", core::EventEdge::raised), 0);
  EXPECT_EQ(r.count("inverter.write_failed", core::EventEdge::raised), 0);
  EXPECT_EQ(r.server->holding(1, 0, 1), (std::vector<std::uint16_t>{0x4834}))
      << "the serial number reads as before the unlock";
}

TEST_F(ReadAtDriver, AWriteTheDeviceShowsAMomentLateIsNoMismatch) {
  device.show_late();
  r.driver->apply(set_power(1300));
  ASSERT_TRUE(r.wait_asserted(1300));
  EXPECT_EQ(r.count("inverter.readback_mismatch", core::EventEdge::raised), 0);
  EXPECT_EQ(r.count("inverter.write_failed", core::EventEdge::raised), 0);
}

TEST_F(ReadAtDriver, ABlockTheDeviceDoesNotShowIsAMismatch) {
  device.ignore_block = true;  // takes the write, shows the old block
  r.driver->apply(set_power(900));
  ASSERT_TRUE(
      r.wait([&] { return r.count("inverter.readback_mismatch", core::EventEdge::raised) > 0; }));
  const auto s = r.driver->latest_state();
  ASSERT_TRUE(s.has_value());
  EXPECT_NE(s->setpoint_readback_w, 900.0);
}

}  // namespace
}  // namespace bessd::inverter
