#pragma once
// Pure decoder of SocketCAN error frames (linux/can/error.h layout; the constants are the
// kernel ABI and are checked against the kernel header by the SocketCAN transport). Used by
// SocketCanBus and by the candump reader; no I/O.

#include <cstdint>
#include <vector>

#include <bessd/can/can_bus_error.hpp>
#include <bessd/can/can_frame.hpp>

namespace bessd::can::error_frame {

// Error class bits in the id of an error frame (CAN_ERR_* in linux/can/error.h).
inline constexpr std::uint32_t kTxTimeout = 0x001;
inline constexpr std::uint32_t kLostArbitration = 0x002;
inline constexpr std::uint32_t kController = 0x004;
inline constexpr std::uint32_t kProtocol = 0x008;
inline constexpr std::uint32_t kTransceiver = 0x010;
inline constexpr std::uint32_t kNoAck = 0x020;
inline constexpr std::uint32_t kBusOff = 0x040;
inline constexpr std::uint32_t kBusError = 0x080;
inline constexpr std::uint32_t kRestarted = 0x100;
inline constexpr std::uint32_t kAllClasses = 0x1FF;
// data[1] controller status (CAN_ERR_CRTL_*).
inline constexpr std::uint8_t kCtrlRxOverflow = 0x01;
inline constexpr std::uint8_t kCtrlTxOverflow = 0x02;
inline constexpr std::uint8_t kCtrlRxWarning = 0x04;
inline constexpr std::uint8_t kCtrlTxWarning = 0x08;
inline constexpr std::uint8_t kCtrlRxPassive = 0x10;
inline constexpr std::uint8_t kCtrlTxPassive = 0x20;
inline constexpr std::uint8_t kCtrlActive = 0x40;

/// One CanBusError per condition the frame carries, most severe first; `where` names the
/// interface for the messages. A frame without the error flag gives an empty list.
std::vector<CanBusError> decode(const CanFrame& frame, std::string_view where);

}  // namespace bessd::can::error_frame
