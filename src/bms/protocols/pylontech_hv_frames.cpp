#include <bessd/bms/protocols/pylontech_hv_frames.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <type_traits>

#include "wire_fields.hpp"

namespace bessd::bms::pylontech_hv {

using core::BmsCondition;
using core::BmsFlagSet;
using core::FlagState;
using wire::le16;
using wire::put16;
using wire::u16;

namespace {

constexpr double kCurrentOffsetA = 3000.0;
constexpr double kTemperatureOffsetC = 100.0;

double current_a(std::uint16_t raw) {
  return raw * 0.1 - kCurrentOffsetA;
}
double temperature_c(std::uint16_t raw) {
  return raw * 0.1 - kTemperatureOffsetC;
}

constexpr const char* kProtocol = "pylontech_hv";

Failure too_short(const can::CanFrame& f, unsigned need) {
  return wire::too_short(kProtocol, f, need);
}
Failure malformed(const can::CanFrame& f, const char* why) {
  return wire::malformed(kProtocol, f, why);
}
Failure implausible(const can::CanFrame& f, const char* what, double value, const char* unit) {
  return wire::implausible(kProtocol, f, what, value, unit);
}
std::optional<Failure> temperature_window(const can::CanFrame& f, const char* what, double c) {
  return wire::temperature_window(kProtocol, f, what, c, kMinTemperatureC, kMaxTemperatureC);
}

Result<bool> mark(const can::CanFrame& f, std::uint8_t byte) {
  if (byte == kMarkSet) return true;
  if (byte == 0x00) return false;
  return malformed(f, "a mark neither 0x00 nor 0xAA");
}

using R = Result<std::optional<Addressed>>;

// A frame of the pack (base id + address); `need` bytes at least.
R decode_pack(const can::CanFrame& f, std::uint32_t base, std::uint8_t address,
              const DecodeOptions& options) {
  const auto ok = [address](Frame v) { return R{Addressed{std::move(v), address}}; };
  switch (base) {
    case kIdEnsemble: {
      if (f.dlc < 8) return too_short(f, 8);
      Ensemble v;
      v.voltage_v = le16(f, 0) * 0.1;
      v.current_a = current_a(le16(f, 2));
      if (options.invert_current) v.current_a = -v.current_a;
      // The controller's own sensor, shown only: out of range, it is dropped, not the frame.
      if (const double c = temperature_c(le16(f, 4));
          c >= kMinTemperatureC && c <= kMaxTemperatureC)
        v.temperature_c = c;
      v.soc_pct = f.data[6];
      // Some packs report a fresh pack's SOH a point or two above 100 %: shown as 100 %, never a
      // reason to drop the voltage and current of the same frame.
      v.soh_pct = std::min<double>(f.data[7], 100.0);
      if (v.voltage_v > kMaxPackVoltageV) return implausible(f, "pack voltage", v.voltage_v, "V");
      if (std::abs(v.current_a) > kMaxCurrentA) return implausible(f, "current", v.current_a, "A");
      if (v.soc_pct > 100) return malformed(f, "SOC above 100 %");
      return ok(v);
    }
    case kIdLimits: {
      if (f.dlc < 8) return too_short(f, 8);
      Limits v;
      // 0 V: the pack does not allow charging now (docs/protocols.md); not a limit of 0 V.
      if (le16(f, 0) != 0) v.charge_voltage_limit_v = le16(f, 0) * 0.1;
      v.discharge_voltage_limit_v = le16(f, 2) * 0.1;
      // A charge limit below the offset is not a limit any source describes: refuse it rather
      // than read a negative number as a magnitude. With a 0 V cut-off it is not read at all.
      if (v.charge_voltage_limit_v && le16(f, 4) < 30000)
        return malformed(f, "charge current limit below 0 A");
      v.charge_current_limit_a = v.charge_voltage_limit_v ? current_a(le16(f, 4)) : 0.0;
      v.discharge_current_limit_a = std::abs(current_a(le16(f, 6)));
      for (double volts : {v.charge_voltage_limit_v.value_or(0.0), v.discharge_voltage_limit_v})
        if (volts > kMaxPackVoltageV) return implausible(f, "cut-off voltage", volts, "V");
      for (double amps : {v.charge_current_limit_a, v.discharge_current_limit_a})
        if (amps > kMaxCurrentA) return implausible(f, "current limit", amps, "A");
      if (v.charge_voltage_limit_v && v.discharge_voltage_limit_v > *v.charge_voltage_limit_v)
        return malformed(f, "discharge cut-off voltage above the charge cut-off voltage");
      return ok(v);
    }
    case kIdCellVoltages: {
      if (f.dlc < 8) return too_short(f, 8);
      CellVoltages v{le16(f, 0) * 0.001, le16(f, 2) * 0.001, le16(f, 4), le16(f, 6)};
      if (v.max_v > kMaxCellVoltageV || v.max_v < kMinCellVoltageV)
        return implausible(f, "highest cell voltage", v.max_v, "V");
      if (v.min_v > v.max_v) return malformed(f, "minimum cell voltage above the maximum");
      return ok(v);
    }
    case kIdCellTemperatures: {
      if (f.dlc < 8) return too_short(f, 8);
      CellTemperatures v{temperature_c(le16(f, 0)), temperature_c(le16(f, 2)), le16(f, 4),
                         le16(f, 6)};
      for (double c : {v.max_c, v.min_c})
        if (auto bad = temperature_window(f, "cell temperature", c)) return *bad;
      if (v.min_c > v.max_c) return malformed(f, "minimum cell temperature above the maximum");
      return ok(v);
    }
    case kIdStatus: {
      if (f.dlc < 8) return too_short(f, 8);
      // The mode is not used (its bit order is contested): never a reason to drop the flags.
      return ok(Status{f.data[0], le16(f, 1), f.data[3], le16(f, 4), le16(f, 6)});
    }
    case kIdForbidden: {
      if (f.dlc < 2) return too_short(f, 2);
      auto charge = mark(f, f.data[0]);
      if (!charge) return Failure{charge.error()};
      auto discharge = mark(f, f.data[1]);
      if (!discharge) return Failure{discharge.error()};
      return ok(Forbidden{*charge, *discharge});
    }
    case kIdFaultExtension: {
      if (f.dlc < 1) return too_short(f, 1);
      std::uint64_t bits = 0;
      for (unsigned i = 0; i < f.dlc; ++i) bits |= std::uint64_t{f.data[i]} << (8 * i);
      return ok(FaultExtension{bits});
    }
    case kIdVersions: {
      if (f.dlc < 6) return too_short(f, 6);
      return ok(Versions{f.data[0], f.data[4], f.data[5]});
    }
    case kIdSystem: {
      if (f.dlc < 8) return too_short(f, 8);
      System v{le16(f, 0), f.data[2], f.data[3], le16(f, 4), le16(f, 6)};
      return ok(v);
    }
    case kIdName1:
    case kIdName2: {
      if (f.dlc < 1) return too_short(f, 1);
      const char* why = "";
      auto text = wire::ascii(f, 0, f.dlc, why);
      if (!text) return malformed(f, why);
      return ok(Name{base, std::move(*text)});
    }
    default:
      return R{std::nullopt};  // 0x4260/0x4270 and ids this protocol does not define
  }
}

}  // namespace

Result<std::optional<Addressed>> decode(const can::CanFrame& f, const DecodeOptions& options) {
  if (!f.extended || f.remote || f.error) return R{std::nullopt};
  if (f.dlc > can::kMaxDlc) return malformed(f, "DLC above 8");
  switch (f.id) {
    case kIdRequest:
      if (f.dlc < 1) return too_short(f, 1);
      return R{Addressed{Request{f.data[0]}, 0}};
    case kIdSleep:
      if (f.dlc < 1) return too_short(f, 1);
      if (f.data[0] != kMarkSet && f.data[0] != kSleepEnter)
        return malformed(f, "neither sleep (0x55) nor wake (0xAA)");
      return R{Addressed{Sleep{f.data[0] == kMarkSet}, 0}};
    case kIdRelayCommand: {
      if (f.dlc < 2) return too_short(f, 2);
      auto charge = mark(f, f.data[0]);
      if (!charge) return Failure{charge.error()};
      auto discharge = mark(f, f.data[1]);
      if (!discharge) return Failure{discharge.error()};
      return R{Addressed{RelayCommand{*charge, *discharge}, 0}};
    }
    default:
      break;
  }
  return decode_pack(f, f.id & ~std::uint32_t{kMaxAddress},
                     static_cast<std::uint8_t>(f.id & kMaxAddress), options);
}

namespace {

can::CanFrame pack_frame(std::uint32_t base, std::uint8_t address, std::uint8_t dlc = 8) {
  return wire::frame_of(base + (address & kMaxAddress), dlc, true);
}
std::uint16_t current_raw(double a) {
  return u16(a, 0.1, kCurrentOffsetA);
}
std::uint16_t temperature_raw(double c) {
  return u16(c, 0.1, kTemperatureOffsetC);
}
std::uint8_t byte_of(double v) {
  return wire::to_raw<std::uint8_t>(v, 1);
}
std::uint8_t mark_of(bool set) {
  return set ? kMarkSet : 0x00;
}

}  // namespace

can::CanFrame encode(const Ensemble& v, std::uint8_t address) {
  auto f = pack_frame(kIdEnsemble, address);
  put16(f, 0, u16(v.voltage_v, 0.1));
  put16(f, 2, current_raw(v.current_a));
  put16(f, 4, v.temperature_c ? temperature_raw(*v.temperature_c) : 0);
  f.data[6] = byte_of(v.soc_pct);
  f.data[7] = byte_of(v.soh_pct);
  return f;
}

can::CanFrame encode(const Limits& v, std::uint8_t address) {
  auto f = pack_frame(kIdLimits, address);
  put16(f, 0, v.charge_voltage_limit_v ? u16(*v.charge_voltage_limit_v, 0.1) : 0);
  put16(f, 2, u16(v.discharge_voltage_limit_v, 0.1));
  put16(f, 4, current_raw(std::abs(v.charge_current_limit_a)));
  put16(f, 6, current_raw(std::abs(v.discharge_current_limit_a)));
  return f;
}

can::CanFrame encode(const CellVoltages& v, std::uint8_t address) {
  auto f = pack_frame(kIdCellVoltages, address);
  put16(f, 0, u16(v.max_v, 0.001));
  put16(f, 2, u16(v.min_v, 0.001));
  put16(f, 4, v.max_cell);
  put16(f, 6, v.min_cell);
  return f;
}

can::CanFrame encode(const CellTemperatures& v, std::uint8_t address) {
  auto f = pack_frame(kIdCellTemperatures, address);
  put16(f, 0, temperature_raw(v.max_c));
  put16(f, 2, temperature_raw(v.min_c));
  put16(f, 4, v.max_sensor);
  put16(f, 6, v.min_sensor);
  return f;
}

can::CanFrame encode(const Status& v, std::uint8_t address) {
  auto f = pack_frame(kIdStatus, address);
  f.data[0] = v.basic;
  put16(f, 1, v.cycle_period);
  f.data[3] = v.errors;
  put16(f, 4, v.alarms);
  put16(f, 6, v.protections);
  return f;
}

can::CanFrame encode(const Forbidden& v, std::uint8_t address) {
  auto f = pack_frame(kIdForbidden, address);
  f.data[0] = mark_of(v.charge);
  f.data[1] = mark_of(v.discharge);
  return f;
}

can::CanFrame encode(const FaultExtension& v, std::uint8_t address) {
  auto f = pack_frame(kIdFaultExtension, address);
  for (std::size_t i = 0; i < can::kMaxDlc; ++i)
    f.data[i] = static_cast<std::uint8_t>(v.bits >> (8 * i));
  return f;
}

can::CanFrame encode(const Versions& v, std::uint8_t address) {
  auto f = pack_frame(kIdVersions, address);
  f.data[0] = v.hardware;
  f.data[4] = v.software_major;
  f.data[5] = v.software_minor;
  return f;
}

can::CanFrame encode(const System& v, std::uint8_t address) {
  auto f = pack_frame(kIdSystem, address);
  put16(f, 0, v.cells);
  f.data[2] = v.modules;
  f.data[3] = v.cells_per_module;
  put16(f, 4, v.voltage_level_v);
  put16(f, 6, v.capacity_ah);
  return f;
}

can::CanFrame encode(const Name& v, std::uint8_t address) {
  auto f = pack_frame(v.id == kIdName2 ? kIdName2 : kIdName1, address);
  for (std::size_t i = 0; i < can::kMaxDlc; ++i)
    f.data[i] = i < v.text.size() ? static_cast<std::uint8_t>(v.text[i]) : ' ';
  return f;
}

can::CanFrame encode(const Request& v) {
  auto f = wire::frame_of(kIdRequest, 8, true);
  f.data[0] = v.what;
  return f;
}

can::CanFrame encode(const Sleep& v) {
  auto f = wire::frame_of(kIdSleep, 8, true);
  f.data[0] = v.wake ? kMarkSet : kSleepEnter;
  return f;
}

can::CanFrame encode(const RelayCommand& v) {
  auto f = wire::frame_of(kIdRelayCommand, 8, true);
  f.data[0] = mark_of(v.charge);
  f.data[1] = mark_of(v.discharge);
  return f;
}

can::CanFrame encode_frame(const Addressed& v) {
  return std::visit(
      [&](const auto& frame) -> can::CanFrame {
        using T = std::decay_t<decltype(frame)>;
        if constexpr (std::is_same_v<T, Request> || std::is_same_v<T, Sleep> ||
                      std::is_same_v<T, RelayCommand>) {
          return encode(frame);
        } else {
          return encode(frame, v.address);
        }
      },
      v.frame);
}

namespace {

// docs/protocols.md "The BMS: Pylontech HV", 0x4250 bytes 4-7: one bit map for alarms and
// protections. The pack-level voltage bits fold into the cell conditions: the same direction is
// blocked.
constexpr std::array<BmsCondition, 12> kAlarmBits{
    BmsCondition::cell_under_voltage,           // 0 cell low voltage
    BmsCondition::cell_over_voltage,            // 1 cell high voltage
    BmsCondition::cell_under_voltage,           // 2 discharge: system low voltage
    BmsCondition::cell_over_voltage,            // 3 charge: system high voltage
    BmsCondition::charge_under_temperature,     // 4
    BmsCondition::charge_over_temperature,      // 5
    BmsCondition::discharge_under_temperature,  // 6
    BmsCondition::over_temperature,             // 7 discharge high temperature
    BmsCondition::charge_over_current,          // 8
    BmsCondition::discharge_over_current,       // 9
    BmsCondition::cell_under_voltage,           // 10 module low voltage
    BmsCondition::cell_over_voltage,            // 11 module high voltage
};

// 0x4250 byte 3: bits 0 voltage sensor, 1 temperature sensor, 2 internal communication,
// 3 input over-voltage, 4 input reversed, 5 relay check, 6 battery damaged, 7 other.
constexpr std::array<BmsCondition, 8> kErrorBits{
    BmsCondition::bms_internal, BmsCondition::bms_internal, BmsCondition::bms_internal,
    BmsCondition::general,      BmsCondition::general,      BmsCondition::contactor,
    BmsCondition::bms_internal, BmsCondition::general,
};

template <std::size_t N>
void apply_bits(BmsFlagSet& set, unsigned bits, const std::array<BmsCondition, N>& map) {
  for (std::size_t i = 0; i < N; ++i) {
    const BmsCondition c = map[i];
    // Several bits share a condition: ok never hides active.
    if ((bits >> i) & 1U) {
      set.set(c, FlagState::active);
    } else if (set.get(c) != FlagState::active) {
      set.set(c, FlagState::ok);
    }
  }
}

void apply_map(BmsFlagSet& set, std::uint16_t bits) {
  apply_bits(set, bits, kAlarmBits);
  const bool undefined = (bits >> kAlarmBits.size()) != 0;
  if (undefined || set.get(BmsCondition::unknown) != FlagState::active)
    set.set(BmsCondition::unknown, undefined ? FlagState::active : FlagState::ok);
}

}  // namespace

BasicRequests basic_requests(std::uint8_t basic) {
  const bool low_mode = (basic & 0x07) != 0;   // mode in bits 0-2: most sources' layout
  const bool high_mode = (basic & 0xE0) != 0;  // mode in bits 5-7: the reversed layout
  if (low_mode == high_mode) return {};
  const bool force = (basic & (low_mode ? kStatusForceCharge : kStatusBalanceCharge)) != 0;
  const bool balance = (basic & (low_mode ? kStatusBalanceCharge : kStatusForceCharge)) != 0;
  return {force, balance};
}

FlagSets interpret(const Status& status, std::optional<FaultExtension> faults) {
  FlagSets out;
  apply_map(out.warnings, status.alarms);
  apply_map(out.protections, status.protections);
  apply_bits(out.protections, status.errors, kErrorBits);
  if (faults) {
    // Its layout differs between sources: any bit is a fault bessd cannot name.
    if (faults->bits != 0) out.protections.set(BmsCondition::unknown, FlagState::active);
  }
  return out;
}

}  // namespace bessd::bms::pylontech_hv
