#pragma once
// What `bessd check-site --live` reads from the running daemon for the commissioning record
// (docs/compliance.md, "Commissioning record"): the pack's identity and nameplate as the BMS
// reported them, the inverter's identity, and the daemon's own verdict to compare with.

#include <chrono>
#include <string>
#include <vector>

#include <bessd/common/result.hpp>
#include <bessd/config/battery_config.hpp>
#include <bessd/core/pack_state.hpp>

namespace bessd::cli {

struct LiveSite {
  core::PackState pack;        // identity, capacity, voltage, SOH, module counts
  std::string inverter_model;  // as the inverter reported it ("" when it did not)
  std::string inverter_serial;
  std::string daemon_verdict;  // overall verdict of the daemon's /v1/compliance ("" = unknown)
};

/// Reads GET /v1/status and GET /v1/compliance over the API's Unix socket at `socket_path`.
/// Errors say what to do (daemon not running, no permission on the socket, bad answer).
Result<LiveSite> read_live_site(const std::string& socket_path, std::chrono::milliseconds timeout);

/// The identity lines of the record ("BMS: PYLON US5000, firmware 1.2", "Installed capacity:
/// ..."), each saying where a value came from; a value the BMS did not report says so.
std::vector<std::string> pack_identity_lines(const LiveSite& live,
                                             const config::BatteryConfig& battery);

}  // namespace bessd::cli
