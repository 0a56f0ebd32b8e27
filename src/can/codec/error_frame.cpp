#include <bessd/can/codec/error_frame.hpp>

#include <string>

namespace bessd::can::error_frame {

namespace {
CanBusError make(CanErrorKind kind, std::string_view where, std::string_view what) {
  std::string msg(where);
  msg += ": ";
  msg += what;
  return CanBusError{kind, std::move(msg)};
}
}  // namespace

std::vector<CanBusError> decode(const CanFrame& frame, std::string_view where) {
  std::vector<CanBusError> out;
  if (!frame.error) return out;
  const std::uint32_t cls = frame.id & kAllClasses;
  // Most severe first: the monitor and the link manager react to the first entry.
  if (cls & kBusOff) out.push_back(make(CanErrorKind::bus_off, where, "controller is bus-off"));
  if (cls & kController) {
    const std::uint8_t ctrl = frame.dlc > 1 ? frame.data[1] : 0;
    if (ctrl & (kCtrlRxPassive | kCtrlTxPassive))
      out.push_back(make(CanErrorKind::error_passive, where,
                         (ctrl & kCtrlTxPassive) ? "controller is error-passive (tx)"
                                                 : "controller is error-passive (rx)"));
    if (ctrl & (kCtrlRxWarning | kCtrlTxWarning))
      out.push_back(make(CanErrorKind::error_warning, where, "controller error warning level"));
    if (ctrl & (kCtrlRxOverflow | kCtrlTxOverflow))
      out.push_back(make(CanErrorKind::controller_overflow, where,
                         (ctrl & kCtrlRxOverflow) ? "controller RX buffer overflow"
                                                  : "controller TX buffer overflow"));
    if (ctrl & kCtrlActive)
      out.push_back(make(CanErrorKind::error_active, where, "controller back to error-active"));
    if (ctrl == 0)
      out.push_back(make(CanErrorKind::bus_error, where, "unspecified controller problem"));
  }
  if (cls & kLostArbitration) {
    std::string what = "lost arbitration";
    if (frame.dlc > 0 && frame.data[0] != 0) what += " at bit " + std::to_string(frame.data[0]);
    out.push_back(make(CanErrorKind::arbitration_lost, where, what));
  }
  if (cls & kTransceiver)
    out.push_back(make(CanErrorKind::transceiver, where, "transceiver status error (wiring?)"));
  if (cls & kNoAck)
    out.push_back(make(CanErrorKind::no_ack, where, "no acknowledgement on transmission"));
  if (cls & kProtocol)
    out.push_back(make(CanErrorKind::protocol_violation, where, "protocol violation on the bus"));
  if (cls & kTxTimeout) out.push_back(make(CanErrorKind::tx_timeout, where, "TX timeout"));
  if (cls & kBusError) out.push_back(make(CanErrorKind::bus_error, where, "bus error"));
  if (cls & kRestarted)
    out.push_back(make(CanErrorKind::restarted, where, "controller restarted after bus-off"));
  if (out.empty())
    out.push_back(make(CanErrorKind::bus_error, where, "error frame without a known class"));
  return out;
}

}  // namespace bessd::can::error_frame
