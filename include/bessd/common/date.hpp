#pragma once
// Calendar dates as they appear in site records ("2025-03-31"). Pure: parsing and arithmetic only.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace bessd {

using Date = std::chrono::year_month_day;

/// Parses an ISO 8601 calendar date "YYYY-MM-DD"; nullopt when malformed or not a real day.
std::optional<Date> parse_date(std::string_view text);
std::string format_date(const Date& date);
/// Whole days from `from` to `to` (negative when `to` is earlier).
long days_between(const Date& from, const Date& to);
Date date_of(std::chrono::system_clock::time_point t);

}  // namespace bessd
