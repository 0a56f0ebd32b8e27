#include <bessd/app/daemon_builder.hpp>

#include <cstdlib>
#include <cstring>
#include <future>
#include <system_error>
#include <vector>

#include <bessd/app/logging.hpp>
#include <bessd/config/config_loader.hpp>
#include <bessd/inverter/profile.hpp>

namespace bessd::app {

// Under systemd the default lives in the unit's StateDirectory (/var/lib/bessd), wherever
// storage.path points: moving the telemetry database to a bigger disk must not move, and so
// forget, the latches and the operator's mode (docs/operations.md, "Safety state").
std::filesystem::path safety_state_path(const config::Config& config) {
  if (!config.storage.safety_state_path.empty()) return config.storage.safety_state_path;
  if (const char* dirs = std::getenv("STATE_DIRECTORY"); dirs && *dirs) {
    const std::string first(dirs, std::strcspn(dirs, ":"));  // systemd lists them with ':'
    if (!first.empty()) return std::filesystem::path(first) / "safety-state.json";
  }
  return std::filesystem::path(config.storage.path).parent_path() / "safety-state.json";
}

// The database and the safety state are written with the daemon's rights: a symbolic link
// in their place (planted, or left by a careless restore) would send those writes, and the
// latches read back at start, somewhere else. Refused like any configuration error (exit 78).
void refuse_symlinked_state_paths(const config::Config& config,
                                  const std::filesystem::path& config_path) {
  std::vector<config::ConfigIssue> issues;
  const auto check = [&](const std::filesystem::path& path, const char* pointer) {
    std::error_code ec;
    if (std::filesystem::is_symlink(std::filesystem::symlink_status(path, ec)))
      issues.push_back({pointer, path.string() +
                                     " is a symbolic link; bessd does not follow links for "
                                     "its state: point the setting at the real file"});
  };
  check(config.storage.path, "/storage/path");
  check(safety_state_path(config), "/storage/safety_state_path");
  if (!issues.empty()) throw config::ConfigError(config_path.string(), std::move(issues));
}

StoreParts build_store(const DaemonPorts& ports, const config::StorageConfig& storage,
                       std::function<void(const core::Event&)> on_event) {
  StoreParts parts;
  std::error_code exists_ec;
  parts.telemetry_db_existed = std::filesystem::exists(storage.path, exists_ec);
  parts.store = ports.store(storage, *ports.clock, std::move(on_event));
  // The writer thread opens and migrates the database; wait (bounded) before the first reads
  // (counters, and the latches of an older version on upgrade).
  parts.ready =
      parts.store->flush().wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  if (!parts.ready)
    logger("app")->warn("storage not ready after 10 s; starting without restored counters");
  return parts;
}

InverterParts build_inverter(boost::asio::io_context& io, const DaemonPorts& ports,
                             const config::Config& config,
                             const std::filesystem::path& config_path) {
  InverterParts parts;
  // Profile errors are configuration errors: thrown before anything starts (exit 78).
  auto profile = inverter::load_profile(inverter::profile_file_for(
      config.inverter.profile, config.inverter.profile_dir, config_path));
  parts.can_release = !profile.control.release.empty();
  parts.client = ports.inverter_client(io, config.inverter);
  parts.driver = std::make_unique<inverter::ProfileInverterDriver>(
      io, *parts.client, profile, inverter::driver_options_from(config.inverter, profile),
      *ports.clock);
  return parts;
}

BmsParts build_bms(boost::asio::io_context& io, const DaemonPorts& ports,
                   const config::Config& config, bms::BmsProtocol& protocol) {
  BmsParts parts;
  parts.bus = ports.bms_bus(io, config.bms, protocol.filters());
  parts.monitor = std::make_unique<bms::BmsMonitor>(
      *parts.bus, protocol, *ports.clock, bms::BmsMonitorOptions::from_config(config.bms));
  parts.timer = std::make_unique<bms::BmsMonitorTimer>(io, *parts.monitor, *ports.clock);
  return parts;
}

}  // namespace bessd::app
