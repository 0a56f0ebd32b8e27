#include <bessd/app/broker_connection.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <utility>

#include <bessd/config/config_error.hpp>

namespace bessd::app {

broker::BrokerOptions connection_options(const config::BrokerConnectionConfig& c,
                                         const std::string& default_client_id,
                                         std::string_view section,
                                         const std::filesystem::path& config_path) {
  broker::BrokerOptions o;
  o.host = c.host;
  o.port = c.port;
  o.client_id = c.client_id.empty() ? default_client_id : c.client_id;
  o.username = c.username;
  o.keepalive_s = c.keepalive_s;
  if (c.tls) {
    o.ca_file = c.tls->ca_file;
    o.cert_file = c.tls->cert_file;
    o.key_file = c.tls->key_file;
    // Read now, as the password file is: libmosquitto would only say "invalid function
    // arguments" for a file it cannot open, at every connection attempt.
    for (const auto& [key, file] :
         {std::pair{"ca_file", &o.ca_file}, std::pair{"cert_file", &o.cert_file},
          std::pair{"key_file", &o.key_file}}) {
      if (file->empty() || std::ifstream(*file)) continue;
      throw config::ConfigError(config_path.string(),
                                {{std::string(section) + "/tls/" + key,
                                  "cannot read " + *file + ": " + std::strerror(errno)}});
    }
  }
  if (!c.password_file.empty()) {
    std::ifstream in(c.password_file);
    if (!in)
      throw config::ConfigError(config_path.string(),
                                {{std::string(section) + "/password_file",
                                  "cannot read " + c.password_file + ": " + std::strerror(errno)}});
    std::getline(in, o.password);
    if (!o.password.empty() && o.password.back() == '\r') o.password.pop_back();
  }
  return o;
}

}  // namespace bessd::app
