#pragma once
// The nameplate energy the BMS reports, for BAT-CAP-01 and PAS-ENE-01 (docs/compliance.md, "BMS
// nameplate energy"). Pylontech-style BMSs report the installed capacity in Ah (0x379), not an
// energy: it becomes kWh at a *nominal* voltage, never the measured one (which moves with the
// state of charge and would make the energy cap flap). Pure; no I/O, no clock.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <bessd/common/clock.hpp>
#include <bessd/config/battery_config.hpp>
#include <bessd/core/pack_state.hpp>

namespace bessd::compliance {

struct BmsNameplate {
  double capacity_ah{0.0};
  /// Absent when no nominal voltage is known: BAT-CAP-01 then says what to set, and the energy
  /// cap counts the configured energy only.
  std::optional<double> energy_kwh;
  std::optional<double> nominal_voltage_v;
  /// Where nominal_voltage_v came from ("battery.nominal_voltage_v", ...), or, without one, what
  /// to set.
  std::string voltage_basis;
  /// The BMS's charge-voltage limit stood in for the nominal voltage (an overestimate).
  bool from_charge_voltage_limit{false};
  /// Modules the BMS counts (0x359 byte 4, else 0x372): a BMS reporting one module's capacity
  /// is recognised by BAT-CAP-01.
  std::optional<std::uint16_t> module_count;
  friend bool operator==(const BmsNameplate&, const BmsNameplate&) = default;
};

/// The BMS nameplate of `pack`, or nullopt while the BMS reports no installed capacity. The
/// nominal voltage is, in this order: battery.nominal_voltage_v; battery.series_cells × the
/// chemistry's nominal cell voltage; the BMS's charge-voltage limit (0x351: stable, and above
/// the nominal, so the energy cap errs on the safe side); else none (energy_kwh absent).
std::optional<BmsNameplate> bms_nameplate(const config::BatteryConfig& battery,
                                          const core::PackState& pack);

/// True when `a` and `b` are the same nameplate within `relative_tolerance` (capacity and energy;
/// an energy present in one only is a difference).
bool same_nameplate(const BmsNameplate& a, const BmsNameplate& b, double relative_tolerance);

struct NameplateDebounceOptions {
  /// How long a new nameplate must stay the same before it is used (docs/compliance.md): the BMS
  /// repeats 0x379 every second, so one garbage frame never reaches the energy cap.
  std::chrono::milliseconds stable_for{std::chrono::seconds{10}};
  /// Changes within this fraction are the same nameplate (a CVL that moves by a few tenths of a
  /// volt does not re-run the check).
  double relative_tolerance{0.02};
};

/// Decides when a reported nameplate is used. Pure: the caller passes the time of each report.
class NameplateDebouncer {
 public:
  explicit NameplateDebouncer(NameplateDebounceOptions options = {}) : options_(options) {}

  /// Feeds what the BMS reports at `now` (nullopt: nothing reported; the accepted nameplate
  /// stays, a pending one is dropped). Returns true when the accepted nameplate changed.
  bool update(const std::optional<BmsNameplate>& seen, TimePoint now);
  /// Replaces the accepted nameplate at once (a reload re-converts it with the new settings).
  void replace_accepted(std::optional<BmsNameplate> nameplate) { accepted_ = std::move(nameplate); }

  const std::optional<BmsNameplate>& accepted() const noexcept { return accepted_; }
  bool pending() const noexcept { return candidate_.has_value(); }

 private:
  NameplateDebounceOptions options_;
  std::optional<BmsNameplate> accepted_;
  std::optional<BmsNameplate> candidate_;
  TimePoint candidate_since_{};
};

}  // namespace bessd::compliance
