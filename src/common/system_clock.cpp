#include <bessd/common/clock.hpp>

namespace bessd {

// The one place in bessd that reads the OS clocks; scripts/check-purity.sh allows it here only.
TimePoint SystemClock::now() const {
  return SteadyClock::now();
}
WallTime SystemClock::wall_now() const {
  return WallClock::now();
}

}  // namespace bessd
