#include <bessd/mqtt/mqtt_topics.hpp>

#include <utility>

namespace bessd::mqtt {

std::string topic_level(std::string_view text) {
  std::string out;
  bool gap = false;
  for (const char c : text) {
    const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    const bool keep = (lower >= 'a' && lower <= 'z') || (lower >= '0' && lower <= '9') ||
                      lower == '_' || lower == '-';
    if (!keep) {
      gap = !out.empty();
      continue;
    }
    if (gap) out += '_';
    gap = false;
    out += lower;
  }
  return out.empty() ? "site" : out;
}

MqttTopics::MqttTopics(std::string base, std::string site_id, std::string discovery_prefix)
    : site_id_(std::move(site_id)),
      discovery_prefix_(std::move(discovery_prefix)),
      root_(std::move(base) + "/" + site_id_ + "/") {}

std::string MqttTopics::command(std::string_view name) const {
  return root_ + "cmd/" + std::string(name);
}

std::string MqttTopics::discovery(std::string_view component, std::string_view object) const {
  return discovery_prefix_ + "/" + std::string(component) + "/" + node_id() + "/" +
         std::string(object) + "/config";
}

}  // namespace bessd::mqtt
