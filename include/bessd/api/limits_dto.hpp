#pragma once
// GET /v1/limits: the enforced envelope (each bound with the cause that set it) and, when the
// limits engine reports them, every candidate constraint that was considered.

#include <array>
#include <optional>
#include <string>
#include <vector>

#include <bessd/common/clock.hpp>
#include <bessd/common/enum_names.hpp>
#include <bessd/core/envelope.hpp>

namespace bessd::api {

enum class Direction : std::uint8_t { charge, discharge, both };
inline constexpr auto kDirectionNames =
    std::to_array<EnumName<Direction>>({{Direction::charge, "charge"},
                                        {Direction::discharge, "discharge"},
                                        {Direction::both, "both"}});
static_assert(enum_names_complete(kDirectionNames));
std::string_view to_string(Direction d) noexcept;

/// One rule's contribution to the envelope (the envelope is the minimum of all of them).
struct Constraint {
  std::string bound;  // the envelope field it limits: "charge_power_max_w", ...
  Direction direction{Direction::both};
  double value{0.0};  // non-negative magnitude in the bound's unit
  core::Cause cause;
  bool binding{false};  // true when this constraint sets the enforced bound
  friend bool operator==(const Constraint&, const Constraint&) = default;
};

struct LimitsDto {
  WallTime time{};
  core::Envelope envelope;
  std::vector<Constraint> constraints;  // may be empty when the engine reports only the minimum
  friend bool operator==(const LimitsDto&, const LimitsDto&) = default;
};

}  // namespace bessd::api
