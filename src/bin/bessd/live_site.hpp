#pragma once
// What `bessd check-site --live` reads from the running daemon for the commissioning record
// (docs/compliance.md, "Running the check"): the pack's identity and nameplate as the BMS
// reported them, the inverter's identity, and what the daemon judged: its verdict, the nameplate
// it used and the fingerprint of the configuration it runs (a record is only made for that one).

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <bessd/common/result.hpp>
#include <bessd/compliance/bms_nameplate.hpp>
#include <bessd/config/battery_config.hpp>
#include <bessd/core/pack_state.hpp>

namespace bessd::cli {

struct LiveSite {
  core::PackState pack;        // identity, capacity, voltage, SOH, module counts
  std::string inverter_model;  // as the inverter reported it ("" when it did not)
  std::string inverter_serial;
  std::string daemon_verdict;  // overall verdict of the daemon's /v1/compliance ("" = unknown)
  std::string daemon_config_fingerprint;  // of the configuration in force ("" = not reported)
  /// The nameplate the daemon's check used, as is (never recomputed here).
  std::optional<compliance::BmsNameplate> bms_nameplate;
  std::chrono::system_clock::time_point read_at;  // when check-site read the daemon
  std::optional<double> pack_age_s;               // age of the newest BMS measurement then
};

/// Reads GET /v1/status and GET /v1/compliance over the API's Unix socket at `socket_path`.
/// Errors say what to do (daemon not running, no permission on the socket, bad answer).
Result<LiveSite> read_live_site(const std::string& socket_path, std::chrono::milliseconds timeout);

/// The identity lines of the record ("BMS: PYLON US5000, firmware 1.2", "Installed capacity:
/// ..."), each saying where a value came from; a value the BMS did not report says so; then the
/// daemon's verdict and when the pack was read.
std::vector<std::string> pack_identity_lines(const LiveSite& live);

}  // namespace bessd::cli
