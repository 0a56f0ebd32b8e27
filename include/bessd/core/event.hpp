#pragma once
// Events are how pure components report what happened; the app logs and stores them.
// Raised/cleared edges, never one per frame.

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include <bessd/common/clock.hpp>
#include <bessd/common/enum_names.hpp>

namespace bessd::core {

enum class Severity : std::uint8_t { debug, info, warning, error, critical };
inline constexpr auto kSeverityNames =
    std::to_array<EnumName<Severity>>({{Severity::debug, "debug"},
                                       {Severity::info, "info"},
                                       {Severity::warning, "warning"},
                                       {Severity::error, "error"},
                                       {Severity::critical, "critical"}});
static_assert(enum_names_complete(kSeverityNames));
enum class EventEdge : std::uint8_t { once, raised, cleared };
inline constexpr auto kEventEdgeNames = std::to_array<EnumName<EventEdge>>(
    {{EventEdge::once, "once"}, {EventEdge::raised, "raised"}, {EventEdge::cleared, "cleared"}});
static_assert(enum_names_complete(kEventEdgeNames));

std::string_view to_string(Severity s) noexcept;
std::string_view to_string(EventEdge e) noexcept;

struct Event {
  TimePoint at{};
  Severity severity{Severity::info};
  EventEdge edge{EventEdge::once};
  std::string source;   // component: "bms", "control", "compliance", ...
  std::string code;     // stable id: rule id ("COM-01") or event name ("bms.lost")
  std::string message;  // for people
  std::map<std::string, std::string> fields;  // values behind the message
  friend bool operator==(const Event&, const Event&) = default;
};

}  // namespace bessd::core
