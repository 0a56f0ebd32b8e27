#include <bessd/config/sections.hpp>

namespace bessd::config {

namespace {
const EnumTable<LogLevel>& level_table() {
  static const EnumTable<LogLevel> table{
      {"trace", LogLevel::trace}, {"debug", LogLevel::debug}, {"info", LogLevel::info},
      {"warn", LogLevel::warn},   {"error", LogLevel::error}, {"critical", LogLevel::critical},
      {"off", LogLevel::off}};
  return table;
}
}  // namespace

std::string_view to_string(LogLevel l) noexcept {
  for (const auto& [name, value] : level_table())
    if (value == l) return name;
  return "invalid";
}

void read_logging(ObjectReader& in, LoggingConfig& out) {
  in.enumeration("level", out.level, level_table());
  in.enumeration("format", out.format,
                 EnumTable<LogFormat>{{"auto", LogFormat::automatic},
                                      {"plain", LogFormat::plain},
                                      {"journal", LogFormat::journal}});
  auto components = in.object("components");
  static constexpr std::string_view kLoggers[] = {"app",      "config",  "compliance", "limits",
                                                  "control",  "can",     "bms",        "modbus",
                                                  "inverter", "storage", "api",        "sim"};
  for (const auto& name : components.keys()) {
    bool known = false;
    for (auto l : kLoggers) known = known || l == name;
    if (!known) continue;  // finish() reports it as unknown
    LogLevel level{LogLevel::info};
    if (components.enumeration(name, level, level_table())) out.components[name] = level;
  }
  components.finish();
  in.finish();
}

}  // namespace bessd::config
