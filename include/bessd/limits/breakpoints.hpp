#pragma once
// Piecewise-linear tables (docs/protection.md OP-V-02/04, OP-T-02). Pure, no allocation.

#include <bessd/config/limits_config.hpp>

namespace bessd::limits {

/// Linear interpolation of `table` at `x`; outside the table the end values hold.
/// An empty table gives 1.0 (no derating). `table` must be sorted by x ascending (the config
/// loader and the chemistry defaults guarantee it; an unsorted table is interpolated piecewise
/// in the given order, never read out of bounds).
double interpolate(const config::Breakpoints& table, double x) noexcept;

/// True when x is strictly ascending and every factor is inside [0, 1].
bool is_valid_factor_table(const config::Breakpoints& table) noexcept;

}  // namespace bessd::limits
