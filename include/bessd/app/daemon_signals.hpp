#pragma once
// Which thread the daemon's signals reach (docs/architecture.md "Threads", "Signals").

#include <csignal>

namespace bessd::app {

/// SIGTERM and SIGINT stop the daemon, SIGHUP reloads it; the control thread acts on them
/// (boost::asio::signal_set). Left to the kernel, such a signal goes to whichever thread does
/// not block it: a worker sitting in a long system call then sees its call fail with EINTR (and
/// a sanitizer's runtime may hold the signal until that call returns). Blocked in every thread
/// but the control thread, they reach that thread only.
///
/// In `main`, before the daemon makes any thread: every thread made afterwards inherits the
/// block. Throws std::system_error if the mask cannot be changed.
void block_daemon_signals();

/// On the control thread, just before it runs the event loop.
void unblock_daemon_signals();

/// Blocks the daemon's signals in this thread for its lifetime and restores the mask it found:
/// around the making of a thread on the control thread, after the event loop runs.
class DaemonSignalsBlocked {
 public:
  DaemonSignalsBlocked();
  ~DaemonSignalsBlocked();
  DaemonSignalsBlocked(const DaemonSignalsBlocked&) = delete;
  DaemonSignalsBlocked& operator=(const DaemonSignalsBlocked&) = delete;

 private:
  sigset_t previous_{};
};

}  // namespace bessd::app
