#pragma once
// Pure codec of the Pylontech "HV CAN" BMS protocol (docs/protocols.md, "The BMS: Pylontech HV"),
// spoken by Pylontech Force H1/H2 and SC0500/SC1000 controllers and many compatible high-voltage
// packs: one typed struct per frame, in bessd's units and sign convention, with a decoder and an
// encoder each. The simulator's HV pack encodes with the same functions, so the two cannot drift.
//
// Wire facts: 29-bit ids, little-endian fields, request/response (the inverter polls 0x4200, the
// pack answers with a burst). Currents carry an offset of -3000 A (raw 30000 = 0 A), temperatures
// one of -100 degC. A pack answers with ids `base + address` (address 0-15, the low nibble: 0x4211
// is the 0x4210 of the pack at address 1); the inverter's requests carry no address.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include <bessd/can/can_frame.hpp>
#include <bessd/common/result.hpp>
#include <bessd/core/bms_condition.hpp>

namespace bessd::bms::pylontech_hv {

// Answers to 0x4200 byte 0 = 0x00 ("ensemble information"), pack -> inverter; base ids.
inline constexpr std::uint32_t kIdEnsemble = 0x4210;      // voltage, current, temperature, SOC, SOH
inline constexpr std::uint32_t kIdLimits = 0x4220;        // cut-off voltages, current limits
inline constexpr std::uint32_t kIdCellVoltages = 0x4230;  // cell voltage extremes
inline constexpr std::uint32_t kIdCellTemperatures = 0x4240;
inline constexpr std::uint32_t kIdStatus = 0x4250;              // state, requests, errors, alarms
inline constexpr std::uint32_t kIdModuleVoltages = 0x4260;      // read, not used
inline constexpr std::uint32_t kIdModuleTemperatures = 0x4270;  // read, not used
inline constexpr std::uint32_t kIdForbidden = 0x4280;  // charge / discharge forbidden marks
inline constexpr std::uint32_t kIdFaultExtension = 0x4290;
// Answers to 0x4200 byte 0 = 0x02 ("system equipment information").
inline constexpr std::uint32_t kIdVersions = 0x7310;
inline constexpr std::uint32_t kIdSystem = 0x7320;  // cells, modules, voltage level, capacity
inline constexpr std::uint32_t kIdName1 = 0x7330;
inline constexpr std::uint32_t kIdName2 = 0x7340;
// Inverter -> pack.
inline constexpr std::uint32_t kIdRequest = 0x4200;
inline constexpr std::uint32_t kIdSleep = 0x8200;  // 0x55 enter sleep, 0xAA wake
inline constexpr std::uint32_t kIdRelayCommand =
    0x8210;  // 0xAA: close the relay to charge/discharge

inline constexpr std::uint8_t kRequestEnsemble = 0x00;
inline constexpr std::uint8_t kRequestSystem = 0x02;
inline constexpr std::uint8_t kMarkSet =
    0xAA;  // forbidden (0x4280), wake / command (0x8200/0x8210)
inline constexpr std::uint8_t kSleepEnter = 0x55;

/// The highest address a pack can answer from (the id's low nibble).
inline constexpr std::uint8_t kMaxAddress = 0x0F;

// Plausibility windows (docs/protocols.md "The BMS: Pylontech HV"): wider than any HV pack,
// narrow enough that a field in the wrong byte order falls outside.
inline constexpr double kMaxPackVoltageV = 1500.0;
inline constexpr double kMaxCurrentA = 1000.0;  // measured current and both limits, magnitude
inline constexpr double kMaxCellVoltageV = 5.0;
inline constexpr double kMinCellVoltageV = 1.0;  // the highest cell: below, no cell chemistry
inline constexpr double kMinTemperatureC = -60.0;
inline constexpr double kMaxTemperatureC = 150.0;

/// 0x4210.
struct Ensemble {
  double voltage_v{0};  // 0.1 V
  double current_a{0};  // 0.1 A, offset -3000 A, + = charging
  // 0.1 degC, offset -100 degC: the controller's own sensor; absent outside the plausible range.
  std::optional<double> temperature_c;
  double soc_pct{0};  // 1 %
  double soh_pct{0};  // 1 %
  friend bool operator==(const Ensemble&, const Ensemble&) = default;
};

/// 0x4220. Both current limits are magnitudes: packs differ in the sign they put on the discharge
/// limit (raw below or above 30000), so it is decoded with abs().
struct Limits {
  // "Charge cut-off voltage", 0.1 V. Absent: 0 V on the wire, which a pack sends while it does
  // not allow charging (cold, full); the charge current limit then reads 0 A.
  std::optional<double> charge_voltage_limit_v;
  double discharge_voltage_limit_v{0};  // "discharge cut-off voltage", 0.1 V
  double charge_current_limit_a{0};     // 0.1 A, offset -3000 A
  double discharge_current_limit_a{0};  // 0.1 A, offset -3000 A, abs()
  friend bool operator==(const Limits&, const Limits&) = default;
};

/// 0x4230: cell voltage extremes and the cells that hold them.
struct CellVoltages {
  double max_v{0};  // 1 mV
  double min_v{0};
  std::uint16_t max_cell{0};
  std::uint16_t min_cell{0};
  friend bool operator==(const CellVoltages&, const CellVoltages&) = default;
};

/// 0x4240: cell temperature extremes and the sensors that read them.
struct CellTemperatures {
  double max_c{0};  // 0.1 degC, offset -100 degC
  double min_c{0};
  std::uint16_t max_sensor{0};
  std::uint16_t min_sensor{0};
  friend bool operator==(const CellTemperatures&, const CellTemperatures&) = default;
};

enum class PackMode : std::uint8_t { sleep = 0, charge = 1, discharge = 2, idle = 3 };

/// 0x4250.
struct Status {
  std::uint8_t basic{0};          // byte 0: bits 0-2 mode, bit 3 force charge, bit 4 balance
  std::uint16_t cycle_period{0};  // bytes 1-2, unit not documented: kept, not shown
  std::uint8_t errors{0};         // byte 3
  std::uint16_t alarms{0};        // bytes 4-5: the warnings' bit map
  std::uint16_t protections{0};   // bytes 6-7: same bit map, protection tripped
  friend bool operator==(const Status&, const Status&) = default;
};
// 0x4250 byte 0 as most sources give it: bits 0-2 mode, bit 3 force charge, bit 4 balance.
inline constexpr std::uint8_t kStatusForceCharge = 0x08;
inline constexpr std::uint8_t kStatusBalanceCharge = 0x10;

/// The requests of 0x4250 byte 0, where the byte shows its layout. One source lists the byte in
/// the opposite bit order (mode in bits 5-7, force charge bit 4, balance bit 3), which swaps the
/// two requests: a balance request read as a force charge stops discharging and charges from the
/// grid. The mode field tells the layouts apart: mode bits in 0-2 and none in 5-7, or the other
/// way round. A byte that shows neither (sleep, or bits in both places) reports no request.
struct BasicRequests {
  std::optional<bool> force_charge;
  std::optional<bool> balance_charge;
  friend bool operator==(const BasicRequests&, const BasicRequests&) = default;
};
BasicRequests basic_requests(std::uint8_t basic);

/// 0x4280: byte 0 charge, byte 1 discharge; 0xAA forbidden, 0x00 allowed.
struct Forbidden {
  bool charge{false};
  bool discharge{false};
  friend bool operator==(const Forbidden&, const Forbidden&) = default;
};

/// 0x4290: faults beyond 0x4250's error byte (internal bus, self-test, insulation, emergency
/// stop, current leakage, ...), bytes 0-7 little-endian. Their bit layout differs between sources
/// (one puts current leakage at bit 21), so any bit of any byte counts.
struct FaultExtension {
  std::uint64_t bits{0};
  friend bool operator==(const FaultExtension&, const FaultExtension&) = default;
};

/// 0x7310.
struct Versions {
  std::uint8_t hardware{0};        // byte 0
  std::uint8_t software_major{0};  // byte 4
  std::uint8_t software_minor{0};  // byte 5
  friend bool operator==(const Versions&, const Versions&) = default;
};

/// 0x7320: the pile's make-up and nameplate.
struct System {
  std::uint16_t cells{0};   // total cells in series
  std::uint8_t modules{0};  // modules in series
  std::uint8_t cells_per_module{0};
  std::uint16_t voltage_level_v{0};  // 1 V
  std::uint16_t capacity_ah{0};      // 1 Ah
  friend bool operator==(const System&, const System&) = default;
};

/// 0x7330 / 0x7340: the manufacturer's name, 8 ASCII bytes each, trailing spaces/NULs stripped.
struct Name {
  std::uint32_t id{kIdName1};  // base id
  std::string text;
  friend bool operator==(const Name&, const Name&) = default;
};

/// 0x4200 (inverter -> pack): what the inverter asks for.
struct Request {
  std::uint8_t what{kRequestEnsemble};
  friend bool operator==(const Request&, const Request&) = default;
};

/// 0x8200 (inverter -> pack): sleep (0x55) or wake (0xAA).
struct Sleep {
  bool wake{true};
  friend bool operator==(const Sleep&, const Sleep&) = default;
};

/// 0x8210 (inverter -> pack): close the main relay to charge (byte 0) / discharge (byte 1), for a
/// pack whose protection opened it.
struct RelayCommand {
  bool charge{false};
  bool discharge{false};
  friend bool operator==(const RelayCommand&, const RelayCommand&) = default;
};

using Frame = std::variant<Ensemble, Limits, CellVoltages, CellTemperatures, Status, Forbidden,
                           FaultExtension, Versions, System, Name, Request, Sleep, RelayCommand>;

/// A decoded frame and the pack address it came from (0 for the inverter's frames).
struct Addressed {
  Frame frame;
  std::uint8_t address{0};
  friend bool operator==(const Addressed&, const Addressed&) = default;
};

struct DecodeOptions {
  bool invert_current{false};  // for a pack that reports + = discharging
};

/// Decode one frame. Returns nullopt for a frame this protocol does not define or does not use
/// (11-bit ids, remote and error frames, unknown ids, 0x4260/0x4270, vendor extras such as
/// Growatt's 0x3010); parse_error naming the id and the problem for a known id with a short or
/// malformed payload, or a value outside the plausibility windows below (a big-endian encoder
/// reads as thousands of volts or amps). Never throws.
Result<std::optional<Addressed>> decode(const can::CanFrame& frame,
                                        const DecodeOptions& options = {});

// Encoders (rounded to the wire resolution, clamped to the field's range). Pack frames take the
// pack's address; the inverter's frames carry none.
can::CanFrame encode(const Ensemble& v, std::uint8_t address = 0);
can::CanFrame encode(const Limits& v, std::uint8_t address = 0);
can::CanFrame encode(const CellVoltages& v, std::uint8_t address = 0);
can::CanFrame encode(const CellTemperatures& v, std::uint8_t address = 0);
can::CanFrame encode(const Status& v, std::uint8_t address = 0);
can::CanFrame encode(const Forbidden& v, std::uint8_t address = 0);
can::CanFrame encode(const FaultExtension& v, std::uint8_t address = 0);
can::CanFrame encode(const Versions& v, std::uint8_t address = 0);
can::CanFrame encode(const System& v, std::uint8_t address = 0);
can::CanFrame encode(const Name& v, std::uint8_t address = 0);  // pads with spaces
can::CanFrame encode(const Request& v);
can::CanFrame encode(const Sleep& v);
can::CanFrame encode(const RelayCommand& v);
/// Any frame, at its address (ignored for the inverter's frames).
can::CanFrame encode_frame(const Addressed& v);

/// 0x4250 alarms (as warnings) and protections, plus its error byte and 0x4290 (as
/// protections). Conditions the maps cover become ok or active; a set bit the map does not define
/// makes BmsCondition::unknown active; the rest stay not_reported.
struct FlagSets {
  core::BmsFlagSet protections;
  core::BmsFlagSet warnings;
  friend bool operator==(const FlagSets&, const FlagSets&) = default;
};
FlagSets interpret(const Status& status, std::optional<FaultExtension> faults);

}  // namespace bessd::bms::pylontech_hv
