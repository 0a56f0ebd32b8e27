// Profile loading and validation. Uses the strict ObjectReader of the config component so that
// profile errors look like config errors: file + JSON pointer + what is wrong.
#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <set>
#include <utility>

#include <bessd/config/config_error.hpp>
#include <bessd/config/config_loader.hpp>
#include <bessd/config/json_reader.hpp>
#include <bessd/config/json_text.hpp>
#include <bessd/config/text_file.hpp>
#include <bessd/inverter/profile.hpp>

namespace bessd::inverter {

// One Modbus write request (function 16) carries at most 123 registers.
constexpr std::size_t kMaxBlockRegisters = 123;

using config::IssueList;
using config::Json;
using config::NumberRange;
using config::ObjectReader;
using config::Presence;
using registers::RegisterType;

std::string_view to_string(ControlStyle s) noexcept {
  return enum_name(kControlStyleNames, s);
}

std::string_view to_string(SignConvention s) noexcept {
  return enum_name(kSignConventionNames, s);
}

namespace {

template <typename E, std::size_t N>
std::string names_in(const std::array<EnumName<E>, N>& table) {
  std::string out;
  for (const auto& row : table) out.append(out.empty() ? "" : ", ").append(row.name);
  return out;
}

}  // namespace

std::string_view to_string(ControlRole r) noexcept {
  return enum_name(kControlRoleNames, r);
}
std::string_view to_string(ReadingRole r) noexcept {
  return enum_name(kReadingRoleNames, r);
}
std::optional<ControlRole> control_role_named(std::string_view name) noexcept {
  return enum_from_name(kControlRoleNames, name);
}
std::optional<ReadingRole> reading_role_named(std::string_view name) noexcept {
  return enum_from_name(kReadingRoleNames, name);
}
std::string control_role_names() {
  return names_in(kControlRoleNames);
}
std::string reading_role_names() {
  return names_in(kReadingRoleNames);
}

const PointSpec* Profile::point(const std::string& point_name) const {
  auto it = points.find(point_name);
  return it == points.end() ? nullptr : &it->second;
}
const PointSpec* Profile::control_point(ControlRole role) const {
  auto it = control.points.find(role);
  return it == control.points.end() ? nullptr : point(it->second);
}

const WriteBlock* Profile::block_of(const std::string& point_name) const {
  for (const auto& b : control.blocks)
    if (std::find(b.points.begin(), b.points.end(), point_name) != b.points.end()) return &b;
  return nullptr;
}

bool Profile::one_request(const PointSpec& first, const PointSpec& second) const {
  const WriteBlock* block = block_of(first.name);
  if (block != nullptr) return block == block_of(second.name);
  // Writes go to the holding registers whichever way the point is read.
  const auto merges = [](const PointSpec& p) {
    return !p.persistent && p.write_function == WriteFunction::fc16;
  };
  if (!merges(first) || !merges(second) || block_of(second.name) != nullptr ||
      first.unit_id != second.unit_id)
    return false;
  if (first.address && second.address)
    return *first.address + first.register_count() == *second.address;
  // Model-relative (SunSpec): side by side in the same model, wherever the device has it.
  return !first.address && !second.address && first.models == second.models &&
         first.offset + first.register_count() == second.offset;
}

std::string Verification::warning(const std::string& profile_name) const {
  switch (level) {
    case VerificationLevel::hardware:
      return {};
    case VerificationLevel::documented:
      return "profile " + profile_name +
             " was written from public register maps and has not been checked on a real device "
             "(docs/profiles.md \"Verification\"): watch the first charge and discharge";
    case VerificationLevel::undeclared:
      break;
  }
  return "profile " + profile_name +
         " does not say how it was verified (no \"verification\"; docs/profiles.md "
         "\"Verification\"): watch the first charge and discharge";
}

namespace {

struct StyleNeeds {
  std::vector<ControlRole> required;
  std::vector<ControlRole> optional;
};

std::string names_of(const std::vector<ControlRole>& roles) {
  std::string out;
  for (const ControlRole r : roles) out.append(out.empty() ? "" : ", ").append(to_string(r));
  return out;
}

StyleNeeds needs_of(ControlStyle style) {
  switch (style) {
    case ControlStyle::none:
      return {};
    case ControlStyle::battery_setpoint:
      return {{ControlRole::setpoint}, {ControlRole::readback, ControlRole::enable}};
    case ControlStyle::sunspec_storage:
      return {
          {ControlRole::storage_mode, ControlRole::charge_rate_pct, ControlRole::discharge_rate_pct,
           ControlRole::revert_timeout_s, ControlRole::rate_reference_w},
          {ControlRole::grid_charging}};
    case ControlStyle::grid_setpoint:
      return {{ControlRole::setpoint},
              {ControlRole::setpoint_fallback, ControlRole::discharge_limit_w,
               ControlRole::charge_current_limit_a, ControlRole::charge_voltage_limit_v}};
    case ControlStyle::directional:
      return {{ControlRole::direction, ControlRole::magnitude}, {}};
    case ControlStyle::battery_window:
      return {{ControlRole::battery_min_w, ControlRole::battery_max_w}, {}};
    case ControlStyle::ac_setpoint:
      return {{ControlRole::setpoint}, {}};
  }
  return {};
}

// The object form of a reading: {"sum": [...]} or {"points": name or [alternatives]}, with
// where it is measured. Unknown keys and a misplaced declaration are reported; the names are
// read by the caller. False when the form itself is wrong.
bool read_reading_object(const Json& v, ReadingRole role, const std::string& ptr, Reading& r,
                         IssueList& issues) {
  ObjectReader in(&v, ptr, issues);
  if (v.contains("sum") == v.contains("points")) {
    issues.add(ptr, "needs exactly one of \"sum\" and \"points\"");
    return false;
  }
  const bool sum = v.contains("sum");
  const Json& names = sum ? v.at("sum") : v.at("points");
  in.accept(sum ? "sum" : "points");
  if (sum && !names.is_array()) {
    issues.add(in.child_pointer("sum"), "must be a list of point names");
    return false;
  }
  if (!names.is_array() && !names.is_string()) {
    issues.add(in.child_pointer("points"), "must be a point name or a list of alternatives");
    return false;
  }
  r.combine = sum ? Reading::Combine::sum : Reading::Combine::first;
  // Only the battery power feeds the obey check and the discharge current guard, which need
  // to know whether a DC load shows in it (docs/profiles.md "Readings").
  if (in.has("includes_dc_loads") && role != ReadingRole::battery_power) {
    in.accept("includes_dc_loads");
    issues.add(in.child_pointer("includes_dc_loads"), "applies to the battery_power reading only");
  } else {
    in.boolean("includes_dc_loads", r.includes_dc_loads);
  }
  in.finish();
  return true;
}

/// `read_at`: where a written point is read back, when the device shows it elsewhere
/// (docs/profiles.md "Points").
void read_read_at(ObjectReader& point, PointSpec& p) {
  auto in = point.object("read_at");
  if (!in.present()) return;
  ReadLocation at;
  in.enumeration("function", at.function, kRegisterFunctionNames, Presence::required);
  std::int64_t a = 0;
  if (in.integer("address", a, 0, 65535, Presence::required))
    at.address = static_cast<std::uint16_t>(a);
  in.finish();
  p.read_at = at;
  const std::string ptr = point.child_pointer("read_at");
  if (p.access != Access::read_write)
    point.issues().add(ptr,
                       "only an \"rw\" point is read somewhere else than where it is "
                       "written (a read-only point gives its \"function\" and "
                       "\"address\")");
  if (!p.address)
    point.issues().add(ptr, "needs an absolute \"address\" (where the point is written)");
  if (point.has("function"))
    point.issues().add(point.child_pointer("function"),
                       "a point with \"read_at\" is written to holding registers and read "
                       "where \"read_at\" says: give the function there");
}

void read_point(const Json& j, const std::string& name, const std::string& ptr, IssueList& issues,
                PointSpec& p) {
  ObjectReader in(&j, ptr, issues);
  p.name = name;
  p.pointer = ptr;
  in.enumeration("function", p.function, kRegisterFunctionNames);
  if (in.has("address")) {
    std::int64_t a = 0;
    if (in.integer("address", a, 0, 65535)) p.address = static_cast<std::uint16_t>(a);
  }
  if (in.has("model")) {
    const Json* m = j.contains("model") ? &j.at("model") : nullptr;
    in.accept("model");
    auto add = [&](const Json& v, const std::string& at) {
      if (!v.is_number_integer() || v.get<std::int64_t>() < 1 || v.get<std::int64_t>() > 65534)
        issues.add(at, "must be a SunSpec model id (1..65534), got " + config::describe_json(v));
      else
        p.models.push_back(static_cast<std::uint16_t>(v.get<std::int64_t>()));
    };
    if (m->is_array()) {
      for (std::size_t i = 0; i < m->size(); ++i)
        add((*m)[i], in.child_pointer("model") + "/" + std::to_string(i));
      if (m->empty()) issues.add(in.child_pointer("model"), "must list at least one model id");
    } else {
      add(*m, in.child_pointer("model"));
    }
    std::int64_t off = 0;
    if (in.integer("offset", off, 0, 65535, Presence::required))
      p.offset = static_cast<std::uint16_t>(off);
  }
  if (p.address.has_value() == in.has("model"))
    issues.add(ptr, "needs exactly one of \"address\" (absolute) or \"model\" + \"offset\"");
  std::string type_name;
  if (in.string("type", type_name, Presence::required)) {
    if (auto t = registers::register_type_from_string(type_name)) {
      p.type = *t;
    } else {
      issues.add(in.child_pointer("type"),
                 "unknown register type \"" + type_name +
                     "\" (u16, s16, u32, s32, f32, string, acc16, acc32, enum16, enum32, "
                     "bitfield16, bitfield32, sunssf)");
    }
  }
  in.enumeration("word_order", p.word_order, registers::kWordOrderNames);
  std::int64_t len = 0;
  const bool is_string = p.type == RegisterType::string;
  if (in.integer("registers", len, 1, 125, is_string ? Presence::required : Presence::optional)) {
    if (!is_string)
      issues.add(in.child_pointer("registers"), "only string points take \"registers\"");
    p.string_registers = static_cast<std::size_t>(len);
  }
  if (in.number("scale", p.scale) && p.scale == 0.0)
    issues.add(in.child_pointer("scale"), "must not be 0");
  in.string("scale_factor", p.scale_factor);
  in.string("unit", p.unit);
  in.enumeration("access", p.access, kAccessNames);
  in.enumeration("sign", p.sign, kSignConventionNames);
  std::int64_t uid = 0;
  if (in.integer("unit_id", uid, 0, 255)) p.unit_id = static_cast<std::uint8_t>(uid);
  in.boolean("sunspec_sentinels", p.sunspec_sentinels);
  in.boolean("persistent", p.persistent);
  in.boolean("read_alone", p.read_alone);
  if (in.enumeration("write_function", p.write_function, kWriteFunctionNames) &&
      p.write_function == WriteFunction::fc06 && (!p.writable() || p.register_count() != 1))
    issues.add(in.child_pointer("write_function"),
               "fc06 writes one register: only a one-register \"rw\" or \"w\" point takes it");
  read_read_at(in, p);
  if (p.access == Access::write) {
    // Never read: nothing to compare a stored value with, nothing to poll alone.
    for (const char* key : {"persistent", "read_alone", "function"})
      if (in.has(key))
        issues.add(in.child_pointer(key), std::string("a write-only point (access \"w\") is never "
                                                      "read: it takes no \"") +
                                              key + "\"");
  }
  std::int64_t budget = 0;
  if (in.integer("write_budget_per_day", budget, 1, 100000)) {
    p.write_budget_per_day = static_cast<unsigned>(budget);
    // A stored setting is read first and written only on change; without that, every lease's
    // re-assertion would spend the budget (docs/profiles.md "Write budget").
    if (p.access != Access::read_write || !p.persistent)
      issues.add(in.child_pointer("write_budget_per_day"),
                 "only a stored setting (access \"rw\" and \"persistent\": true) has a write "
                 "budget");
  }
  in.finish();
}

void read_const_writes(ObjectReader& in, std::string_view key, std::vector<ConstWrite>& out) {
  in.array(key, [&](const Json& e, const std::string& ptr) {
    ObjectReader w(&e, ptr, in.issues());
    ConstWrite cw;
    w.string("point", cw.point, Presence::required, false);
    w.number("value", cw.value, NumberRange::any(), Presence::required);
    w.finish();
    out.push_back(cw);
  });
}

/// What the profile's points and writes show about each safety capability.
SafetyCapabilities derive_capabilities(const Profile& prof) {
  SafetyCapabilities c;
  const auto& cp = prof.control.points;
  const auto writes_zero = [&](ControlRole role) {
    auto it = cp.find(role);
    return it != cp.end() &&
           std::any_of(prof.control.safe_state.begin(), prof.control.safe_state.end(),
                       [&](const ConstWrite& w) { return w.point == it->second && w.value == 0; });
  };
  switch (prof.control.style) {
    case ControlStyle::none:
    case ControlStyle::battery_setpoint:  // generic registers: the author declares it
    case ControlStyle::directional:
    case ControlStyle::battery_window:
    case ControlStyle::ac_setpoint:  // never: the setpoint follows the PV, only bessd moves it
      break;
    case ControlStyle::sunspec_storage:
      c.sticky_hold = writes_zero(ControlRole::revert_timeout_s);
      c.power_limit = true;
      break;
    case ControlStyle::grid_setpoint:
      c.sticky_hold = writes_zero(ControlRole::discharge_limit_w) &&
                      writes_zero(ControlRole::charge_current_limit_a);
      c.power_limit = cp.count(ControlRole::discharge_limit_w) > 0;
      break;
  }
  c.voltage_limit = cp.count(ControlRole::charge_voltage_limit_v) > 0;
  c.current_limit = cp.count(ControlRole::charge_current_limit_a) > 0;
  if (auto it = prof.readings.find(ReadingRole::battery_power); it != prof.readings.end())
    for (const auto& n : it->second.points)
      if (const PointSpec* p = prof.point(n);
          p != nullptr && (p->sign == SignConvention::charge_positive ||
                           p->sign == SignConvention::discharge_positive))
        c.battery_power_sign_known = true;
  if (const auto& w = prof.control.watchdog; w && w->fallback == WatchdogFallback::standby)
    c.standby_without_bessd_s = w->timeout_s;
  return c;
}

/// `capabilities` is optional; each declared value must agree with what the profile shows
/// (sticky_hold of a battery_setpoint profile is the author's word: nothing shows it).
void read_capabilities(ObjectReader& root, Profile& prof, IssueList& issues) {
  const SafetyCapabilities derived = derive_capabilities(prof);
  prof.capabilities = derived;
  auto cap = root.object("capabilities");
  struct Item {
    const char* key;
    bool SafetyCapabilities::*field;
    const char* shown_by;
  };
  static constexpr Item kItems[] = {
      {"sticky_hold", &SafetyCapabilities::sticky_hold,
       "the safe state writing 0 to the revert timer (sunspec_storage) or to both device limits "
       "(grid_setpoint); for battery_setpoint, directional and battery_window the author "
       "declares it; never for ac_setpoint, whose hold follows the PV"},
      {"voltage_limit", &SafetyCapabilities::voltage_limit,
       "a control point \"charge_voltage_limit_v\""},
      {"current_limit", &SafetyCapabilities::current_limit,
       "a control point \"charge_current_limit_a\""},
      {"power_limit", &SafetyCapabilities::power_limit,
       "control style sunspec_storage or a control point \"discharge_limit_w\""},
      {"battery_power_sign_known", &SafetyCapabilities::battery_power_sign_known,
       "a battery_power reading whose point is charge_positive or discharge_positive"},
  };
  for (const auto& item : kItems) {
    bool declared = false;
    if (!cap.boolean(item.key, declared) || !cap.has(item.key)) continue;
    const bool free_choice = std::string_view(item.key) == "sticky_hold" &&
                             (prof.control.style == ControlStyle::battery_setpoint ||
                              prof.control.style == ControlStyle::directional ||
                              prof.control.style == ControlStyle::battery_window);
    if (free_choice) {
      // A timer an earlier target armed keeps running through a hold, and ends it.
      const auto& w = prof.control.watchdog;
      if (declared && w && w->fallback == WatchdogFallback::own_mode)
        issues.add(cap.child_pointer(item.key),
                   "declared true but the device's watchdog falls back to its own mode "
                   "(/control/watchdog/fallback): a hold ends when it runs out");
      prof.capabilities.*(item.field) = declared;
      continue;
    }
    if (declared != derived.*(item.field))
      issues.add(cap.child_pointer(item.key),
                 std::string("declared ") + (declared ? "true" : "false") + " but the profile " +
                     (derived.*(item.field) ? "has" : "lacks") + " " + item.shown_by);
  }
  cap.finish();
}

/// `direction_codes`: required with the directional style, refused with any other.
void read_direction_codes(ObjectReader& ctl, ControlSpec& control) {
  const bool directional = control.style == ControlStyle::directional;
  if (!directional && ctl.has("direction_codes")) {
    ctl.accept("direction_codes");
    ctl.issues().add(ctl.child_pointer("direction_codes"),
                     "only the directional control style takes direction codes");
    return;
  }
  auto codes = ctl.object("direction_codes", directional ? Presence::required : Presence::optional);
  if (!codes.present()) return;
  const auto code = NumberRange::between(0, 4294967295.0);
  codes.number("charge", control.direction_codes.charge, code, Presence::required);
  codes.number("discharge", control.direction_codes.discharge, code, Presence::required);
  codes.number("idle", control.direction_codes.idle, code, Presence::required);
  codes.finish();
  const DirectionCodes& c = control.direction_codes;
  // Idle may share a code with a direction (a charge at 0 W): only the two directions must
  // differ.
  if (c.charge == c.discharge)
    ctl.issues().add(ctl.child_pointer("direction_codes"),
                     "charge and discharge need different codes");
}

/// The directional style's points: a magnitude is unsigned (the direction carries the sign).
void check_directional(const Profile& prof, IssueList& issues) {
  if (prof.control.style != ControlStyle::directional) return;
  const PointSpec* magnitude = prof.control_point(ControlRole::magnitude);
  if (magnitude == nullptr) return;  // reported with the style's roles
  if (magnitude->sign != SignConvention::none)
    issues.add(magnitude->pointer + "/sign",
               "the magnitude of a directional control is unsigned: the direction code carries "
               "the sign (remove \"sign\")");
  if (magnitude->type != RegisterType::u16 && magnitude->type != RegisterType::u32)
    issues.add(magnitude->pointer + "/type",
               "the magnitude of a directional control must be u16 or u32");
  // A code the register cannot hold would fail to encode, and the power beside it would go out
  // without it.
  const PointSpec* direction = prof.control_point(ControlRole::direction);
  if (direction == nullptr) return;
  const bool unsigned_register =
      direction->type == RegisterType::u16 || direction->type == RegisterType::u32;
  if (!unsigned_register || direction->scale != 1.0)
    issues.add(direction->pointer,
               "the direction point of a directional control holds codes: "
               "type u16 or u32, no scale");
  const double max_code = direction->type == RegisterType::u16 ? 65535.0 : 4294967295.0;
  const DirectionCodes& c = prof.control.direction_codes;
  for (const auto& [name, code] : {std::pair{"charge", c.charge},
                                   std::pair{"discharge", c.discharge}, std::pair{"idle", c.idle}})
    if (code != std::floor(code) || code < 0 || code > max_code)
      issues.add(std::string("/control/direction_codes/") + name,
                 "must be a whole number the direction point can hold (0.." +
                     std::to_string(static_cast<std::uint64_t>(max_code)) + ")");
}

/// The battery window's two ends round alike (one type, scale and sign), so a target never
/// writes a minimum above the maximum.
void check_battery_window(const Profile& prof, IssueList& issues) {
  if (prof.control.style != ControlStyle::battery_window) return;
  const PointSpec* lo = prof.control_point(ControlRole::battery_min_w);
  const PointSpec* hi = prof.control_point(ControlRole::battery_max_w);
  if (lo == nullptr || hi == nullptr) return;  // reported with the style's roles
  if (lo->type != hi->type || lo->scale != hi->scale || lo->scale_factor != hi->scale_factor ||
      lo->sign != hi->sign)
    issues.add(hi->pointer, "the battery window's points \"" + lo->name + "\" and \"" + hi->name +
                                "\" need the same type, scale and sign");
  // Both ends change in one request: written apart, a failed second write leaves a window that
  // still allows the old power (or a minimum above the maximum, which a device refuses).
  const WriteBlock* block = prof.block_of(lo->name);
  if (!prof.one_request(*lo, *hi))
    issues.add("/control/points", "the battery window's points \"" + lo->name + "\" and \"" +
                                      hi->name +
                                      "\" must go out in one request: in one block, or side by "
                                      "side (minimum first) and not persistent");
  // The safe state closes the window: both ends 0, whatever a block fills in.
  for (const PointSpec* end : {lo, hi}) {
    const bool zero_in_safe_state =
        std::any_of(prof.control.safe_state.begin(), prof.control.safe_state.end(),
                    [&](const ConstWrite& w) { return w.point == end->name && w.value == 0; });
    if (!zero_in_safe_state)
      issues.add("/control/safe_state", "must write 0 to the battery window's point \"" +
                                            end->name + "\" (a closed window holds the battery)");
    if (block != nullptr)
      if (auto it = block->fill.find(end->name); it != block->fill.end() && it->second != 0)
        issues.add(block->pointer + "/fill/" + config::pointer_escape(end->name),
                   "a battery window's point is filled with 0, never with a power");
  }
}

/// The AC setpoint is derived from the PV power, and the safe state keeps the battery at 0 W: its
/// setpoint value is a battery power (docs/profiles.md "Control").
void check_ac_setpoint(const Profile& prof, IssueList& issues) {
  if (prof.control.style != ControlStyle::ac_setpoint) return;
  if (prof.readings.count(ReadingRole::pv_power) == 0)
    issues.add("/readings",
               "control style ac_setpoint needs reading \"pv_power\": the battery gets the PV "
               "power plus the AC setpoint");
  const PointSpec* sp = prof.control_point(ControlRole::setpoint);
  if (sp == nullptr) return;  // reported with the style's roles
  const auto& safe = prof.control.safe_state;
  for (std::size_t i = 0; i < safe.size(); ++i)
    if (safe[i].point == sp->name && safe[i].value != 0)
      issues.add("/control/safe_state/" + std::to_string(i) + "/value",
                 "an ac_setpoint safe state holds the battery at 0 W: the setpoint's value is "
                 "the battery power, and must be 0");
  const bool holds = std::any_of(safe.begin(), safe.end(),
                                 [&](const ConstWrite& w) { return w.point == sp->name; });
  if (!holds)
    issues.add("/control/safe_state", "must write the setpoint \"" + sp->name +
                                          "\" (value 0: the battery at 0 W, the PV to the house "
                                          "and the grid)");
  const auto& rel = prof.control.release;
  for (std::size_t i = 0; i < rel.size(); ++i)
    if (rel[i].point == sp->name && rel[i].value != 0)
      issues.add("/control/release/" + std::to_string(i) + "/value",
                 "the setpoint's value in a release is the battery power and must be 0 (hand the "
                 "device back to its own mode through its mode register)");
}

/// `control.watchdog`: {"writes": [...], "timeout_s", "feed", "fallback"}.
void read_watchdog(ObjectReader& ctl, ControlSpec& control) {
  auto in = ctl.object("watchdog");
  if (!in.present()) return;
  VendorWatchdog w;
  read_const_writes(in, "writes", w.writes);
  in.number("timeout_s", w.timeout_s, NumberRange::between(1.0, 86400.0), Presence::required);
  in.enumeration("feed", w.feed, kWatchdogFeedNames, Presence::required);
  in.enumeration("fallback", w.fallback, kWatchdogFallbackNames, Presence::required);
  in.finish();
  if (w.writes.empty())
    ctl.issues().add(in.child_pointer("writes"),
                     "needs the writes that arm the watchdog (its timeout, its action)");
  control.watchdog = std::move(w);
}

/// A watchdog fed by writes runs out unless the lease re-writes the target: the lease must be a
/// quarter of its timeout at most, and the target's points must be written, not only read and
/// compared (`persistent`).
void check_watchdog(const Profile& prof, IssueList& issues) {
  const auto& w = prof.control.watchdog;
  if (!w) return;
  if (w->feed != WatchdogFeed::writes) return;
  if (w->timeout_s < 4.0 * prof.control.lease_s)
    issues.add("/control/watchdog/timeout_s",
               "a watchdog fed by writes needs at least 4 × lease_s (" +
                   std::to_string(4.0 * prof.control.lease_s) +
                   " s): else it runs out while bessd still commands");
  for (const auto& [role, point] : prof.control.points)
    if (const PointSpec* p = prof.point(point); p != nullptr && p->persistent)
      issues.add(p->pointer + "/persistent",
                 "the control's " + std::string(to_string(role)) +
                     " point is re-written to feed the watchdog, so it cannot be persistent "
                     "(read and written only on change)");
}

/// `target_writes` (and a watchdog's writes) set a device up for a target; they must not write
/// the target's own points, or the device would run a new value with the old power before the
/// plan's writes.
void check_target_writes(const Profile& prof, IssueList& issues) {
  const auto check = [&](const std::vector<ConstWrite>& list, const std::string& key) {
    for (std::size_t i = 0; i < list.size(); ++i)
      for (const auto& [role, point] : prof.control.points)
        if (list[i].point == point)
          issues.add("/control/" + key + "/" + std::to_string(i) + "/point",
                     "point \"" + point + "\" is the control's " + std::string(to_string(role)) +
                         " point, which the style writes itself");
  };
  check(prof.control.target_writes, "target_writes");
  if (prof.control.watchdog) check(prof.control.watchdog->writes, "watchdog/writes");
}

/// `control.blocks`: [{"points": [...], "fill": {point: value}}].
void read_blocks(ObjectReader& ctl, ControlSpec& control) {
  ctl.array("blocks", [&](const Json& e, const std::string& ptr) {
    ObjectReader in(&e, ptr, ctl.issues());
    WriteBlock block;
    block.pointer = ptr;
    in.array(
        "points",
        [&](const Json& n, const std::string& at) {
          if (n.is_string() && !n.get<std::string>().empty())
            block.points.push_back(n.get<std::string>());
          else
            ctl.issues().add(at, "must be a point name, got " + config::describe_json(n));
        },
        Presence::required);
    auto fill = in.object("fill");
    for (const auto& key : fill.keys()) {
      double v = 0;
      if (fill.number(key, v, NumberRange::any(), Presence::required)) block.fill[key] = v;
    }
    fill.finish();
    in.finish();
    control.blocks.push_back(std::move(block));
  });
}

/// A block is written as one request: its points must be writable holding registers of one
/// unit, side by side in address order, within one request's 123 registers, each in one block,
/// each with a fill value.
void check_blocks(const Profile& prof, IssueList& issues) {
  std::set<std::string> seen;
  for (const auto& b : prof.control.blocks) {
    if (b.points.size() < 2) issues.add(b.pointer + "/points", "a block needs two points or more");
    std::size_t registers = 0;
    const PointSpec* previous = nullptr;
    for (std::size_t i = 0; i < b.points.size(); ++i) {
      const std::string at = b.pointer + "/points/" + std::to_string(i);
      const std::string& name = b.points[i];
      const PointSpec* p = prof.point(name);
      if (p == nullptr) {
        issues.add(at, "names point \"" + name + "\", which is not defined");
        previous = nullptr;
        continue;
      }
      if (!seen.insert(name).second) issues.add(at, "point \"" + name + "\" is in a block already");
      if (p->write_function == WriteFunction::fc06)
        issues.add(at, "point \"" + name +
                           "\" is written with fc06, one register at a time: a block is one "
                           "fc16 request");
      if (!p->writable() || p->function != RegisterFunction::holding || !p->address ||
          !registers::is_numeric(p->type))
        issues.add(at, "point \"" + name +
                           "\" must be a numeric holding register at an absolute address and "
                           "\"rw\" or \"w\" to be written in a block");
      // A stored block is compared with what one read of its registers returns.
      if (p->persistent && p->read_at)
        issues.add(at, "point \"" + name +
                           "\" is read elsewhere (\"read_at\"): a stored block is read where it "
                           "is written");
      // A stored block is read and compared whole, and written whole when any point differs.
      if (const PointSpec* first = prof.point(b.points.front());
          first != nullptr && first->persistent != p->persistent)
        issues.add(at, "point \"" + name + "\" must be \"persistent\" as point \"" + first->name +
                           "\" is, or neither: a block is stored whole or not at all");
      if (previous != nullptr && previous->address && p->address &&
          (previous->unit_id != p->unit_id ||
           *previous->address + previous->register_count() != *p->address))
        issues.add(at, "point \"" + name + "\" must follow point \"" + previous->name +
                           "\" without a gap, on the same unit");
      registers += p->register_count();
      // Every plan must be able to write the whole block (a safe state that sets one point
      // writes the others too): each point has the value it takes when a plan leaves it out.
      if (b.fill.count(name) == 0)
        issues.add(at, "point \"" + name +
                           "\" needs a value in \"fill\" (written when a plan "
                           "leaves it out)");
      previous = p;
    }
    if (registers > kMaxBlockRegisters)
      issues.add(b.pointer + "/points", "the block has " + std::to_string(registers) +
                                            " registers, more than one write request carries (" +
                                            std::to_string(kMaxBlockRegisters) + ")");
    for (const auto& [name, value] : b.fill)
      if (std::find(b.points.begin(), b.points.end(), name) == b.points.end())
        issues.add(b.pointer + "/fill/" + config::pointer_escape(name),
                   "point \"" + name + "\" is not in this block");
  }
}

/// `verification`: how far the profile was checked. Optional (profiles written before it
/// existed load as "undeclared" and are warned about like "documented" ones).
void read_verification(ObjectReader& root, Verification& v) {
  auto in = root.object("verification");
  if (!in.present()) return;
  // "undeclared" is what a profile without the key gets, never something to write.
  const config::EnumTable<VerificationLevel> levels{{"documented", VerificationLevel::documented},
                                                    {"hardware", VerificationLevel::hardware}};
  in.enumeration("level", v.level, levels, Presence::required);
  const bool hardware = v.level == VerificationLevel::hardware;
  const Presence needed = hardware ? Presence::required : Presence::optional;
  in.string("by", v.by, needed, false);
  in.string("firmware", v.firmware, needed, false);
  in.string("date", v.date);
  in.array("sources", [&](const Json& e, const std::string& ptr) {
    if (e.is_string() && !e.get<std::string>().empty())
      v.sources.push_back(e.get<std::string>());
    else
      in.issues().add(ptr, "must be a non-empty text, got " + config::describe_json(e));
  });
  if (!hardware)
    for (const char* key : {"by", "firmware", "date"})
      if (in.has(key))
        in.issues().add(in.child_pointer(key),
                        "only a hardware verification names who, on which "
                        "firmware and when");
  in.finish();
}

struct Span {
  std::uint32_t start;
  std::uint32_t end;  // exclusive
  const PointSpec* point;
};

// Group by (unit override, function, model or absolute); SunSpec points of one model id set
// share a group keyed by the first model.
using SpanGroups = std::map<std::tuple<int, int, int>, std::vector<Span>>;

void add_span(SpanGroups& groups, const PointSpec& p, RegisterFunction fn, std::uint32_t start) {
  const int unit = p.unit_id ? *p.unit_id : -1;
  const int model = p.models.empty() ? -1 : p.models.front();
  groups[{unit, static_cast<int>(fn), model}].push_back(
      {start, start + static_cast<std::uint32_t>(p.register_count()), &p});
}

/// A point read where it is written: its overlaps show in the read space already.
bool read_where_written(const PointSpec& p) {
  return p.readable() && !p.read_at && p.function == RegisterFunction::holding;
}

void report_overlaps(SpanGroups& groups, std::string_view what, IssueList& issues,
                     bool skip_read_where_written = false) {
  for (auto& [key, spans] : groups) {
    std::sort(spans.begin(), spans.end(),
              [](const Span& a, const Span& b) { return a.start < b.start; });
    for (std::size_t i = 1; i < spans.size(); ++i) {
      const Span& prev = spans[i - 1];
      const Span& cur = spans[i];
      if (skip_read_where_written && read_where_written(*prev.point) &&
          read_where_written(*cur.point))
        continue;
      if (cur.start < prev.end)
        issues.add(cur.point->pointer, std::string(what) + "registers " +
                                           std::to_string(cur.start) + ".." +
                                           std::to_string(cur.end - 1) + " overlap point \"" +
                                           prev.point->name + "\" (" + std::to_string(prev.start) +
                                           ".." + std::to_string(prev.end - 1) + ")");
    }
  }
}

// Two address spaces: where points are read, and where they are written (always the holding
// registers at `address`). A device's read map and write map may differ at one address (SolaX:
// holding 0 reads the serial number and takes the unlock password), so a read-only point and a
// write-only one may share registers; two points read, or two written, at one register may not.
void check_overlaps(const Profile& prof, IssueList& issues) {
  SpanGroups read_space;
  SpanGroups write_space;
  for (const auto& [name, p] : prof.points) {
    const std::uint32_t start = p.address ? *p.address : p.offset;
    if (p.readable()) {
      if (p.read_at)
        add_span(read_space, p, p.read_at->function, p.read_at->address);
      else
        add_span(read_space, p, p.function, start);
    }
    if (p.writable()) add_span(write_space, p, RegisterFunction::holding, start);
  }
  report_overlaps(read_space, "", issues);
  report_overlaps(write_space, "written to ", issues, true);
}

/// A write-only point is never read: it cannot feed a reading, a precondition or a reference.
void check_read_points(const Profile& prof, IssueList& issues) {
  const auto need = [&](const std::string& name, const std::string& ptr, std::string_view why) {
    const PointSpec* p = prof.point(name);
    if (p != nullptr && !p->readable())
      issues.add(ptr, "point \"" + name + "\" is write-only (access \"w\"), but " +
                          std::string(why) + " reads it");
  };
  for (const auto& [role, r] : prof.readings)
    for (const auto& n : r.points)
      need(n, "/readings/" + std::string(to_string(role)), "the reading");
  for (std::size_t i = 0; i < prof.control.preconditions.size(); ++i)
    need(prof.control.preconditions[i].point,
         "/control/preconditions/" + std::to_string(i) + "/point", "a precondition");
  for (const auto& [role, n] : prof.control.points)
    if (role == ControlRole::readback || role == ControlRole::rate_reference_w)
      need(n, "/control/points/" + std::string(to_string(role)), "its role");
  for (const auto& [name, p] : prof.points)
    if (p.scale_factor) need(*p.scale_factor, p.pointer + "/scale_factor", "the scale");
}

void check_references(const Profile& prof, IssueList& issues) {
  for (const auto& [name, p] : prof.points) {
    if (p.scale_factor) {
      const PointSpec* sf = prof.point(*p.scale_factor);
      if (sf == nullptr)
        issues.add(p.pointer + "/scale_factor",
                   "names point \"" + *p.scale_factor + "\", which the profile does not define");
      else if (sf->type != RegisterType::sunssf)
        issues.add(p.pointer + "/scale_factor",
                   "point \"" + *p.scale_factor + "\" must have type sunssf");
    }
    if (p.register_count() > 125)
      issues.add(p.pointer, "is longer than one Modbus read (125 registers)");
    if (!p.models.empty() && !prof.sunspec)
      issues.add(p.pointer + "/model", "model-relative points need \"sunspec\": true");
  }
}

}  // namespace

Profile parse_profile(const Json& document, const std::string& source) {
  IssueList issues;
  Profile prof;
  prof.source = source;
  if (!document.is_object()) {
    issues.add("", "a profile must be a JSON object, got " + config::describe_json(document));
    throw config::ConfigError(source, issues.items());
  }
  ObjectReader root(&document, "", issues);
  root.string("name", prof.name, Presence::required, false);
  root.string("description", prof.description);
  root.boolean("sunspec", prof.sunspec);
  {
    std::int64_t uid = 0;
    if (root.integer("unit_id", uid, 0, 255)) prof.unit_id = static_cast<std::uint8_t>(uid);
  }
  {
    auto pts = root.object("points", Presence::required);
    for (const auto& key : pts.keys()) {
      pts.accept(key);
      const Json& pj = document.at("points").at(key);
      const std::string ptr = pts.child_pointer(key);
      if (!pj.is_object()) {
        issues.add(ptr, "must be an object, got " + config::describe_json(pj));
        continue;
      }
      PointSpec p;
      p.sunspec_sentinels = prof.sunspec;
      // "description" and "source" (where the register is documented) are for readers only;
      // read_point rejects unknown keys.
      Json copy = pj;
      copy.erase("description");
      copy.erase("source");
      read_point(copy, key, ptr, issues, p);
      prof.points.emplace(key, std::move(p));
    }
    pts.finish();
  }
  {
    auto rd = root.object("readings");
    const Json* rj = document.contains("readings") ? &document.at("readings") : nullptr;
    for (const auto& key : rd.keys()) {
      rd.accept(key);
      const std::string rptr = rd.child_pointer(key);
      const auto named = reading_role_named(key);
      if (!named) {
        issues.add(rptr,
                   "unknown reading \"" + key + "\" (accepted: " + reading_role_names() + ")");
        continue;
      }
      const ReadingRole role = *named;
      const Json& v = rj->at(key);
      Reading r;
      auto add_name = [&](const Json& n, const std::string& at) {
        if (!n.is_string() || n.get<std::string>().empty()) {
          issues.add(at, "must be a point name, got " + config::describe_json(n));
          return;
        }
        const std::string pname = n.get<std::string>();
        const PointSpec* p = prof.point(pname);
        if (p == nullptr) {
          issues.add(at, "names point \"" + pname + "\", which is not defined");
          return;
        }
        const bool flow = role == ReadingRole::battery_power ||
                          role == ReadingRole::battery_current || role == ReadingRole::grid_power ||
                          role == ReadingRole::ac_power;
        if (flow && p->sign == SignConvention::none)
          issues.add(p->pointer + "/sign",
                     "reading \"" + key +
                         "\" is a signed flow: declare the device's sign (charge_positive, "
                         "discharge_positive, import_positive, export_positive or unknown)");
        const bool text = role == ReadingRole::model || role == ReadingRole::serial;
        if (text != (p->type == RegisterType::string))
          issues.add(at, text ? "must name a string point" : "must name a numeric point");
        r.points.push_back(pname);
      };
      auto add_names = [&](const Json& n, const std::string& at) {
        if (n.is_array())
          for (std::size_t i = 0; i < n.size(); ++i) add_name(n[i], at + "/" + std::to_string(i));
        else
          add_name(n, at);
      };
      if (v.is_string() || v.is_array()) {
        add_names(v, rptr);
      } else if (v.is_object() && (v.contains("sum") || v.contains("points"))) {
        if (!read_reading_object(v, role, rptr, r, issues)) continue;
        if (r.combine == Reading::Combine::sum)
          add_names(v["sum"], rptr + "/sum");
        else
          add_names(v["points"], rptr + "/points");
      } else {
        issues.add(rptr,
                   "must be a point name, a list of alternatives, {\"sum\": [...]} or "
                   "{\"points\": ...}");
        continue;
      }
      if (r.points.empty()) issues.add(rptr, "names no point");
      prof.readings[role] = r;
    }
    rd.finish();
  }
  {
    auto os = root.object("operating_states");
    for (const auto& key : os.keys()) {
      core::InverterOperating st{};
      if (!os.enumeration(key, st, core::kInverterOperatingNames)) continue;
      // Decimal digits with an optional '-' and nothing else (no '+', no spaces): from_chars.
      std::int64_t v = 0;
      const auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), v);
      if (key.empty() || ec != std::errc{} || end != key.data() + key.size()) {
        issues.add(os.child_pointer(key),
                   "key must be the raw integer value of the point, got \"" + key + "\"");
        continue;
      }
      prof.operating_states[v] = st;
    }
    os.finish();
  }
  {
    auto ctl = root.object("control");
    ctl.enumeration("style", prof.control.style, kControlStyleNames,
                    ctl.present() ? Presence::required : Presence::optional);
    ctl.number("lease_s", prof.control.lease_s, NumberRange::between(1.0, 3600.0));
    ctl.number("revert_timeout_s", prof.control.revert_timeout_s, NumberRange::between(0, 65535));
    ctl.number("deadband_w", prof.control.deadband_w, NumberRange::at_least(0.0));
    {
      auto cp = ctl.object("points");
      for (const auto& key : cp.keys()) {
        std::string pname;
        if (!cp.string(key, pname, Presence::required, false)) continue;
        const auto role = control_role_named(key);
        if (!role) {
          issues.add(cp.child_pointer(key), "unknown control role \"" + key + "\" for point \"" +
                                                pname + "\" (accepted: " + control_role_names() +
                                                ")");
          continue;
        }
        prof.control.points[*role] = pname;
      }
      cp.finish();
    }
    read_const_writes(ctl, "safe_state", prof.control.safe_state);
    read_const_writes(ctl, "release", prof.control.release);
    read_const_writes(ctl, "target_writes", prof.control.target_writes);
    read_direction_codes(ctl, prof.control);
    read_blocks(ctl, prof.control);
    read_watchdog(ctl, prof.control);
    ctl.array("preconditions", [&](const Json& e, const std::string& ptr) {
      ObjectReader pr(&e, ptr, issues);
      Precondition pc;
      pr.string("point", pc.point, Presence::required, false);
      pr.array(
          "allowed",
          [&](const Json& v, const std::string& vp) {
            if (v.is_number())
              pc.allowed.push_back(v.get<double>());
            else
              issues.add(vp, "must be a number, got " + config::describe_json(v));
          },
          Presence::required);
      pr.string("message", pc.message);
      pr.finish();
      if (!pc.point.empty() && prof.point(pc.point) == nullptr)
        issues.add(ptr + "/point", "names point \"" + pc.point + "\", which is not defined");
      prof.control.preconditions.push_back(pc);
    });
    ctl.finish();

    // Capability check: the style's points exist, are writable where written, and carry a sign.
    const StyleNeeds needs = needs_of(prof.control.style);
    const std::string cptr = "/control/points";
    for (const ControlRole role : needs.required)
      if (prof.control.points.count(role) == 0)
        issues.add(cptr, "control style " + std::string(to_string(prof.control.style)) +
                             " needs point \"" + std::string(to_string(role)) + "\"");
    for (const auto& [role, pname] : prof.control.points) {
      const std::string role_name(to_string(role));
      const bool known =
          std::find(needs.required.begin(), needs.required.end(), role) != needs.required.end() ||
          std::find(needs.optional.begin(), needs.optional.end(), role) != needs.optional.end();
      if (!known) {
        std::vector<ControlRole> taken = needs.required;
        taken.insert(taken.end(), needs.optional.begin(), needs.optional.end());
        issues.add(cptr + "/" + config::pointer_escape(role_name),
                   "control style " + std::string(to_string(prof.control.style)) +
                       " has no point role \"" + role_name + "\" (it takes: " +
                       (taken.empty() ? std::string("none") : names_of(taken)) + ")");
        continue;
      }
      const PointSpec* p = prof.point(pname);
      if (p == nullptr) {
        issues.add(cptr + "/" + config::pointer_escape(role_name),
                   "names point \"" + pname + "\", which is not defined");
        continue;
      }
      const bool written = role != ControlRole::readback && role != ControlRole::rate_reference_w;
      if (written && p->access != Access::read_write)
        issues.add(p->pointer + "/access", "point is written by the control (role \"" + role_name +
                                               "\") and must have access \"rw\"");
      if (written && !registers::is_numeric(p->type))
        issues.add(p->pointer + "/type", "a control point must be numeric");
      if (role == ControlRole::setpoint || role == ControlRole::setpoint_fallback ||
          role == ControlRole::readback || role == ControlRole::battery_min_w ||
          role == ControlRole::battery_max_w) {
        const bool grid_sign = prof.control.style == ControlStyle::grid_setpoint ||
                               prof.control.style == ControlStyle::ac_setpoint;
        const bool ok = grid_sign ? (p->sign == SignConvention::import_positive ||
                                     p->sign == SignConvention::export_positive)
                                  : (p->sign == SignConvention::charge_positive ||
                                     p->sign == SignConvention::discharge_positive);
        if (!ok)
          issues.add(p->pointer + "/sign",
                     "the " + role_name + " point needs a known sign (" +
                         (grid_sign ? "import_positive or export_positive"
                                    : "charge_positive or discharge_positive") +
                         "), got " + std::string(to_string(p->sign)));
      }
    }
    if (prof.control.style == ControlStyle::grid_setpoint) {
      for (const ReadingRole role : {ReadingRole::grid_power, ReadingRole::battery_power})
        if (prof.readings.count(role) == 0)
          issues.add("/readings", "control style grid_setpoint needs reading \"" +
                                      std::string(to_string(role)) + "\"");
    }
    if (prof.control.style == ControlStyle::sunspec_storage) {
      if (prof.control.revert_timeout_s < 4.0 * prof.control.lease_s)
        issues.add("/control/revert_timeout_s",
                   "must be non-zero and at least 4 × lease_s (" +
                       std::to_string(4.0 * prof.control.lease_s) +
                       " s) so the inverter reverts only if bessd stops re-writing");
      // The hold is written with the safe state's timer: none, or one bessd re-writes in time.
      const auto& timer = prof.control.points.find(ControlRole::revert_timeout_s);
      for (std::size_t i = 0; i < prof.control.safe_state.size(); ++i) {
        const ConstWrite& w = prof.control.safe_state[i];
        if (timer != prof.control.points.end() && w.point == timer->second && w.value != 0.0 &&
            w.value < 4.0 * prof.control.lease_s)
          issues.add("/control/safe_state/" + std::to_string(i) + "/value",
                     "the hold's revert timer must be 0 (none) or at least 4 × lease_s (" +
                         std::to_string(4.0 * prof.control.lease_s) + " s)");
      }
    }
    if (prof.control.style != ControlStyle::none && prof.control.safe_state.empty())
      issues.add("/control/safe_state",
                 "a controllable profile must declare its safe-state writes");
    check_directional(prof, issues);
    check_battery_window(prof, issues);
    check_ac_setpoint(prof, issues);
    check_watchdog(prof, issues);
    check_target_writes(prof, issues);
    check_blocks(prof, issues);
    const std::vector<ConstWrite> no_watchdog;
    const auto& watchdog_writes =
        prof.control.watchdog ? prof.control.watchdog->writes : no_watchdog;
    for (const auto* list : std::array<const std::vector<ConstWrite>*, 4>{
             &prof.control.safe_state, &prof.control.release, &prof.control.target_writes,
             &watchdog_writes}) {
      const std::string key = list == &prof.control.safe_state      ? "safe_state"
                              : list == &prof.control.release       ? "release"
                              : list == &prof.control.target_writes ? "target_writes"
                                                                    : "watchdog/writes";
      for (std::size_t i = 0; i < list->size(); ++i) {
        const auto& w = (*list)[i];
        const std::string wp = "/control/" + key + "/" + std::to_string(i) + "/point";
        const PointSpec* p = prof.point(w.point);
        if (p == nullptr)
          issues.add(wp, "names point \"" + w.point + "\", which is not defined");
        else if (!p->writable())
          issues.add(wp, "point \"" + w.point + "\" is not writable (access \"rw\" or \"w\")");
      }
    }
  }
  read_capabilities(root, prof, issues);
  read_verification(root, prof.verification);
  root.finish();
  if (issues.empty()) {
    check_references(prof, issues);
    check_read_points(prof, issues);
    check_overlaps(prof, issues);
  }
  if (!issues.empty()) throw config::ConfigError(source, issues.items());
  return prof;
}

Profile parse_profile_text(std::string_view text, const std::string& source) {
  return parse_profile(config::parse_json_text(text, source), source);
}

Profile load_profile(const std::filesystem::path& file) {
  // Read again on every reload: never blocking (a FIFO in its place), like the configuration.
  auto text = config::read_text_file(file, config::kMaxConfigBytes);
  if (!text)
    throw config::ConfigError(file.string(),
                              {{"", "cannot read the profile: " + text.error().message}});
  return parse_profile_text(*text, file.string());
}

std::filesystem::path resolve_profile_path(const std::string& name_or_path,
                                           const std::filesystem::path& profile_dir) {
  const bool is_path =
      name_or_path.find('/') != std::string::npos ||
      (name_or_path.size() > 5 && name_or_path.compare(name_or_path.size() - 5, 5, ".json") == 0);
  if (is_path) return name_or_path;
  return profile_dir / (name_or_path + ".json");
}

std::filesystem::path profile_file_for(const std::string& profile, const std::string& profile_dir,
                                       const std::filesystem::path& config_path) {
  std::filesystem::path dir = profile_dir;
  const auto base = config_path.parent_path();
  if (dir.is_relative()) dir = base / dir;
  std::filesystem::path p = resolve_profile_path(profile, dir);
  if (p.is_relative()) p = base / p;
  return p;
}

Profile load_configured_profile(const std::string& profile, const std::string& profile_dir,
                                const std::filesystem::path& config_path,
                                const std::string& pointer) {
  namespace fs = std::filesystem;
  const fs::path file = profile_file_for(profile, profile_dir, config_path);
  std::error_code ec;
  if (!fs::exists(file, ec)) {
    std::string known;
    for (const auto& entry : fs::directory_iterator(file.parent_path(), ec)) {
      if (entry.path().extension() != ".json") continue;
      known += (known.empty() ? "" : ", ") + entry.path().stem().string();
    }
    throw config::ConfigError(
        config_path.string(),
        {{pointer, "the profile \"" + profile + "\" does not exist (looked for " + file.string() +
                       "); " +
                       (known.empty() ? "no profiles in " + file.parent_path().string() +
                                            " (check inverter.profile_dir)"
                                      : "profiles there: " + known)}});
  }
  return load_profile(file);
}

}  // namespace bessd::inverter
