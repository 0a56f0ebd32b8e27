#pragma once
// Pure codec of the BYD Battery-Box Premium HVS/HVM CAN protocol (docs/protocols.md, "The BMS:
// BYD Battery-Box HVS CAN protocol"): one typed struct per frame, in bessd's units and sign
// convention, with a decoder and an encoder each. The simulator's BYD pack encodes with the same
// functions; the decode tests replay bytes from published captures.
//
// Wire facts: 11-bit ids, 500 kbit/s, big-endian 16-bit fields. The battery broadcasts its limits
// every 2 s and its state, measurements and cell temperatures every 10 s; the inverter sends its
// own frames (0x091, 0x0D1, 0x111, 0x151, 0x191), and 0x151 with byte 0 bit 0 set asks the
// battery for its identification burst.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include <bessd/can/can_frame.hpp>
#include <bessd/common/result.hpp>

namespace bessd::bms::byd_hvs {

// Battery -> inverter.
inline constexpr std::uint32_t kIdLimits = 0x110;            // every 2 s
inline constexpr std::uint32_t kIdStates = 0x150;            // every 10 s: SOC, SOH, capacities
inline constexpr std::uint32_t kIdAlarm = 0x190;             // every 60 s: not decoded by anyone
inline constexpr std::uint32_t kIdMeasurements = 0x1D0;      // every 10 s: V, I, T
inline constexpr std::uint32_t kIdCellTemperatures = 0x210;  // every 10 s
inline constexpr std::uint32_t kIdIdentification = 0x250;    // on request: firmware, nominal kWh
inline constexpr std::uint32_t kIdMaker = 0x2D0;             // on request: "BYD"
inline constexpr std::uint32_t kIdModel = 0x3D0;             // on request, 4 segments
// Inverter -> battery.
inline constexpr std::uint32_t kIdInverterIdentify = 0x151;
inline constexpr std::uint32_t kIdInverterMeasurements = 0x091;
inline constexpr std::uint32_t kIdInverterSoc = 0x0D1;
inline constexpr std::uint32_t kIdInverterTime = 0x111;
inline constexpr std::uint32_t kIdInverterAlive = 0x191;

// Plausibility windows (docs/protocols.md "The BMS: BYD Battery-Box HVS"): wider than any HVS/HVM
// stack, narrow enough that a field in the wrong byte order falls outside.
inline constexpr double kMaxPackVoltageV = 1000.0;
inline constexpr double kMaxCurrentA = 500.0;
inline constexpr double kMinTemperatureC = -60.0;
inline constexpr double kMaxTemperatureC = 150.0;

/// 0x110: the limits (magnitudes).
struct Limits {
  double charge_voltage_limit_v{0};     // 0.1 V
  double discharge_voltage_limit_v{0};  // 0.1 V
  double discharge_current_limit_a{0};  // 0.1 A
  double charge_current_limit_a{0};     // 0.1 A
  friend bool operator==(const Limits&, const Limits&) = default;
};

/// 0x150: state of charge and health, remaining and full-charge capacity.
struct States {
  double soc_pct{0};                // 0.01 %
  double soh_pct{0};                // 0.01 %
  double remaining_capacity_ah{0};  // 0.1 Ah
  double full_capacity_ah{0};       // 0.1 Ah
  friend bool operator==(const States&, const States&) = default;
};

/// 0x1D0: pack voltage, current (+ = charging), temperature.
struct Measurements {
  double voltage_v{0};      // 0.1 V
  double current_a{0};      // s16, 0.1 A
  double temperature_c{0};  // s16, 0.1 degC
  friend bool operator==(const Measurements&, const Measurements&) = default;
};

/// 0x210: the cell temperature extremes (no source knows a cell voltage frame).
struct CellTemperatures {
  double max_c{0};  // s16, 0.1 degC
  double min_c{0};
  friend bool operator==(const CellTemperatures&, const CellTemperatures&) = default;
};

/// 0x190: the alarm frame. No source has decoded it; its bytes are kept for the record.
struct Alarm {
  std::uint64_t bytes{0};
  friend bool operator==(const Alarm&, const Alarm&) = default;
};

/// 0x250: firmware version and nominal energy.
struct Identification {
  std::uint8_t firmware_major{0};
  std::uint8_t firmware_minor{0};
  double nominal_energy_kwh{0};  // 0.1 kWh
  friend bool operator==(const Identification&, const Identification&) = default;
};

/// 0x2D0 (segment 0, bytes 1-7) and 0x3D0 (byte 0 = segment 0-3, bytes 1-7): ASCII text.
struct Text {
  std::uint32_t id{kIdMaker};
  std::uint8_t segment{0};
  std::string text;
  friend bool operator==(const Text&, const Text&) = default;
};

/// Any of the inverter's frames: seen, timed, never folded into the pack's state.
struct InverterFrame {
  std::uint32_t id{kIdInverterAlive};
  bool asks_identification{false};  // 0x151 byte 0 bit 0
  friend bool operator==(const InverterFrame&, const InverterFrame&) = default;
};

using Frame = std::variant<Limits, States, Measurements, CellTemperatures, Alarm, Identification,
                           Text, InverterFrame>;

/// Decode one frame: nullopt for a frame this protocol does not define (29-bit, remote and error
/// frames, other ids, 0x290 whose meaning nobody knows); parse_error naming the id for a known
/// id with a short payload or a value outside the plausibility windows. Never throws.
Result<std::optional<Frame>> decode(const can::CanFrame& frame);

can::CanFrame encode(const Limits& v);
can::CanFrame encode(const States& v);
can::CanFrame encode(const Measurements& v);
can::CanFrame encode(const CellTemperatures& v);
can::CanFrame encode(const Alarm& v);
can::CanFrame encode(const Identification& v);
can::CanFrame encode(const Text& v);  // pads with NULs
can::CanFrame encode(const InverterFrame& v);
can::CanFrame encode_frame(const Frame& v);

}  // namespace bessd::bms::byd_hvs
