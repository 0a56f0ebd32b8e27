// libFuzzer: the site configuration parser (JSON with comments -> typed Config) on arbitrary
// text. The loader's contract is "a Config, or a ConfigError listing every problem": any other
// exception, a ConfigError without problems or with a pointer that is not a JSON pointer, a
// crash or a sanitizer report is a bug. Whatever the loader accepts must also be usable by what
// start-up builds from it: the compliance check promises no exception for any accepted
// configuration, and the limits and controller settings are derived from it. Parsing the same
// text twice must give the same problems (no hidden state).

#include <chrono>
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

#include <bessd/compliance/checker.hpp>
#include <bessd/config/config_loader.hpp>
#include <bessd/control/controller.hpp>
#include <bessd/limits/limits_settings.hpp>

namespace {

using bessd::config::ConfigError;
using bessd::config::ConfigIssue;

// Fails the run with the reason on stderr, so that the artifact comes with an explanation.
[[noreturn]] void fail(const char* why, const std::string& detail = {}) {
  std::fprintf(stderr, "fuzz_config: %s %s\n", why, detail.c_str());
  std::abort();
}

std::vector<ConfigIssue> issues_of(std::string_view text) {
  try {
    (void)bessd::config::parse_config(text, "fuzz.json");
  } catch (const ConfigError& e) {
    if (e.issues().empty()) fail("ConfigError without a problem");
    return e.issues();
  }
  return {};
}

void check_pointers(const std::vector<ConfigIssue>& issues) {
  for (const auto& issue : issues) {
    if (issue.message.empty()) fail("problem without a message at", issue.pointer);
    try {
      (void)nlohmann::json::json_pointer(issue.pointer);
    } catch (const nlohmann::json::exception&) {
      fail("problem located by an invalid JSON pointer:", issue.pointer);
    }
  }
}

void use_accepted(const bessd::config::Config& config) {
  using namespace std::chrono;
  const bessd::Date today{year{2025}, month{6}, day{1}};
  (void)bessd::compliance::check(config.site, config.battery, config.compliance, today);
  (void)bessd::compliance::check(config.site, config.battery, config.compliance, today,
                                 config.battery.nominal_energy_kwh);
  (void)bessd::limits::LimitsSettings::from_config(config);
  (void)bessd::control::ControllerSettings::from_config(config);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::optional<bessd::config::Config> config;
  std::vector<ConfigIssue> first;
  try {
    config = bessd::config::parse_config(text, "fuzz.json");
  } catch (const ConfigError& e) {
    first = e.issues();
    if (first.empty()) fail("ConfigError without a problem");
  } catch (const std::exception& e) {
    fail("parse_config threw something other than ConfigError:", e.what());
  }
  if (config) {
    try {
      use_accepted(*config);
    } catch (const std::exception& e) {
      fail("an accepted configuration made start-up throw:", e.what());
    }
  }
  check_pointers(first);
  if (issues_of(text) != first) fail("a second parse of the same text gave other problems");
  return 0;
}
