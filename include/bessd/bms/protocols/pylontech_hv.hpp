#pragma once
// Pylontech HV CAN BMS protocol (docs/protocols.md, "The BMS: Pylontech HV"): folds the pack's
// answers (0x4210-0x4290, 0x7310-0x7340) into a PackState. Pure, single-threaded.
//
// Two ways onto the bus (docs/protocols.md, "Two bus roles"):
// - listen_only: an inverter already polls the pack; bessd reads the answers and never
//   transmits a frame (a second poller would double every answer burst, and 0x8200/0x8210 change
//   the pack's relay state);
// - active: bessd is the only master and polls the pack itself each keep-alive period (0x4200
//   for the ensemble, the system information now and then). It wakes the pack (0x8200) unless
//   the controller forbids it, and commands the relay (0x8210) for the directions the controller
//   allows right now: none under a fire alarm, a latched fault or a blocked site.
//
// Several packs (docs/protocols.md, "Addresses"): pack controllers answer at addresses 0-15.
// bessd reads one battery: the reference pack (`bms.address`, else the lowest address that
// answers the ensemble poll) gives the measurements, SOC and nameplate; every pack's limits
// count, the most restrictive winning, and so do its cell extremes and flags. Nothing is summed:
// an emitter that answers at two addresses must not count one pack twice. Each frame keeps its
// own time per pack, so a pack that stops answering makes the data stale. With `bms.address`
// only that pack is read.

#include <array>
#include <bitset>
#include <optional>
#include <string>

#include <bessd/bms/protocols/bms_protocol.hpp>
#include <bessd/bms/protocols/pylontech_hv_frames.hpp>

namespace bessd::bms::pylontech_hv {

enum class BusRole : std::uint8_t { listen_only, active };

struct PylontechHvOptions {
  bool invert_current{false};  // bms.invert_current: the pack reports + = discharging
  BusRole role{BusRole::listen_only};
  std::optional<std::uint8_t> address;  // absent: every pack that answers is read
};

/// The active master asks for the system information (0x4200 byte 0 = 0x02, static data) at
/// its first poll and then once in this many periods; the ensemble at every period.
inline constexpr unsigned kSystemPollEvery = 10;

class PylontechHv final : public BmsProtocol {
 public:
  explicit PylontechHv(PylontechHvOptions options = {}) : options_(options) { reset(); }

  std::string_view name() const override { return "pylontech_hv"; }
  std::vector<can::CanFilter> filters() const override;
  DecodeOutcome apply(const can::CanFrame& frame, TimePoint at, core::PackState& state) override;
  std::vector<can::CanFrame> keepalive_frames() const override;
  void permit(const PowerFlowPermit& permit) override { permit_ = permit; }
  std::string silence_hint(TimePoint now) const override;
  void reset() override;

  /// The addresses heard from, lowest first.
  std::vector<std::uint8_t> packs() const;

 private:
  /// What one pack (one address) said last, each frame with its own arrival time.
  struct Pack {
    std::optional<TimePoint> heard_at;  // first frame
    std::optional<TimePoint> last_at;   // latest frame
    std::optional<Ensemble> ensemble;
    std::optional<TimePoint> ensemble_at;
    std::optional<TimePoint> first_ensemble_at;
    std::optional<Limits> limits;
    std::optional<TimePoint> limits_at;
    std::optional<CellVoltages> cell_voltages;
    std::optional<TimePoint> cell_voltages_at;
    std::optional<CellTemperatures> cell_temperatures;
    std::optional<TimePoint> cell_temperatures_at;
    std::optional<Status> status;
    std::optional<TimePoint> status_at;
    std::optional<FaultExtension> faults;
    std::optional<TimePoint> faults_at;
    std::optional<Forbidden> forbidden;
    std::optional<TimePoint> forbidden_at;
    std::optional<System> system;
  };

  /// Store the frame in its pack's record; the part of the PackState it changes.
  DecodeOutcome store(Pack& pack, const Frame& frame, TimePoint at);
  void combine(core::PackState& state) const;
  std::optional<std::uint8_t> reference() const;
  void combine_measurements(core::PackState& state) const;
  void combine_limits(core::PackState& state) const;
  void combine_cells(core::PackState& state) const;
  void combine_flags(core::PackState& state) const;
  void combine_identity(core::PackState& state) const;

  PylontechHvOptions options_;
  PowerFlowPermit permit_;
  std::array<Pack, kMaxAddress + 1> packs_{};
  std::optional<TimePoint> last_poll_at_;  // the inverter's last ensemble poll (listen-only)
  mutable unsigned polls_sent_{0};
  std::bitset<kMaxAddress + 1> others_heard_;  // with bms.address: other addresses heard
  std::string firmware_;
  std::string name_part1_;
  std::string name_part2_;
};

}  // namespace bessd::bms::pylontech_hv
