// Disk full, read-only file system and corrupt files: the store never throws into the caller,
// raises an event, keeps what must not be lost, and recovers when the condition goes away.

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sched.h>
#include <sqlite3.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <iostream>
#include <random>

#include "test_support.hpp"

namespace bessd::storage {
namespace {

using namespace std::chrono_literals;
using test::event;
using test::options_for;
using test::t0;

bool has_event(Store& store, const std::string& code) {
  auto ev = store.events({WallTime{}, core::Severity::debug, 100'000});
  if (!ev) return false;
  for (const auto& e : *ev)
    if (e.event.code == code) return true;
  return false;
}

TEST(StorageFailures, DiskFullIsReportedRetriedAndRecovers) {
  test::TempDir dir;
  auto opt = options_for(dir.file("full.db"));
  test::EventLog log;
  opt.on_event = log.sink();
  SqliteStore store(opt);
  store.append_event(event("before"), t0());
  ASSERT_TRUE(test::flushed(store));

  store.set_page_limit_for_testing(1);  // clamps to the current page count: no page may be added
  core::Event big = event("big");
  big.message.assign(256 * 1024, 'x');  // needs many new pages
  store.append_event(big, t0() + 1s);
  auto pending = store.flush();
  ASSERT_TRUE(
      test::eventually([&] { return log.has("storage.disk_full", core::EventEdge::raised); }));
  ASSERT_TRUE(test::eventually([&] { return store.metrics().write_failures >= 2; }))
      << "the store keeps retrying";
  EXPECT_FALSE(store.metrics().available);
  EXPECT_FALSE(has_event(store, "big"));  // not yet written, but not lost either

  store.set_page_limit_for_testing(0);  // space again
  ASSERT_EQ(pending.wait_for(20s), std::future_status::ready);
  EXPECT_TRUE(pending.get());
  EXPECT_TRUE(has_event(store, "big"));
  EXPECT_TRUE(log.has("storage.disk_full", core::EventEdge::cleared));
  ASSERT_TRUE(test::flushed(store));
  EXPECT_TRUE(has_event(store, "storage.disk_full"));  // the episode is in the log too
  EXPECT_TRUE(store.metrics().available);
}

/// The read-only scenario; returns an empty string on success, else what went wrong.
/// `make_read_only` / `make_writable` switch the folder holding the database.
std::string read_only_scenario(const std::string& dir, const std::function<bool()>& make_read_only,
                               const std::function<bool()>& make_writable) {
  const std::string path = dir + "/ro.db";
  {
    SqliteStore store(options_for(path));
    store.append_event(event("first"), t0());
    if (!test::flushed(store)) return "initial write failed";
  }
  if (!make_read_only()) return "could not make the folder read-only";
  auto opt = options_for(path);
  test::EventLog log;
  opt.on_event = log.sink();
  SqliteStore store(opt);
  store.append_event(event("while_read_only"), t0() + 1s);
  auto pending = store.flush();
  if (!test::eventually([&] { return log.has("storage.unavailable", core::EventEdge::raised); }))
    return "no storage.unavailable event while read-only";
  if (!test::eventually([&] { return store.metrics().write_failures >= 2; }))
    return "no retries while read-only";
  if (pending.wait_for(0s) == std::future_status::ready) return "flush resolved while read-only";
  if (!make_writable()) return "could not make the folder writable again";
  if (pending.wait_for(20s) != std::future_status::ready || !pending.get())
    return "no recovery after the folder became writable";
  if (!has_event(store, "while_read_only")) return "event written while read-only was lost";
  if (!has_event(store, "first")) return "older data lost";
  if (!log.has("storage.unavailable", core::EventEdge::cleared)) return "no cleared event";
  return {};
}

// Root ignores file permissions, so chmod cannot make a folder read-only for root. As root the
// test uses a real read-only bind mount in a private mount namespace (in a child process, so the
// mount never leaks); as another user it uses chmod. Both are what production meets: a file
// system that refuses writes.
TEST(StorageFailures, ReadOnlyFileSystemIsReportedAndRecovers) {
  test::TempDir dir;
  const std::string d = dir.path().string();
  if (::geteuid() != 0) {
    auto err = read_only_scenario(
        d,
        [&] {
          std::error_code ec;
          for (const auto& e : std::filesystem::directory_iterator(d))
            std::filesystem::permissions(e.path(), std::filesystem::perms::owner_read, ec);
          std::filesystem::permissions(
              d, std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec, ec);
          return !ec;
        },
        [&] {
          std::error_code ec;
          std::filesystem::permissions(d, std::filesystem::perms::owner_all, ec);
          for (const auto& e : std::filesystem::directory_iterator(d))
            std::filesystem::permissions(
                e.path(), std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                ec);
          return !ec;
        });
    EXPECT_EQ(err, "");
    return;
  }
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(fds[0]);
    std::string err;
    if (::unshare(CLONE_NEWNS) != 0 ||
        ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
        ::mount(d.c_str(), d.c_str(), nullptr, MS_BIND, nullptr) != 0) {
      err = "SKIP: no private mount namespace here: " + std::string(std::strerror(errno));
    } else {
      err = read_only_scenario(
          d,
          [&] {
            return ::mount(nullptr, d.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY,
                           nullptr) == 0;
          },
          [&] { return ::mount(nullptr, d.c_str(), nullptr, MS_REMOUNT | MS_BIND, nullptr) == 0; });
      ::umount2(d.c_str(), MNT_DETACH);
    }
    (void)!::write(fds[1], err.data(), err.size());
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string result;
  char buf[512];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;)
    result.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
  if (result.rfind("SKIP:", 0) == 0) GTEST_SKIP() << result;
  EXPECT_EQ(result, "");
}

void expect_replaced_and_working(const test::TempDir& dir, const std::string& path) {
  auto opt = options_for(path);
  test::EventLog log;
  opt.on_event = log.sink();
  SqliteStore store(opt);
  store.append_event(event("after"), t0());
  ASSERT_TRUE(test::flushed(store));
  EXPECT_TRUE(log.has("storage.corrupt_replaced", core::EventEdge::once));
  EXPECT_TRUE(has_event(store, "storage.corrupt_replaced"));
  EXPECT_TRUE(has_event(store, "after"));
  EXPECT_EQ(store.metrics().corrupt_files_replaced, 1U);
  int aside = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path()))
    if (e.path().filename().string().rfind("c.db.corrupt-", 0) == 0 &&
        e.path().string().find("-wal") == std::string::npos)
      ++aside;
  EXPECT_EQ(aside, 1);
}

TEST(StorageFailures, FileThatIsNotADatabaseIsMovedAside) {
  test::TempDir dir;
  const auto path = dir.file("c.db");
  {
    std::ofstream out(path, std::ios::binary);
    std::mt19937 rng(7);
    for (int i = 0; i < 16384; ++i) out.put(static_cast<char>(rng()));
  }
  expect_replaced_and_working(dir, path);
}

TEST(StorageFailures, DatabaseWithDamagedPagesIsMovedAside) {
  test::TempDir dir;
  const auto path = dir.file("c.db");
  {
    SqliteStore store(options_for(path));
    for (int i = 0; i < 5000; ++i)
      store.append_telemetry(test::sample_at(t0() + std::chrono::seconds{i}, i));
    ASSERT_TRUE(test::flushed(store));
  }  // the destructor checkpoints: everything is in the main file
  {
    // Keep the header (page 1) intact, scribble over b-tree pages further in.
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    std::mt19937 rng(11);
    for (int page = 2; page < 40; ++page) {
      f.seekp(page * 4096L + 3);
      for (int i = 0; i < 200; ++i) f.put(static_cast<char>(rng()));
    }
  }
  expect_replaced_and_working(dir, path);
}

}  // namespace
}  // namespace bessd::storage
