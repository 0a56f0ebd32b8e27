#pragma once
// Pylontech HV CAN BMS protocol (docs/protocols.md, "The BMS: Pylontech HV"): folds the pack's
// answers (0x4210-0x4290, 0x7310-0x7340) into a PackState. Pure, single-threaded.
//
// Two ways onto the bus (docs/protocols.md, "Two bus roles"):
// - listen_only: an inverter already polls the pack; bessd reads the answers and never
//   transmits a frame (a second poller would double every answer burst, and 0x8200/0x8210 change
//   the pack's relay state);
// - active: bessd is the only master and polls the pack itself, each keep-alive period: 0x4200
//   for the ensemble and the system information, 0x8200 "wake" and 0x8210 "close the relay for
//   charge and discharge", as an inverter does.
//
// One pack (one address) is followed: the configured one, or else the first that answers. A frame
// of another address is rejected with a reason, never folded into this pack's state.

#include <optional>
#include <string>

#include <bessd/bms/protocols/bms_protocol.hpp>
#include <bessd/bms/protocols/pylontech_hv_frames.hpp>

namespace bessd::bms::pylontech_hv {

enum class BusRole : std::uint8_t { listen_only, active };

struct PylontechHvOptions {
  bool invert_current{false};  // bms.invert_current: the pack reports + = discharging
  BusRole role{BusRole::listen_only};
  std::optional<std::uint8_t> address;  // absent: the first pack that answers
};

class PylontechHv final : public BmsProtocol {
 public:
  explicit PylontechHv(PylontechHvOptions options = {}) : options_(options) {}

  std::string_view name() const override { return "pylontech_hv"; }
  std::vector<can::CanFilter> filters() const override;
  DecodeOutcome apply(const can::CanFrame& frame, TimePoint at, core::PackState& state) override;
  std::vector<can::CanFrame> keepalive_frames() const override;
  void reset() override;

  /// The address of the pack followed, once known.
  std::optional<std::uint8_t> address() const { return address_; }

 private:
  DecodeOutcome fold(const Frame& frame, TimePoint at, core::PackState& state);
  void combine_flags(core::PackState& state) const;

  PylontechHvOptions options_;
  std::optional<std::uint8_t> address_;
  std::optional<Status> status_;
  std::optional<FaultExtension> faults_;
  std::string name_part1_;
  std::string name_part2_;
};

}  // namespace bessd::bms::pylontech_hv
