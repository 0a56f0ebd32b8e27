#pragma once
// Which action of the `schedule` section holds at a reading of the local clock (docs/schedules.md).
// Pure: the app reads the clock in the site's time zone and passes the reading.

#include <string>

#include <bessd/common/local_time.hpp>
#include <bessd/config/schedule_config.hpp>

namespace bessd::control {

/// The action in force, and the window it comes from.
struct ScheduledAction {
  config::ScheduleAction action;
  std::string window;  // describe(window), "Mon–Fri 00:30–04:30"; empty between the windows
  /// The wall clock is not set (it reads before 2020: a gateway without a real-time clock after
  /// a power cut): no window can be told, and self-consumption runs until it is.
  bool clock_unset{false};
  friend bool operator==(const ScheduledAction&, const ScheduledAction&) = default;
};

/// A window holds while the local clock reads inside it on one of its days (a window past
/// midnight belongs to the day it starts). On the night the clocks go forward a window lasts an
/// hour less, on the night they go back an hour more, as the clock on the wall says.
ScheduledAction scheduled_at(const config::ScheduleConfig& schedule, LocalReading now);

/// Before this the wall clock is taken as not set.
bool clock_is_set(WallTime now);
/// What runs while the clock is not set: self-consumption, which buys and sells nothing on
/// purpose.
ScheduledAction without_clock();

}  // namespace bessd::control
