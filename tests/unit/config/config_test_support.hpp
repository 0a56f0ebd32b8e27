#pragma once
#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <bessd/config/config_loader.hpp>

namespace bessd::config::testing {

/// The smallest valid configuration: the two required sections with their required keys.
inline std::string minimal_json(const std::string& extra = "") {
  return R"({"site": {"jurisdiction": "GB", "location": "outdoor_wall"},
            "battery": {"chemistry": "LFP", "nominal_energy_kwh": 5.0})" +
         (extra.empty() ? std::string{} : ", " + extra) + "}";
}

/// Parses and returns the issues; empty when the text is valid.
inline std::vector<ConfigIssue> issues_of(const std::string& text) {
  try {
    (void)parse_config(text, "test.json");
  } catch (const ConfigError& e) {
    return e.issues();
  }
  return {};
}

inline bool has_issue(const std::vector<ConfigIssue>& issues, const std::string& pointer,
                      const std::string& fragment) {
  return std::any_of(issues.begin(), issues.end(), [&](const ConfigIssue& i) {
    return i.pointer == pointer && i.message.find(fragment) != std::string::npos;
  });
}

inline std::string dump(const std::vector<ConfigIssue>& issues) {
  std::string out;
  for (const auto& i : issues) out += i.to_string() + "\n";
  return out;
}

}  // namespace bessd::config::testing
