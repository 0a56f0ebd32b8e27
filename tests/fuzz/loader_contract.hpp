#pragma once
// The error contract of bessd's JSON loaders (site configuration, inverter profiles), checked by
// fuzz_config and fuzz_profile: a parse gives a value or throws a ConfigError listing every
// problem, each with a message and a valid JSON pointer; nothing else escapes, and parsing the
// same text again gives the same problems (no hidden state). A breach aborts with the reason on
// stderr, so that the artifact comes with an explanation.

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <bessd/config/config_error.hpp>

namespace bessd::fuzz {

[[noreturn]] inline void fail(const char* target, const char* why, const std::string& detail = {}) {
  std::fprintf(stderr, "%s: %s %s\n", target, why, detail.c_str());
  std::abort();
}

/// Runs `parse` (a callable returning the loaded value) twice under the contract above; the
/// value, or nullopt when the text was refused.
template <typename Parse>
auto parse_under_contract(const char* target, const Parse& parse)
    -> std::optional<decltype(parse())> {
  const auto attempt = [&](std::optional<decltype(parse())>& value) {
    std::vector<config::ConfigIssue> issues;
    try {
      value = parse();
    } catch (const config::ConfigError& e) {
      issues = e.issues();
      if (issues.empty()) fail(target, "ConfigError without a problem");
    } catch (const std::exception& e) {
      fail(target, "the loader threw something other than ConfigError:", e.what());
    }
    return issues;
  };
  std::optional<decltype(parse())> value;
  const auto issues = attempt(value);
  for (const auto& issue : issues) {
    if (issue.message.empty()) fail(target, "problem without a message at", issue.pointer);
    try {
      (void)nlohmann::json::json_pointer(issue.pointer);
    } catch (const nlohmann::json::exception&) {
      fail(target, "problem located by an invalid JSON pointer:", issue.pointer);
    }
  }
  std::optional<decltype(parse())> again;
  if (attempt(again) != issues) fail(target, "a second parse of the same text gave other problems");
  return value;
}

}  // namespace bessd::fuzz
