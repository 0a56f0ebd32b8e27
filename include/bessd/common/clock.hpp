#pragma once
// The only source of time in bessd. Pure components receive a TimePoint argument or a Clock&;
// they never read a clock of their own. Tests use ManualClock and advance it by hand.

#include <chrono>
#include <cstdint>

namespace bessd {

/// Monotonic time: never jumps. All timeouts, ages and rates use it.
using SteadyClock = std::chrono::steady_clock;
using TimePoint = SteadyClock::time_point;
using Duration = SteadyClock::duration;
/// Calendar time: for records people read (database, events) and for date rules.
using WallClock = std::chrono::system_clock;
using WallTime = WallClock::time_point;

using std::chrono::milliseconds;
using std::chrono::seconds;

class Clock {
 public:
  virtual ~Clock() = default;
  /// Monotonic now. Thread-safe.
  virtual TimePoint now() const = 0;
  /// Wall-clock now (may jump when NTP corrects it). Thread-safe.
  virtual WallTime wall_now() const = 0;
};

/// The production clock (steady_clock + system_clock).
class SystemClock final : public Clock {
 public:
  TimePoint now() const override;
  WallTime wall_now() const override;
};

/// A clock that moves only when told to; monotonic and wall time advance together.
/// Not thread-safe: tests drive it from one thread.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(WallTime wall_start = WallTime{std::chrono::seconds{1'700'000'000}})
      : wall_start_(wall_start) {}
  TimePoint now() const override { return TimePoint{} + elapsed_; }
  WallTime wall_now() const override {
    return wall_start_ + std::chrono::duration_cast<WallClock::duration>(elapsed_);
  }
  void advance(Duration d) { elapsed_ += d; }
  void set_elapsed(Duration d) { elapsed_ = d; }

 private:
  WallTime wall_start_;
  Duration elapsed_{};
};

/// Seconds as a double, for arithmetic in physical formulas.
/// Milliseconds since the Unix epoch: how wall times are stored and sent.
inline std::int64_t to_unix_ms(WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
inline WallTime from_unix_ms(std::int64_t ms) {
  return WallTime{std::chrono::duration_cast<WallTime::duration>(std::chrono::milliseconds{ms})};
}

inline double to_seconds(Duration d) {
  return std::chrono::duration<double>(d).count();
}

}  // namespace bessd
