#include <bessd/bms/protocols/pylontech_lv.hpp>

#include <type_traits>

namespace bessd::bms {

std::string_view to_string(PackPart part) noexcept {
  return enum_name(kPackPartNames, part);
}

}  // namespace bessd::bms

namespace bessd::bms::pylontech {

using core::BmsFlagSet;
using core::FlagState;

namespace {

FlagState stronger(FlagState a, FlagState b) {
  auto rank = [](FlagState s) {
    switch (s) {
      case FlagState::active:
        return 2;
      case FlagState::ok:
        return 1;
      case FlagState::not_reported:
        return 0;
    }
    return 2;
  };
  return rank(a) >= rank(b) ? a : b;
}

void merge_into(BmsFlagSet& into, const BmsFlagSet& from) {
  for (std::size_t i = 0; i < into.items.size(); ++i)
    into.items[i] = stronger(into.items[i], from.items[i]);
}

DecodeOutcome applied(PackPart part) {
  return {DecodeOutcome::Kind::applied, part, {}, std::nullopt};
}

}  // namespace

std::vector<can::CanFilter> PylontechLv::filters() const {
  // 0x350-0x35F and 0x370-0x37F cover every frame this protocol reads.
  return {can::CanFilter{0x350, 0x7F0, false}, can::CanFilter{0x370, 0x7F0, false}};
}

std::vector<can::CanFrame> PylontechLv::keepalive_frames() const {
  std::vector<can::CanFrame> out{encode_keepalive()};
  if (options_.send_inverter_ident) out.push_back(encode_inverter_ident());
  return out;
}

void PylontechLv::reset() {
  from_359_.reset();
  from_35a_.reset();
  name_part1_.clear();
  name_part2_.clear();
}

void PylontechLv::combine_flags(core::PackState& state) const {
  BmsFlagSet protections;
  BmsFlagSet warnings;
  if (from_359_) {
    merge_into(protections, from_359_->protections);
    merge_into(warnings, from_359_->warnings);
  }
  if (from_35a_) {
    merge_into(protections, from_35a_->protections);
    merge_into(warnings, from_35a_->warnings);
  }
  state.protections = protections;
  state.warnings = warnings;
}

namespace {
// 0 and 0xFFFF are what BMSs send in a 16-bit capacity word they do not fill (0xFFFF is the usual
// "not available" of CAN signals): "not reported", never a capacity (docs/compliance.md).
std::optional<double> reported_ah(std::uint16_t raw) {
  if (raw == 0 || raw == 0xFFFF) return std::nullopt;
  return static_cast<double>(raw);
}
}  // namespace

DecodeOutcome PylontechLv::apply(const can::CanFrame& frame, TimePoint at, core::PackState& state) {
  auto decoded = decode(frame, DecodeOptions{options_.invert_current});
  if (!decoded)
    return {DecodeOutcome::Kind::rejected, PackPart::measurements, decoded.error().message,
            std::nullopt};
  if (!decoded->has_value()) return {};
  return std::visit(
      [&](const auto& v) -> DecodeOutcome {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, Limits>) {
          state.limits.charge_voltage_limit_v = v.charge_voltage_limit_v;
          state.limits.charge_current_limit_a = v.charge_current_limit_a;
          state.limits.discharge_current_limit_a = v.discharge_current_limit_a;
          state.limits.discharge_voltage_limit_v = v.discharge_voltage_limit_v;
          state.limits_at = at;
          return applied(PackPart::limits);
        } else if constexpr (std::is_same_v<T, ChargeState>) {
          state.soc_pct = v.soc_hires_pct ? *v.soc_hires_pct : v.soc_pct;
          state.soh_pct = v.soh_pct;
          state.charge_at = at;
          return applied(PackPart::charge);
        } else if constexpr (std::is_same_v<T, Measurements>) {
          state.voltage_v = v.voltage_v;
          state.current_a = v.current_a;
          state.temperature_c = v.temperature_c;
          state.measured_at = at;
          return applied(PackPart::measurements);
        } else if constexpr (std::is_same_v<T, PylonFlags>) {
          from_359_ = interpret(v);
          combine_flags(state);
          if (v.module_count) state.modules.total = *v.module_count;
          state.flags_at = at;
          return applied(PackPart::flags);
        } else if constexpr (std::is_same_v<T, Alarms>) {
          from_35a_ = interpret(v);
          combine_flags(state);
          state.flags_at = at;
          return applied(PackPart::flags);
        } else if constexpr (std::is_same_v<T, Requests>) {
          state.requests.charge_enable = (v.bits & kReqChargeEnable) != 0;
          state.requests.discharge_enable = (v.bits & kReqDischargeEnable) != 0;
          state.requests.force_charge = (v.bits & (kReqForceChargeI | kReqForceChargeII)) != 0;
          state.requests.full_charge = (v.bits & kReqFullCharge) != 0;
          state.flags_at = at;
          return applied(PackPart::requests);
        } else if constexpr (std::is_same_v<T, Text>) {
          if (v.id == kIdManufacturer) {
            state.manufacturer = v.text;
          } else {
            (v.id == kIdBmsName1 ? name_part1_ : name_part2_) = v.text;
            // Part 1 is space-padded to 8 when part 2 continues it.
            std::string name = name_part1_;
            if (!name_part2_.empty()) {
              name.resize(8, ' ');
              name += name_part2_;
            }
            while (!name.empty() && name.back() == ' ') name.pop_back();
            state.bms_name = name;
          }
          return applied(PackPart::identity);
        } else if constexpr (std::is_same_v<T, BatteryInfo>) {
          state.firmware =
              std::to_string(v.firmware_major) + "." + std::to_string(v.firmware_minor);
          // Bytes 4-5 are the online (available) capacity, not the installed one: on BYD (Victron
          // protocol) it follows the state of charge. Shown, never a nameplate.
          state.available_capacity_ah = reported_ah(v.capacity_ah);
          return applied(PackPart::identity);
        } else if constexpr (std::is_same_v<T, Modules>) {
          state.modules.online = v.online;
          state.modules.blocking_charge = v.blocking_charge;
          state.modules.blocking_discharge = v.blocking_discharge;
          state.modules.offline = v.offline;
          return applied(PackPart::modules);
        } else if constexpr (std::is_same_v<T, CellExtremes>) {
          state.cell_voltage_min_v = v.cell_voltage_min_v;
          state.cell_voltage_max_v = v.cell_voltage_max_v;
          state.cell_temperature_min_c = v.cell_temperature_min_c;
          state.cell_temperature_max_c = v.cell_temperature_max_c;
          state.cells_at = at;
          return applied(PackPart::cells);
        } else if constexpr (std::is_same_v<T, Energy>) {
          state.energy_charged_kwh = v.charged_kwh;
          state.energy_discharged_kwh = v.discharged_kwh;
          return applied(PackPart::energy);
        } else {
          static_assert(std::is_same_v<T, Capacity>);
          state.capacity_ah = reported_ah(v.capacity_ah);
          return applied(PackPart::identity);
        }
      },
      **decoded);
}

}  // namespace bessd::bms::pylontech
