#include <bessd/bms/protocols/pylontech_hv.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <type_traits>

namespace bessd::bms::pylontech_hv {

using core::BmsCondition;
using core::BmsFlagSet;
using core::FlagState;

namespace {

DecodeOutcome applied(PackPart part, std::optional<PackPart> also = std::nullopt) {
  return {DecodeOutcome::Kind::applied, part, {}, also};
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

// Several packs' flags: active anywhere is active; ok only where no pack has it active.
void merge(BmsFlagSet& into, const BmsFlagSet& from) {
  for (std::size_t i = 0; i < core::kBmsConditionCount; ++i) {
    const auto c = static_cast<BmsCondition>(i);
    if (from.get(c) == FlagState::active ||
        (from.get(c) == FlagState::ok && into.get(c) == FlagState::not_reported))
      into.set(c, from.get(c));
  }
}

// The oldest of the times seen: a part is as fresh as its stalest contributor.
void oldest(std::optional<TimePoint>& into, const std::optional<TimePoint>& at) {
  if (at && (!into || *at < *into)) into = at;
}

// A frame every pack that answers the ensemble poll sends: its time, or, for a pack that answers
// without it, the time of its first answer (so that a pack whose frame never decodes goes stale
// instead of being left out).
std::optional<TimePoint> expected_at(const std::optional<TimePoint>& frame_at,
                                     const std::optional<TimePoint>& first_answer_at) {
  return frame_at ? frame_at : first_answer_at;
}

// Requests of several packs: true anywhere wins; unknown only when no pack tells.
void any_of(std::optional<bool>& into, std::optional<bool> value) {
  if (value) into = into.value_or(false) || *value;
}

template <typename T>
void lowest(std::optional<T>& into, T value) {
  into = std::min(into.value_or(value), value);
}
template <typename T>
void highest(std::optional<T>& into, T value) {
  into = std::max(into.value_or(value), value);
}

std::string seconds_text(Duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", std::chrono::duration<double>(d).count());
  return buf;
}

template <typename T>
can::CanFrame at_address(const T& frame, std::uint8_t address) {
  can::CanFrame f = encode(frame);
  f.id += address;
  return f;
}

}  // namespace

std::vector<can::CanFilter> PylontechHv::filters() const {
  // 0x4200-0x42FF and 0x7300-0x73FF: the answers of every address (and the inverter's 0x4200).
  return {can::CanFilter{0x4200, 0x1FFFFF00, true}, can::CanFilter{0x7300, 0x1FFFFF00, true}};
}

std::vector<std::uint8_t> PylontechHv::packs() const {
  std::vector<std::uint8_t> out;
  for (std::size_t a = 0; a < packs_.size(); ++a)
    if (packs_[a].heard_at) out.push_back(static_cast<std::uint8_t>(a));
  return out;
}

std::vector<can::CanFrame> PylontechHv::keepalive_frames() const {
  if (options_.role == BusRole::listen_only) return {};
  std::vector<can::CanFrame> out{encode(Request{kRequestEnsemble})};
  if (polls_sent_++ % kSystemPollEvery == 0) out.push_back(encode(Request{kRequestSystem}));
  // Wake and relay commands go out plain and at each pack's address (one pack firmware acts
  // only on `base + address`; docs/protocols.md, "Two bus roles").
  std::vector<std::uint8_t> addresses{0};
  for (auto a : packs())
    if (a != 0) addresses.push_back(a);
  if (options_.address && *options_.address != 0 &&
      std::find(addresses.begin(), addresses.end(), *options_.address) == addresses.end())
    addresses.push_back(*options_.address);
  for (auto a : addresses) {
    if (permit_.wake) out.push_back(at_address(Sleep{true}, a));
    // Only for a direction the controller allows now: the command closes a relay the pack
    // opened on its own protection.
    if (permit_.charge || permit_.discharge)
      out.push_back(at_address(RelayCommand{permit_.charge, permit_.discharge}, a));
  }
  return out;
}

std::string PylontechHv::silence_hint(TimePoint now) const {
  std::string hint;
  if (options_.role == BusRole::listen_only) {
    hint = last_poll_at_ ? "the inverter's last poll (0x4200) was " +
                               seconds_text(now - *last_poll_at_) + " ago; bessd only listens"
                         : "no inverter poll (0x4200) heard: bessd only listens, and the pack "
                           "answers only when its inverter polls it";
  } else {
    hint = "bessd polls (0x4200) as the pack's only master";
  }
  // A pack gone quiet while another still answers.
  std::optional<TimePoint> newest;
  for (const auto& t : packs_)
    if (t.last_at && (!newest || *t.last_at > *newest)) newest = t.last_at;
  for (auto a : packs()) {
    const auto& last = packs_[a].last_at;
    if (newest && *newest - *last > std::chrono::seconds{3})
      hint += "; the pack at address " + std::to_string(a) + " last answered " +
              seconds_text(now - *last) + " ago";
  }
  if (options_.address && !packs_[*options_.address].heard_at && others_heard_.any()) {
    std::string addresses;
    for (std::size_t a = 0; a < others_heard_.size(); ++a)
      if (others_heard_[a]) addresses += (addresses.empty() ? "" : ", ") + std::to_string(a);
    hint += "; packs answer at address " + addresses + ", bms.address is " +
            std::to_string(*options_.address);
  }
  return hint;
}

void PylontechHv::reset() {
  packs_ = {};
  last_poll_at_.reset();
  polls_sent_ = 0;
  others_heard_.reset();
  firmware_.clear();
  name_part1_.clear();
  name_part2_.clear();
}

DecodeOutcome PylontechHv::apply(const can::CanFrame& frame, TimePoint at, core::PackState& state) {
  auto decoded = decode(frame, DecodeOptions{options_.invert_current});
  if (!decoded)
    return {DecodeOutcome::Kind::rejected, PackPart::measurements, decoded.error().message, {}};
  if (!decoded->has_value()) return {};
  const Addressed& a = **decoded;
  if (const auto* request = std::get_if<Request>(&a.frame)) {
    if (request->what == kRequestEnsemble) last_poll_at_ = at;
    return {};  // the inverter's (or our own) requests: nothing about the pack
  }
  if (std::holds_alternative<Sleep>(a.frame) || std::holds_alternative<RelayCommand>(a.frame))
    return {};
  if (options_.address && a.address != *options_.address) {
    others_heard_.set(a.address);
    return {};  // another battery system's pack on a shared bus
  }
  Pack& pack = packs_[a.address];
  if (!pack.heard_at) pack.heard_at = at;
  pack.last_at = at;
  DecodeOutcome out = store(pack, a.frame, at);
  // Names and firmware: the reference pack's, like its nameplate, so that they do not alternate
  // between packs.
  if (reference() == a.address) {
    if (const auto* v = std::get_if<Versions>(&a.frame)) {
      firmware_ = std::to_string(v->software_major) + "." + std::to_string(v->software_minor);
    } else if (const auto* n = std::get_if<Name>(&a.frame)) {
      (n->id == kIdName2 ? name_part2_ : name_part1_) = n->text;
    }
  }
  // Every part, not just the frame's: a pack's first ensemble answer dates the limits and flags
  // it owes, and may change which pack is the reference.
  combine(state);
  return out;
}

DecodeOutcome PylontechHv::store(Pack& t, const Frame& frame, TimePoint at) {
  return std::visit(
      [&](const auto& v) -> DecodeOutcome {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, Ensemble>) {
          t.ensemble = v;
          t.ensemble_at = at;
          if (!t.first_ensemble_at) t.first_ensemble_at = at;
          return applied(PackPart::measurements, PackPart::charge);
        } else if constexpr (std::is_same_v<T, Limits>) {
          t.limits = v;
          t.limits_at = at;
          return applied(PackPart::limits);
        } else if constexpr (std::is_same_v<T, CellVoltages>) {
          t.cell_voltages = v;
          t.cell_voltages_at = at;
          return applied(PackPart::cells);
        } else if constexpr (std::is_same_v<T, CellTemperatures>) {
          t.cell_temperatures = v;
          t.cell_temperatures_at = at;
          return applied(PackPart::cells);
        } else if constexpr (std::is_same_v<T, Status>) {
          t.status = v;
          t.status_at = at;
          return applied(PackPart::flags, PackPart::requests);
        } else if constexpr (std::is_same_v<T, FaultExtension>) {
          t.faults = v;
          t.faults_at = at;
          return applied(PackPart::flags);
        } else if constexpr (std::is_same_v<T, Forbidden>) {
          t.forbidden = v;
          t.forbidden_at = at;
          return applied(PackPart::requests);
        } else if constexpr (std::is_same_v<T, System>) {
          t.system = v;
          return applied(PackPart::identity, PackPart::modules);
        } else if constexpr (std::is_same_v<T, Versions> || std::is_same_v<T, Name>) {
          return applied(PackPart::identity);
        } else {
          return {};  // the inverter's frames are sorted out before
        }
      },
      frame);
}

void PylontechHv::combine(core::PackState& state) const {
  combine_measurements(state);
  combine_limits(state);
  combine_cells(state);
  combine_flags(state);
  combine_identity(state);
}

std::optional<std::uint8_t> PylontechHv::reference() const {
  // The lowest address that answers the ensemble poll (a controller heard only on 0x73xx does
  // not speak for the battery), else the lowest heard.
  if (options_.address) return options_.address;
  for (std::size_t a = 0; a < packs_.size(); ++a)
    if (packs_[a].ensemble) return static_cast<std::uint8_t>(a);
  const auto heard = packs();
  if (heard.empty()) return std::nullopt;
  return heard.front();
}

void PylontechHv::combine_measurements(core::PackState& state) const {
  // One battery's readings: the reference pack's (docs/protocols.md, "Addresses").
  const auto ref = reference();
  if (!ref || !packs_[*ref].ensemble) return;
  const Pack& t = packs_[*ref];
  const Ensemble& e = *t.ensemble;
  state.voltage_v = e.voltage_v;
  state.current_a = e.current_a;
  state.temperature_c = e.temperature_c;
  state.soc_pct = e.soc_pct;
  state.soh_pct = e.soh_pct;
  state.measured_at = t.ensemble_at;
  state.charge_at = t.ensemble_at;
}

void PylontechHv::combine_limits(core::PackState& state) const {
  // The most restrictive pack's limits: never more than any one of them allows.
  std::optional<double> cvl, dvl, ccl, dcl;
  std::optional<TimePoint> at;
  bool charge_refused = false;
  for (const auto& t : packs_) {
    // A pack that answers the ensemble poll must send limits: until a valid 0x4220, it holds
    // the limits back from its first answer.
    oldest(at, expected_at(t.limits_at, t.first_ensemble_at));
    if (!t.limits) continue;
    const Limits& l = *t.limits;
    if (l.charge_voltage_limit_v) {
      lowest(cvl, *l.charge_voltage_limit_v);
    } else {
      charge_refused = true;  // a charge cut-off of 0 V: this pack refuses charging
    }
    highest(dvl, l.discharge_voltage_limit_v);
    lowest(ccl, l.charge_current_limit_a);
    lowest(dcl, l.discharge_current_limit_a);
  }
  if (!ccl) return;
  core::BmsLimits out;
  out.charge_voltage_limit_v = charge_refused ? std::nullopt : cvl;
  out.discharge_voltage_limit_v = dvl;
  out.charge_current_limit_a = charge_refused ? 0.0 : *ccl;
  out.discharge_current_limit_a = dcl;
  state.limits = out;
  state.limits_at = at;
}

void PylontechHv::combine_cells(core::PackState& state) const {
  // The worst cell of any pack that sends cell frames; each kind dated by its stalest sender.
  std::optional<double> vmax, vmin, tmax, tmin;
  std::optional<TimePoint> at;
  for (const auto& t : packs_) {
    oldest(at, t.cell_voltages_at);
    oldest(at, t.cell_temperatures_at);
    if (t.cell_voltages) {
      highest(vmax, t.cell_voltages->max_v);
      lowest(vmin, t.cell_voltages->min_v);
    }
    if (t.cell_temperatures) {
      highest(tmax, t.cell_temperatures->max_c);
      lowest(tmin, t.cell_temperatures->min_c);
    }
  }
  if (!at) return;
  state.cell_voltage_max_v = vmax;
  state.cell_voltage_min_v = vmin;
  state.cell_temperature_max_c = tmax;
  state.cell_temperature_min_c = tmin;
  state.cells_at = at;
}

void PylontechHv::combine_flags(core::PackState& state) const {
  BmsFlagSet protections;
  BmsFlagSet warnings;
  core::BmsRequests requests;
  std::optional<TimePoint> at;
  bool any = false;
  for (const auto& t : packs_) {
    if (t.status) {
      any = true;
      const FlagSets flags = interpret(*t.status, t.faults);
      merge(protections, flags.protections);
      merge(warnings, flags.warnings);
      const BasicRequests basic = basic_requests(t.status->basic);
      any_of(requests.force_charge, basic.force_charge);
      any_of(requests.full_charge, basic.balance_charge);
    } else if (t.faults && t.faults->bits != 0) {
      any = true;
      protections.set(BmsCondition::unknown, FlagState::active);
    }
    if (t.forbidden) {
      any = true;
      // Forbidden by any pack is forbidden on the bus.
      requests.charge_enable = requests.charge_enable.value_or(true) && !t.forbidden->charge;
      requests.discharge_enable =
          requests.discharge_enable.value_or(true) && !t.forbidden->discharge;
    }
    // 0x4250 is part of every ensemble answer; 0x4280/0x4290 count once a pack has sent them.
    oldest(at, expected_at(t.status_at, t.first_ensemble_at));
    oldest(at, t.faults_at);
    oldest(at, t.forbidden_at);
  }
  if (!any) return;
  state.protections = protections;
  state.warnings = warnings;
  state.requests = requests;
  state.flags_at = at;
}

void PylontechHv::combine_identity(core::PackState& state) const {
  // The reference pack's nameplate: summing packs would count one pack twice on a bus where an
  // emitter answers at two addresses (docs/protocols.md, "Addresses").
  const auto ref = reference();
  if (ref && packs_[*ref].system) {
    const System& system = *packs_[*ref].system;
    if (auto ah = reported_ah(system.capacity_ah)) state.capacity_ah = ah;
    if (system.modules != 0) state.modules.total = system.modules;
  }
  if (!firmware_.empty()) state.firmware = firmware_;
  const std::string name = joined_name(name_part1_, name_part2_);
  if (!name.empty()) state.manufacturer = name;
}

}  // namespace bessd::bms::pylontech_hv
