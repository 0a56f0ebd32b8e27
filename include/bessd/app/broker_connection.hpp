#pragma once
// The libmosquitto connection options of an `mqtt` or `uplink` section (docs/mqtt.md,
// docs/fleet.md).
#include <filesystem>
#include <string>
#include <string_view>

#include <bessd/broker/mosquitto_link.hpp>
#include <bessd/config/broker_connection_config.hpp>

namespace bessd::app {

/// Host, port, client id (`default_client_id` when the section names none), user, keep-alive
/// and TLS; reads the password file (throws ConfigError naming <section>/password_file when it
/// cannot). `section`: the section's JSON pointer, "/mqtt" or "/uplink".
broker::BrokerOptions connection_options(const config::BrokerConnectionConfig& connection,
                                         const std::string& default_client_id,
                                         std::string_view section,
                                         const std::filesystem::path& config_path);

}  // namespace bessd::app
