#include <bessd/bms/protocols/byd_hvs_frames.hpp>

#include <cmath>
#include <type_traits>

#include "wire_fields.hpp"

namespace bessd::bms::byd_hvs {

using wire::be16;
using wire::bes16;
using wire::put16_be;

namespace {

constexpr const char* kProtocol = "byd_hvs";

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

using R = Result<std::optional<Frame>>;

R decode_limits(const can::CanFrame& f) {
  if (f.dlc < 8) return too_short(f, 8);
  const Limits v{be16(f, 0) * 0.1, be16(f, 2) * 0.1, be16(f, 4) * 0.1, be16(f, 6) * 0.1};
  for (double volts : {v.charge_voltage_limit_v, v.discharge_voltage_limit_v})
    if (volts > kMaxPackVoltageV) return implausible(f, "voltage limit", volts, "V");
  for (double amps : {v.charge_current_limit_a, v.discharge_current_limit_a})
    if (amps > kMaxCurrentA) return implausible(f, "current limit", amps, "A");
  if (v.charge_voltage_limit_v > 0 && v.discharge_voltage_limit_v > v.charge_voltage_limit_v)
    return malformed(f, "discharge voltage limit above the charge voltage limit");
  return R{Frame{v}};
}

R decode_states(const can::CanFrame& f) {
  if (f.dlc < 8) return too_short(f, 8);
  const States v{be16(f, 0) * 0.01, be16(f, 2) * 0.01, be16(f, 4) * 0.1, be16(f, 6) * 0.1};
  if (v.soc_pct > 100.0) return malformed(f, "SOC above 100 %");
  return R{Frame{v}};
}

R decode_measurements(const can::CanFrame& f) {
  if (f.dlc < 6) return too_short(f, 6);
  const Measurements v{be16(f, 0) * 0.1, bes16(f, 2) * 0.1, bes16(f, 4) * 0.1};
  if (v.voltage_v > kMaxPackVoltageV) return implausible(f, "pack voltage", v.voltage_v, "V");
  if (std::abs(v.current_a) > kMaxCurrentA) return implausible(f, "current", v.current_a, "A");
  if (auto bad = temperature_window(f, "temperature", v.temperature_c)) return *bad;
  return R{Frame{v}};
}

R decode_cell_temperatures(const can::CanFrame& f) {
  if (f.dlc < 4) return too_short(f, 4);
  const CellTemperatures v{bes16(f, 0) * 0.1, bes16(f, 2) * 0.1};
  for (double c : {v.max_c, v.min_c})
    if (auto bad = temperature_window(f, "cell temperature", c)) return *bad;
  if (v.min_c > v.max_c) return malformed(f, "minimum cell temperature above the maximum");
  return R{Frame{v}};
}

R decode_text(const can::CanFrame& f, std::uint32_t id) {
  if (f.dlc < 2) return too_short(f, 2);
  const char* why = "";
  auto text = wire::ascii(f, 1, f.dlc, why);
  if (!text) return malformed(f, why);
  if (id == kIdModel && f.data[0] > 3) return malformed(f, "model text segment above 3");
  return R{Frame{Text{id, f.data[0], std::move(*text)}}};
}

}  // namespace

Result<std::optional<Frame>> decode(const can::CanFrame& f) {
  if (f.extended || f.remote || f.error) return R{std::nullopt};
  if (f.dlc > can::kMaxDlc) return malformed(f, "DLC above 8");
  switch (f.id) {
    case kIdLimits:
      return decode_limits(f);
    case kIdStates:
      return decode_states(f);
    case kIdMeasurements:
      return decode_measurements(f);
    case kIdCellTemperatures:
      return decode_cell_temperatures(f);
    case kIdAlarm: {
      std::uint64_t bytes = 0;
      for (unsigned i = 0; i < f.dlc; ++i) bytes |= std::uint64_t{f.data[i]} << (8 * (7 - i));
      return R{Frame{Alarm{bytes}}};
    }
    case kIdIdentification:
      if (f.dlc < 6) return too_short(f, 6);
      return R{Frame{Identification{f.data[0], f.data[1], be16(f, 4) * 0.1}}};
    case kIdMaker:
    case kIdModel:
      return decode_text(f, f.id);
    case kIdInverterIdentify:
      if (f.dlc < 1) return too_short(f, 1);
      return R{Frame{InverterFrame{f.id, (f.data[0] & 0x01) != 0}}};
    case kIdInverterMeasurements:
    case kIdInverterSoc:
    case kIdInverterTime:
    case kIdInverterAlive:
      return R{Frame{InverterFrame{f.id, false}}};
    default:
      return R{std::nullopt};  // 0x290 (meaning unknown) and ids this protocol does not define
  }
}

namespace {

can::CanFrame frame(std::uint32_t id) {
  return wire::frame_of(id, 8);
}
std::uint16_t raw(double v, double scale) {
  return wire::u16(v, scale);
}
std::uint16_t signed_raw(double v, double scale) {
  return wire::s16(v, scale);
}

}  // namespace

can::CanFrame encode(const Limits& v) {
  auto f = frame(kIdLimits);
  put16_be(f, 0, raw(v.charge_voltage_limit_v, 0.1));
  put16_be(f, 2, raw(v.discharge_voltage_limit_v, 0.1));
  put16_be(f, 4, raw(v.discharge_current_limit_a, 0.1));
  put16_be(f, 6, raw(v.charge_current_limit_a, 0.1));
  return f;
}

can::CanFrame encode(const States& v) {
  auto f = frame(kIdStates);
  put16_be(f, 0, raw(v.soc_pct, 0.01));
  put16_be(f, 2, raw(v.soh_pct, 0.01));
  put16_be(f, 4, raw(v.remaining_capacity_ah, 0.1));
  put16_be(f, 6, raw(v.full_capacity_ah, 0.1));
  return f;
}

can::CanFrame encode(const Measurements& v) {
  auto f = frame(kIdMeasurements);
  put16_be(f, 0, raw(v.voltage_v, 0.1));
  put16_be(f, 2, signed_raw(v.current_a, 0.1));
  put16_be(f, 4, signed_raw(v.temperature_c, 0.1));
  f.data[6] = 0x03;  // constant in every published frame, meaning unknown
  f.data[7] = 0x08;
  return f;
}

can::CanFrame encode(const CellTemperatures& v) {
  auto f = frame(kIdCellTemperatures);
  put16_be(f, 0, signed_raw(v.max_c, 0.1));
  put16_be(f, 2, signed_raw(v.min_c, 0.1));
  return f;
}

can::CanFrame encode(const Alarm& v) {
  auto f = frame(kIdAlarm);
  for (std::size_t i = 0; i < can::kMaxDlc; ++i)
    f.data[i] = static_cast<std::uint8_t>(v.bytes >> (8 * (7 - i)));
  return f;
}

can::CanFrame encode(const Identification& v) {
  auto f = frame(kIdIdentification);
  f.data[0] = v.firmware_major;
  f.data[1] = v.firmware_minor;
  put16_be(f, 4, raw(v.nominal_energy_kwh, 0.1));
  return f;
}

can::CanFrame encode(const Text& v) {
  auto f = frame(v.id == kIdModel ? kIdModel : kIdMaker);
  f.data[0] = v.segment;
  for (std::size_t i = 1; i < can::kMaxDlc; ++i)
    f.data[i] = i - 1 < v.text.size() ? static_cast<std::uint8_t>(v.text[i - 1]) : 0;
  return f;
}

can::CanFrame encode(const InverterFrame& v) {
  auto f = frame(v.id);
  if (v.id == kIdInverterIdentify) f.data[0] = v.asks_identification ? 0x01 : 0x00;
  return f;
}

can::CanFrame encode_frame(const Frame& v) {
  return std::visit([](const auto& frame_value) { return encode(frame_value); }, v);
}

}  // namespace bessd::bms::byd_hvs
