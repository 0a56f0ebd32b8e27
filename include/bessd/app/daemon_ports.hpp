#pragma once
// The devices and the clock the daemon reaches the world through (docs/architecture.md
// "Daemon: builder and runtime"). Production fills them with the real ones (SocketCAN or
// slcan, libmodbus, SQLite, the system clock); an in-process test with fakes (SimCanBus,
// InMemoryModbusClient, MemoryStore), so that the runtime's policy can be checked without
// spawning the binary.

#include <functional>
#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>

#include <bessd/can/can_bus.hpp>
#include <bessd/can/can_frame.hpp>
#include <bessd/common/clock.hpp>
#include <bessd/config/config.hpp>
#include <bessd/core/event.hpp>
#include <bessd/modbus/modbus_client.hpp>
#include <bessd/storage/store.hpp>

namespace bessd::app {

struct DaemonPorts {
  using BmsBusFactory = std::function<std::unique_ptr<can::CanBus>(
      boost::asio::io_context&, const config::BmsConfig&, std::vector<can::CanFilter>)>;
  using InverterClientFactory = std::function<std::unique_ptr<modbus::ModbusClient>(
      boost::asio::io_context&, const config::InverterConfig&)>;
  // `on_event`: the store's own problems, from any thread (the daemon posts them to its loop).
  using StoreFactory = std::function<std::unique_ptr<storage::Store>(
      const config::StorageConfig&, const Clock&, std::function<void(const core::Event&)>)>;

  std::shared_ptr<const Clock> clock;
  BmsBusFactory bms_bus;
  InverterClientFactory inverter_client;
  StoreFactory store;
  // Sockets systemd passed (socket activation) are taken from the environment: a test process
  // has none to take and must leave its environment alone.
  bool inherit_sockets{true};
};

/// The real devices: what `bessd` runs with.
DaemonPorts production_ports();

}  // namespace bessd::app
