#pragma once
// A register-map profile (config/profiles/*.json; format in docs/profiles.md): the device's
// points (where, what type, which scale, which sign), which points feed which InverterState
// field, and how bessd commands the device (control style, lease, safe-state writes,
// preconditions). Loaded and validated once at start: every problem is reported with the
// profile file and the JSON pointer of the offending value, and loading throws ConfigError.

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <bessd/common/enum_names.hpp>
#include <bessd/core/inverter_state.hpp>
#include <bessd/inverter/registers/register_codec.hpp>

namespace bessd::inverter {

enum class RegisterFunction : std::uint8_t { holding, input };
inline constexpr auto kRegisterFunctionNames = std::to_array<EnumName<RegisterFunction>>(
    {{RegisterFunction::holding, "holding"}, {RegisterFunction::input, "input"}});
static_assert(enum_names_complete(kRegisterFunctionNames));

/// `write`: a register the device takes but never shows (SolaX's unlock password, whose address
/// reads the serial number): never polled, never read back, never compared.
enum class Access : std::uint8_t { read, read_write, write };
inline constexpr auto kAccessNames = std::to_array<EnumName<Access>>(
    {{Access::read, "r"}, {Access::read_write, "rw"}, {Access::write, "w"}});
static_assert(enum_names_complete(kAccessNames));

/// Where a written point is read, when the device shows it elsewhere than where it takes it
/// (SolaX: the remote-control block is written at holding 0x7C and read back among the input
/// registers from 0x100).
struct ReadLocation {
  RegisterFunction function{RegisterFunction::holding};
  std::uint16_t address{0};
};

/// The Modbus function a point is written with: FC16 (write multiple registers) unless the
/// device takes the register only through FC06 (write single register).
enum class WriteFunction : std::uint8_t { fc16, fc06 };
inline constexpr auto kWriteFunctionNames = std::to_array<EnumName<WriteFunction>>(
    {{WriteFunction::fc16, "fc16"}, {WriteFunction::fc06, "fc06"}});
static_assert(enum_names_complete(kWriteFunctionNames));

/// The device's sign for a quantity (docs/protocols.md "Sign conventions": every profile declares
/// it). `unknown` makes a signed reading unusable (e.g. SunSpec 802 W/A).
enum class SignConvention : std::uint8_t {
  none,  // not a signed flow (voltage, SOC, state)
  charge_positive,
  discharge_positive,
  import_positive,
  export_positive,
  unknown,
};
inline constexpr auto kSignConventionNames = std::to_array<EnumName<SignConvention>>(
    {{SignConvention::none, "none"},
     {SignConvention::charge_positive, "charge_positive"},
     {SignConvention::discharge_positive, "discharge_positive"},
     {SignConvention::import_positive, "import_positive"},
     {SignConvention::export_positive, "export_positive"},
     {SignConvention::unknown, "unknown"}});
static_assert(enum_names_complete(kSignConventionNames));

struct PointSpec {
  std::string name;
  std::string pointer;  // JSON pointer of the point in its profile (for messages)
  RegisterFunction function{RegisterFunction::holding};
  /// Absolute 0-based PDU address, or (SunSpec) an offset inside the first present model of
  /// `models` (offset 0 = the model's ID register).
  std::optional<std::uint16_t> address;
  std::vector<std::uint16_t> models;
  std::uint16_t offset{0};
  registers::RegisterType type{registers::RegisterType::u16};
  registers::WordOrder word_order{registers::WordOrder::high_first};
  std::size_t string_registers{0};
  double scale{1.0};                        // fixed factor: physical = raw × scale × 10^sf
  std::optional<std::string> scale_factor;  // name of a sunssf point giving `sf`
  std::string unit;
  Access access{Access::read};
  SignConvention sign{SignConvention::none};
  std::optional<std::uint8_t> unit_id;  // overrides the link's unit id (Victron VE.Bus units)
  bool sunspec_sentinels{false};        // honour "not implemented" values
  /// A stored setting (flash/EEPROM, e.g. Victron /Settings): written only when the value read
  /// back differs, never merely to re-assert it.
  bool persistent{false};
  /// FC06: written alone, one register per request, never merged with its neighbours.
  WriteFunction write_function{WriteFunction::fc16};
  /// Polled on its own: a register the device may not answer (a value its configuration may
  /// lack) must not fail the read of the readings around it.
  bool read_alone{false};
  /// Read (polled, read back, compared) here instead of at `function` / `address`.
  std::optional<ReadLocation> read_at;
  /// Writes allowed in any 24 hours (a register the device stores in EEPROM or flash, which
  /// wears out): beyond it bessd writes no command to the point, only the safe state, and raises
  /// inverter.write_budget (docs/profiles.md "Write budget"). Absent: no cap.
  std::optional<unsigned> write_budget_per_day;
  std::size_t register_count() const { return registers::register_count(type, string_registers); }
  bool readable() const { return access != Access::write; }
  bool writable() const { return access != Access::read; }
};

enum class ControlStyle : std::uint8_t {
  none,              // read-only profile
  battery_setpoint,  // one signed battery-power setpoint register
  sunspec_storage,   // SunSpec model 124 (StorCtl_Mod, InWRte/OutWRte, revert timeout)
  grid_setpoint,     // Victron ESS: grid setpoint = grid − battery + target
  directional,       // a direction code (charge / discharge / idle) and an unsigned magnitude
  battery_window,    // a window [min, max] of battery power, both written with the target
  ac_setpoint,       // the power at the AC port: the battery gets PV + that power
};
inline constexpr auto kControlStyleNames =
    std::to_array<EnumName<ControlStyle>>({{ControlStyle::none, "none"},
                                           {ControlStyle::battery_setpoint, "battery_setpoint"},
                                           {ControlStyle::sunspec_storage, "sunspec_storage"},
                                           {ControlStyle::grid_setpoint, "grid_setpoint"},
                                           {ControlStyle::directional, "directional"},
                                           {ControlStyle::battery_window, "battery_window"},
                                           {ControlStyle::ac_setpoint, "ac_setpoint"}});
static_assert(enum_names_complete(kControlStyleNames));

/// What a control point does for its control style: the keys of `control.points` in a
/// profile (docs/profiles.md "Control"). Which roles a style takes: the loader's table.
enum class ControlRole : std::uint8_t {
  setpoint,                // battery_setpoint, grid_setpoint, ac_setpoint
  setpoint_fallback,       // grid_setpoint: used after the device refuses `setpoint`
  readback,                // battery_setpoint: the setpoint as the device reports it
  enable,                  // battery_setpoint: 1 with a target, 0 in the safe state
  storage_mode,            // sunspec_storage: StorCtl_Mod
  charge_rate_pct,         // sunspec_storage: InWRte
  discharge_rate_pct,      // sunspec_storage: OutWRte
  revert_timeout_s,        // sunspec_storage: InOutWRte_RvrtTms
  rate_reference_w,        // sunspec_storage: WChaMax, what the rates are a percentage of
  grid_charging,           // sunspec_storage: ChaGriSet
  discharge_limit_w,       // grid_setpoint: the device's discharge power limit
  charge_current_limit_a,  // grid_setpoint: the device's charge current limit
  charge_voltage_limit_v,  // grid_setpoint: the device's charge voltage limit
  direction,               // directional: the code of the direction (charge, discharge, idle)
  magnitude,               // directional: the battery power, W, unsigned
  battery_min_w,           // battery_window: the least battery power the device may run
  battery_max_w,           // battery_window: the most battery power the device may run
};
inline constexpr auto kControlRoleNames = std::to_array<EnumName<ControlRole>>(
    {{ControlRole::setpoint, "setpoint"},
     {ControlRole::setpoint_fallback, "setpoint_fallback"},
     {ControlRole::readback, "readback"},
     {ControlRole::enable, "enable"},
     {ControlRole::storage_mode, "storage_mode"},
     {ControlRole::charge_rate_pct, "charge_rate_pct"},
     {ControlRole::discharge_rate_pct, "discharge_rate_pct"},
     {ControlRole::revert_timeout_s, "revert_timeout_s"},
     {ControlRole::rate_reference_w, "rate_reference_w"},
     {ControlRole::grid_charging, "grid_charging"},
     {ControlRole::discharge_limit_w, "discharge_limit_w"},
     {ControlRole::charge_current_limit_a, "charge_current_limit_a"},
     {ControlRole::charge_voltage_limit_v, "charge_voltage_limit_v"},
     {ControlRole::direction, "direction"},
     {ControlRole::magnitude, "magnitude"},
     {ControlRole::battery_min_w, "battery_min_w"},
     {ControlRole::battery_max_w, "battery_max_w"}});
static_assert(enum_names_complete(kControlRoleNames));

/// Which InverterState field a reading feeds: the keys of `readings` in a profile
/// (docs/profiles.md "Readings").
enum class ReadingRole : std::uint8_t {
  battery_power,
  battery_current,
  battery_voltage,
  grid_power,
  ac_power,
  pv_power,
  rated_power,
  operating,
  model,
  serial,
  dc_load_power,
};
inline constexpr auto kReadingRoleNames =
    std::to_array<EnumName<ReadingRole>>({{ReadingRole::battery_power, "battery_power"},
                                          {ReadingRole::battery_current, "battery_current"},
                                          {ReadingRole::battery_voltage, "battery_voltage"},
                                          {ReadingRole::grid_power, "grid_power"},
                                          {ReadingRole::ac_power, "ac_power"},
                                          {ReadingRole::pv_power, "pv_power"},
                                          {ReadingRole::rated_power, "rated_power"},
                                          {ReadingRole::operating, "operating"},
                                          {ReadingRole::model, "model"},
                                          {ReadingRole::serial, "serial"},
                                          {ReadingRole::dc_load_power, "dc_load_power"}});
static_assert(enum_names_complete(kReadingRoleNames));

std::string_view to_string(ControlStyle s) noexcept;
std::string_view to_string(SignConvention s) noexcept;
/// The role's name in a profile file; its table serves both reading the file and printing.
std::string_view to_string(ControlRole r) noexcept;
std::string_view to_string(ReadingRole r) noexcept;
/// The role a profile file's key names, if any.
std::optional<ControlRole> control_role_named(std::string_view name) noexcept;
std::optional<ReadingRole> reading_role_named(std::string_view name) noexcept;
/// Every name of the table, for messages: "setpoint, setpoint_fallback, ...".
std::string control_role_names();
std::string reading_role_names();

struct ConstWrite {
  std::string point;
  double value{0.0};  // physical value (after scale)
};

/// A condition the device must meet before bessd commands it (e.g. Victron Hub4Mode ∈ {1,2}).
struct Precondition {
  std::string point;
  std::vector<double> allowed;
  std::string message;
};

/// Where an InverterState field comes from: the first available of `points`, or (sum) the sum
/// of all available ones (three-phase grid power).
struct Reading {
  enum class Combine : std::uint8_t { first, sum };
  Combine combine{Combine::first};
  std::vector<std::string> points;
  /// battery_power only: the reading is the battery's own (a GX's battery service, a shunt), so
  /// it includes the DC loads on the battery bus, not only the inverter's share.
  bool includes_dc_loads{false};
};

/// What the device does for the safety case (docs/profiles.md "Safety capabilities"); the
/// loader checks each declaration against the profile's points and writes.
struct SafetyCapabilities {
  /// The safe state stays in force without bessd (no revert timer, nothing volatile).
  bool sticky_hold{false};
  /// The device takes bessd's charge-voltage limit (a CVL register).
  bool voltage_limit{false};
  /// The device takes bessd's charge current limit (a current-limit register).
  bool current_limit{false};
  /// The device limits battery power itself (a power or rate limit register).
  bool power_limit{false};
  /// The device reports battery power with a known sign (the obey check can use it).
  bool battery_power_sign_known{false};
  /// The device stops the battery by itself this long after bessd is gone (a vendor watchdog
  /// whose fallback is standby).
  std::optional<double> standby_without_bessd_s;
};

/// directional style: what the direction point is written to charge, to discharge, and to keep
/// the battery idle (a zero target; the magnitude is then written 0).
struct DirectionCodes {
  double charge{0.0};
  double discharge{0.0};
  double idle{0.0};
};

/// Adjacent points a device takes only in one write request (a vendor's "multi-write" control
/// block): whenever a plan writes one of them, all are written, the ones the plan does not set
/// with their `fill` value.
struct WriteBlock {
  std::string pointer;              // JSON pointer of the block (for messages)
  std::vector<std::string> points;  // in address order, without gaps
  std::map<std::string, double> fill;
};

/// What restarts a vendor watchdog's timer: any request from bessd (its polling included), or
/// only a write of the control.
enum class WatchdogFeed : std::uint8_t { traffic, writes };
inline constexpr auto kWatchdogFeedNames = std::to_array<EnumName<WatchdogFeed>>(
    {{WatchdogFeed::traffic, "traffic"}, {WatchdogFeed::writes, "writes"}});
static_assert(enum_names_complete(kWatchdogFeedNames));

/// What the device does when its watchdog runs out.
enum class WatchdogFallback : std::uint8_t { standby, own_mode };
inline constexpr auto kWatchdogFallbackNames = std::to_array<EnumName<WatchdogFallback>>(
    {{WatchdogFallback::standby, "standby"}, {WatchdogFallback::own_mode, "own_mode"}});
static_assert(enum_names_complete(kWatchdogFallbackNames));

/// A device's own timeout on external control (docs/profiles.md "Watchdog"): bessd arms it with
/// every target, so that a target never outlives bessd by more than `timeout_s`.
struct VendorWatchdog {
  std::vector<ConstWrite> writes;  // what arms it (the timeout, the action), before a target
  double timeout_s{0.0};           // what `writes` set it to
  WatchdogFeed feed{WatchdogFeed::traffic};
  WatchdogFallback fallback{WatchdogFallback::standby};
};

/// How far a profile has been checked (docs/profiles.md "Verification"). bessd warns at start
/// and in status for anything short of hardware.
enum class VerificationLevel : std::uint8_t {
  undeclared,  // the profile says nothing (a profile written before the key existed)
  documented,  // written from public register maps only
  hardware,    // checked on a real device
};
inline constexpr auto kVerificationLevelNames =
    std::to_array<EnumName<VerificationLevel>>({{VerificationLevel::undeclared, "undeclared"},
                                                {VerificationLevel::documented, "documented"},
                                                {VerificationLevel::hardware, "hardware"}});
static_assert(enum_names_complete(kVerificationLevelNames));

struct Verification {
  VerificationLevel level{VerificationLevel::undeclared};
  std::string by;                    // hardware: who checked it
  std::string firmware;              // hardware: on which firmware
  std::string date;                  // hardware: when (free text, ISO date recommended)
  std::vector<std::string> sources;  // the register maps and code the profile was written from

  /// Empty for a hardware-checked profile; else the warning bessd gives at start and in status.
  std::string warning(const std::string& profile_name) const;
};

struct ControlSpec {
  ControlStyle style{ControlStyle::none};
  /// Re-assert period of the target, s (config `lease_s` overrides).
  double lease_s{30.0};
  /// SunSpec 124: InOutWRte_RvrtTms written with every command, s (must be ≥ 4 × lease).
  double revert_timeout_s{0.0};
  /// Role -> point name. battery_setpoint: setpoint [, readback]. sunspec_storage: storage_mode,
  /// charge_rate_pct, discharge_rate_pct, revert_timeout_s, rate_reference_w [, grid_charging].
  /// grid_setpoint: setpoint [, setpoint_fallback, discharge_limit_w, charge_current_limit_a,
  /// charge_voltage_limit_v]. battery_setpoint also takes an optional `enable` (written 1 with a
  /// target, 0 is safe-state).
  std::map<ControlRole, std::string> points;
  std::vector<ConstWrite> safe_state;
  /// Writes that hand the device back to its own mode (`inverter.on_stop` = "release"); empty:
  /// the profile cannot release, and a stop holds.
  std::vector<ConstWrite> release;
  std::vector<Precondition> preconditions;
  /// grid_setpoint: rewrite only when the new setpoint differs by more than this, W.
  double deadband_w{10.0};
  /// Written before every power target, in order (a "remote control on" or "passive mode"
  /// register the device needs before it takes a target); a persistent point only on change.
  std::vector<ConstWrite> target_writes;
  /// directional: the direction point's code for each direction.
  DirectionCodes direction_codes;
  /// Points the device takes only together, in one write request (docs/profiles.md "Blocks").
  std::vector<WriteBlock> blocks;
  /// The device's own timeout on a target, armed before every target (docs/profiles.md
  /// "Watchdog").
  std::optional<VendorWatchdog> watchdog;
};

struct Profile {
  std::string name;
  std::string description;
  std::string source;   // file the profile came from
  bool sunspec{false};  // needs SunSpec discovery before model-relative points resolve
  std::map<std::string, PointSpec> points;
  /// Default unit id for every point (a point's `unit_id` wins; else the link's).
  std::optional<std::uint8_t> unit_id;
  /// InverterState field -> reading: battery_power, battery_current, battery_voltage,
  /// grid_power, ac_power, pv_power, rated_power, operating, model, serial.
  std::map<ReadingRole, Reading> readings;
  /// Raw value of the `operating` point -> state.
  std::map<std::int64_t, core::InverterOperating> operating_states;
  ControlSpec control;
  SafetyCapabilities capabilities;
  Verification verification;

  const PointSpec* point(const std::string& point_name) const;
  const PointSpec* control_point(ControlRole role) const;
  /// The block `point_name` belongs to, if any.
  const WriteBlock* block_of(const std::string& point_name) const;
  /// Whether `first` and `second` always reach the device in one write request: one block holds
  /// both, or `second` follows `first` directly (same unit, holding registers, FC16, neither
  /// stored: the driver merges such neighbours, wherever they are read).
  bool one_request(const PointSpec& first, const PointSpec& second) const;
};

/// Parses and validates a profile; throws config::ConfigError(source, issues) listing every
/// problem by JSON pointer.
Profile parse_profile(const nlohmann::json& document, const std::string& source);
/// Parses profile text (JSON with comments allowed); `source` names it in messages. Throws
/// ConfigError.
Profile parse_profile_text(std::string_view text, const std::string& source);
/// Reads and parses a file (parse_profile_text); throws ConfigError.
Profile load_profile(const std::filesystem::path& file);
/// "sunspec" -> <dir>/sunspec.json; a value containing '/' or ending in .json is a path.
std::filesystem::path resolve_profile_path(const std::string& name_or_path,
                                           const std::filesystem::path& profile_dir);
/// The profile file the daemon loads for `profile` / `profile_dir` of a configuration read from
/// `config_path` (relative directories and paths are relative to the configuration's directory).
std::filesystem::path profile_file_for(const std::string& profile, const std::string& profile_dir,
                                       const std::filesystem::path& config_path);
/// Loads the profile a configuration names, as the daemon will at start: a missing one is a
/// ConfigError at `pointer` (the setting that names it) listing the profiles there are; a bad one
/// lists its problems. `--check-config` and SIGHUP use it, so neither accepts a file the daemon
/// cannot start with.
Profile load_configured_profile(const std::string& profile, const std::string& profile_dir,
                                const std::filesystem::path& config_path,
                                const std::string& pointer = "/inverter/profile");

}  // namespace bessd::inverter
