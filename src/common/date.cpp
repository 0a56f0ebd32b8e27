#include <bessd/common/date.hpp>

#include <charconv>
#include <cstdio>

namespace bessd {

namespace {
bool parse_int(std::string_view text, int& out) {
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc{} && ptr == end;
}
}  // namespace

std::optional<Date> parse_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int y = 0;
  int m = 0;
  int d = 0;
  if (!parse_int(text.substr(0, 4), y) || !parse_int(text.substr(5, 2), m) ||
      !parse_int(text.substr(8, 2), d)) {
    return std::nullopt;
  }
  Date date{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
            std::chrono::day{static_cast<unsigned>(d)}};
  if (!date.ok()) return std::nullopt;
  return date;
}

std::string format_date(const Date& date) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return buf;
}

long days_between(const Date& from, const Date& to) {
  return (std::chrono::sys_days{to} - std::chrono::sys_days{from}).count();
}

Date date_of(std::chrono::system_clock::time_point t) {
  return Date{std::chrono::floor<std::chrono::days>(t)};
}

}  // namespace bessd
