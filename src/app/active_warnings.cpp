#include <bessd/app/active_warnings.hpp>

#include <algorithm>

namespace bessd::app {

void ActiveWarnings::apply(const core::Event& e, WallTime now) {
  if (e.edge == core::EventEdge::once) return;
  std::lock_guard lock(mutex_);
  if (e.edge == core::EventEdge::cleared) {
    by_code_.erase(e.code);
    return;
  }
  // Information is not a problem; a condition raised again at that level has passed.
  if (e.severity == core::Severity::info || e.severity == core::Severity::debug) {
    by_code_.erase(e.code);
    return;
  }
  auto [it, fresh] = by_code_.try_emplace(e.code);
  auto& w = it->second;
  w.code = e.code;
  w.severity = e.severity;
  w.message = e.message;  // the latest wording (a figure may have changed)
  if (fresh) w.since = now;
}

std::vector<api::ActiveFault> ActiveWarnings::list() const {
  std::vector<api::ActiveFault> out;
  {
    std::lock_guard lock(mutex_);
    out.reserve(by_code_.size());
    for (const auto& [code, w] : by_code_) out.push_back(w);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.since < b.since; });
  return out;
}

}  // namespace bessd::app
