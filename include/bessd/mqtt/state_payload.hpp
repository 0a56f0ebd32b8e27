#pragma once
// The retained JSON messages bessd publishes for a site (docs/mqtt.md "Topics"), built from the
// document GET /v1/status answers, so MQTT and the API never tell two stories. Pure.

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace bessd::mqtt {

using Json = nlohmann::json;

/// Home Assistant keeps at most 255 characters of a sensor's state.
inline constexpr std::size_t kMaxStateCharacters = 255;

/// `text` cut to at most `max_characters` UTF-8 characters (never inside one), with "…" as the
/// last when it was cut.
std::string clipped(std::string_view text, std::size_t max_characters = kMaxStateCharacters);

/// `<base>/<site>/state`: what an owner watches. Flat, one value per key, null where the status
/// has none (a flow nobody measures); sentences clipped for Home Assistant.
Json state_payload(const Json& status);
/// `<base>/<site>/energy`: the counters (kWh, only growing) and today's, with money when prices
/// are configured.
Json energy_payload(const Json& status);
/// `<base>/<site>/faults`: every active fault and warning, with its sentence (not clipped).
Json faults_payload(const Json& status);

}  // namespace bessd::mqtt
