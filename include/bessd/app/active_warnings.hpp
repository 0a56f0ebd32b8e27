#pragma once
// Conditions that are active now (GET /v1/status "warnings"): each condition of warning level or
// above raised and not yet cleared, from the event stream every component reports into. The
// controller's faults have their own list (the facade leaves them out here); one-off notices
// (EventEdge::once) are not states.

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <bessd/api/status_dto.hpp>
#include <bessd/core/event.hpp>

namespace bessd::app {

class ActiveWarnings {
 public:
  /// Takes one event: a warning raised is active from `now` until the same code is cleared.
  void apply(const core::Event& e, WallTime now);
  /// The active warnings, oldest first.
  std::vector<api::ActiveFault> list() const;

 private:
  mutable std::mutex mutex_;  // events come from the control and the storage threads
  std::map<std::string, api::ActiveFault> by_code_;
};

}  // namespace bessd::app
