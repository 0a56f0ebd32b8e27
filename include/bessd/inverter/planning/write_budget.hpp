#pragma once
// WriteBudget: how often each point with a write budget (a register the device keeps in EEPROM
// or flash, which wears out) was written in the last 24 hours, and whether one more write fits
// (docs/profiles.md "Write budget"). The driver asks before each write request and counts each
// one it sends; only the safe state is written beyond a spent budget.
//
// Pure: fed the times. Kept in memory only: a restart starts the count again (systemd stops
// restarting after 5 starts in 10 minutes, docs/profiles.md "Write budget"). Not thread-safe.

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <string>

#include <bessd/common/clock.hpp>
#include <bessd/inverter/profile.hpp>

namespace bessd::inverter {

class WriteBudget {
 public:
  static constexpr Duration kWindow = std::chrono::hours{24};

  /// `profile` must outlive this object.
  explicit WriteBudget(const Profile& profile) : profile_(profile) {}

  /// Whether one more write of `point` stays within its budget at `now` (always true for a
  /// point without one).
  bool allows(const std::string& point, TimePoint now);
  /// Counts a write request that carried `point` (points without a budget are not counted).
  void record(const std::string& point, TimePoint now);
  /// Writes of `point` in the 24 hours up to `now`.
  std::size_t used(const std::string& point, TimePoint now);
  /// When the budget of `point` has room again (nothing while it has room now).
  std::optional<TimePoint> room_again_at(const std::string& point, TimePoint now);

 private:
  std::deque<TimePoint>* writes_of(const std::string& point, TimePoint now);

  const Profile& profile_;
  std::map<std::string, std::deque<TimePoint>> writes_;
};

}  // namespace bessd::inverter
