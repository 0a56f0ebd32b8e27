#pragma once
// What a CAN transport reports through its error callback: controller states decoded from
// error frames, and link problems (interface missing, adapter unplugged, I/O failures).
// Transports never throw for these; they report and, where possible, recover on their own.

#include <cstdint>
#include <string>
#include <string_view>

#include <bessd/common/enum_names.hpp>

namespace bessd::can {

enum class CanErrorKind : std::uint8_t {
  bus_off,              // controller left the bus (too many errors); no frames flow
  error_passive,        // error counters >= 128: the controller may not signal errors
  error_warning,        // error counters >= 96
  error_active,         // back to normal error-active state
  arbitration_lost,     // lost arbitration while sending
  controller_overflow,  // RX/TX buffer overflow in the controller or adapter
  protocol_violation,   // bit/stuff/form/CRC error on the wire
  transceiver,          // transceiver (wiring) problem
  no_ack,               // nobody acknowledged our frame (alone on the bus?)
  tx_timeout,           // the driver could not send in time
  bus_error,            // unspecified bus error
  restarted,            // the controller was restarted after bus-off
  open_failed,          // the interface/device could not be opened; retrying
  link_lost,            // the open link failed (I/O error, adapter unplugged); retrying
  link_up,              // the link is (again) usable: the end of a previous problem
  config,               // a link-management step failed (bitrate, permissions); not fatal
  malformed_input,  // bytes from the transport that are not a frame (SLCAN garbage, short reads)
  send_failed,      // a frame could not be written
};
inline constexpr auto kCanErrorKindNames = std::to_array<EnumName<CanErrorKind>>(
    {{CanErrorKind::bus_off, "bus_off"},
     {CanErrorKind::error_passive, "error_passive"},
     {CanErrorKind::error_warning, "error_warning"},
     {CanErrorKind::error_active, "error_active"},
     {CanErrorKind::arbitration_lost, "arbitration_lost"},
     {CanErrorKind::controller_overflow, "controller_overflow"},
     {CanErrorKind::protocol_violation, "protocol_violation"},
     {CanErrorKind::transceiver, "transceiver"},
     {CanErrorKind::no_ack, "no_ack"},
     {CanErrorKind::tx_timeout, "tx_timeout"},
     {CanErrorKind::bus_error, "bus_error"},
     {CanErrorKind::restarted, "restarted"},
     {CanErrorKind::open_failed, "open_failed"},
     {CanErrorKind::link_lost, "link_lost"},
     {CanErrorKind::link_up, "link_up"},
     {CanErrorKind::config, "config"},
     {CanErrorKind::malformed_input, "malformed_input"},
     {CanErrorKind::send_failed, "send_failed"}});
static_assert(enum_names_complete(kCanErrorKindNames));

std::string_view to_string(CanErrorKind kind) noexcept;

struct CanBusError {
  CanErrorKind kind{CanErrorKind::bus_error};
  std::string message;  // names the interface or device and the cause
  friend bool operator==(const CanBusError&, const CanBusError&) = default;
};

}  // namespace bessd::can
