#include <bessd/bms/protocols/byd_hvs.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <type_traits>

namespace bessd::bms::byd_hvs {

namespace {

constexpr double kTrickleA = 1.0;

DecodeOutcome applied(PackPart part, std::optional<PackPart> also = std::nullopt) {
  return {DecodeOutcome::Kind::applied, part, {}, also};
}

}  // namespace

std::vector<can::CanFilter> BydHvs::filters() const {
  std::vector<can::CanFilter> out;
  for (std::uint32_t id :
       {kIdLimits, kIdStates, kIdAlarm, kIdMeasurements, kIdCellTemperatures, kIdIdentification,
        kIdMaker, kIdModel, kIdInverterIdentify, kIdInverterMeasurements, kIdInverterSoc,
        kIdInverterTime, kIdInverterAlive})
    out.push_back(can::CanFilter{id, 0x7FF, false});
  return out;
}

std::string BydHvs::silence_hint(TimePoint now) const {
  if (!last_inverter_at_)
    return "no inverter frame (0x091, 0x151, ...) heard: bessd only listens, and a BYD battery "
           "may send only while its inverter talks to it";
  char buf[128];
  std::snprintf(buf, sizeof buf, "the inverter's last frame was %.1f s ago; bessd only listens",
                std::chrono::duration<double>(now - *last_inverter_at_).count());
  return buf;
}

void BydHvs::reset() {
  last_inverter_at_.reset();
  measurements_at_.reset();
  cell_temperatures_at_.reset();
  for (auto& part : model_) part.clear();
}

std::optional<TimePoint> BydHvs::measured_at() const {
  // Both frames come in the same 10 s burst, and the cold-charge rule needs the coldest cell:
  // the measurements count only once both have come.
  if (!measurements_at_ || !cell_temperatures_at_) return std::nullopt;
  return std::min(*measurements_at_, *cell_temperatures_at_);  // as old as the older of the two
}

DecodeOutcome BydHvs::apply(const can::CanFrame& frame, TimePoint at, core::PackState& state) {
  auto decoded = decode(frame);
  if (!decoded)
    return {DecodeOutcome::Kind::rejected, PackPart::measurements, decoded.error().message, {}};
  if (!decoded->has_value()) return {};
  return fold(**decoded, at, state);
}

DecodeOutcome BydHvs::fold(const Frame& frame, TimePoint at, core::PackState& state) {
  return std::visit(
      [&](const auto& v) -> DecodeOutcome {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, Limits>) {
          // A 0 V charge limit refuses charging; a limit of 1 A or less is how some inverter
          // firmwares' BYD variants say 0 A (they never send less): refused as well.
          const bool charge = v.charge_voltage_limit_v > 0 && v.charge_current_limit_a > kTrickleA;
          if (charge) {
            state.limits.charge_voltage_limit_v = v.charge_voltage_limit_v;
          } else {
            state.limits.charge_voltage_limit_v.reset();
          }
          state.limits.charge_current_limit_a = charge ? v.charge_current_limit_a : 0.0;
          state.limits.discharge_voltage_limit_v = v.discharge_voltage_limit_v;
          state.limits.discharge_current_limit_a =
              v.discharge_current_limit_a > kTrickleA ? v.discharge_current_limit_a : 0.0;
          state.limits_at = at;
          // No flags on this bus: the limits are how the battery stops a direction, and their
          // age is the flags' age (docs/protocols.md "The BMS: BYD Battery-Box HVS").
          state.flags_at = at;
          return applied(PackPart::limits, PackPart::flags);
        } else if constexpr (std::is_same_v<T, States>) {
          state.soc_pct = v.soc_pct;
          state.soh_pct = std::min(v.soh_pct, 100.0);
          // The installed capacity: the full-charge capacity may shrink with the health, and an
          // installed energy read low could pass an energy cap it breaks; scaled back up.
          if (v.full_capacity_ah > 0)
            state.capacity_ah = v.soh_pct > 0 && v.soh_pct < 100
                                    ? v.full_capacity_ah * 100.0 / v.soh_pct
                                    : v.full_capacity_ah;
          state.available_capacity_ah = v.remaining_capacity_ah;
          state.charge_at = at;
          return applied(PackPart::charge);
        } else if constexpr (std::is_same_v<T, Measurements>) {
          state.voltage_v = v.voltage_v;
          state.current_a = options_.invert_current ? -v.current_a : v.current_a;
          state.temperature_c = v.temperature_c;
          measurements_at_ = at;
          if (cell_temperatures_at_) state.measured_at = measured_at();
          return applied(PackPart::measurements);
        } else if constexpr (std::is_same_v<T, CellTemperatures>) {
          // Kept without cells_at: with no cell voltages the cell view is estimated, and these
          // extremes stand in for the pack temperature there (docs/protection.md).
          state.cell_temperature_max_c = v.max_c;
          state.cell_temperature_min_c = v.min_c;
          cell_temperatures_at_ = at;
          if (measurements_at_) state.measured_at = measured_at();
          return applied(PackPart::measurements);
        } else if constexpr (std::is_same_v<T, Identification>) {
          char firmware[16];
          std::snprintf(firmware, sizeof firmware, "%X.%02X", v.firmware_major, v.firmware_minor);
          state.firmware = firmware;
          return applied(PackPart::identity);
        } else if constexpr (std::is_same_v<T, Text>) {
          if (v.id == kIdMaker) {
            state.manufacturer = v.text;
          } else {
            model_[v.segment & 3] = v.text;
            state.bms_name = model_[0] + model_[1] + model_[2] + model_[3];
          }
          return applied(PackPart::identity);
        } else if constexpr (std::is_same_v<T, InverterFrame>) {
          last_inverter_at_ = at;
          return {};
        } else {
          return {};  // 0x190: nobody has decoded it
        }
      },
      frame);
}

}  // namespace bessd::bms::byd_hvs
