#include "energy_days.hpp"

#include <iterator>

namespace bessd::storage::queries {

namespace {

// The table's columns after `day`, in the order of the counters.
constexpr auto& kColumns = energy::kTotalsCounters;
static_assert(std::size(kColumns) == 11);

}  // namespace

const char* const kAddEnergyDay =
    "INSERT INTO energy_days(day, battery_charged_kwh, battery_discharged_kwh, grid_import_kwh, "
    "grid_export_kwh, pv_kwh, house_kwh, measured_s, unmeasured_s, grid_measured_s, "
    "pv_measured_s, house_measured_s) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
    "ON CONFLICT(day) DO UPDATE SET "
    "battery_charged_kwh = battery_charged_kwh + excluded.battery_charged_kwh, "
    "battery_discharged_kwh = battery_discharged_kwh + excluded.battery_discharged_kwh, "
    "grid_import_kwh = grid_import_kwh + excluded.grid_import_kwh, "
    "grid_export_kwh = grid_export_kwh + excluded.grid_export_kwh, "
    "pv_kwh = pv_kwh + excluded.pv_kwh, house_kwh = house_kwh + excluded.house_kwh, "
    "measured_s = measured_s + excluded.measured_s, "
    "unmeasured_s = unmeasured_s + excluded.unmeasured_s, "
    "grid_measured_s = grid_measured_s + excluded.grid_measured_s, "
    "pv_measured_s = pv_measured_s + excluded.pv_measured_s, "
    "house_measured_s = house_measured_s + excluded.house_measured_s";

void bind_energy_day(sql::Statement& st, const energy::DayEnergy& increase) {
  st.bind(1, format_date(increase.day));
  int i = 2;
  for (const auto c : kColumns) st.bind(i++, increase.increase.*c);
}

Result<std::vector<energy::DayEnergy>> energy_days(sql::Connection& conn, Date from, Date to) {
  auto st = conn.prepare(
      "SELECT day, battery_charged_kwh, battery_discharged_kwh, grid_import_kwh, "
      "grid_export_kwh, pv_kwh, house_kwh, measured_s, unmeasured_s, grid_measured_s, "
      "pv_measured_s, house_measured_s FROM energy_days WHERE day >= ?1 AND day <= ?2 "
      "ORDER BY day");
  if (!st) return Failure{st.error()};
  st->bind(1, format_date(from)).bind(2, format_date(to));
  std::vector<energy::DayEnergy> out;
  for (;;) {
    auto row = st->step();
    if (!row) return Failure{row.error()};
    if (!*row) break;
    const auto day = parse_date(st->text(0));
    if (!day) continue;  // not written by bessd: a row it cannot place is no day's energy
    energy::DayEnergy d{*day, {}};
    int col = 1;
    for (const auto c : kColumns) d.increase.*c = st->real(col++);
    out.push_back(d);
  }
  return out;
}

}  // namespace bessd::storage::queries
