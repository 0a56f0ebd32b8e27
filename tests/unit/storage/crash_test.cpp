// Crash safety: a child process writes telemetry and events at full speed and is SIGKILLed at a
// random moment, 100 times over the same file. After every kill the database passes
// PRAGMA integrity_check and holds every event the child reported as committed (through a pipe,
// from the commit callback, i.e. after COMMIT returned).

#include <gtest/gtest.h>

#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <random>
#include <set>

#include "test_support.hpp"

namespace bessd::storage {
namespace {

using namespace std::chrono_literals;

[[noreturn]] void child_writer(const std::string& path, int round, int out_fd) {
  auto opt = test::options_for(path);
  opt.check_on_open = true;
  // Each round is a simulated day later, so retention prunes the previous round's raw rows while
  // this one writes: the file stays small and pruning is crash-tested too.
  opt.config.retention.raw_days = 1;
  opt.max_batch = 128;  // many small transactions: more commit boundaries to be killed around
  {
    SqliteStore store(opt);
    const WallTime base = test::t0() + std::chrono::hours{24 * round};
    for (std::int64_t i = 0;; ++i) {
      store.append_telemetry(test::sample_at(base + std::chrono::milliseconds{i * 10}, i % 3000));
      if (i % 8 == 0) {
        core::Event e = test::event("crash.seq");
        const std::int64_t seq = round * 10'000'000LL + i;
        e.message = std::to_string(seq);
        store.append_event(e, base, [out_fd, seq](std::int64_t) {
          // 8 bytes: atomic on a pipe. Blocks when the parent is not reading: fine, it kills us.
          (void)!::write(out_fd, &seq, sizeof seq);
        });
      }
      // Keep the queue from overflowing without ever waiting on disk in the loop itself.
      if (i % 64 == 0) {
        while (store.metrics().queue_depth > 256) std::this_thread::yield();
      }
    }
  }
  ::_exit(0);
}

TEST(CrashSafety, SigkillAtRandomMomentsLosesNoCommittedEvent) {
  // SIGKILL ends the process, not the machine: what the kernel has accepted (page cache)
  // survives, so fsync plays no part in this test and a tmpfs keeps 100 rounds fast. (Power-cut
  // durability rests on synchronous=FULL for events; see sqlite_store.hpp.)
  const bool shm = std::filesystem::is_directory("/dev/shm");
  test::TempDir dir(shm ? std::filesystem::path("/dev/shm")
                        : std::filesystem::temp_directory_path());
  const std::string path = dir.file("crash.db");
  std::mt19937 rng(12345);
  std::uniform_int_distribution<int> delay_us(0, 20'000);
  std::set<std::int64_t> committed;
  int kills_while_writing = 0;
  for (int round = 0; round < 100; ++round) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      child_writer(path, round, fds[1]);
    }
    ::close(fds[1]);
    std::size_t before = committed.size();
    auto drain = [&](int timeout_ms) {
      pollfd p{fds[0], POLLIN, 0};
      if (::poll(&p, 1, timeout_ms) <= 0) return;
      std::int64_t buf[512];
      const ssize_t n = ::read(fds[0], buf, sizeof buf);
      // The child writes whole 8-byte records atomically, so a read never splits one.
      for (ssize_t i = 0; i < n / static_cast<ssize_t>(sizeof(std::int64_t)); ++i)
        committed.insert(buf[i]);
    };
    // A random moment: one round in ten anywhere from start-up (open, migration, recovery of
    // the previous round's WAL); the others once events are being committed, up to 20 ms later.
    const bool early = round % 10 == 0;
    if (!early) {
      const auto deadline = std::chrono::steady_clock::now() + 10s;
      while (committed.size() == before && std::chrono::steady_clock::now() < deadline) drain(10);
      ASSERT_GT(committed.size(), before) << "round " << round << ": the child never committed";
    }
    const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds{delay_us(rng)};
    while (std::chrono::steady_clock::now() < until) drain(0);
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status));
    std::int64_t seq = 0;
    while (::read(fds[0], &seq, sizeof seq) == static_cast<ssize_t>(sizeof seq))
      committed.insert(seq);
    ::close(fds[0]);
    if (committed.size() > before) ++kills_while_writing;

    sqlite3* db = nullptr;
    ASSERT_EQ(
        sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr),
        SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "ok")
        << "round " << round;
    sqlite3_finalize(st);
    std::set<std::int64_t> present;
    if (sqlite3_prepare_v2(db, "SELECT message FROM events WHERE code = 'crash.seq'", -1, &st,
                           nullptr) == SQLITE_OK) {
      while (sqlite3_step(st) == SQLITE_ROW)
        present.insert(std::stoll(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))));
      sqlite3_finalize(st);
    }
    sqlite3_close(db);
    std::size_t missing = 0;
    for (auto s : committed) missing += present.count(s) == 0 ? 1 : 0;
    ASSERT_EQ(missing, 0U) << "round " << round << ": committed events missing after SIGKILL";
  }
  // The test means something only if most kills landed while events were being committed.
  EXPECT_GE(kills_while_writing, 85);
  EXPECT_GT(committed.size(), 1000U);
}

}  // namespace
}  // namespace bessd::storage
