#include <bessd/app/broker_connection.hpp>

#include <cstddef>
#include <utility>

#include <bessd/config/config_error.hpp>
#include <bessd/config/config_loader.hpp>
#include <bessd/config/text_file.hpp>

namespace bessd::app {

namespace {
// A password file holds one line; anything this large is not one.
constexpr std::size_t kMaxPasswordFileBytes = std::size_t{64} * 1024;
}  // namespace

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
      if (file->empty()) continue;
      const auto text = config::read_text_file(*file, config::kMaxConfigBytes);
      if (text) continue;
      throw config::ConfigError(config_path.string(),
                                {{std::string(section) + "/tls/" + key,
                                  "cannot read " + *file + ": " + text.error().message}});
    }
  }
  if (!c.password_file.empty()) {
    // Read again on every reload: never blocking (a FIFO in its place), like the configuration.
    const auto text = config::read_text_file(c.password_file, kMaxPasswordFileBytes);
    if (!text)
      throw config::ConfigError(config_path.string(),
                                {{std::string(section) + "/password_file",
                                  "cannot read " + c.password_file + ": " + text.error().message}});
    o.password = text->substr(0, text->find('\n'));
    if (!o.password.empty() && o.password.back() == '\r') o.password.pop_back();
  }
  return o;
}

}  // namespace bessd::app
