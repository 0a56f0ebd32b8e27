#pragma once
// The commit of one audit record, as a write's answer waits for it (docs/api.md "GET
// /v1/audit"): an accepted write is answered only once its audit record is durably stored, so
// that a crash right after the answer never loses the record of a change that took effect.
//
// Threading: the facade creates a commit on the control thread and the store fulfils it on the
// storage thread; only the API thread waits on it (wait_for_audit_commits), never the control
// thread.

#include <chrono>
#include <future>
#include <optional>
#include <string>
#include <vector>

namespace bessd::app {

/// Ready once the record is committed; ready with an exception when the store stopped without
/// storing it.
using AuditCommit = std::shared_future<void>;

/// Waits until every commit is ready, at most `bound` in all. Returns why a record is not
/// stored (yet), or nullopt when every one is.
std::optional<std::string> wait_for_audit_commits(const std::vector<AuditCommit>& commits,
                                                  std::chrono::milliseconds bound);

/// Says in the journal that a write was answered without its audit record stored (`why`).
void report_unstored_audit(const std::string& why);

}  // namespace bessd::app
