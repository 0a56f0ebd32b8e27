#pragma once
// A simulated site for black-box tests: bess-sim (BMS on an SLCAN pty, inverter on Modbus TCP,
// scenario control socket) and bessd on a configuration derived from config/demo.json, all in
// a temporary directory. Readiness: the simulator's ready file and bessd's READY=1; every wait
// is a bounded poll, never a fixed sleep.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "process.hpp"

namespace bessd::systest {

struct SiteOptions {
  std::string profile{"sunspec"};  // bessd's inverter profile, and bess-sim's device of that name
  /// bess-sim's --profile when it differs from bessd's (a device variant chosen by `sim_args`,
  /// such as --sunspec-variant fronius_gen24 under the fronius_gen24 profile). Empty: `profile`.
  std::string sim_profile;
  nlohmann::json config_patch = nlohmann::json::object();  // RFC 7386 merge patch
  std::vector<std::string> sim_args;                       // extra bess-sim arguments
  int bms_period_ms{100};  // faster than a real BMS so timeouts can be short
  /// A grid meter beside the inverter (bess-sim's --meter: "sdm630", "sunspec_meter",
  /// "sunspec_meter_float"); bessd's `meter` section points at it. Empty: none.
  std::string meter;
  /// The profile bessd reads the meter with; empty: the one named as `meter`.
  std::string meter_profile;
};

/// Result of an HTTP request over the API's Unix socket.
struct ApiResponse {
  int status{0};
  nlohmann::json body;
};

class Site {
 public:
  explicit Site(SiteOptions options = {});
  ~Site();
  Site(const Site&) = delete;
  Site& operator=(const Site&) = delete;

  /// Merges `patch` into the configuration file (before start_bessd()).
  void patch_config(const nlohmann::json& patch);
  /// Starts bessd and waits for READY=1 (asserts on failure through the returned bool).
  bool start_bessd(std::chrono::milliseconds timeout = std::chrono::seconds(15));
  /// The same with sockets passed as systemd would (Process `listen_fds`) and extra environment.
  bool start_bessd(const std::vector<int>& listen_fds, std::vector<std::string> env,
                   std::chrono::milliseconds timeout = std::chrono::seconds(15));
  Process* bessd() { return bessd_.get(); }
  void forget_bessd() { bessd_.reset(); }
  std::string bessd_output() const { return bessd_ ? bessd_->output() : std::string{}; }
  std::string sim_output() const { return sim_ ? sim_->output() : std::string{}; }

  /// One scenario command; the simulator's reply line.
  std::string sim(const std::string& command);
  nlohmann::json sim_status();
  nlohmann::json sim_writes();
  /// The simulated inverter's own status (its registers as the device understood them).
  nlohmann::json inverter_device() { return sim_status().at("inverter").at("device"); }
  /// SIGTERM to bessd; its exit code, or nothing when it did not exit within `timeout`.
  std::optional<int> stop_bessd(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  /// Whether the simulated battery comes within `tolerance_w` of 0 W within `timeout`.
  bool battery_settles_at_zero(double tolerance_w = 50.0,
                               std::chrono::milliseconds timeout = std::chrono::seconds(5));
  /// Whether, within `timeout`, bessd's status shows the inverter's own battery reading beyond
  /// 100 W in direction `sign` (+1 charging): the device's sign turned into bessd's. `status`
  /// keeps the last status read (for a failure's message).
  bool inverter_reads_battery(int sign, nlohmann::json& status,
                              std::chrono::milliseconds timeout = std::chrono::seconds(5));
  /// Whether the simulated battery runs at bessd's commanded power: beyond 100 W in direction
  /// `sign`, within `tolerance_w` of it (measured by the simulator, not taken from a register).
  /// `status` and `sim_state` keep what was read.
  bool battery_at_command(int sign, double tolerance_w, nlohmann::json& status,
                          nlohmann::json& sim_state);
  /// The AC and storage vendors' sequence, with bessd started in manual mode at +1200 W: the
  /// battery at bessd's command charging (within 30 s), read by the inverter as charging, then
  /// `PUT /v1/mode` manual −900 W and the battery at that command (within 20 s), read as
  /// discharging. `in_control(device status)` says the device is under bessd's control. Empty
  /// when all held, else what failed with the device, simulator and bessd states; `device`
  /// keeps the device's last status.
  std::string charge_then_discharge(const std::function<bool(const nlohmann::json&)>& in_control,
                                    nlohmann::json& device);
  /// Steady-clock milliseconds as the simulator sees them (same clock as the test's).
  static std::int64_t now_ms();
  /// The same in microseconds: the unit of the write log's `at_us`. Comparing at millisecond
  /// precision once took the end of the previous command, written in the same millisecond just
  /// before the discharge the test waited for, as a reaction to what the test did next.
  static std::int64_t now_us();

  ApiResponse api(const std::string& method, const std::string& target,
                  const std::string& body = "");

  const std::string& dir() const { return dir_.path(); }
  const std::string& config_path() const { return config_path_; }
  const std::string& db_path() const { return db_path_; }
  const std::string& api_socket() const { return api_socket_; }
  const nlohmann::json& config() const { return config_; }

 private:
  SiteOptions options_;
  TempDir dir_;
  std::string config_path_;
  std::string db_path_;
  std::string api_socket_;
  std::string control_path_;
  nlohmann::json config_;
  std::unique_ptr<Process> sim_;
  std::unique_ptr<Process> bessd_;
  std::unique_ptr<NotifySocket> notify_;
  int restarts_{0};
};

/// The daemon a Site starts: this build's bessd, or the binary BESSD_TEST_BESSD names (a
/// foreign architecture's package, tests/foreign), run through BESSD_TEST_EMULATOR when set
/// (qemu-user).
std::vector<std::string> bessd_command();

/// Self-consumption at the evening peak (little PV, SOC 70 %), with a fast ramp and a narrow
/// deadband: the battery covers the house.
SiteOptions evening_self_consumption(const std::string& profile);
/// Waits (bounded) until the battery covers the house in the simulator's own figures: it
/// discharges more than `discharging_w` and the grid is within `grid_within_w` of 0 W. `truth`:
/// the simulator's last status.
bool wait_battery_covers_house(Site& site, nlohmann::json& truth, double discharging_w,
                               double grid_within_w, std::chrono::milliseconds timeout);

/// Polls `predicate` every 10 ms until it holds or `timeout` passes.
bool wait_until(const std::function<bool()>& predicate, std::chrono::milliseconds timeout);

/// The first control write the simulator logged at or after `since_us` (steady clock, µs)
/// matching `predicate` (on the device's lo/hi battery power window, W, + = charge); its time
/// in µs, or nullopt.
std::optional<std::int64_t> first_write_after(
    const nlohmann::json& writes, std::int64_t since_us,
    const std::function<bool(double lo, double hi)>& predicate);

/// Waits (bounded) for a control write at or after `since_us` matching `predicate`; its time
/// in µs.
std::optional<std::int64_t> wait_for_write(
    Site& site, std::int64_t since_us, const std::function<bool(double lo, double hi)>& predicate,
    std::chrono::milliseconds timeout);

/// Window predicates (W, + = charge).
inline bool holds_zero(double lo, double hi) {
  return lo >= -1.0 && hi <= 1.0;
}
inline bool discharging(double lo, double hi) {
  return hi < -100.0 && lo < -100.0;
}
inline bool charging(double lo, double hi) {
  return lo > 100.0 && hi > 100.0;
}

/// Sends SIGTERM to bessd on the default (sunspec) site and checks, with gtest assertions, that
/// it exits 0 within `timeout` and that the safe state reached the wire before it exited and the
/// device took it (storage control on, both rates 0 %).
void expect_safe_state_before_exit(Site& site,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(5));
/// The active fault with `code` in a /v1/status body, or null.
nlohmann::json fault_in(const nlohmann::json& status, const std::string& code);
/// True when a /v1/status body lists a latched fault.
bool any_latched(const nlohmann::json& status);
/// GET /v1/status's body.
nlohmann::json status_of(Site& site);
/// Waits (bounded) until the safety-state file holds `text` (a latch id): a latch is written
/// after the safe command, on a thread of its own, so a test that kills bessd waits for it.
bool wait_stored(Site& site, const std::string& text,
                 std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace bessd::systest
