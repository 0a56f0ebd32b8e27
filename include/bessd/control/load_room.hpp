#pragma once
// The room the discharge limit keeps for a DC load on the battery bus (docs/protection.md "DC
// loads"): the largest load measured within the hold, so a cycling load (a fridge, a pump) finds
// its room at each start instead of driving the pack past its limit until the inverter has come
// down. A sliding maximum: a load drawn once comes down after the hold, the one drawn since
// takes its place. Pure, time as an argument.

#include <deque>
#include <optional>

#include <bessd/common/clock.hpp>

namespace bessd::control {

class LoadRoom {
 public:
  static constexpr Duration kHold = std::chrono::minutes{30};

  /// `resolution_w`: loads within this of each other count as one (the standby tolerance), which
  /// keeps the history to a few dozen entries whatever the load does.
  explicit LoadRoom(double resolution_w) : resolution_w_(resolution_w) {}

  void set_resolution(double resolution_w) { resolution_w_ = resolution_w; }
  /// A load measured now (0 W: none).
  void record(double load_w, TimePoint now);
  /// Forget every load (the power is no longer measured at the battery).
  void clear() { drawn_.clear(); }
  /// The largest load drawn within the hold before `now`; 0 when none.
  double room_w(TimePoint now) const;
  /// When the room comes down (to a smaller load drawn since, or to none) unless the load draws
  /// it again; absent when there is no room.
  std::optional<TimePoint> lowers_at(TimePoint now) const;

  /// The room and when it was last drawn, to be kept across a restart; absent when none.
  struct Peak {
    double load_w;
    TimePoint drawn_at;
  };
  std::optional<Peak> peak_drawn(TimePoint now) const;

 private:
  struct Drawn {
    TimePoint at;
    double load_w;
  };
  const Drawn* peak(TimePoint now) const;

  double resolution_w_;
  // Newest last; each entry larger than every later one: the older smaller ones can never be
  // the maximum again.
  std::deque<Drawn> drawn_;
};

}  // namespace bessd::control
