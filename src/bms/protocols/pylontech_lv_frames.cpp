#include <bessd/bms/protocols/pylontech_lv_frames.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "wire_fields.hpp"

namespace bessd::bms::pylontech {

using core::BmsCondition;
using core::BmsFlagSet;
using core::FlagState;

namespace {

using wire::frame_of;
using wire::le16;
using wire::le32;
using wire::les16;
using wire::put16;
using wire::put32;
using wire::s16;
using wire::u16;

Failure too_short(const can::CanFrame& f, unsigned need) {
  return wire::too_short("pylontech_lv", f, need);
}
Failure malformed(const can::CanFrame& f, const char* why) {
  return wire::malformed("pylontech_lv", f, why);
}

// ASCII payloads: strip trailing spaces/NULs; anything outside printable ASCII is malformed.
Result<std::string> ascii(const can::CanFrame& f, std::size_t from, std::size_t to) {
  const char* why = "";
  auto text = wire::ascii(f, from, to, why);
  if (!text) return malformed(f, why);
  return std::move(*text);
}

}  // namespace

Result<std::optional<Frame>> decode(const can::CanFrame& f, const DecodeOptions& options) {
  using R = Result<std::optional<Frame>>;
  if (f.extended || f.remote || f.error) return R{std::nullopt};
  if (f.dlc > can::kMaxDlc) return malformed(f, "DLC above 8");
  switch (f.id) {
    case kIdLimits: {
      if (f.dlc < 6) return too_short(f, 6);
      Limits v;
      v.charge_voltage_limit_v = le16(f, 0) * 0.1;
      v.charge_current_limit_a = std::abs(static_cast<int>(les16(f, 2))) * 0.1;
      v.discharge_current_limit_a = std::abs(static_cast<int>(les16(f, 4))) * 0.1;
      if (f.dlc >= 8) v.discharge_voltage_limit_v = le16(f, 6) * 0.1;
      return R{Frame{v}};
    }
    case kIdChargeState: {
      if (f.dlc < 4) return too_short(f, 4);
      ChargeState v;
      v.soc_pct = le16(f, 0);
      v.soh_pct = le16(f, 2);
      if (v.soc_pct > 100) return malformed(f, "SOC above 100 %");
      if (v.soh_pct > 100) return malformed(f, "SOH above 100 %");
      if (f.dlc >= 6 && le16(f, 4) != 0) {
        if (le16(f, 4) > 10000) return malformed(f, "hi-res SOC above 100.00 %");
        v.soc_hires_pct = le16(f, 4) * 0.01;
      }
      return R{Frame{v}};
    }
    case kIdMeasurements: {
      if (f.dlc < 6) return too_short(f, 6);
      Measurements v;
      v.voltage_v = les16(f, 0) * 0.01;
      const double current = les16(f, 2) * 0.1;
      v.current_a = options.invert_current ? -current : current;
      v.temperature_c = les16(f, 4) * 0.1;
      if (f.dlc >= 8) v.cycle_count = le16(f, 6);
      return R{Frame{v}};
    }
    case kIdPylonFlags: {
      if (f.dlc < 4) return too_short(f, 4);
      PylonFlags v{f.data[0], f.data[1], f.data[2], f.data[3], std::nullopt};
      if (f.dlc >= 5) v.module_count = f.data[4];
      return R{Frame{v}};
    }
    case kIdAlarms: {
      if (f.dlc < 4) return too_short(f, 4);
      if (f.dlc != 4 && f.dlc != 8) return malformed(f, "DLC neither 4 nor 8");
      Alarms v;
      std::copy_n(f.data.begin(), f.dlc, v.bytes.begin());
      v.has_warnings = f.dlc == 8;
      return R{Frame{v}};
    }
    case kIdRequests: {
      if (f.dlc < 1) return too_short(f, 1);
      return R{Frame{Requests{f.data[0]}}};
    }
    case kIdManufacturer:
    case kIdBmsName1:
    case kIdBmsName2: {
      if (f.dlc < 1) return too_short(f, 1);
      auto text = ascii(f, 0, f.dlc);
      if (!text) return Failure{text.error()};
      return R{Frame{Text{f.id, std::move(*text)}}};
    }
    case kIdBatteryInfo: {
      if (f.dlc < 6) return too_short(f, 6);
      BatteryInfo v;
      auto type = ascii(f, 0, 2);
      if (type) v.battery_type = *type;  // some BMSs send a u16 code here: keep it empty
      v.firmware_major = f.data[2];
      v.firmware_minor = f.data[3];
      v.capacity_ah = le16(f, 4);
      if (f.dlc >= 8) v.product_id = le16(f, 6);
      return R{Frame{v}};
    }
    case kIdModules: {
      if (f.dlc < 8) return too_short(f, 8);
      return R{Frame{Modules{le16(f, 0), le16(f, 2), le16(f, 4), le16(f, 6)}}};
    }
    case kIdCellExtremes: {
      if (f.dlc < 8) return too_short(f, 8);
      CellExtremes v;
      v.cell_voltage_min_v = le16(f, 0) / 1000.0;
      v.cell_voltage_max_v = le16(f, 2) / 1000.0;
      v.cell_temperature_min_c = static_cast<double>(le16(f, 4)) - 273.0;
      v.cell_temperature_max_c = static_cast<double>(le16(f, 6)) - 273.0;
      if (v.cell_voltage_min_v > v.cell_voltage_max_v)
        return malformed(f, "min cell voltage above max");
      if (v.cell_temperature_min_c > v.cell_temperature_max_c)
        return malformed(f, "min cell temperature above max");
      return R{Frame{v}};
    }
    case kIdEnergy: {
      if (f.dlc < 8) return too_short(f, 8);
      return R{Frame{Energy{le32(f, 0) * 0.1, le32(f, 4) * 0.1}}};
    }
    case kIdCapacity: {
      if (f.dlc < 2) return too_short(f, 2);
      return R{Frame{Capacity{le16(f, 0)}}};
    }
    default:
      return R{std::nullopt};
  }
}

can::CanFrame encode(const Limits& v) {
  auto f = frame_of(kIdLimits, v.discharge_voltage_limit_v ? 8 : 6);
  put16(f, 0, u16(v.charge_voltage_limit_v, 0.1));
  put16(f, 2, s16(std::abs(v.charge_current_limit_a), 0.1));
  put16(f, 4, s16(std::abs(v.discharge_current_limit_a), 0.1));
  if (v.discharge_voltage_limit_v) put16(f, 6, u16(*v.discharge_voltage_limit_v, 0.1));
  return f;
}

can::CanFrame encode(const ChargeState& v, std::uint8_t dlc) {
  dlc = dlc <= 4 ? 4 : (dlc <= 6 ? 6 : 8);
  auto f = frame_of(kIdChargeState, dlc);
  put16(f, 0, u16(v.soc_pct, 1));
  put16(f, 2, u16(v.soh_pct, 1));
  if (dlc >= 6 && v.soc_hires_pct) put16(f, 4, u16(*v.soc_hires_pct, 0.01));
  return f;
}

can::CanFrame encode(const Measurements& v) {
  auto f = frame_of(kIdMeasurements, v.cycle_count ? 8 : 6);
  put16(f, 0, s16(v.voltage_v, 0.01));
  put16(f, 2, s16(v.current_a, 0.1));
  put16(f, 4, s16(v.temperature_c, 0.1));
  if (v.cycle_count) put16(f, 6, *v.cycle_count);
  return f;
}

can::CanFrame encode(const PylonFlags& v) {
  auto f = frame_of(kIdPylonFlags, v.module_count ? 7 : 4);
  f.data[0] = v.protection1;
  f.data[1] = v.protection2;
  f.data[2] = v.alarm1;
  f.data[3] = v.alarm2;
  if (v.module_count) {
    f.data[4] = *v.module_count;
    f.data[5] = 'P';
    f.data[6] = 'N';
  }
  return f;
}

can::CanFrame encode(const Alarms& v) {
  auto f = frame_of(kIdAlarms, v.has_warnings ? 8 : 4);
  std::copy_n(v.bytes.begin(), f.dlc, f.data.begin());
  return f;
}

can::CanFrame encode(const Requests& v) {
  auto f = frame_of(kIdRequests, 2);
  f.data[0] = v.bits;
  return f;
}

can::CanFrame encode(const Text& v) {
  auto f = frame_of(v.id, 8);
  for (std::size_t i = 0; i < 8; ++i)
    f.data[i] = i < v.text.size() ? static_cast<std::uint8_t>(v.text[i]) : ' ';
  return f;
}

can::CanFrame encode(const BatteryInfo& v) {
  auto f = frame_of(kIdBatteryInfo, v.product_id ? 8 : 6);
  for (std::size_t i = 0; i < 2; ++i)
    f.data[i] = i < v.battery_type.size() ? static_cast<std::uint8_t>(v.battery_type[i]) : ' ';
  f.data[2] = v.firmware_major;
  f.data[3] = v.firmware_minor;
  put16(f, 4, v.capacity_ah);
  if (v.product_id) put16(f, 6, *v.product_id);
  return f;
}

can::CanFrame encode(const Modules& v) {
  auto f = frame_of(kIdModules, 8);
  put16(f, 0, v.online);
  put16(f, 2, v.blocking_charge);
  put16(f, 4, v.blocking_discharge);
  put16(f, 6, v.offline);
  return f;
}

can::CanFrame encode(const CellExtremes& v) {
  auto f = frame_of(kIdCellExtremes, 8);
  put16(f, 0, u16(v.cell_voltage_min_v, 0.001));
  put16(f, 2, u16(v.cell_voltage_max_v, 0.001));
  put16(f, 4, u16(v.cell_temperature_min_c, 1, 273.0));
  put16(f, 6, u16(v.cell_temperature_max_c, 1, 273.0));
  return f;
}

can::CanFrame encode(const Energy& v) {
  auto f = frame_of(kIdEnergy, 8);
  put32(f, 0, wire::to_raw<std::uint32_t>(v.charged_kwh, 0.1));
  put32(f, 4, wire::to_raw<std::uint32_t>(v.discharged_kwh, 0.1));
  return f;
}

can::CanFrame encode(const Capacity& v) {
  auto f = frame_of(kIdCapacity, 8);
  put16(f, 0, v.capacity_ah);
  return f;
}

can::CanFrame encode_frame(const Frame& v) {
  return std::visit([](const auto& x) { return encode(x); }, v);
}

can::CanFrame encode_keepalive() {
  return frame_of(kIdKeepAlive, 8);
}

can::CanFrame encode_inverter_ident() {
  auto f = frame_of(kIdInverterIdent, 8);
  f.data[4] = 'V';
  f.data[5] = 'I';
  f.data[6] = 'C';
  return f;
}

namespace {

struct BitItem {
  std::uint8_t mask;
  BmsCondition condition;
};

// docs/protocols.md "Flags: protections and warnings": byte 0 and byte 2 share a layout, as do
// byte 1 and byte 3.
constexpr std::array<BitItem, 5> kPylonByte0{{{0x02, BmsCondition::cell_over_voltage},
                                              {0x04, BmsCondition::cell_under_voltage},
                                              {0x08, BmsCondition::over_temperature},
                                              {0x10, BmsCondition::under_temperature},
                                              {0x80, BmsCondition::discharge_over_current}}};
constexpr std::array<BitItem, 2> kPylonByte1{
    {{0x01, BmsCondition::charge_over_current}, {0x08, BmsCondition::bms_internal}}};

template <std::size_t N>
std::uint8_t apply_bits(BmsFlagSet& set, std::uint8_t byte, const std::array<BitItem, N>& map) {
  std::uint8_t known = 0;
  for (const auto& item : map) {
    known |= item.mask;
    const FlagState s = (byte & item.mask) ? FlagState::active : FlagState::ok;
    // Two bits may map to one condition in the future; never let ok hide active.
    if (set.get(item.condition) != FlagState::active) set.set(item.condition, s);
  }
  return static_cast<std::uint8_t>(byte & ~known);
}

void apply_pylon(BmsFlagSet& set, std::uint8_t first, std::uint8_t second) {
  const std::uint8_t unknown =
      apply_bits(set, first, kPylonByte0) | apply_bits(set, second, kPylonByte1);
  set.set(BmsCondition::unknown, unknown ? FlagState::active : FlagState::ok);
}

// docs/protocols.md "Flags: protections and warnings": four 2-bit pairs per byte; bytes 0-3 alarms,
// 4-7 warnings (same layout).
constexpr std::optional<BmsCondition> kSmaMap[4][4] = {
    {BmsCondition::general, BmsCondition::cell_over_voltage, BmsCondition::cell_under_voltage,
     BmsCondition::over_temperature},
    {BmsCondition::under_temperature, BmsCondition::charge_over_temperature,
     BmsCondition::charge_under_temperature, BmsCondition::discharge_over_current},
    {BmsCondition::charge_over_current, BmsCondition::contactor, BmsCondition::short_circuit,
     BmsCondition::bms_internal},
    {BmsCondition::cell_imbalance, std::nullopt, std::nullopt, std::nullopt}};

void apply_sma(BmsFlagSet& set, const std::uint8_t* bytes) {
  for (int b = 0; b < 4; ++b) {
    for (int pair = 0; pair < 4; ++pair) {
      const unsigned value = (bytes[b] >> (2 * pair)) & 0b11U;
      const auto condition = kSmaMap[b][pair];
      if (!condition) {
        // Reserved pair: an "active" value is a condition we cannot name -> fail safe.
        if (value & 0b01U) set.set(BmsCondition::unknown, FlagState::active);
        continue;
      }
      FlagState s = FlagState::not_reported;
      if (value & 0b01U) {
        s = FlagState::active;  // 0b01, and reserved 0b11 read fail-safe
      } else if (value == 0b10U) {
        s = FlagState::ok;
      }
      set.set(*condition, s);
    }
  }
}

}  // namespace

FlagSets interpret(const PylonFlags& v) {
  FlagSets out;
  apply_pylon(out.protections, v.protection1, v.protection2);
  apply_pylon(out.warnings, v.alarm1, v.alarm2);
  return out;
}

FlagSets interpret(const Alarms& v) {
  FlagSets out;
  apply_sma(out.protections, v.bytes.data());
  if (v.has_warnings) apply_sma(out.warnings, v.bytes.data() + 4);
  return out;
}

}  // namespace bessd::bms::pylontech
