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
#include <exception>
#include <string>
#include <string_view>

#include <bessd/compliance/checker.hpp>
#include <bessd/config/config_loader.hpp>
#include <bessd/control/controller.hpp>
#include <bessd/limits/limits_settings.hpp>

#include "loader_contract.hpp"

namespace {

[[noreturn]] void fail(const char* why, const std::string& detail = {}) {
  bessd::fuzz::fail("fuzz_config", why, detail);
}

void use_accepted(const bessd::config::Config& config) {
  using namespace std::chrono;
  const bessd::Date today{year{2025}, month{6}, day{1}};
  (void)bessd::compliance::check(config.site, config.battery, config.compliance, today);
  bessd::compliance::BmsNameplate nameplate;
  nameplate.capacity_ah = config.battery.nominal_energy_kwh * 1000.0 / 51.2;
  nameplate.energy_kwh = config.battery.nominal_energy_kwh;
  nameplate.module_count = 3;
  (void)bessd::compliance::check(config.site, config.battery, config.compliance, today, nameplate);
  (void)bessd::limits::LimitsSettings::from_config(config);
  (void)bessd::control::ControllerSettings::from_config(config);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto config = bessd::fuzz::parse_under_contract(
      "fuzz_config", [&] { return bessd::config::parse_config(text, "fuzz.json"); });
  if (config) {
    try {
      use_accepted(*config);
    } catch (const std::exception& e) {
      fail("an accepted configuration made start-up throw:", e.what());
    }
  }
  return 0;
}
