#include <bessd/control/schedule_calendar.hpp>

namespace bessd::control {

namespace {

bool starts_on(const config::ScheduleWindow& w, unsigned weekday) {
  return (w.days & (1U << (weekday % 7))) != 0;
}

bool holds(const config::ScheduleWindow& w, LocalReading now) {
  if (w.end_minute > w.start_minute)
    return starts_on(w, now.weekday) && now.minute >= w.start_minute && now.minute < w.end_minute;
  // Past midnight: the evening part on its day, the morning part on the day after.
  return (starts_on(w, now.weekday) && now.minute >= w.start_minute) ||
         (starts_on(w, now.weekday + 6) && now.minute < w.end_minute);
}

}  // namespace

bool clock_is_set(WallTime now) {
  using namespace std::chrono;
  return now >= sys_days{year{2020} / January / 1};
}

ScheduledAction without_clock() {
  ScheduledAction a;
  a.action.kind = config::ScheduleActionKind::self_consumption;
  a.clock_unset = true;
  return a;
}

ScheduledAction scheduled_at(const config::ScheduleConfig& schedule, LocalReading now) {
  for (const auto& w : schedule.windows)
    if (holds(w, now)) return {w.action, config::describe(w)};
  return {schedule.outside, {}};
}

}  // namespace bessd::control
