#pragma once
// How the daemon takes its signals (docs/architecture.md "Signals").

#include <csignal>
#include <functional>
#include <initializer_list>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

namespace bessd::app {

/// SIGTERM and SIGINT stop the daemon, SIGHUP reloads it. They are never handled
/// asynchronously: blocked in every thread, they stay pending until the control thread reads
/// them from a signalfd (SignalReader) as one more event of its loop. No handler interrupts a
/// worker's system call, and nothing (a sanitizer's runtime included) can hold a signal back
/// until some wait ends.
///
/// First thing in `main`, before anything makes a thread: every thread made afterwards inherits
/// the block, and a signal sent from then on while the daemon starts waits for its loop instead
/// of killing the process (one sent while the program is still being loaded, before `main`,
/// still ends it the default way). Calling it again changes nothing. Throws std::system_error if
/// the mask cannot be changed.
void block_daemon_signals();

/// For the one-shot commands (`--check-config`, `check-site`), which a Ctrl-C must still end
/// the usual way.
void unblock_daemon_signals();

/// A write to a pipe or socket whose reader has gone fails with EPIPE instead of killing the
/// process: bessd run by hand with its output piped into a program that a Ctrl-C ends first
/// must still log its stop and drive the inverter to the safe state. (systemd's unit default
/// IgnoreSIGPIPE=yes does the same for the service.)
void ignore_broken_pipes();

/// Signals of a set, read on an event loop from a signalfd. The signals must be blocked in
/// every thread of the process (block_daemon_signals() for the daemon's), else the kernel
/// delivers them the usual way instead. A signal that arrives while nobody waits stays pending
/// (several of one kind as one) until the next wait() takes it.
class SignalReader {
 public:
  /// Throws std::system_error if the signalfd cannot be made.
  SignalReader(boost::asio::io_context& io, std::initializer_list<int> signals);
  ~SignalReader();
  SignalReader(const SignalReader&) = delete;
  SignalReader& operator=(const SignalReader&) = delete;

  /// Calls `on_signal(signo)` on the loop once, for the next signal of the set; wait again for
  /// the one after.
  void wait(std::function<void(int signo)> on_signal);
  /// Drops the wait under way (its callback is never called); the signals stay pending.
  void cancel();

 private:
  void read_one();

  boost::asio::posix::stream_descriptor fd_;
  std::function<void(int)> on_signal_;
};

}  // namespace bessd::app
