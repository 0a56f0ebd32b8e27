#include <bessd/bms/protocols/pylontech_hv.hpp>

#include <cstdio>
#include <type_traits>

namespace bessd::bms::pylontech_hv {

namespace {

DecodeOutcome applied(PackPart part, std::optional<PackPart> also = std::nullopt) {
  return {DecodeOutcome::Kind::applied, part, {}, also};
}

DecodeOutcome rejected(std::string reason) {
  return {DecodeOutcome::Kind::rejected, PackPart::measurements, std::move(reason), std::nullopt};
}

// 0 and 0xFFFF: a capacity word the pack does not fill ("not reported", never a capacity).
std::optional<double> reported_ah(std::uint16_t raw) {
  if (raw == 0 || raw == 0xFFFF) return std::nullopt;
  return static_cast<double>(raw);
}

std::string joined_name(const std::string& part1, const std::string& part2) {
  std::string name = part1;
  if (!part2.empty()) {
    name.resize(8, ' ');
    name += part2;
  }
  while (!name.empty() && name.back() == ' ') name.pop_back();
  return name;
}

}  // namespace

std::vector<can::CanFilter> PylontechHv::filters() const {
  // 0x4200-0x42FF and 0x7300-0x73FF: the answers of every address (and the inverter's 0x4200).
  return {can::CanFilter{0x4200, 0x1FFFFF00, true}, can::CanFilter{0x7300, 0x1FFFFF00, true}};
}

std::vector<can::CanFrame> PylontechHv::keepalive_frames() const {
  if (options_.role == BusRole::listen_only) return {};
  return {encode(Request{kRequestEnsemble}), encode(Request{kRequestSystem}), encode(Sleep{true}),
          encode(RelayCommand{true, true})};
}

void PylontechHv::reset() {
  address_ = options_.address;
  status_.reset();
  faults_.reset();
  name_part1_.clear();
  name_part2_.clear();
}

void PylontechHv::combine_flags(core::PackState& state) const {
  if (!status_) {
    // 0x4290 alone: a fault is a protection; nothing else is known yet.
    core::BmsFlagSet protections;
    if (faults_ && faults_->bits != 0)
      protections.set(core::BmsCondition::unknown, core::FlagState::active);
    state.protections = protections;
    return;
  }
  const FlagSets flags = interpret(*status_, faults_);
  state.protections = flags.protections;
  state.warnings = flags.warnings;
}

DecodeOutcome PylontechHv::apply(const can::CanFrame& frame, TimePoint at, core::PackState& state) {
  auto decoded = decode(frame, DecodeOptions{options_.invert_current});
  if (!decoded) return rejected(decoded.error().message);
  if (!decoded->has_value()) return {};
  const Addressed& a = **decoded;
  if (std::holds_alternative<Request>(a.frame) || std::holds_alternative<Sleep>(a.frame) ||
      std::holds_alternative<RelayCommand>(a.frame))
    return {};  // the inverter's (or our own) requests: nothing about the pack
  if (!address_) address_ = options_.address ? options_.address : a.address;
  if (a.address != *address_) {
    char buf[160];
    std::snprintf(buf, sizeof buf,
                  "pylontech_hv 0x%04X: a pack at address %u; bessd follows the one at address "
                  "%u (bms.address)",
                  frame.id, static_cast<unsigned>(a.address), static_cast<unsigned>(*address_));
    return rejected(buf);
  }
  return fold(a.frame, at, state);
}

DecodeOutcome PylontechHv::fold(const Frame& frame, TimePoint at, core::PackState& state) {
  return std::visit(
      [&](const auto& v) -> DecodeOutcome {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, Ensemble>) {
          state.voltage_v = v.voltage_v;
          state.current_a = v.current_a;
          state.temperature_c = v.temperature_c;
          state.soc_pct = v.soc_pct;
          state.soh_pct = v.soh_pct;
          state.measured_at = at;
          state.charge_at = at;
          return applied(PackPart::measurements, PackPart::charge);
        } else if constexpr (std::is_same_v<T, Limits>) {
          state.limits.charge_voltage_limit_v = v.charge_voltage_limit_v;
          state.limits.discharge_voltage_limit_v = v.discharge_voltage_limit_v;
          state.limits.charge_current_limit_a = v.charge_current_limit_a;
          state.limits.discharge_current_limit_a = v.discharge_current_limit_a;
          state.limits_at = at;
          return applied(PackPart::limits);
        } else if constexpr (std::is_same_v<T, CellVoltages>) {
          state.cell_voltage_max_v = v.max_v;
          state.cell_voltage_min_v = v.min_v;
          state.cells_at = at;
          return applied(PackPart::cells);
        } else if constexpr (std::is_same_v<T, CellTemperatures>) {
          state.cell_temperature_max_c = v.max_c;
          state.cell_temperature_min_c = v.min_c;
          state.cells_at = at;
          return applied(PackPart::cells);
        } else if constexpr (std::is_same_v<T, Status>) {
          status_ = v;
          combine_flags(state);
          state.requests.force_charge = (v.basic & kStatusForceCharge) != 0;
          state.requests.full_charge = (v.basic & kStatusBalanceCharge) != 0;
          state.flags_at = at;
          return applied(PackPart::flags, PackPart::requests);
        } else if constexpr (std::is_same_v<T, FaultExtension>) {
          faults_ = v;
          combine_flags(state);
          state.flags_at = at;
          return applied(PackPart::flags);
        } else if constexpr (std::is_same_v<T, Forbidden>) {
          state.requests.charge_enable = !v.charge;
          state.requests.discharge_enable = !v.discharge;
          state.flags_at = at;
          return applied(PackPart::requests);
        } else if constexpr (std::is_same_v<T, Versions>) {
          state.firmware =
              std::to_string(v.software_major) + "." + std::to_string(v.software_minor);
          return applied(PackPart::identity);
        } else if constexpr (std::is_same_v<T, System>) {
          state.capacity_ah = reported_ah(v.capacity_ah);
          if (v.modules != 0) state.modules.total = v.modules;
          return applied(PackPart::identity, PackPart::modules);
        } else if constexpr (std::is_same_v<T, Name>) {
          (v.id == kIdName2 ? name_part2_ : name_part1_) = v.text;
          state.manufacturer = joined_name(name_part1_, name_part2_);
          return applied(PackPart::identity);
        } else {
          return {};  // the inverter's frames are sorted out before
        }
      },
      frame);
}

}  // namespace bessd::bms::pylontech_hv
