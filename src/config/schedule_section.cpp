// The `schedule` section (docs/schedules.md). Windows may not overlap: on a minute-of-week map
// every window claims its minutes, and the second claim of a minute names both windows.
#include <array>
#include <bitset>
#include <cstdio>

#include <bessd/config/sections.hpp>

namespace bessd::config {

namespace {

constexpr int kMinutesPerDay = 24 * 60;
constexpr int kMinutesPerWeek = 7 * kMinutesPerDay;
constexpr std::array<const char*, 7> kDayNames{"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

// "HH:MM", 00:00 to 24:00.
std::optional<int> parse_clock(const std::string& text) {
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (text.size() != 5 || !digit(text[0]) || !digit(text[1]) || text[2] != ':' || !digit(text[3]) ||
      !digit(text[4]))
    return std::nullopt;
  const int h = (text[0] - '0') * 10 + (text[1] - '0');
  const int m = (text[3] - '0') * 10 + (text[4] - '0');
  if (h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0)) return std::nullopt;
  return h * 60 + m;
}

bool read_clock(ObjectReader& in, const char* key, int& out) {
  std::string text;
  if (!in.string(key, text, Presence::required, false)) return false;
  const auto minute = parse_clock(text);
  if (!minute) {
    in.issues().add(in.child_pointer(key),
                    "must be a local time \"HH:MM\" from 00:00 to 24:00, got \"" + text + "\"");
    return false;
  }
  out = *minute;
  return true;
}

std::uint8_t day_bit(const std::string& name) {
  for (std::size_t i = 0; i < kDayNames.size(); ++i)
    if (name == kDayNames[i]) return static_cast<std::uint8_t>(1U << i);
  return 0;
}

void read_days(ObjectReader& in, const Json* days, std::uint8_t& out) {
  const std::string ptr = in.child_pointer("days");
  in.accept("days");
  if (days == nullptr) return;
  const std::string help =
      "must be \"daily\", \"weekdays\", \"weekends\" or a list of days (\"mon\" ... \"sun\")";
  if (days->is_string()) {
    const auto& word = days->get_ref<const std::string&>();
    if (word == "daily")
      out = 0x7f;
    else if (word == "weekdays")
      out = 0x1f;
    else if (word == "weekends")
      out = 0x60;
    else if (const auto bit = day_bit(word))
      out = bit;
    else
      in.issues().add(ptr, help + ", got \"" + word + "\"");
    return;
  }
  if (!days->is_array() || days->empty()) {
    in.issues().add(ptr, help + ", got " + describe_json(*days));
    return;
  }
  out = 0;
  for (std::size_t i = 0; i < days->size(); ++i) {
    const auto& d = (*days)[i];
    const auto bit = d.is_string() ? day_bit(d.get<std::string>()) : 0;
    if (bit == 0)
      in.issues().add(ptr + "/" + std::to_string(i),
                      "must be a day \"mon\" ... \"sun\", got " + describe_json(d));
    out |= bit;
  }
}

void read_action(ObjectReader& in, ScheduleAction& a) {
  in.enumeration("action", a.kind, kScheduleActionKindNames, Presence::required);
  const auto pct = NumberRange::between(0.0, 100.0);
  // Only the keys that belong to the action: a floor on a charge is a mistake, not a no-op.
  if (a.kind == ScheduleActionKind::charge) in.number("target_soc_pct", a.target_soc_pct, pct);
  if (a.kind == ScheduleActionKind::discharge) in.number("floor_soc_pct", a.floor_soc_pct, pct);
  if (a.kind == ScheduleActionKind::charge || a.kind == ScheduleActionKind::discharge)
    in.number("power_w", a.power_w, NumberRange::above(0.0));
}

// The minutes of the week a window holds, from its start days.
template <typename Claim>
void for_each_minute(const ScheduleWindow& w, Claim claim) {
  const int length = w.end_minute > w.start_minute ? w.end_minute - w.start_minute
                                                   : kMinutesPerDay - w.start_minute + w.end_minute;
  for (int day = 0; day < 7; ++day) {
    if ((w.days & (1U << day)) == 0) continue;
    for (int m = 0; m < length; ++m)
      claim((day * kMinutesPerDay + w.start_minute + m) % kMinutesPerWeek);
  }
}

void check_overlaps(ObjectReader& in, const std::vector<ScheduleWindow>& windows) {
  std::vector<int> owner(kMinutesPerWeek, -1);
  for (std::size_t i = 0; i < windows.size(); ++i) {
    int clash = -1;
    for_each_minute(windows[i], [&](int minute) {
      if (owner[minute] >= 0 && clash < 0) clash = owner[minute];
      if (owner[minute] < 0) owner[minute] = static_cast<int>(i);
    });
    if (clash >= 0)
      in.issues().add(in.child_pointer("windows") + "/" + std::to_string(i),
                      "overlaps window " + std::to_string(clash) + " (" +
                          describe(windows[static_cast<std::size_t>(clash)]) +
                          "): at every minute of the week one window at most may hold");
  }
}

void read_by_price(ObjectReader& in, std::optional<PricePlanConfig>& out) {
  if (!in.present()) return;
  PricePlanConfig p;
  if (in.string("file", p.file, Presence::required, false) && p.file.front() != '/')
    in.issues().add(in.child_pointer("file"), "must be an absolute path, got \"" + p.file + "\"");
  if (in.has("ready_by") && read_clock(in, "ready_by", p.ready_by_minute) &&
      p.ready_by_minute == kMinutesPerDay)
    in.issues().add(in.child_pointer("ready_by"), "must be before 24:00 (00:00 is midnight)");
  in.number("target_soc_pct", p.target_soc_pct, NumberRange::between(0.0, 100.0));
  in.number("charge_power_w", p.charge_power_w, NumberRange::above(0.0));
  in.number("sell_power_w", p.sell_power_w, NumberRange::above(0.0));
  in.number("sell_margin_per_kwh", p.sell_margin_per_kwh, NumberRange::at_least(0.0));
  in.number("round_trip_efficiency_pct", p.round_trip_efficiency_pct,
            NumberRange::between(50.0, 100.0));
  in.finish();
  out = std::move(p);
}

}  // namespace

std::string_view to_string(ScheduleActionKind k) noexcept {
  return enum_name(kScheduleActionKindNames, k);
}

std::string clock_text(int minute) {
  char text[24];
  std::snprintf(text, sizeof text, "%02d:%02d", minute / 60, minute % 60);
  return text;
}

std::string describe(const ScheduleWindow& w) {
  static constexpr std::array<const char*, 7> kShort{"Mon", "Tue", "Wed", "Thu",
                                                     "Fri", "Sat", "Sun"};
  std::string days;
  if (w.days == 0x7f) {
    days = "daily";
  } else if (w.days == 0x1f) {
    days = "Mon–Fri";
  } else if (w.days == 0x60) {
    days = "Sat Sun";
  } else {
    for (std::size_t i = 0; i < kShort.size(); ++i)
      if (w.days & (1U << i)) days += (days.empty() ? "" : " ") + std::string(kShort[i]);
  }
  return days + " " + clock_text(w.start_minute) + "–" + clock_text(w.end_minute);
}

void read_schedule(ObjectReader& in, std::optional<ScheduleConfig>& out) {
  if (!in.present()) return;
  ScheduleConfig s;
  in.string("time_zone", s.time_zone, Presence::optional, false);
  {
    auto outside = in.object("outside");
    if (outside.present()) read_action(outside, s.outside);
    outside.finish();
  }
  {
    auto by_price = in.object("by_price");
    read_by_price(by_price, s.by_price);
  }
  std::vector<ScheduleWindow> windows;
  const auto issues_before = in.issues().size();
  in.array(
      "windows",
      [&](const Json& item, const std::string& ptr) {
        ObjectReader w(item.is_object() ? &item : nullptr, ptr, in.issues());
        if (!item.is_object()) {
          in.issues().add(ptr, "must be an object, got " + describe_json(item));
          return;
        }
        ScheduleWindow window;
        read_days(w, item.contains("days") ? &item.at("days") : nullptr, window.days);
        const bool start = read_clock(w, "start", window.start_minute);
        const bool end = read_clock(w, "end", window.end_minute);
        if (start && end && window.start_minute == window.end_minute)
          in.issues().add(ptr + "/end",
                          "equals start: a window needs a length (00:00 to 24:00 for a whole "
                          "day)");
        if (start && window.start_minute == kMinutesPerDay)
          in.issues().add(ptr + "/start", "must be before 24:00");
        read_action(w, window.action);
        w.finish();
        windows.push_back(window);
      },
      in.has("by_price") ? Presence::optional : Presence::required);
  if (in.issues().size() == issues_before) check_overlaps(in, windows);
  s.windows = std::move(windows);
  in.finish();
  out = std::move(s);
}

}  // namespace bessd::config
