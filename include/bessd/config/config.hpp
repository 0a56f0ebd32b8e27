#pragma once
// The whole typed configuration. Every field holds its default until the file sets it.

#include <optional>
#include <string>

#include <bessd/config/api_config.hpp>
#include <bessd/config/battery_config.hpp>
#include <bessd/config/bms_config.hpp>
#include <bessd/config/compliance_config.hpp>
#include <bessd/config/control_config.hpp>
#include <bessd/config/inverter_config.hpp>
#include <bessd/config/limits_config.hpp>
#include <bessd/config/logging_config.hpp>
#include <bessd/config/meter_config.hpp>
#include <bessd/config/mqtt_config.hpp>
#include <bessd/config/prices_config.hpp>
#include <bessd/config/schedule_config.hpp>
#include <bessd/config/site_config.hpp>
#include <bessd/config/storage_config.hpp>
#include <bessd/config/uplink_config.hpp>

namespace bessd::config {

struct Config {
  SiteConfig site;
  BatteryConfig battery;
  BmsConfig bms;
  InverterConfig inverter;
  ControlConfig control;
  StorageConfig storage;
  ApiConfig api;
  LoggingConfig logging;
  ComplianceConfig compliance;
  LimitsConfig limits;
  std::optional<PricesConfig> prices;      // absent: no money figures
  std::optional<MeterConfig> meter;        // absent: the inverter's own grid and PV readings
  std::optional<MqttConfig> mqtt;          // absent: no MQTT
  std::optional<UplinkConfig> uplink;      // absent: no fleet uplink
  std::optional<ScheduleConfig> schedule;  // absent: mode schedule is not available
};

}  // namespace bessd::config
