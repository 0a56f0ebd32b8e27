#include <bessd/compliance/finding.hpp>
#include <bessd/compliance/report.hpp>

#include <algorithm>

namespace bessd::compliance {

const std::string* Finding::input(std::string_view name) const noexcept {
  for (const auto& in : inputs)
    if (in.name == name) return &in.value;
  return nullptr;
}

const Finding* ComplianceReport::find(std::string_view rule_id) const noexcept {
  for (const auto& f : findings)
    if (f.rule_id == rule_id) return &f;
  return nullptr;
}

std::size_t ComplianceReport::count(Verdict v) const noexcept {
  return static_cast<std::size_t>(std::count_if(findings.begin(), findings.end(),
                                                [v](const Finding& f) { return f.verdict == v; }));
}

std::vector<const Finding*> ComplianceReport::notable() const {
  std::vector<const Finding*> out;
  for (const auto& f : findings)
    if (f.verdict != Verdict::pass && f.verdict != Verdict::not_applicable) out.push_back(&f);
  return out;
}

std::vector<const Finding*> ComplianceReport::changed_since(
    const ComplianceReport& previous) const {
  std::vector<const Finding*> out;
  for (const auto& f : findings) {
    const auto* before = previous.find(f.rule_id);
    if (before == nullptr || before->verdict != f.verdict) out.push_back(&f);
  }
  return out;
}

}  // namespace bessd::compliance
