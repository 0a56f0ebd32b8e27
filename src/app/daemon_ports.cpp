#include <bessd/app/daemon_ports.hpp>

#include <bessd/bms/bms_bus_factory.hpp>
#include <bessd/modbus/libmodbus_client.hpp>
#include <bessd/storage/sqlite_store.hpp>

namespace bessd::app {

DaemonPorts production_ports() {
  DaemonPorts p;
  p.clock = std::make_shared<SystemClock>();
  p.bms_bus = [](boost::asio::io_context& io, const config::BmsConfig& cfg,
                 std::vector<can::CanFilter> filters) {
    return bms::make_bms_bus(io, cfg, std::move(filters));
  };
  p.inverter_client =
      [](boost::asio::io_context& io,
         const config::InverterConfig& cfg) -> std::unique_ptr<modbus::ModbusClient> {
    return std::make_unique<modbus::LibmodbusClient>(io, modbus::link_options_from(cfg));
  };
  p.store =
      [](const config::StorageConfig& cfg, const Clock& clock,
         std::function<void(const core::Event&)> on_event) -> std::unique_ptr<storage::Store> {
    storage::SqliteStoreOptions so;
    so.config = cfg;
    so.clock = &clock;
    so.on_event = std::move(on_event);
    return std::make_unique<storage::SqliteStore>(std::move(so));
  };
  p.inherit_sockets = true;
  return p;
}

}  // namespace bessd::app
