#include <bessd/app/audit_commit.hpp>

#include <bessd/app/logging.hpp>

namespace bessd::app {

std::optional<std::string> wait_for_audit_commits(const std::vector<AuditCommit>& commits,
                                                  std::chrono::milliseconds bound) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  for (const auto& commit : commits) {
    if (!commit.valid()) continue;
    if (commit.wait_until(deadline) != std::future_status::ready)
      return "its audit record is not stored yet after " + std::to_string(bound.count()) +
             " ms (the database is slow or failing; see /v1/status, storage); it is kept in "
             "memory and written when the database allows";
    try {
      commit.get();
    } catch (const std::future_error&) {
      return "its audit record was not stored: the store stopped first";
    }
  }
  return std::nullopt;
}

void report_unstored_audit(const std::string& why) {
  logger("api")->warn("a write was answered, but {}", why);
}

}  // namespace bessd::app
