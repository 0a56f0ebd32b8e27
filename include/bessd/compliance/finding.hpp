#pragma once
// One rule's outcome for one site: what was read, what was decided, and why in plain English.

#include <string>
#include <utility>
#include <vector>

#include <bessd/compliance/confidence.hpp>
#include <bessd/compliance/verdict.hpp>

namespace bessd::compliance {

/// A value the rule read: name is the config path ("site.clearances_m.door") or a derived
/// quantity ("total_energy_kwh", "today"); value is rendered as text ("0.99", "not recorded").
struct Input {
  std::string name;
  std::string value;
  friend bool operator==(const Input&, const Input&) = default;
};

struct Finding {
  std::string rule_id;    // "PAS-LOC-01"
  std::string title;      // short name: "Location permitted"
  std::string reference;  // standard and clause: "PAS 63100:2024, 6.5.5"
  Confidence confidence{Confidence::confirmed};
  Verdict verdict{Verdict::not_applicable};
  std::vector<Input> inputs;  // in the order the rule read them
  /// For the home owner and the installer alike: what is wrong (or right), why, how to fix it.
  std::string message;
  /// True when the threshold rests on [S]/[U]/[I]: reports print kVerifyNote next to it.
  bool verify_published_text{false};

  /// The value read under `name`, or nullptr.
  const std::string* input(std::string_view name) const noexcept;
};

}  // namespace bessd::compliance
