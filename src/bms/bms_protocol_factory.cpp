#include <bessd/bms/bms_protocol_factory.hpp>

#include <bessd/bms/protocols/byd_hvs.hpp>
#include <bessd/bms/protocols/pylontech_hv.hpp>
#include <bessd/bms/protocols/pylontech_lv.hpp>

namespace bessd::bms {

std::unique_ptr<BmsProtocol> make_bms_protocol(const config::BmsConfig& cfg) {
  switch (cfg.protocol) {
    case config::BmsProtocol::pylontech_lv:
      // Listen-only needs nothing of the decoder: the monitor sends no keep-alive then.
      return std::make_unique<pylontech::PylontechLv>(
          pylontech::PylontechLvOptions{cfg.invert_current, false});
    case config::BmsProtocol::pylontech_hv: {
      pylontech_hv::PylontechHvOptions options;
      options.invert_current = cfg.invert_current;
      options.role = cfg.bus_role == config::BmsBusRole::listen_only
                         ? pylontech_hv::BusRole::listen_only
                         : pylontech_hv::BusRole::active;
      if (cfg.address) options.address = static_cast<std::uint8_t>(*cfg.address);
      return std::make_unique<pylontech_hv::PylontechHv>(options);
    }
    case config::BmsProtocol::byd_hvs:
      return std::make_unique<byd_hvs::BydHvs>(byd_hvs::BydHvsOptions{cfg.invert_current});
  }
  return nullptr;  // unreachable: every protocol is a case above (-Werror=switch-enum)
}

}  // namespace bessd::bms
