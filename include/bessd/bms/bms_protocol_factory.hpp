#pragma once
// Builds the BmsProtocol the config names (bms.protocol), with its options (bms.invert_current,
// bms.bus_role, bms.address). For the composition root (app).

#include <memory>

#include <bessd/bms/protocols/bms_protocol.hpp>
#include <bessd/config/bms_config.hpp>

namespace bessd::bms {

std::unique_ptr<BmsProtocol> make_bms_protocol(const config::BmsConfig& cfg);

}  // namespace bessd::bms
