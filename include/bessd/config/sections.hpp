#pragma once
// One reader per configuration section (internal to the config component and its tests).

#include <bessd/config/config.hpp>
#include <bessd/config/json_reader.hpp>

namespace bessd::config {

void read_site(ObjectReader& in, SiteConfig& out);
void read_battery(ObjectReader& in, BatteryConfig& out);
void read_bms(ObjectReader& in, BmsConfig& out);
void read_inverter(ObjectReader& in, InverterConfig& out);
void read_control(ObjectReader& in, ControlConfig& out);
void read_storage(ObjectReader& in, StorageConfig& out);
void read_api(ObjectReader& in, ApiConfig& out);
void read_logging(ObjectReader& in, LoggingConfig& out);
void read_compliance(ObjectReader& in, ComplianceConfig& out);
void read_limits(ObjectReader& in, LimitsConfig& out);
void read_prices(ObjectReader& in, std::optional<PricesConfig>& out);
void read_meter(ObjectReader& in, std::optional<MeterConfig>& out);
void read_mqtt(ObjectReader& in, std::optional<MqttConfig>& out);
void read_uplink(ObjectReader& in, std::optional<UplinkConfig>& out);
void read_schedule(ObjectReader& in, std::optional<ScheduleConfig>& out);
/// The link fields shared by the inverter and the meter sections.
void read_modbus_link(ObjectReader& in, ModbusLinkConfig& link);

/// Reads a "YYYY-MM-DD" date key.
bool read_date(ObjectReader& in, std::string_view key, std::optional<Date>& out);
/// Reads [[x, factor], ...] breakpoints: x strictly ascending, factor in [0, 1].
bool read_breakpoints(ObjectReader& in, std::string_view key, Breakpoints& out);

}  // namespace bessd::config
