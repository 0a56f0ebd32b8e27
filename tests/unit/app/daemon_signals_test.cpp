// The daemon's signals are blocked in every thread and read from a signalfd on the control
// thread's loop (docs/architecture.md "Signals"). SignalReader is tried here on SIGUSR1 and
// SIGUSR2 sent to the test's own thread, so the test program's other threads are never asked.

#include <pthread.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <bessd/app/daemon_signals.hpp>

namespace bessd::app {
namespace {

using namespace std::chrono_literals;

bool blocks_all_daemon_signals() {
  sigset_t now;
  pthread_sigmask(SIG_BLOCK, nullptr, &now);
  return sigismember(&now, SIGTERM) == 1 && sigismember(&now, SIGINT) == 1 &&
         sigismember(&now, SIGHUP) == 1;
}

bool blocked_in_a_new_thread() {
  bool blocked = false;
  std::thread([&] { blocked = blocks_all_daemon_signals(); }).join();
  return blocked;
}

// Each test runs on a thread of its own: the test program's mask is never changed, and a
// signal left pending on the thread goes with it.
template <class F>
void on_a_fresh_thread(F f) {
  std::thread(f).join();
}

void block_user_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigaddset(&set, SIGUSR2);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void send_to_this_thread(int signo) {
  pthread_kill(pthread_self(), signo);
}

bool pending_here(int signo) {
  sigset_t set;
  sigpending(&set);
  return sigismember(&set, signo) == 1;
}

// The signals a reader called back with, in order.
struct Taken {
  std::vector<int> signals;
  void wait_on(SignalReader& reader) {
    reader.wait([this](int signo) { signals.push_back(signo); });
  }
};

TEST(DaemonSignals, ThreadsMadeAfterTheBlockInheritIt) {
  on_a_fresh_thread([] {
    block_daemon_signals();
    EXPECT_TRUE(blocks_all_daemon_signals());
    EXPECT_TRUE(blocked_in_a_new_thread());
    block_daemon_signals();  // again: nothing changes
    EXPECT_TRUE(blocks_all_daemon_signals());
  });
}

TEST(DaemonSignals, TheOneShotCommandsUnblockThem) {
  on_a_fresh_thread([] {
    block_daemon_signals();
    unblock_daemon_signals();
    sigset_t now;
    pthread_sigmask(SIG_BLOCK, nullptr, &now);
    EXPECT_EQ(sigismember(&now, SIGTERM), 0);
    EXPECT_EQ(sigismember(&now, SIGINT), 0);
    EXPECT_EQ(sigismember(&now, SIGHUP), 0);
  });
}

// Process-wide, and what a daemon wants anyway: the test program keeps it.
TEST(DaemonSignals, AWriteToAPipeWithoutReaderFailsInsteadOfEndingTheProcess) {
  ignore_broken_pipes();
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ::close(fds[0]);
  const char byte = 'x';
  errno = 0;
  EXPECT_EQ(::write(fds[1], &byte, 1), -1);
  EXPECT_EQ(errno, EPIPE);
  ::close(fds[1]);
}

TEST(SignalReader, ASignalOfItsSetIsReadOnTheLoopOnce) {
  on_a_fresh_thread([] {
    block_user_signals();
    boost::asio::io_context io;
    SignalReader reader(io, {SIGUSR1});
    Taken taken;
    taken.wait_on(reader);
    io.run_for(50ms);
    EXPECT_TRUE(taken.signals.empty());
    send_to_this_thread(SIGUSR1);
    io.restart();
    io.run_for(1s);  // returns early once the wait is done and nothing else is queued
    ASSERT_EQ(taken.signals, std::vector<int>{SIGUSR1});
    EXPECT_FALSE(pending_here(SIGUSR1));
  });
}

TEST(SignalReader, ASignalWhileNobodyWaitsStaysPendingForTheNextWait) {
  on_a_fresh_thread([] {
    block_user_signals();
    boost::asio::io_context io;
    SignalReader reader(io, {SIGUSR1});
    send_to_this_thread(SIGUSR1);
    send_to_this_thread(SIGUSR1);  // the kernel keeps one of a kind
    EXPECT_TRUE(pending_here(SIGUSR1));
    Taken taken;
    taken.wait_on(reader);
    io.run_for(1s);
    EXPECT_EQ(taken.signals, std::vector<int>{SIGUSR1});
    // Read once per wait: the next signal waits for the next wait.
    send_to_this_thread(SIGUSR1);
    io.restart();
    io.run_for(50ms);
    EXPECT_EQ(taken.signals.size(), 1U);
    taken.wait_on(reader);
    io.restart();
    io.run_for(1s);
    EXPECT_EQ(taken.signals, (std::vector<int>{SIGUSR1, SIGUSR1}));
  });
}

TEST(SignalReader, ACancelledWaitIsNeverCalledAndTheSignalStaysPending) {
  on_a_fresh_thread([] {
    block_user_signals();
    boost::asio::io_context io;
    SignalReader reader(io, {SIGUSR1});
    Taken taken;
    taken.wait_on(reader);
    reader.cancel();
    send_to_this_thread(SIGUSR1);
    io.run_for(100ms);
    EXPECT_TRUE(taken.signals.empty());
    EXPECT_TRUE(pending_here(SIGUSR1));
    taken.wait_on(reader);
    io.restart();
    io.run_for(1s);
    EXPECT_EQ(taken.signals, std::vector<int>{SIGUSR1});
  });
}

TEST(SignalReader, TwoReadersEachTakeOnlyTheirOwnSignals) {
  on_a_fresh_thread([] {
    block_user_signals();
    boost::asio::io_context io;
    SignalReader first(io, {SIGUSR1});
    SignalReader second(io, {SIGUSR2});
    Taken by_first;
    by_first.wait_on(first);
    send_to_this_thread(SIGUSR2);
    io.run_for(100ms);
    EXPECT_TRUE(by_first.signals.empty());
    EXPECT_TRUE(pending_here(SIGUSR2));
    Taken by_second;
    by_second.wait_on(second);
    send_to_this_thread(SIGUSR1);
    io.restart();
    for (int i = 0; i < 20 && (by_first.signals.empty() || by_second.signals.empty()); ++i)
      io.run_for(50ms);
    EXPECT_EQ(by_first.signals, std::vector<int>{SIGUSR1});
    EXPECT_EQ(by_second.signals, std::vector<int>{SIGUSR2});
  });
}

}  // namespace
}  // namespace bessd::app
