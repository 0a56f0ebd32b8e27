#include <bessd/common/local_time.hpp>

#include <cstdio>
#include <cstdlib>
#include <exception>

#include <date/tz.h>

namespace bessd {

namespace {

// The local time as a count of minutes since the local midnight of the epoch day.
date::local_time<std::chrono::minutes> local_minutes(const date::time_zone* zone, WallTime t) {
  return date::floor<std::chrono::minutes>(zone->to_local(t));
}

}  // namespace

Result<TimeZone> TimeZone::named(std::string_view name) {
  try {
    return TimeZone(date::locate_zone(name), std::string(name));
  } catch (const std::exception& e) {
    return fail(ErrorCode::not_found, "time zone \"" + std::string(name) +
                                          "\" is not in the system's time-zone database "
                                          "(tzdata): " +
                                          e.what());
  }
}

TimeZone TimeZone::system() {
  // TZ first, as the C library reads it (a leading ':' names a file or zone).
  if (const char* tz = std::getenv("TZ"); tz != nullptr && *tz != '\0') {
    const std::string_view name = *tz == ':' ? tz + 1 : tz;
    if (auto zone = named(name)) return *zone;
  }
  try {
    const auto* zone = date::current_zone();
    return TimeZone(zone, std::string(zone->name()));
  } catch (const std::exception&) {
  }
  // No zone at all (no tzdata): UTC, without the database.
  return TimeZone(nullptr, "UTC", true);
}

LocalReading TimeZone::reading(WallTime t) const {
  const auto local = zone_ != nullptr
                         ? local_minutes(zone_, t)
                         : date::local_time<std::chrono::minutes>{
                               date::floor<std::chrono::minutes>(t.time_since_epoch())};
  const auto day = date::floor<date::days>(local);
  const date::weekday wd{day};
  LocalReading r;
  r.weekday = (wd.c_encoding() + 6) % 7;  // c_encoding: 0 = Sunday
  r.minute = static_cast<int>((local - day).count());
  return r;
}

WallTime TimeZone::next_at(WallTime after, int minute) const {
  using std::chrono::minutes;
  const auto local = zone_ != nullptr
                         ? zone_->to_local(after)
                         : date::local_time<WallClock::duration>{after.time_since_epoch()};
  auto candidate = date::floor<date::days>(local) + minutes{minute};
  for (int day = 0; day < 3; ++day, candidate += date::days{1}) {
    const WallTime at =
        zone_ != nullptr
            ? WallTime{zone_->to_sys(candidate, date::choose::earliest).time_since_epoch()}
            : WallTime{candidate.time_since_epoch()};
    if (at > after) return at;
  }
  return after + date::days{1};  // not reached: some day of three always comes after
}

std::string TimeZone::clock_text(WallTime t) const {
  const auto r = reading(t);
  char text[24];
  std::snprintf(text, sizeof text, "%02d:%02d", r.minute / 60, r.minute % 60);
  return text;
}

}  // namespace bessd
