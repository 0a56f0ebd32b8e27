// The daemon's stop and reload signals reach the control thread only (docs/architecture.md
// "Signals"): threads made after the block inherit it, and one made under DaemonSignalsBlocked
// on a thread that takes the signals still does not.

#include <pthread.h>

#include <csignal>
#include <thread>

#include <gtest/gtest.h>

#include <bessd/app/daemon_signals.hpp>

namespace bessd::app {
namespace {

bool blocks_all_daemon_signals() {
  sigset_t now;
  pthread_sigmask(SIG_BLOCK, nullptr, &now);
  return sigismember(&now, SIGTERM) == 1 && sigismember(&now, SIGINT) == 1 &&
         sigismember(&now, SIGHUP) == 1;
}

bool blocks_any_daemon_signal() {
  sigset_t now;
  pthread_sigmask(SIG_BLOCK, nullptr, &now);
  return sigismember(&now, SIGTERM) == 1 || sigismember(&now, SIGINT) == 1 ||
         sigismember(&now, SIGHUP) == 1;
}

bool blocked_in_a_new_thread() {
  bool blocked = false;
  std::thread([&] { blocked = blocks_all_daemon_signals(); }).join();
  return blocked;
}

// Each test runs on a thread of its own, so the test program's own mask is never changed.
template <class F>
void on_a_fresh_thread(F f) {
  std::thread(f).join();
}

TEST(DaemonSignals, ThreadsMadeAfterTheBlockInheritItAndTheUnblockedThreadTakesThem) {
  on_a_fresh_thread([] {
    block_daemon_signals();
    EXPECT_TRUE(blocks_all_daemon_signals());
    EXPECT_TRUE(blocked_in_a_new_thread());
    unblock_daemon_signals();
    EXPECT_FALSE(blocks_any_daemon_signal());
  });
}

TEST(DaemonSignalsBlocked, AThreadMadeInItsScopeBlocksThemAndTheMaskIsRestored) {
  on_a_fresh_thread([] {
    unblock_daemon_signals();
    EXPECT_FALSE(blocked_in_a_new_thread());
    {
      const DaemonSignalsBlocked blocked;
      EXPECT_TRUE(blocked_in_a_new_thread());
    }
    EXPECT_FALSE(blocks_any_daemon_signal());
  });
}

TEST(DaemonSignalsBlocked, RestoresABlockThatWasAlreadyThere) {
  on_a_fresh_thread([] {
    block_daemon_signals();
    { const DaemonSignalsBlocked blocked; }
    EXPECT_TRUE(blocks_all_daemon_signals());
  });
}

}  // namespace
}  // namespace bessd::app
