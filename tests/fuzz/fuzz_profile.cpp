// libFuzzer: the inverter register-map profile loader (JSON with comments -> Profile) on
// arbitrary text. The contract is "a Profile, or a ConfigError listing every problem by JSON
// pointer": any other exception, an empty problem list, an invalid pointer, a crash or a
// sanitizer report is a bug. A profile the loader accepts is used by the driver without further
// checks, so what the loader promises to have validated is re-checked here: every name a reading,
// a control role, a safe-state write, a precondition or a scale factor uses resolves to a point,
// and every point fits in one Modbus read.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <bessd/inverter/profile.hpp>

#include "loader_contract.hpp"

namespace {

using bessd::inverter::Profile;

[[noreturn]] void fail(const char* why, const std::string& detail = {}) {
  bessd::fuzz::fail("fuzz_profile", why, detail);
}

void check_accepted(const Profile& p) {
  for (const auto& [name, point] : p.points) {
    if (point.register_count() < 1 || point.register_count() > 125)
      fail("accepted a point that does not fit one Modbus read:", name);
    if (point.scale == 0.0) fail("accepted a zero scale:", name);
    if (point.address.has_value() == !point.models.empty())
      fail("accepted a point with both or neither of address and model:", name);
    if (point.scale_factor && p.point(*point.scale_factor) == nullptr)
      fail("accepted an unknown scale factor point:", *point.scale_factor);
  }
  for (const auto& [field, reading] : p.readings) {
    if (reading.points.empty())
      fail("accepted a reading without points:", std::string(to_string(field)));
    for (const auto& name : reading.points)
      if (p.point(name) == nullptr) fail("accepted a reading of an unknown point:", name);
  }
  for (const auto& [role, name] : p.control.points)
    if (p.control_point(role) == nullptr)
      fail("accepted a control role without a point:", std::string(to_string(role)));
  for (const auto& write : p.control.safe_state)
    if (p.point(write.point) == nullptr) fail("accepted a safe-state write to:", write.point);
  for (const auto& pre : p.control.preconditions)
    if (p.point(pre.point) == nullptr) fail("accepted a precondition on:", pre.point);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto profile = bessd::fuzz::parse_under_contract(
      "fuzz_profile", [&] { return bessd::inverter::parse_profile_text(text, "fuzz.json"); });
  if (profile) check_accepted(*profile);
  return 0;
}
