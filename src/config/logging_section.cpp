#include <bessd/config/sections.hpp>

namespace bessd::config {

std::string_view to_string(LogLevel l) noexcept {
  return enum_name(kLogLevelNames, l);
}

void read_logging(ObjectReader& in, LoggingConfig& out) {
  in.enumeration("level", out.level, kLogLevelNames);
  in.enumeration("format", out.format, kLogFormatNames);
  auto components = in.object("components");
  static constexpr std::string_view kLoggers[] = {"app",      "config",  "compliance", "limits",
                                                  "control",  "can",     "bms",        "modbus",
                                                  "inverter", "storage", "api",        "sim"};
  for (const auto& name : components.keys()) {
    bool known = false;
    for (auto l : kLoggers) known = known || l == name;
    if (!known) continue;  // finish() reports it as unknown
    LogLevel level{LogLevel::info};
    if (components.enumeration(name, level, kLogLevelNames)) out.components[name] = level;
  }
  components.finish();
  in.finish();
}

}  // namespace bessd::config
