#pragma once
// The battery as installed: chemistry, nameplate, the pack's datasheet limits (which override the
// chemistry defaults, docs/compliance.md BAT-CHEM-01) and second-life records (SL-* rules).

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include <bessd/common/date.hpp>
#include <bessd/common/enum_names.hpp>

namespace bessd::config {

enum class Chemistry : std::uint8_t { LFP, NMC, NCA, LiPo, LiHV };
inline constexpr auto kChemistryNames =
    std::to_array<EnumName<Chemistry>>({{Chemistry::LFP, "LFP"},
                                        {Chemistry::NMC, "NMC"},
                                        {Chemistry::NCA, "NCA"},
                                        {Chemistry::LiPo, "LiPo"},
                                        {Chemistry::LiHV, "LiHV"}});
static_assert(enum_names_complete(kChemistryNames));
std::string_view to_string(Chemistry c) noexcept;

struct SecondLife {
  bool enabled{false};
  std::string traceability_ref;             // IEC 63338 lifetime data record
  std::optional<Date> grading_report_date;  // UL 1974 grading
  std::optional<double> soh_pct;            // from the grading report
  std::optional<Date> oem_calendar_expiry;  // maker's calendar expiry
  std::string override_ref;                 // engineering risk assessment (SL-SCOPE-01)
};

struct BatteryConfig {
  Chemistry chemistry{Chemistry::LFP};
  /// Total nameplate energy of all packs at this location, kWh.
  double nominal_energy_kwh{0.0};
  std::optional<double> nominal_voltage_v;
  std::optional<double> capacity_ah;
  std::optional<std::int64_t> series_cells;
  // Pack datasheet limits; absent = chemistry default / unlimited by configuration.
  std::optional<double> cell_voltage_max_v;
  std::optional<double> cell_voltage_min_v;
  std::optional<double> charge_temperature_min_c;
  std::optional<double> charge_temperature_max_c;
  std::optional<double> discharge_temperature_min_c;
  std::optional<double> discharge_temperature_max_c;
  std::optional<double> max_charge_current_a;
  std::optional<double> max_discharge_current_a;
  std::optional<double> max_charge_power_w;
  std::optional<double> max_discharge_power_w;
  /// The largest load on the battery's DC bus that bessd does not command (a DC fridge, a DC-DC
  /// converter), W. Measured at the battery, a draw up to this is taken as that load; beyond
  /// it, a discharge bessd does not command is an inverter out of control. 0 = none.
  double dc_load_max_w{0.0};
  std::optional<Date> manufacture_date;
  std::optional<Date> in_service_date;
  SecondLife second_life;
};

}  // namespace bessd::config
