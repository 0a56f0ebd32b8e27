#pragma once
// A list of energy prices by time slot (docs/schedules.md "Price files"): what a time-of-use or
// half-hourly tariff (Octopus Agile, Go) charges for a kWh bought and pays for a kWh sold, read
// from a JSON or CSV file. Pure: fed the file's text, returns the list or an error naming the
// line or slot and what is wrong with it.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <bessd/common/clock.hpp>
#include <bessd/common/result.hpp>

namespace bessd::energy {

struct PriceSlot {
  WallTime start;
  WallTime end;                // after start
  double import_per_kwh{0.0};  // may be negative (paid to use energy)
  std::optional<double> export_per_kwh;
  friend bool operator==(const PriceSlot&, const PriceSlot&) = default;
};

struct PriceList {
  std::string currency;          // as the file writes it ("p", "GBP", "EUR"); may be empty
  std::vector<PriceSlot> slots;  // by start, none overlapping; gaps allowed
  friend bool operator==(const PriceList&, const PriceList&) = default;
};

/// At most this many slots in one list (a month of half-hours is 1 488).
inline constexpr std::size_t kMaxPriceSlots = 20'000;

/// Reads a price file's text. `source` names it in errors ("/var/lib/bessd/prices.json").
/// JSON when the first non-blank character is '{', CSV otherwise.
/// The slots come out sorted by start, in UTC; a slot the file gives no end ends where the next
/// one starts. Zero slots, overlaps and times without an offset are errors.
Result<PriceList> parse_price_list(std::string_view text, std::string_view source);

/// The slot holding `t`, if any.
const PriceSlot* slot_at(const PriceList& list, WallTime t);

}  // namespace bessd::energy
