#pragma once
// BYD Battery-Box Premium HVS/HVM CAN protocol (docs/protocols.md, "The BMS: BYD Battery-Box
// HVS"): folds the battery's broadcast into a PackState. Listen-only: the inverter is the
// battery's master, and no public source says what a BYD battery needs from one, so bessd never
// transmits on this bus. Pure, single-threaded.
//
// What the protocol does not carry, bessd does not invent: no cell voltages (estimated from the
// pack voltage, as for a genuine Pylontech LV pack), no protection or warning flags (nobody has
// decoded 0x190; the battery stops a direction by sending a zero current limit), no
// charge/discharge enable bits. The limits frame stands for the flags' freshness.

#include <optional>
#include <string>

#include <bessd/bms/protocols/bms_protocol.hpp>
#include <bessd/bms/protocols/byd_hvs_frames.hpp>

namespace bessd::bms::byd_hvs {

struct BydHvsOptions {
  bool invert_current{false};  // bms.invert_current: the battery reports + = discharging
};

class BydHvs final : public BmsProtocol {
 public:
  explicit BydHvs(BydHvsOptions options = {}) : options_(options) {}

  std::string_view name() const override { return "byd_hvs"; }
  std::vector<can::CanFilter> filters() const override;
  DecodeOutcome apply(const can::CanFrame& frame, TimePoint at, core::PackState& state) override;
  std::vector<can::CanFrame> keepalive_frames() const override { return {}; }
  std::string silence_hint(TimePoint now) const override;
  void reset() override;

 private:
  DecodeOutcome fold(const Frame& frame, TimePoint at, core::PackState& state);
  std::optional<TimePoint> measured_at() const;  // the older of 0x1D0 and 0x210, once both came

  BydHvsOptions options_;
  std::optional<TimePoint> last_inverter_at_;
  std::optional<TimePoint> measurements_at_;
  std::optional<TimePoint> cell_temperatures_at_;
  std::string model_[4];
};

}  // namespace bessd::bms::byd_hvs
