#pragma once
// One telemetry sample: a flat row of what the control loop saw at one moment (pack, inverter,
// envelope, controller). Every numeric field is optional: absent means "not known", never zero.
// Signs follow bessd's convention: battery current/power + = charging; grid power + = import.

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <bessd/common/clock.hpp>
#include <bessd/core/envelope.hpp>
#include <bessd/core/inverter_command.hpp>
#include <bessd/core/inverter_state.hpp>
#include <bessd/core/pack_state.hpp>

namespace bessd::storage {

struct TelemetrySample {
  WallTime at{};  // wall-clock time of the sample (what people read back)

  // Pack (BMS)
  std::optional<double> pack_voltage_v;
  std::optional<double> pack_current_a;  // + = charging
  std::optional<double> pack_power_w;    // + = charging
  std::optional<double> pack_temperature_c;
  std::optional<double> soc_pct;
  std::optional<double> soh_pct;
  std::optional<double> cell_voltage_min_v;
  std::optional<double> cell_voltage_max_v;
  std::optional<double> cell_temperature_min_c;
  std::optional<double> cell_temperature_max_c;
  std::optional<double> bms_charge_current_limit_a;     // magnitude
  std::optional<double> bms_discharge_current_limit_a;  // magnitude
  std::optional<double> bms_charge_voltage_limit_v;
  /// Pack voltage ÷ series cells when the BMS sends no cell extremes (docs/protection.md "Packs
  /// without cell data"); the measured cell fields stay empty then.
  std::optional<double> cell_voltage_estimated_v;

  // Inverter
  std::optional<double> inverter_battery_power_w;  // + = charging
  std::optional<double> grid_power_w;              // + = import
  std::optional<double> pv_power_w;
  std::optional<double> ac_power_w;
  std::optional<double> setpoint_readback_w;  // + = charging

  // Envelope (magnitudes)
  std::optional<double> charge_power_max_w;
  std::optional<double> discharge_power_max_w;
  std::optional<double> charge_current_max_a;
  std::optional<double> discharge_current_max_a;
  std::optional<double> charge_voltage_max_v;

  // Controller
  std::optional<double> command_power_w;  // what the controller asked the inverter for
  std::string controller_state;           // e.g. "running"; empty when unknown
  std::string controller_mode;            // e.g. "self_consumption"; empty when unknown

  /// The battery power used for energy sums: the pack's own measurement when known, else the
  /// inverter's. + = charging.
  std::optional<double> battery_power_w() const {
    return pack_power_w ? pack_power_w : inverter_battery_power_w;
  }
  friend bool operator==(const TelemetrySample&, const TelemetrySample&) = default;
};

/// Static description of one numeric field: its stable name (used by the API and in queries),
/// where it lives in TelemetrySample and the resolution it is stored with. The order of this
/// table is part of the on-disk format: new fields are appended, never inserted or reordered.
struct TelemetryFieldInfo {
  std::string_view name;
  std::optional<double> TelemetrySample::*member;
  double quantum;  // stored resolution in the field's unit (0.01 V, 1 W, ...)
};

inline constexpr std::size_t kTelemetryFieldCount = 25;
extern const std::array<TelemetryFieldInfo, kTelemetryFieldCount> kTelemetryFields;

/// Index of a field by name; nullopt when unknown.
std::optional<std::size_t> telemetry_field_index(std::string_view name);

/// Builds a sample from the core state types (a convenience for the app).
TelemetrySample make_telemetry_sample(WallTime at, const core::PackState& pack,
                                      const core::InverterState& inverter,
                                      const core::Envelope& envelope,
                                      const core::InverterCommand& command,
                                      std::string controller_state, std::string controller_mode);

/// A stored sample with its sequence number: increasing in the order samples were stored,
/// whatever the wall clock did, so that a reader (the fleet uplink) can resume after the last
/// one it took. Samples stored before sequence numbers existed have none and are never read so.
struct SequencedSample {
  std::int64_t seq{0};
  std::int64_t run{0};  // the token of the run that wrote it (new_run_token()); 0: unknown
  TelemetrySample sample;
};

}  // namespace bessd::storage
