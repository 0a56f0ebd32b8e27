#pragma once
// Builds the CanBus the config asks for (bms.transport: socketcan or slcan) with the protocol's
// acceptance filters. For the composition root (app). Throws std::invalid_argument for a
// config the transport cannot run (start-up error), never for runtime conditions.

#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>

#include <bessd/can/can_bus.hpp>
#include <bessd/config/bms_config.hpp>

namespace bessd::bms {

std::unique_ptr<can::CanBus> make_bms_bus(boost::asio::io_context& io, const config::BmsConfig& cfg,
                                          std::vector<can::CanFilter> filters);

}  // namespace bessd::bms
