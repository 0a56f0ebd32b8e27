#pragma once
// The safety state in a folder of its own whose fsyncs the LD_PRELOAD shim (slow_fsync.c)
// delays by what set() says: an SD card that stalls, for the system tests of the durable
// safety state. Needs BESSD_TEST_SLOW_FSYNC_LIB (the shim's path) defined by the test target.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "site.hpp"

namespace bessd::systest {

class SlowStateDisk {
 public:
  explicit SlowStateDisk(Site& site)
      : folder_(site.dir() + "/slowdisk"), control_(site.dir() + "/slow-fsync.ctl") {
    std::filesystem::create_directory(folder_);
    set(std::chrono::milliseconds{0});
    site.patch_config({{"storage", {{"safety_state_path", folder_ + "/safety-state.json"}}}});
  }
  void set(std::chrono::milliseconds delay) const {
    std::ofstream(control_) << "slowdisk " << delay.count() << "\n";
  }
  /// The temporary file's fsync takes `file`, the folder's `folder` (an ext4 journal commit,
  /// the longest part of an SD card's stall).
  void set(std::chrono::milliseconds folder, std::chrono::milliseconds file) const {
    std::ofstream(control_) << "slowdisk " << folder.count() << "\njson.tmp " << file.count()
                            << "\n";
  }
  /// The folder's fsync fails with EIO after `after` (a disk that reports an I/O error); the
  /// temporary file's fsync works.
  void fail_folder_fsync(std::chrono::milliseconds after) const {
    std::ofstream(control_) << "slowdisk " << -std::max<long long>(after.count(), 1)
                            << "\njson.tmp 0\n";
  }
  std::vector<std::string> env() const {
    return {std::string("LD_PRELOAD=") + BESSD_TEST_SLOW_FSYNC_LIB,
            "BESSD_TEST_SLOW_FSYNC=" + control_, "ASAN_OPTIONS=verify_asan_link_order=0"};
  }
  bool start(Site& site) const { return site.start_bessd({}, env()); }
  /// The state file as it is on disk now (what a kill -9 leaves).
  std::string state() const {
    std::ifstream in(folder_ + "/safety-state.json");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

 private:
  std::string folder_;
  std::string control_;
};

/// The fire alarm trips and clears: ALM-01 latched with its cause gone, waiting for an ack.
/// `settle`: time for the latch to reach the disk.
inline void latch_fire_alarm(Site& site, std::chrono::milliseconds settle) {
  const auto alarm = [&] { return fault_in(site.api("GET", "/v1/status").body, "ALM-01"); };
  ASSERT_EQ(site.sim("fire-alarm on").rfind("ok", 0), 0U);
  ASSERT_TRUE(wait_until([&] { return !alarm().is_null(); }, std::chrono::seconds(5)));
  ASSERT_EQ(site.sim("fire-alarm off").rfind("ok", 0), 0U);
  ASSERT_TRUE(
      wait_until([&] { return alarm().value("cause_cleared", false); }, std::chrono::seconds(5)));
  std::this_thread::sleep_for(settle);
}

/// kill -9, as a power cut, the OOM killer or the watchdog would.
inline void kill9(Site& site) {
  site.bessd()->signal(SIGKILL);
  ASSERT_TRUE(site.bessd()->wait(std::chrono::seconds(5)));
  site.forget_bessd();
}

/// The operator's manual -1500 W stored and discharging, then kill -9: the next start restores
/// a discharge.
inline void discharge_then_kill9(Site& site, const SlowStateDisk& disk) {
  ASSERT_TRUE(disk.start(site)) << site.bessd_output();
  ASSERT_EQ(site.api("PUT", "/v1/mode", R"({"mode":"manual","setpoint_w":-1500})").status, 200);
  ASSERT_TRUE(wait_for_write(site, 0, discharging, std::chrono::seconds(10)));
  kill9(site);
}

}  // namespace bessd::systest
