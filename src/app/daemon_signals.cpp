#include <bessd/app/daemon_signals.hpp>

#include <pthread.h>

#include <system_error>

namespace bessd::app {
namespace {

sigset_t daemon_signal_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  return set;
}

void change_mask(int how, const sigset_t* set, sigset_t* previous) {
  // pthread_sigmask fails only for an invalid `how`: a bug, never a run-time condition.
  if (const int rc = ::pthread_sigmask(how, set, previous); rc != 0)
    throw std::system_error(rc, std::generic_category(), "pthread_sigmask");
}

}  // namespace

void block_daemon_signals() {
  const sigset_t set = daemon_signal_set();
  change_mask(SIG_BLOCK, &set, nullptr);
}

void unblock_daemon_signals() {
  const sigset_t set = daemon_signal_set();
  change_mask(SIG_UNBLOCK, &set, nullptr);
}

DaemonSignalsBlocked::DaemonSignalsBlocked() {
  const sigset_t set = daemon_signal_set();
  change_mask(SIG_BLOCK, &set, &previous_);
}

DaemonSignalsBlocked::~DaemonSignalsBlocked() {
  ::pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

}  // namespace bessd::app
