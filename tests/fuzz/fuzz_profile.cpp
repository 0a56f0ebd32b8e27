// libFuzzer: the inverter register-map profile loader (JSON with comments -> Profile) on
// arbitrary text. The contract is "a Profile, or a ConfigError listing every problem by JSON
// pointer": any other exception, an empty problem list, an invalid pointer, a crash or a
// sanitizer report is a bug. A profile the loader accepts is used by the driver without further
// checks, so what the loader promises to have validated is re-checked here: every name a reading,
// a control role, a safe-state write, a precondition or a scale factor uses resolves to a point,
// and every point fits in one Modbus read.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <bessd/config/config_error.hpp>
#include <bessd/inverter/profile.hpp>

namespace {

using bessd::config::ConfigError;
using bessd::config::ConfigIssue;
using bessd::inverter::Profile;

[[noreturn]] void fail(const char* why, const std::string& detail = {}) {
  std::fprintf(stderr, "fuzz_profile: %s %s\n", why, detail.c_str());
  std::abort();
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
    if (reading.points.empty()) fail("accepted a reading without points:", field);
    for (const auto& name : reading.points)
      if (p.point(name) == nullptr) fail("accepted a reading of an unknown point:", name);
  }
  for (const auto& [role, name] : p.control.points)
    if (p.control_point(role) == nullptr) fail("accepted a control role without a point:", role);
  for (const auto& write : p.control.safe_state)
    if (p.point(write.point) == nullptr) fail("accepted a safe-state write to:", write.point);
  for (const auto& pre : p.control.preconditions)
    if (p.point(pre.point) == nullptr) fail("accepted a precondition on:", pre.point);
}

std::vector<ConfigIssue> issues_of(std::string_view text) {
  try {
    (void)bessd::inverter::parse_profile_text(text, "fuzz.json");
  } catch (const ConfigError& e) {
    return e.issues();
  }
  return {};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::optional<Profile> profile;
  std::vector<ConfigIssue> issues;
  try {
    profile = bessd::inverter::parse_profile_text(text, "fuzz.json");
  } catch (const ConfigError& e) {
    issues = e.issues();
    if (issues.empty()) fail("ConfigError without a problem");
  } catch (const std::exception& e) {
    fail("parse_profile_text threw something other than ConfigError:", e.what());
  }
  if (profile) check_accepted(*profile);
  for (const auto& issue : issues) {
    if (issue.message.empty()) fail("problem without a message at", issue.pointer);
    try {
      (void)nlohmann::json::json_pointer(issue.pointer);
    } catch (const nlohmann::json::exception&) {
      fail("problem located by an invalid JSON pointer:", issue.pointer);
    }
  }
  if (issues_of(text) != issues) fail("a second parse of the same text gave other problems");
  return 0;
}
