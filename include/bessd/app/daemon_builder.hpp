#pragma once
// The daemon's wiring (docs/architecture.md "Daemon: builder and runtime"): the store, the
// inverter and the BMS built from the configuration through the ports, before the runtime
// attaches its policy (events, the control loop, stop and reload) to them. Configuration
// errors found here (a profile that does not load, a state path that is a symbolic link) are
// thrown as config::ConfigError before anything starts (exit 78).

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include <bessd/app/daemon_ports.hpp>
#include <bessd/bms/bms_monitor.hpp>
#include <bessd/bms/bms_monitor_timer.hpp>
#include <bessd/bms/protocols/bms_protocol.hpp>
#include <bessd/config/config.hpp>
#include <bessd/inverter/profile_inverter_driver.hpp>

namespace bessd::app {

struct StoreParts {
  std::unique_ptr<storage::Store> store;
  bool telemetry_db_existed{false};  // before this start: for the safety state's checks
  bool ready{false};                 // opened (and migrated) within 10 s
};

struct InverterParts {
  std::unique_ptr<modbus::ModbusClient> client;
  std::unique_ptr<inverter::ProfileInverterDriver> driver;  // over `client`
  bool can_release{false};                                  // the profile declares release writes
};

struct BmsParts {
  std::unique_ptr<can::CanBus> bus;
  std::unique_ptr<bms::BmsMonitor> monitor;  // over `bus`
  std::unique_ptr<bms::BmsMonitorTimer> timer;
};

/// Where the durable safety state lives (docs/operations.md, "Safety state").
std::filesystem::path safety_state_path(const config::Config& config);

/// Throws config::ConfigError when the database or the safety state is a symbolic link.
void refuse_symlinked_state_paths(const config::Config& config,
                                  const std::filesystem::path& config_path);

/// The store, waited for (bounded) so that the first reads see the migrated database.
StoreParts build_store(const DaemonPorts& ports, const config::StorageConfig& storage,
                       std::function<void(const core::Event&)> on_event);

/// The inverter's client and driver for the configured profile (not started).
InverterParts build_inverter(boost::asio::io_context& io, const DaemonPorts& ports,
                             const config::Config& config,
                             const std::filesystem::path& config_path);

/// The BMS bus, monitor and timer for `protocol` (not started; `protocol` outlives them).
BmsParts build_bms(boost::asio::io_context& io, const DaemonPorts& ports,
                   const config::Config& config, bms::BmsProtocol& protocol);

}  // namespace bessd::app
