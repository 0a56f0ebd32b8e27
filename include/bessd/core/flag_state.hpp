#pragma once
#include <array>
#include <cstdint>
#include <string_view>

#include <bessd/common/enum_names.hpp>

namespace bessd::core {

/// A BMS alarm or protection item. `not_reported` (the BMS does not send this item, or sent
/// "not supported") is kept distinct from `ok`: bessd never assumes a silent BMS is healthy.
enum class FlagState : std::uint8_t { not_reported, ok, active };
inline constexpr auto kFlagStateNames =
    std::to_array<EnumName<FlagState>>({{FlagState::not_reported, "not_reported"},
                                        {FlagState::ok, "ok"},
                                        {FlagState::active, "active"}});
static_assert(enum_names_complete(kFlagStateNames));

std::string_view to_string(FlagState s) noexcept;

}  // namespace bessd::core
