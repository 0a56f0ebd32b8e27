#pragma once
// Configuration problems. The loader collects every problem of a file in one run and throws a
// ConfigError listing them all; `bessd --check-config` prints them and exits 78 (EX_CONFIG).

#include <stdexcept>
#include <string>
#include <vector>

namespace bessd::config {

/// One problem, located by JSON pointer (RFC 6901), e.g.
/// {"/site/clearances_m/door", "must be a number ≥ 0, got \"one\""}.
struct ConfigIssue {
  std::string pointer;
  std::string message;
  std::string to_string() const {
    return (pointer.empty() ? std::string{"/"} : pointer) + ": " + message;
  }
  friend bool operator==(const ConfigIssue&, const ConfigIssue&) = default;
};

class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string source, std::vector<ConfigIssue> issues);
  const std::string& source() const noexcept { return source_; }
  const std::vector<ConfigIssue>& issues() const noexcept { return issues_; }

 private:
  std::string source_;
  std::vector<ConfigIssue> issues_;
};

/// Exit status for an invalid configuration (sysexits.h EX_CONFIG).
inline constexpr int kExitConfig = 78;

}  // namespace bessd::config
