#pragma once
// The controller's events all come from the "control" component; one helper builds them for the
// controller's rule-family files.

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>

#include <bessd/common/clock.hpp>
#include <bessd/core/event.hpp>

namespace bessd::control::detail {

inline core::Event control_event(TimePoint at, core::Severity sev, core::EventEdge edge,
                                 std::string code, std::string message) {
  return core::Event{at, sev, edge, "control", std::move(code), std::move(message), {}};
}

inline std::int64_t unix_ms(WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace bessd::control::detail
