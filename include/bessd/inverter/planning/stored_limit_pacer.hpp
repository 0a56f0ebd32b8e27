#pragma once
// How often a limit that the inverter keeps in flash is rewritten (docs/profiles.md, "Stored
// limits"). A GX's 2705/2710/2720 are stored settings: following a moving envelope write for
// write would wear the flash. The pacer tightens at once (the device must never be freer than
// the envelope) and loosens only once the envelope has stayed above the held value for a whole
// interval, to the lowest value it had meanwhile, so an envelope that keeps dipping causes no
// writes at all. A limit that was 0 (a block) reopens at once, once per interval: blocks end
// rarely, and holding the battery idle after one has ended helps nobody; an envelope that
// wanders around 0 is paced like any other.
//
// Pure: fed values and times, returns the value to write. Not thread-safe.

#include <optional>

#include <bessd/common/clock.hpp>

namespace bessd::inverter {

class StoredLimitPacer {
 public:
  explicit StoredLimitPacer(Duration loosen_after) : loosen_after_(loosen_after) {}

  /// The value to hold given the envelope's `wanted` value at `now`: never above `wanted`.
  double next(double wanted, TimePoint now);

  /// When a looser envelope is next let through, if one is waiting: the driver writes then
  /// rather than at its next lease.
  std::optional<TimePoint> loosen_due() const {
    if (!above_since_) return std::nullopt;
    return *above_since_ + loosen_after_;
  }

  /// The value held and the envelope's latest, while the held value is the lower (a looser
  /// envelope waiting for its interval); absent otherwise.
  std::optional<std::pair<double, double>> held_below() const {
    if (!held_ || !last_wanted_ || *last_wanted_ <= *held_) return std::nullopt;
    return std::pair{*held_, *last_wanted_};
  }

  /// Forget the held value: the device's was overwritten (a safe state's 0, a release's "no
  /// limit"), so the next value is written as it is.
  void reset() {
    held_.reset();
    above_since_.reset();
    last_wanted_.reset();
  }

 private:
  Duration loosen_after_;
  std::optional<double> held_;
  std::optional<double> last_wanted_;        // the envelope's value at the latest next()
  std::optional<TimePoint> above_since_;     // since when `wanted` has been above `held_`
  double lowest_above_{0.0};                 // the lowest `wanted` since then
  std::optional<TimePoint> last_reopen_at_;  // the last time a 0 was let up at once
};

}  // namespace bessd::inverter
