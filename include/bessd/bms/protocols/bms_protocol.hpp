#pragma once
// The BmsProtocol port: a pure, stateful decoder that folds CAN frames into a PackState, and
// the frames the inverter side must send (keep-alive). One implementation per BMS family.
// No I/O, no clock: arrival times come in as arguments. Never throws on bad bytes.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <bessd/can/can_frame.hpp>
#include <bessd/common/clock.hpp>
#include <bessd/common/enum_names.hpp>
#include <bessd/core/pack_state.hpp>

namespace bessd::bms {

/// Which part of the PackState a frame updated; the monitor tracks the age of each.
enum class PackPart : std::uint8_t {
  measurements,  // voltage, current, temperature
  limits,        // CVL/CCL/DCL/DVL
  charge,        // SOC/SOH
  flags,         // protections/warnings
  requests,      // charge/discharge enable, force charge
  cells,         // cell extremes
  modules,       // module counts
  identity,      // names, firmware, capacity
  energy,        // energy counters
};
inline constexpr auto kPackPartNames =
    std::to_array<EnumName<PackPart>>({{PackPart::measurements, "measurements"},
                                       {PackPart::limits, "limits"},
                                       {PackPart::charge, "charge"},
                                       {PackPart::flags, "flags"},
                                       {PackPart::requests, "requests"},
                                       {PackPart::cells, "cells"},
                                       {PackPart::modules, "modules"},
                                       {PackPart::identity, "identity"},
                                       {PackPart::energy, "energy"}});
static_assert(enum_names_complete(kPackPartNames));
inline constexpr std::size_t kPackPartCount = static_cast<std::size_t>(PackPart::energy) + 1;
std::string_view to_string(PackPart part) noexcept;

struct DecodeOutcome {
  enum class Kind : std::uint8_t {
    applied,   // the frame updated `part`
    ignored,   // not a frame of this protocol (unknown id, 29-bit, remote, error frame)
    rejected,  // a frame of this protocol with a bad payload; state unchanged; see `reason`
  };
  Kind kind{Kind::ignored};
  PackPart part{PackPart::measurements};  // valid when applied
  std::string reason;                     // valid when rejected
  std::optional<PackPart> also;           // a second part the same frame updated (when applied)
};

/// What the controller allows now, for a protocol where bessd is the pack's only master and
/// commands its relays (docs/protocols.md, "Two bus roles"). Nothing is allowed until the
/// controller says so.
struct PowerFlowPermit {
  bool charge{false};     // the envelope allows charging and the command is to run
  bool discharge{false};  // the same for discharging
  bool wake{false};       // the pack may be woken from sleep (not under a fire alarm)
  friend bool operator==(const PowerFlowPermit&, const PowerFlowPermit&) = default;
};

class BmsProtocol {
 public:
  virtual ~BmsProtocol() = default;
  virtual std::string_view name() const = 0;
  /// Acceptance filters for the frames this protocol reads (for SocketCAN/SLCAN filtering).
  virtual std::vector<can::CanFilter> filters() const = 0;
  /// Fold one received frame, stamped `at` (host monotonic time), into `state`.
  virtual DecodeOutcome apply(const can::CanFrame& frame, TimePoint at, core::PackState& state) = 0;
  /// Frames to send every keep-alive period (may be empty).
  virtual std::vector<can::CanFrame> keepalive_frames() const = 0;
  /// The controller's latest permit; a protocol that commands no relay ignores it.
  virtual void permit(const PowerFlowPermit& /*permit*/) {}
  /// A sentence on why the pack may have gone quiet (empty when the protocol has none), added to
  /// the monitor's stale and lost events.
  virtual std::string silence_hint(TimePoint /*now*/) const { return {}; }
  /// Forget everything learnt from previous frames (after data loss).
  virtual void reset() = 0;
};

}  // namespace bessd::bms
