#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include <bessd/common/enum_names.hpp>

namespace bessd::config {

enum class BmsTransport : std::uint8_t { socketcan, slcan };
inline constexpr auto kBmsTransportNames = std::to_array<EnumName<BmsTransport>>(
    {{BmsTransport::socketcan, "socketcan"}, {BmsTransport::slcan, "slcan"}});
static_assert(enum_names_complete(kBmsTransportNames));
enum class BmsProtocol : std::uint8_t { pylontech_lv, pylontech_hv, byd_hvs };
inline constexpr auto kBmsProtocolNames =
    std::to_array<EnumName<BmsProtocol>>({{BmsProtocol::pylontech_lv, "pylontech_lv"},
                                          {BmsProtocol::pylontech_hv, "pylontech_hv"},
                                          {BmsProtocol::byd_hvs, "byd_hvs"}});
static_assert(enum_names_complete(kBmsProtocolNames));
/// Whether bessd may transmit on the BMS bus (docs/protocols.md, "Two bus roles").
enum class BmsBusRole : std::uint8_t { active, listen_only };
inline constexpr auto kBmsBusRoleNames = std::to_array<EnumName<BmsBusRole>>(
    {{BmsBusRole::active, "active"}, {BmsBusRole::listen_only, "listen_only"}});
static_assert(enum_names_complete(kBmsBusRoleNames));
std::string_view to_string(BmsTransport t) noexcept;
std::string_view to_string(BmsProtocol p) noexcept;
std::string_view to_string(BmsBusRole r) noexcept;

struct BmsConfig {
  BmsProtocol protocol{BmsProtocol::pylontech_lv};
  BmsTransport transport{BmsTransport::socketcan};
  std::string interface { "can0" };        // socketcan
  std::string device;                      // slcan: serial device path
  std::int64_t serial_baud{115200};        // slcan: tty speed (USB CDC adapters ignore it)
  std::int64_t bitrate{500000};            // CAN bit rate
  bool manage_link{false};                 // socketcan: set bitrate / bring up with libsocketcan
  std::int64_t stale_ms{3000};             // data stale: power limits forced to 0
  std::int64_t timeout_ms{5000};           // COM-01: data lost, safe state
  std::int64_t keepalive_period_ms{1000};  // 0x305 period
  bool invert_current{false};              // for a BMS that reports + = discharging
  // active: bessd sends the protocol's keep-alive or polls; listen_only: it never transmits.
  BmsBusRole bus_role{BmsBusRole::active};
  std::optional<std::int64_t> address;  // pylontech_hv: the pack followed (0-15)
  friend bool operator==(const BmsConfig&, const BmsConfig&) = default;
};

}  // namespace bessd::config
