#pragma once
// The pack's discharge current limit, whoever draws (docs/protection.md "Discharge current
// guard"). The envelope leaves room for a DC load it knows of; a load larger than declared, or
// an inverter that gives more than commanded, still drives the pack past its DCL. The current
// the BMS measures is the truth: when it exceeds the limit, the inverter's share is lowered by
// the excess at once (down to charging, so the inverter covers a load the pack must not), and
// given back once the pack has room again. Pure, one owner, time as an argument.

#include <optional>
#include <string>

#include <bessd/common/clock.hpp>

namespace bessd::control {

struct PackCurrentSample {
  std::optional<double> current_a;  // + = charging
  std::optional<double> voltage_v;
  std::optional<TimePoint> measured_at;
  /// The inverter's own battery power reading at the same time (+ = charge), when the profile
  /// has one: where the inverter is, while it still ramps towards a command.
  std::optional<double> inverter_w{};
  /// The command is the battery's own power, DC loads included (a device that holds its battery
  /// reading at the target, docs/protection.md "Discharge current guard"): the device takes a
  /// DC load over by itself, so the command is held at what the cells may give, never raised
  /// by the load.
  bool command_at_battery{false};
};

/// An edge of the guard, for the event log: one pair per episode, however often a cycling
/// load makes it lower the share within it.
struct CurrentGuardEdge {
  bool engaged{false};  // true: it started lowering the inverter's share; false: it let go
                        // and the pack has stayed within its limit for the quiet period
  std::string text;
};

class DischargeCurrentGuard {
 public:
  explicit DischargeCurrentGuard(double inverter_ramp_w_per_s)
      : ramp_w_per_s_(inverter_ramp_w_per_s) {}

  void set_ramp(double inverter_ramp_w_per_s) { ramp_w_per_s_ = inverter_ramp_w_per_s; }
  /// The DC load known to draw (declared, or measured): bounds the one try of a cover beyond
  /// the cells' charge that the pack does not seem to answer (see partly_covered()).
  void set_known_load(double load_w) { known_load_w_ = std::max(0.0, load_w); }

  /// `limit_a`: the pack's discharge current limit (the BMS's DCL, the configured rating); absent
  /// = no limit known, nothing judged. `commanded_w`: the command in force (+ = charge). Judges
  /// each BMS sample once; a correction is followed by a pause for the inverter's ramp and a
  /// new measurement before the next, except for more excess than the correction on its way
  /// leaves (an inverter still ramping the other way, a load switched on). `charge_limit_a`:
  /// what the pack may take; while the share is held up, a charge beyond it (the load has
  /// dropped, and the cover now charges a pack that may not be charged) lowers the share at once.
  std::optional<CurrentGuardEdge> update(const PackCurrentSample& pack,
                                         std::optional<double> limit_a, double commanded_w,
                                         TimePoint now,
                                         std::optional<double> charge_limit_a = std::nullopt,
                                         double cover_from_w = kNoCoverBound);
  /// `cover_from_w`: the charge the envelope allows the cells; beyond it the share is raised
  /// only for a load that switches on, never to chase an excess that stays.
  static constexpr double kNoCoverBound = 1e12;

  /// The lowest command (+ = charge) that keeps the pack within its limit; absent = no bound.
  std::optional<double> min_command_w() const { return floor_w_; }
  /// The last correction has had its time and the excess has not moved at all: the inverter
  /// does not deliver what the guard asks (one that follows the BMS's charge limit itself does
  /// not charge to cover a load while the BMS allows no charge). Cleared by any movement; for a
  /// command at the battery, once the excess is gone.
  bool not_delivered() const { return not_delivered_; }
  /// The excess stays while the share is held beyond the charge the cells may take: the
  /// inverter delivers only part of the cover (it keeps to the BMS's charge limit itself, or to
  /// its rating), and the pack still gives more than it may.
  bool partly_covered() const { return partly_covered_; }
  /// Why the command is held up, to continue a sentence ("the pack gave 69.3 A, above ...").
  const std::string& reason() const { return reason_; }

 private:
  void corrected(double over_a, TimePoint now);
  void hold_at_battery(double over_a, double limit_a, double volts, TimePoint now);
  void let_go(TimePoint now);
  void correct_rest(double over_a, double volts, double commanded_w, double cover_from_w,
                    TimePoint now);
  // The excess already answered: the last sample's, or the last correction's while it is on
  // its way.
  double answered_a(TimePoint now) const;
  // Judges the tried rest of a cover once it has had its time; true when it was taken back.
  bool judge_probe(double over_a, double volts, TimePoint now);
  bool take_back_charge(double charge_a, double charge_limit_a, double limit_a, double volts,
                        double commanded_w, TimePoint now);

  double ramp_w_per_s_;
  std::optional<double> floor_w_;
  std::optional<TimePoint> last_sample_;
  TimePoint hold_until_{};
  double last_over_a_{0.0};  // the previous sample's excess (negative: room)
  // The excess half a second or so ago, to tell a correction on its way from one that arrived.
  double progress_a_{0.0};
  double corrected_over_a_{0.0};  // the excess the last correction answered
  bool not_delivered_{false};
  bool partly_covered_{false};
  bool moving_{false};  // the last correction has begun to arrive
  TimePoint corrected_at_{};
  int unanswered_{0};        // corrections since the excess last moved
  double follow_up_w_{0.0};  // what the follow-up added, while it has not moved the pack
  // The rest of a cover tried beyond the cells' charge, once per episode, while it is judged.
  double known_load_w_{0.0};
  bool probed_{false};
  std::optional<double> probe_w_;
  double probe_over_a_{0.0};
  TimePoint probe_until_{};
  // At the battery: since when the pack has been within its limit, while it is still said.
  std::optional<TimePoint> within_since_;
  // How long a correction may show no effect at all before the next (the inverter's delay).
  static constexpr Duration kNoMovementWait = std::chrono::milliseconds{2500};
  std::optional<double> last_limit_a_;
  std::optional<double> inverter_w_;  // the sample's inverter reading
  bool at_battery_{false};            // the sample's command_at_battery
  // At the battery: the excess's peak in the present window and the one before, and how many
  // windows in a row it has not come down.
  TimePoint window_at_{};
  double window_max_a_{0.0};
  double previous_max_a_{0.0};
  int stalled_windows_{0};
  double base_w(double commanded_w) const;
  // Since when the pack has had room (below its limit by twice the tolerance): the share is
  // given back only after a while of it, so a load that pulses faster than the inverter settles
  // is held at its peak instead of being chased at each pulse.
  std::optional<TimePoint> room_since_;
  static constexpr Duration kRoomBeforeGiveBack = std::chrono::seconds{3};
  TimePoint progress_at_{};
  std::string reason_;
  // The episode told in the event log: engaged, and (once the floor is gone) since when the
  // pack has stayed within its limit. Its end is told after the quiet period.
  static constexpr Duration kQuietPeriod = std::chrono::minutes{5};
  bool announced_{false};
  TimePoint released_at_{};
};

}  // namespace bessd::control
