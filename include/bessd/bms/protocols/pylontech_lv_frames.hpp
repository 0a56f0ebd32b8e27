#pragma once
// Pure codec of the Pylontech / SMA / Victron-compatible "LV CAN" BMS protocol
// (docs/protocols.md): one typed struct per frame, in bessd's units and sign convention, with a
// decoder and an encoder each. The decoder turns wire bytes into the struct (rejecting short or
// malformed frames with a reason, never throwing); the encoder does the reverse and is what the
// BMS simulator uses to emit frames, so the two cannot drift.
//
// Wire facts: 11-bit ids, little-endian fields, current + = charging, limits positive
// magnitudes (a negative CCL/DCL on the wire is decoded with abs()).

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include <bessd/can/can_frame.hpp>
#include <bessd/common/result.hpp>
#include <bessd/core/bms_condition.hpp>

namespace bessd::bms::pylontech {

// Frame ids (BMS -> inverter unless noted).
inline constexpr std::uint32_t kIdLimits = 0x351;
inline constexpr std::uint32_t kIdChargeState = 0x355;
inline constexpr std::uint32_t kIdMeasurements = 0x356;
inline constexpr std::uint32_t kIdPylonFlags = 0x359;  // V1.2
inline constexpr std::uint32_t kIdAlarms = 0x35A;      // V1.3 / SMA / Victron
inline constexpr std::uint32_t kIdRequests = 0x35C;    // V1.2
inline constexpr std::uint32_t kIdManufacturer = 0x35E;
inline constexpr std::uint32_t kIdBatteryInfo = 0x35F;  // V1.3
inline constexpr std::uint32_t kIdBmsName1 = 0x370;
inline constexpr std::uint32_t kIdBmsName2 = 0x371;
inline constexpr std::uint32_t kIdModules = 0x372;
inline constexpr std::uint32_t kIdCellExtremes = 0x373;
inline constexpr std::uint32_t kIdEnergy = 0x378;
inline constexpr std::uint32_t kIdCapacity = 0x379;
inline constexpr std::uint32_t kIdKeepAlive = 0x305;      // inverter -> BMS
inline constexpr std::uint32_t kIdInverterIdent = 0x307;  // inverter -> BMS, optional

// 0x35C request bits (byte 0).
inline constexpr std::uint8_t kReqChargeEnable = 0x80;
inline constexpr std::uint8_t kReqDischargeEnable = 0x40;
inline constexpr std::uint8_t kReqForceChargeI = 0x20;
inline constexpr std::uint8_t kReqForceChargeII = 0x10;
inline constexpr std::uint8_t kReqFullCharge = 0x08;

/// 0x351. DLC 8 (6 without DVL, as Battery-Emulator's Pylon emitter sends).
struct Limits {
  double charge_voltage_limit_v{0};                 // CVL, 0.1 V
  double charge_current_limit_a{0};                 // CCL, 0.1 A, magnitude
  double discharge_current_limit_a{0};              // DCL, 0.1 A, magnitude
  std::optional<double> discharge_voltage_limit_v;  // DVL, 0.1 V; absent when DLC 6
  friend bool operator==(const Limits&, const Limits&) = default;
};

/// 0x355. DLC 4 (V1.2), 6 (V1.3) or 8.
struct ChargeState {
  double soc_pct{0};                    // 1 %
  double soh_pct{0};                    // 1 %
  std::optional<double> soc_hires_pct;  // 0.01 %, bytes 4-5; absent when DLC 4 or raw 0
  friend bool operator==(const ChargeState&, const ChargeState&) = default;
};

/// 0x356. DLC 6 (8 on JBD, bytes 6-7 cycle count).
struct Measurements {
  double voltage_v{0};                       // 0.01 V
  double current_a{0};                       // 0.1 A, + = charging (after the optional inversion)
  double temperature_c{0};                   // 0.1 degC
  std::optional<std::uint16_t> cycle_count;  // JBD only
  friend bool operator==(const Measurements&, const Measurements&) = default;
};

/// 0x359 (Pylontech V1.2): raw protection/alarm bytes, module count, "PN".
struct PylonFlags {
  std::uint8_t protection1{0};               // byte 0
  std::uint8_t protection2{0};               // byte 1
  std::uint8_t alarm1{0};                    // byte 2
  std::uint8_t alarm2{0};                    // byte 3
  std::optional<std::uint8_t> module_count;  // byte 4
  friend bool operator==(const PylonFlags&, const PylonFlags&) = default;
};

/// 0x35A (SMA / Victron): 4 alarm bytes + 4 warning bytes of 2-bit pairs.
struct Alarms {
  std::array<std::uint8_t, 8> bytes{};
  bool has_warnings{true};  // false when DLC 4
  friend bool operator==(const Alarms&, const Alarms&) = default;
};

/// 0x35C (Pylontech V1.2): request flags, byte 0.
struct Requests {
  std::uint8_t bits{0};
  friend bool operator==(const Requests&, const Requests&) = default;
};

/// 0x35E, 0x370, 0x371: ASCII text, trailing spaces and NULs stripped.
struct Text {
  std::uint32_t id{kIdManufacturer};
  std::string text;
  friend bool operator==(const Text&, const Text&) = default;
};

/// 0x35F (V1.3): battery type, firmware, capacity, product id.
struct BatteryInfo {
  std::string battery_type;                 // bytes 0-1 as ASCII ("LI"), empty when not printable
  std::uint8_t firmware_major{0};           // byte 2
  std::uint8_t firmware_minor{0};           // byte 3
  std::uint16_t capacity_ah{0};             // bytes 4-5, 1 Ah: available, not installed
  std::optional<std::uint16_t> product_id;  // bytes 6-7 when DLC 8
  friend bool operator==(const BatteryInfo&, const BatteryInfo&) = default;
};

/// 0x372: module counts.
struct Modules {
  std::uint16_t online{0};
  std::uint16_t blocking_charge{0};
  std::uint16_t blocking_discharge{0};
  std::uint16_t offline{0};
  friend bool operator==(const Modules&, const Modules&) = default;
};

/// 0x373: cell extremes (mV and kelvin on the wire).
struct CellExtremes {
  double cell_voltage_min_v{0};
  double cell_voltage_max_v{0};
  double cell_temperature_min_c{0};  // raw K - 273
  double cell_temperature_max_c{0};
  friend bool operator==(const CellExtremes&, const CellExtremes&) = default;
};

/// 0x378: energy counters, 100 Wh per count.
struct Energy {
  double charged_kwh{0};
  double discharged_kwh{0};
  friend bool operator==(const Energy&, const Energy&) = default;
};

/// 0x379: installed capacity, 1 Ah.
struct Capacity {
  std::uint16_t capacity_ah{0};
  friend bool operator==(const Capacity&, const Capacity&) = default;
};

using Frame = std::variant<Limits, ChargeState, Measurements, PylonFlags, Alarms, Requests, Text,
                           BatteryInfo, Modules, CellExtremes, Energy, Capacity>;

struct DecodeOptions {
  bool invert_current{false};  // for a BMS that reports + = discharging
};

/// Decode one frame. Returns nullopt for a frame this protocol does not define (unknown id,
/// 29-bit id, remote or error frame); parse_error naming the id and the problem for a known id
/// with a short or malformed payload. Never throws.
Result<std::optional<Frame>> decode(const can::CanFrame& frame, const DecodeOptions& options = {});

// Encoders (values are rounded to the wire resolution; out-of-range values are clamped).
can::CanFrame encode(const Limits& v);
can::CanFrame encode(const ChargeState& v, std::uint8_t dlc = 6);  // dlc 4, 6 or 8
can::CanFrame encode(const Measurements& v);
can::CanFrame encode(const PylonFlags& v);
can::CanFrame encode(const Alarms& v);
can::CanFrame encode(const Requests& v);
can::CanFrame encode(const Text& v);  // pads to 8 bytes with spaces
can::CanFrame encode(const BatteryInfo& v);
can::CanFrame encode(const Modules& v);
can::CanFrame encode(const CellExtremes& v);
can::CanFrame encode(const Energy& v);
can::CanFrame encode(const Capacity& v);
can::CanFrame encode_frame(const Frame& v);

/// 0x305 with 8 x 0x00: the inverter's keep-alive, sent every keepalive period.
can::CanFrame encode_keepalive();
/// 0x307 inverter identification: bytes 4-6 "VIC" (optional; only after capturing a real one).
can::CanFrame encode_inverter_ident();

// Bit-map interpretation (docs/protocols.md "Flags: protections and warnings").

/// 0x359 -> protections (bytes 0-1) and warnings (bytes 2-3). Items 0x359 covers become ok or
/// active; a set bit the map does not define makes BmsCondition::unknown active (else ok);
/// items 0x359 does not cover stay not_reported.
struct FlagSets {
  core::BmsFlagSet protections;
  core::BmsFlagSet warnings;
  friend bool operator==(const FlagSets&, const FlagSets&) = default;
};
FlagSets interpret(const PylonFlags& v);
/// 0x35A -> alarms (bytes 0-3, as protections) and warnings (bytes 4-7). Pair value 0b00 = not
/// reported, 0b10 = ok, lower bit set (0b01, and reserved 0b11) = active. A reserved pair with
/// its lower bit set makes BmsCondition::unknown active.
FlagSets interpret(const Alarms& v);

}  // namespace bessd::bms::pylontech
