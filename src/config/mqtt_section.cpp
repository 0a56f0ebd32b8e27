#include <bessd/config/sections.hpp>

#include <algorithm>

namespace bessd::config {

namespace {

// The site's topic level: it is also part of Home Assistant's node id and unique ids, which take
// letters, digits, '_' and '-' only (anything else and Home Assistant ignores the entity).
bool site_level(ObjectReader& in, std::string& out) {
  if (!in.has("site_id")) return true;
  if (!in.string("site_id", out, Presence::optional, /*allow_empty=*/false)) return false;
  const bool ok = std::all_of(out.begin(), out.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
  if (!ok)
    in.issues().add(
        in.child_pointer("site_id"),
        "must be a topic level of lower-case letters, digits, '_' and '-', got \"" + out + "\"");
  return ok;
}

// A topic prefix the owner writes: wildcards, empty levels, white space or a leading '$' (the
// broker's own topics, shared subscriptions) would make bessd publish where nobody subscribes,
// or subscribe to more than its own commands.
bool topic_prefix(ObjectReader& in, std::string_view key, std::string& out) {
  if (!in.has(key)) return true;
  if (!in.string(key, out, Presence::optional, /*allow_empty=*/false)) return false;
  const bool bad = out.find_first_of("+# \t\r\n") != std::string::npos || out.front() == '/' ||
                   out.front() == '$' || out.back() == '/' || out.find("//") != std::string::npos;
  if (bad)
    in.issues().add(in.child_pointer(key),
                    "must be a topic prefix without '+', '#', white space, empty levels, or a "
                    "leading '$' or '/', got \"" +
                        out + "\"");
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

// What the mqtt and uplink sections share: where the broker is and how to log in.
void read_connection(ObjectReader& in, BrokerConnectionConfig& c) {
  in.string("host", c.host, Presence::required, /*allow_empty=*/false);
  in.integer_as("port", c.port, 1, 65535);
  in.string("username", c.username);
  in.string("password_file", c.password_file);
  if (!c.password_file.empty() && c.username.empty())
    in.issues().add(in.child_pointer("password_file"), "a password needs a username");
  {
    auto tls = in.object("tls");
    read_mqtt_tls(tls, c.tls);
  }
  in.string("client_id", c.client_id);
  in.integer_as("keepalive_s", c.keepalive_s, 5, 3600);
}

}  // namespace

void read_mqtt(ObjectReader& in, std::optional<MqttConfig>& out) {
  if (!in.present()) return;
  MqttConfig m;
  const std::size_t issues_before = in.issues().items().size();
  read_connection(in, m);
  site_level(in, m.site_id);
  topic_prefix(in, "base_topic", m.base_topic);
  // Below 1 s the retained messages would be rewritten faster than anyone reads them.
  in.number("state_period_s", m.state_period_s, NumberRange::between(1.0, 3600.0));
  in.boolean("discovery", m.discovery);
  topic_prefix(in, "discovery_prefix", m.discovery_prefix);
  in.boolean("allow_control", m.allow_control);
  in.integer("command_validity_s", m.command_validity_s, 1, 600);
  in.finish();
  if (in.issues().items().size() == issues_before) out = m;
}

void read_uplink(ObjectReader& in, std::optional<UplinkConfig>& out) {
  if (!in.present()) return;
  UplinkConfig u;
  const std::size_t issues_before = in.issues().items().size();
  read_connection(in, u);
  site_level(in, u.site_id);
  topic_prefix(in, "topic_prefix", u.topic_prefix);
  in.integer("telemetry_every_s", u.telemetry_every_s, 0, 3600);
  in.integer("send_every_s", u.send_every_s, 1, 3600);
  // Above 1000 rows a message passes 64 KiB, what brokers are commonly set to take.
  in.integer("batch_rows", u.batch_rows, 1, 1000);
  in.number("max_messages_per_s", u.max_messages_per_s, NumberRange::between(0.1, 100.0));
  in.integer("start_jitter_s", u.start_jitter_s, 0, 3600);
  in.finish();
  if (in.issues().items().size() == issues_before) out = u;
}

}  // namespace bessd::config
