#include <bessd/config/sections.hpp>

namespace bessd::config {

namespace {

// A topic level or prefix the owner writes: MQTT wildcards and empty levels would make bessd
// publish where nobody subscribes, or subscribe to everything.
bool topic_text(ObjectReader& in, std::string_view key, std::string& out, bool allow_slash) {
  if (!in.has(key)) return true;
  if (!in.string(key, out, Presence::optional, /*allow_empty=*/false)) return false;
  const bool bad = out.find_first_of("+#") != std::string::npos ||
                   (!allow_slash && out.find('/') != std::string::npos) || out.front() == '/' ||
                   out.back() == '/' || out.find("//") != std::string::npos;
  if (bad)
    in.issues().add(in.child_pointer(key),
                    std::string("must be a topic ") + (allow_slash ? "prefix" : "level") +
                        " without '+', '#'" + (allow_slash ? ", empty levels" : " or '/'") +
                        " or a leading or trailing '/', got \"" + out + "\"");
  return !bad;
}

void read_mqtt_tls(ObjectReader& in, std::optional<MqttTlsConfig>& out) {
  if (!in.present()) return;
  MqttTlsConfig t;
  // string() is false for an absent optional key too, so issues are counted instead.
  const std::size_t issues_before = in.issues().items().size();
  in.string("ca_file", t.ca_file, Presence::required, /*allow_empty=*/false);
  in.string("cert_file", t.cert_file, Presence::optional, /*allow_empty=*/false);
  in.string("key_file", t.key_file, Presence::optional, /*allow_empty=*/false);
  if (t.cert_file.empty() != t.key_file.empty())
    in.issues().add(in.child_pointer(t.cert_file.empty() ? "cert_file" : "key_file"),
                    "a client certificate needs both cert_file and key_file");
  in.finish();
  if (in.issues().items().size() == issues_before) out = t;
}

}  // namespace

void read_mqtt(ObjectReader& in, std::optional<MqttConfig>& out) {
  if (!in.present()) return;
  MqttConfig m;
  const std::size_t issues_before = in.issues().items().size();
  in.string("host", m.host, Presence::required, /*allow_empty=*/false);
  in.integer_as("port", m.port, 1, 65535);
  in.string("username", m.username);
  in.string("password_file", m.password_file);
  if (!m.password_file.empty() && m.username.empty())
    in.issues().add(in.child_pointer("password_file"), "a password needs a username");
  {
    auto tls = in.object("tls");
    read_mqtt_tls(tls, m.tls);
  }
  topic_text(in, "site_id", m.site_id, /*allow_slash=*/false);
  topic_text(in, "base_topic", m.base_topic, /*allow_slash=*/true);
  in.string("client_id", m.client_id);
  // Below 1 s the retained messages would be rewritten faster than anyone reads them.
  in.number("state_period_s", m.state_period_s, NumberRange::between(1.0, 3600.0));
  in.boolean("discovery", m.discovery);
  topic_text(in, "discovery_prefix", m.discovery_prefix, /*allow_slash=*/true);
  in.boolean("allow_control", m.allow_control);
  in.integer("command_validity_s", m.command_validity_s, 1, 600);
  in.integer_as("keepalive_s", m.keepalive_s, 5, 3600);
  in.finish();
  if (in.issues().items().size() == issues_before) out = m;
}

}  // namespace bessd::config
