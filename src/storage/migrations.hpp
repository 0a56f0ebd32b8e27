#pragma once
// Numbered schema migrations, tracked in PRAGMA user_version. Each step runs in its own
// transaction together with its user_version bump, so a crash leaves the database at a whole
// version. A database from any earlier version (0 = empty) is brought up to date step by step;
// a database from a newer bessd is refused (never downgraded silently).

#include <bessd/common/result.hpp>

#include "sqlite/database.hpp"

namespace bessd::storage {

inline constexpr int kSchemaVersion = 7;

/// Migrates up to `target` (tests use smaller targets to build old databases).
Status migrate(sql::Connection& conn, int target = kSchemaVersion);

}  // namespace bessd::storage
