#include <bessd/bms/bms_bus_factory.hpp>

#include <stdexcept>

#include <bessd/can/slcan_bus.hpp>
#include <bessd/can/socketcan_bus.hpp>

namespace bessd::bms {

std::unique_ptr<can::CanBus> make_bms_bus(boost::asio::io_context& io, const config::BmsConfig& cfg,
                                          std::vector<can::CanFilter> filters) {
  if (cfg.bitrate <= 0 || cfg.bitrate > 1'000'000)
    throw std::invalid_argument("bms.bitrate " + std::to_string(cfg.bitrate) +
                                " is not a classic CAN bit rate");
  switch (cfg.transport) {
    case config::BmsTransport::socketcan: {
      can::SocketCanOptions o;
      o.interface = cfg.interface;
      o.bitrate = static_cast<std::uint32_t>(cfg.bitrate);
      o.manage_link = cfg.manage_link;
      o.listen_only = cfg.bus_role == config::BmsBusRole::listen_only;
      o.filters = std::move(filters);
      return std::make_unique<can::SocketCanBus>(io, std::move(o));
    }
    case config::BmsTransport::slcan: {
      if (cfg.device.empty())
        throw std::invalid_argument("bms.device is required with bms.transport \"slcan\"");
      can::SlcanOptions o;
      o.device = cfg.device;
      o.serial_baud = static_cast<std::uint32_t>(cfg.serial_baud);
      o.bitrate = static_cast<std::uint32_t>(cfg.bitrate);
      o.listen_only = cfg.bus_role == config::BmsBusRole::listen_only;
      o.filters = std::move(filters);
      return std::make_unique<can::SlcanBus>(io, std::move(o));  // throws for a bad bit rate
    }
  }
  throw std::invalid_argument("bms.transport: unknown transport");
}

}  // namespace bessd::bms
