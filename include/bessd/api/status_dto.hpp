#pragma once
// What GET /v1/status shows: the controller, the pack, the inverter, the envelope, the site's
// compliance verdict and the links. Built by the facade on the io_context thread from the latest
// snapshot; every age is computed by the facade from its Clock (the router reads no clock for it).

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <bessd/common/clock.hpp>
#include <bessd/common/enum_names.hpp>
#include <bessd/core/envelope.hpp>
#include <bessd/core/event.hpp>
#include <bessd/core/inverter_state.hpp>
#include <bessd/core/pack_state.hpp>
#include <bessd/energy/energy_counters.hpp>
#include <bessd/energy/energy_money.hpp>
#include <bessd/energy/energy_periods.hpp>

namespace bessd::api {

/// Operating modes an operator can ask for (PUT /v1/mode).
enum class Mode : std::uint8_t { idle, manual, self_consumption, schedule };
inline constexpr auto kModeNames =
    std::to_array<EnumName<Mode>>({{Mode::idle, "idle"},
                                   {Mode::manual, "manual"},
                                   {Mode::self_consumption, "self_consumption"},
                                   {Mode::schedule, "schedule"}});
static_assert(enum_names_complete(kModeNames));
std::string_view to_string(Mode m) noexcept;
std::optional<Mode> parse_mode(std::string_view text) noexcept;

/// A fault that is active or latched (docs/protection.md: latched until acknowledged after the
/// cause has cleared).
struct ActiveFault {
  std::string code;  // rule id or fault id ("COM-01", "ALM-01")
  core::Severity severity{core::Severity::error};
  std::string message;
  std::optional<WallTime> since;
  bool latched{false};
  bool cause_cleared{false};  // a latched fault whose cause is gone: POST /v1/faults/ack clears it
  friend bool operator==(const ActiveFault&, const ActiveFault&) = default;
};

/// Mode schedule: the window in force (docs/schedules.md).
struct ScheduleStatus {
  std::string action;                  // charge, hold, discharge, self_consumption, idle
  std::optional<std::string> window;   // "Mon–Fri 00:30–04:30"; absent between the windows
  std::optional<double> goal_soc_pct;  // a charge's target or a discharge's floor
  std::string time_zone;               // the windows' zone ("Europe/London")
  std::string local_time;              // the local clock as the windows read it ("00:47")
  /// With schedule.by_price: the plan in words (GET /v1/plan has it whole).
  std::optional<std::string> plan;
  friend bool operator==(const ScheduleStatus&, const ScheduleStatus&) = default;
};

struct ControllerStatus {
  std::string state;  // controller state name: "starting", "running", "safe_state", "fault", ...
  Mode mode{Mode::idle};
  std::optional<double> manual_setpoint_w;   // the operator's setpoint in manual mode, + = charge
  std::string mode_source{"configuration"};  // "operator" (set through the API) or "configuration"
  std::string mode_set_by;                   // the operator's mode: who set it (audit wording)
  std::optional<WallTime> mode_set_at;       // ... and when
  std::optional<WallTime> mode_expires_at;   // ... and until when (absent = until changed)
  std::optional<double> commanded_power_w;   // what the controller commands now, + = charging
  double reserve_soc_pct{10.0};            // discharging stops here (the owner's or the configured)
  double target_soc_pct{100.0};            // charging stops here (the owner's or the configured)
  std::optional<ScheduleStatus> schedule;  // mode schedule only
  std::string command_reason;              // why (rule id or "operator")
  /// Why the battery has its power now: a stable code and one sentence (docs/api.md).
  std::string operating_reason_code{"starting"};
  std::string operating_reason{"Starting."};
  std::vector<ActiveFault> active_faults;
  friend bool operator==(const ControllerStatus&, const ControllerStatus&) = default;
};

enum class LinkState : std::uint8_t { unknown, up, stale, down, disabled };
inline constexpr auto kLinkStateNames =
    std::to_array<EnumName<LinkState>>({{LinkState::unknown, "unknown"},
                                        {LinkState::up, "up"},
                                        {LinkState::stale, "stale"},
                                        {LinkState::down, "down"},
                                        {LinkState::disabled, "disabled"}});
static_assert(enum_names_complete(kLinkStateNames));
std::string_view to_string(LinkState s) noexcept;

/// A link to a device (BMS over CAN, inverter over Modbus) or a service (storage).
struct LinkStatus {
  std::string name;  // "bms", "inverter", "storage"
  LinkState state{LinkState::unknown};
  std::optional<double> age_s;  // seconds since the last good message; absent when never seen
  std::uint64_t error_count{0};
  std::string detail;  // last error or transport ("socketcan can0")
  friend bool operator==(const LinkStatus&, const LinkStatus&) = default;
};

/// Overall installation verdict, worst first when compared: block > derate > warn > pass.
enum class Verdict : std::uint8_t { pass, warn, derate, block };
inline constexpr auto kVerdictNames = std::to_array<EnumName<Verdict>>({{Verdict::pass, "pass"},
                                                                        {Verdict::warn, "warn"},
                                                                        {Verdict::derate, "derate"},
                                                                        {Verdict::block, "block"}});
static_assert(enum_names_complete(kVerdictNames));
std::string_view to_string(Verdict v) noexcept;

struct ComplianceSummary {
  Verdict verdict{Verdict::pass};
  std::vector<std::string> blocking_rules;  // rule ids with verdict block
  std::uint32_t warnings{0};
  std::uint32_t derates{0};
  friend bool operator==(const ComplianceSummary&, const ComplianceSummary&) = default;
};

/// What the protections do right now (docs/protection.md), so that a status explains a 0 W.
struct ProtectionStatus {
  std::vector<std::string> charge_blocked_by;     // rule ids holding charging at zero
  std::vector<std::string> discharge_blocked_by;  // ... discharging
  std::optional<std::string> recovery_charge;     // "Recharging to 12 %: the BMS asked ..."
  bool waiting_for_bms{false};                    // no BMS data yet since start (info)
  /// "measured" (the BMS sends cell extremes), "estimated" (pack voltage ÷ series cells and
  /// the pack temperature), or "none" (no cell extremes and no series count to estimate from).
  std::string cell_data{"measured"};
  std::optional<double> estimated_cell_voltage_v;
  /// A discharge the battery supplies without bessd's command (a DC load), which the discharge
  /// envelope leaves room for; 0 when none.
  double uncommanded_discharge_w{0.0};
  friend bool operator==(const ProtectionStatus&, const ProtectionStatus&) = default;
};

/// A stored limit the inverter holds below the envelope for now (docs/profiles.md "Stored
/// limits"): why the battery may get less than the envelope says.
struct HeldLimitStatus {
  std::string limit;  // "charge_current_limit_a", "charge_voltage_limit_v", "discharge_limit_w"
  double held{0.0};
  double envelope{0.0};
  std::optional<double> loosen_in_s;  // until the looser value is written
  friend bool operator==(const HeldLimitStatus&, const HeldLimitStatus&) = default;
};

/// The energy counters (docs/api.md "Energy counters"): kWh per flow since `since`, only growing.
struct EnergyStatus {
  energy::EnergyTotals totals;
  std::optional<WallTime> since;           // when counting began here (kept across restarts)
  std::optional<WallTime> as_of;           // the totals are counted up to this time (the last save)
  std::optional<energy::DayEnergy> today;  // the local day's energy up to `as_of`
  std::optional<energy::FlatPrices> prices;  // configured: today's money figures too
  friend bool operator==(const EnergyStatus&, const EnergyStatus&) = default;
};

struct StatusDto {
  WallTime time{};  // when the snapshot was taken
  ControllerStatus controller;
  ProtectionStatus protection;
  core::PackState pack;
  std::optional<double> pack_age_s;  // since the newest BMS measurement
  core::InverterState inverter;
  std::optional<double> inverter_age_s;  // since the last successful inverter read
  std::vector<HeldLimitStatus> inverter_held_limits;
  core::Envelope envelope;
  ComplianceSummary compliance;
  std::vector<LinkStatus> links;
  // Faults of the service around the controller (an API listener that cannot be opened, a
  // refused reload): they never stop the controller, but someone should look.
  std::vector<ActiveFault> service_faults;
  // Warning-level conditions active now (raised, not yet cleared), oldest first.
  std::vector<ActiveFault> warnings;
  EnergyStatus energy;
  friend bool operator==(const StatusDto&, const StatusDto&) = default;
};

}  // namespace bessd::api
