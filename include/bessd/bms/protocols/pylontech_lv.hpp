#pragma once
// Pylontech-compatible LV CAN BMS protocol (docs/protocols.md): both the V1.2 frame set
// (0x359 flags, 0x35C requests) and the V1.3 set (0x35A alarms, 0x35F info) in one decoder,
// plus 0x351, 0x355, 0x356, 0x35E, 0x370-0x373, 0x378, 0x379. Pure, single-threaded.
//
// Flags: 0x359 and 0x35A are kept separately and combined per condition with the stronger
// state winning (active > ok > not_reported), so a BMS that sends both never loses an alarm to
// an all-"not supported" 0x35A. Without 0x359 and a non-zero 0x35A the flags stay
// not_reported ("no alarm data", never "OK").

#include <optional>

#include <bessd/bms/protocols/bms_protocol.hpp>
#include <bessd/bms/protocols/pylontech_lv_frames.hpp>

namespace bessd::bms::pylontech {

struct PylontechLvOptions {
  bool invert_current{false};       // bms.invert_current: the BMS reports + = discharging
  bool send_inverter_ident{false};  // also send 0x307 "VIC" with each keep-alive
};

class PylontechLv final : public BmsProtocol {
 public:
  explicit PylontechLv(PylontechLvOptions options = {}) : options_(options) {}

  std::string_view name() const override { return "pylontech_lv"; }
  std::vector<can::CanFilter> filters() const override;
  DecodeOutcome apply(const can::CanFrame& frame, TimePoint at, core::PackState& state) override;
  std::vector<can::CanFrame> keepalive_frames() const override;
  void reset() override;

 private:
  void combine_flags(core::PackState& state) const;

  PylontechLvOptions options_;
  std::optional<FlagSets> from_359_;
  std::optional<FlagSets> from_35a_;
  std::string name_part1_;
  std::string name_part2_;
};

}  // namespace bessd::bms::pylontech
