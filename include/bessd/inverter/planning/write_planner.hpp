#pragma once
// WritePlanner: what to write to the device for a command, per control style
// (docs/profiles.md): the profile's constant writes for the safe state and the release, and
// for a power target the profile's target writes, then the style's strategy (battery setpoint,
// SunSpec storage rates, Victron grid setpoint with device limits mirroring the envelope, a
// direction code with an unsigned power). Values are in the device's units
// and sign, rounded toward zero: never beyond the envelope.
//
// Pure: fed the values last read and the time, returns the writes. Keeps the pacing of stored
// (flash) limits between calls. Not thread-safe.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <bessd/common/clock.hpp>
#include <bessd/common/result.hpp>
#include <bessd/core/inverter_command.hpp>
#include <bessd/core/inverter_state.hpp>
#include <bessd/inverter/planning/point_layout.hpp>
#include <bessd/inverter/planning/point_values.hpp>
#include <bessd/inverter/planning/stored_limit_pacer.hpp>
#include <bessd/inverter/profile.hpp>

namespace bessd::inverter {

/// What the driver holds (or wants to hold) the device at: a command's fields that reach it.
struct Target {
  core::CommandKind kind{core::CommandKind::none};
  double battery_power_w{0.0};
  double charge_max_w{0.0};
  double discharge_max_w{0.0};
  double charge_current_max_a{0.0};
  double discharge_current_max_a{0.0};
  std::optional<double> charge_voltage_max_v{};
  double charge_current_carried_load_a{0.0};

  static Target of(const core::InverterCommand& c);
  /// The same device target (a set_power compares every limit; other kinds their kind).
  bool same_as(const core::InverterCommand& c) const;
};

struct PointWrite {
  std::string point;
  double value{0.0};  // device units and sign
  /// Never merged into the request of the write before it (an order the device must see).
  bool starts_request{false};
};

struct WritePlan {
  std::vector<PointWrite> writes;  // in this order
  /// Grid-setpoint style: the setpoint written (the driver corrects it when it drifts).
  std::optional<double> grid_setpoint;
  /// AC-setpoint style: the PV power the setpoint was derived from (the driver re-plans when
  /// the PV moves away from it).
  std::optional<double> planned_pv_w;
  /// AC-setpoint style: the charge the battery gets beyond the envelope because the AC port,
  /// at its rating, cannot take the rest of the PV (0 when the port carries it all), as
  /// planned from the PV reading (before the inverter's losses); and the charge the envelope
  /// allows there.
  double charge_beyond_envelope_w{0.0};
  double charge_allowed_w{0.0};
};

/// What a plan is computed from.
struct PlanInputs {
  const PointValues& values;
  const std::optional<core::InverterState>& state;  // the last poll
  bool use_fallback_setpoint{false};                // Victron before Venus 3.50: 2700
  bool invert_battery_power{false};                 // a device wired the other way round
  TimePoint now{};
  /// What the AC port is asked to carry at most: the rating in force, the smaller of the
  /// configured one and the device's (a configured rating below the device's is the
  /// installer's limit on export too); PV beyond it is the inverter's to curtail.
  std::optional<double> port_rating_w{};
};

class WritePlanner {
 public:
  /// `profile` must outlive this object.
  explicit WritePlanner(const Profile& profile) : profile_(profile) {}

  Result<WritePlan> plan(const Target& target, const PlanInputs& in);

  /// The earliest time a stored limit held below the envelope may be loosened, if one is.
  std::optional<TimePoint> stored_limit_loosen_due() const;
  /// The stored limits held below the envelope now, by the role's name in the profile file.
  std::vector<core::HeldDeviceLimit> held_limits() const;

 private:
  Result<WritePlan> plan_writes(const Target& target, const PlanInputs& in);
  std::vector<PointWrite> const_writes(const std::vector<ConstWrite>& list,
                                       const PlanInputs& in) const;
  Result<WritePlan> battery_setpoint(double target_w, const PlanInputs& in) const;
  Result<WritePlan> sunspec_storage(double target_w, const PlanInputs& in) const;
  void order_rate_window(std::vector<PointWrite>& writes, const PointValues& values) const;
  Result<WritePlan> grid_setpoint(const Target& t, double target_w, const PlanInputs& in);
  Result<WritePlan> directional(double target_w, const PlanInputs& in) const;
  Result<WritePlan> battery_window(double target_w, const PlanInputs& in) const;
  Result<WritePlan> ac_setpoint(const Target& t, double target_w, const PlanInputs& in) const;
  /// The safe state's and the release's setpoint value is a battery power: written as the AC
  /// power that gives the battery that much with the PV of the last poll.
  Result<WritePlan> with_ac_setpoint(WritePlan plan, const Target& t, const PlanInputs& in) const;
  Result<WritePlan> for_style(const Target& t, double target_w, const PlanInputs& in);
  /// A limit for `point` at `wanted`, paced when the device stores it in flash.
  PointWrite limit_write(const std::string& point, double wanted, TimePoint now);

  const Profile& profile_;
  std::map<std::string, StoredLimitPacer> limit_pacers_;  // per stored (flash) limit point
};

/// Whether a failed write says the device lacks the volatile grid setpoint, so that the stored
/// one (`setpoint_fallback`) is to be written instead (docs/protocols.md, Victron before Venus OS
/// 3.50): exception 0x02 (Illegal Data Address) to a write that covered the setpoint's register,
/// for a grid-setpoint profile that has a fallback. Decided on the error's Modbus data.
bool setpoint_refused(const Error& error, const Profile& profile, const PointLayout& layout);

/// `writes` with each block the profile declares written whole, in address order, where its
/// first point was (docs/profiles.md "Blocks"): the plan's value for each of its points (the
/// last one written), else the block's fill value. A point with neither is an error.
Result<std::vector<PointWrite>> with_whole_blocks(const Profile& profile,
                                                  const std::vector<PointWrite>& writes);

/// Device-sign value of a bessd battery power (+ = charging) for a point.
double to_device_battery(const PointSpec& p, double w, bool invert_battery_power);

}  // namespace bessd::inverter
