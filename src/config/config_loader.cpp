#include <bessd/config/config_loader.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <bessd/common/local_time.hpp>
#include <bessd/config/json_text.hpp>
#include <bessd/config/sections.hpp>
#include <bessd/config/text_file.hpp>

namespace bessd::config {

namespace {

std::string issues_summary(const std::string& source, const std::vector<ConfigIssue>& issues) {
  std::string text = source + ": " + std::to_string(issues.size()) +
                     (issues.size() == 1 ? " problem" : " problems");
  for (const auto& i : issues) text += "\n  " + i.to_string();
  return text;
}

// Mode schedule needs a schedule, and a schedule's zone must be in the time-zone database.
void check_schedule(const Config& config, IssueList& issues) {
  if (config.control.mode == OperatingMode::schedule && !config.schedule)
    issues.add("/control/mode",
               "is \"schedule\", but there is no schedule section (docs/schedules.md)");
  // A plan sizes its slots by the charge power: it must come from somewhere.
  if (config.schedule && config.schedule->by_price && !config.schedule->by_price->charge_power_w &&
      !config.battery.max_charge_power_w && !config.inverter.rated_power_w)
    issues.add("/schedule/by_price/charge_power_w",
               "is needed: neither battery.max_charge_power_w nor inverter.rated_power_w is set, "
               "and the plan must know how much a slot can charge");
  if (config.schedule && config.schedule->by_price && config.schedule->by_price->sell_power_w) {
    const auto& by_price = *config.schedule->by_price;
    // The margin is in the price file's unit (pence or pounds): no default fits both, and a
    // sale for nothing still wears the cells.
    if (!by_price.sell_margin_per_kwh)
      issues.add("/schedule/by_price/sell_margin_per_kwh",
                 "is needed with sell_power_w, in the price file's unit (2 for 2 p/kWh with "
                 "Octopus's prices): what a sale must earn over buying the energy back");
    if (config.site.grid_export_limit_w && *config.site.grid_export_limit_w <= 0.0)
      issues.add("/schedule/by_price/sell_power_w",
                 "is set, but site.grid_export_limit_w is 0: nothing may be sold to the grid");
  }
  if (config.schedule && !config.schedule->time_zone.empty()) {
    if (auto zone = TimeZone::named(config.schedule->time_zone); !zone)
      issues.add("/schedule/time_zone", zone.error().message);
  }
}

// A BYD HVS sends no cell voltages and no protection bits: bessd's own cell-voltage rules, run
// on the pack voltage per cell, are all it has besides the battery's limits.
void check_bms_needs(const Config& config, IssueList& issues) {
  if (config.bms.protocol == BmsProtocol::byd_hvs && !config.battery.series_cells)
    issues.add("/battery/series_cells",
               "is required with bms.protocol \"byd_hvs\": the battery sends no cell voltages, "
               "so bessd's cell-voltage protection runs on the pack voltage divided by the cells "
               "in series (HVS: 32 per module, HVM: 16; docs/protocols.md)");
}

}  // namespace

ConfigError::ConfigError(std::string source, std::vector<ConfigIssue> issues)
    : std::runtime_error(issues_summary(source, issues)),
      source_(std::move(source)),
      issues_(std::move(issues)) {}

Config parse_config(std::string_view text, const std::string& source) {
  const Json root = parse_json_text(text, source);
  IssueList issues;
  Config config;
  if (!root.is_object()) {
    issues.add("", "the configuration must be a JSON object, got " + describe_json(root));
    throw ConfigError(source, issues.items());
  }
  ObjectReader top(&root, "", issues);
  {
    auto r = top.object("site", Presence::required);
    read_site(r, config.site);
  }
  {
    auto r = top.object("battery", Presence::required);
    read_battery(r, config.battery);
  }
  {
    auto r = top.object("bms");
    read_bms(r, config.bms);
  }
  {
    auto r = top.object("inverter");
    read_inverter(r, config.inverter);
  }
  {
    auto r = top.object("control");
    read_control(r, config.control);
  }
  {
    auto r = top.object("storage");
    read_storage(r, config.storage);
  }
  {
    auto r = top.object("api");
    read_api(r, config.api);
  }
  {
    auto r = top.object("logging");
    read_logging(r, config.logging);
  }
  {
    auto r = top.object("compliance");
    read_compliance(r, config.compliance);
  }
  {
    auto r = top.object("limits");
    read_limits(r, config.limits);
  }
  {
    auto r = top.object("prices");
    read_prices(r, config.prices);
  }
  {
    auto r = top.object("meter");
    read_meter(r, config.meter);
  }
  {
    auto r = top.object("mqtt");
    read_mqtt(r, config.mqtt);
  }
  {
    auto r = top.object("uplink");
    read_uplink(r, config.uplink);
  }
  {
    auto r = top.object("schedule");
    read_schedule(r, config.schedule);
  }
  check_schedule(config, issues);
  check_bms_needs(config, issues);
  top.accept("$schema");  // editors may point at config/schema/bessd.schema.json
  top.finish();
  if (!issues.empty()) throw ConfigError(source, issues.items());
  return config;
}

std::string read_config_text(const std::filesystem::path& path) {
  auto text = read_text_file(path, kMaxConfigBytes);
  if (!text) throw ConfigError(path.string(), {{"", text.error().message}});
  return std::move(*text);
}

Config load_config_file(const std::filesystem::path& path) {
  return parse_config(read_config_text(path), path.string());
}

std::string config_fingerprint(std::string_view text) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace bessd::config
