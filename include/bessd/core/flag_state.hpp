#pragma once
#include <cstdint>
#include <string_view>

namespace bessd::core {

/// A BMS alarm or protection item. `not_reported` (the BMS does not send this item, or sent
/// "not supported") is kept distinct from `ok`: bessd never assumes a silent BMS is healthy.
enum class FlagState : std::uint8_t { not_reported, ok, active };

std::string_view to_string(FlagState s) noexcept;

}  // namespace bessd::core
