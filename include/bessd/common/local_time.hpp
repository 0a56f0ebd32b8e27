#pragma once
// The local wall clock of the site, for schedules written in local time (docs/schedules.md).
// Time zones come from the system's database (tzdata) through Howard Hinnant's date library:
// GCC 12's <chrono> has no time-zone support. A reading is where the local clock stands: on a
// night the clocks go forward the hour that is skipped never reads, on a night they go back the
// hour that repeats reads twice.

#include <cstdint>
#include <string>
#include <string_view>

#include <bessd/common/clock.hpp>
#include <bessd/common/result.hpp>

namespace date {
class time_zone;
}

namespace bessd {

/// Where the local clock stands.
struct LocalReading {
  unsigned weekday{0};  // 0 = Monday ... 6 = Sunday
  int minute{0};        // of the day, 0 to 1439
  friend bool operator==(const LocalReading&, const LocalReading&) = default;
};

class TimeZone {
 public:
  /// An IANA zone ("Europe/London"); an error names it when the database does not have it.
  static Result<TimeZone> named(std::string_view name);
  /// The system's zone: TZ when it names a zone, else /etc/localtime; UTC when neither can be
  /// read (fallback() is then true: say so, the windows may be an hour out).
  static TimeZone system();
  bool fallback() const { return fallback_; }

  LocalReading reading(WallTime t) const;
  /// The first moment after `after` when the local clock reads `minute` of the day. On the night
  /// the clocks go forward a minute in the skipped hour comes when the clock jumps; on the night
  /// they go back, a minute of the repeated hour comes the first time it reads.
  WallTime next_at(WallTime after, int minute) const;
  /// "HH:MM" on the local clock.
  std::string clock_text(WallTime t) const;
  const std::string& name() const { return name_; }

 private:
  TimeZone(const date::time_zone* zone, std::string name, bool fallback = false)
      : zone_(zone), name_(std::move(name)), fallback_(fallback) {}
  const date::time_zone* zone_;  // null: UTC without the database
  std::string name_;
  bool fallback_{false};
};

}  // namespace bessd
