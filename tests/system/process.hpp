#pragma once
// Helpers for black-box tests: spawn a binary with captured output, a NOTIFY_SOCKET the test owns,
// and bounded waits (never fixed sleeps).

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace bessd::systest {

/// A unique temporary directory removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

/// A datagram socket standing in for systemd's notify socket.
class NotifySocket {
 public:
  explicit NotifySocket(const std::string& path);
  ~NotifySocket();
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;
  const std::string& path() const { return path_; }
  /// Waits until a datagram containing `line` (e.g. "READY=1") arrives; false on timeout.
  bool wait_for(const std::string& line, std::chrono::milliseconds timeout);
  const std::vector<std::string>& received() const { return received_; }

 private:
  std::string path_;
  int fd_{-1};
  std::vector<std::string> received_;
};

struct ExitStatus {
  bool exited{false};
  int code{-1};   // when exited
  int signal{0};  // when killed by a signal
};

class Process {
 public:
  /// Starts `argv` with extra environment entries ("NAME=value"); stdout+stderr go to a file.
  /// `listen_fds`: sockets handed over the way systemd does it (socket activation): they become
  /// descriptors 3, 4, ... of the child, with LISTEN_FDS and LISTEN_PID set (names, if any, go
  /// in `env` as LISTEN_FDNAMES).
  Process(std::vector<std::string> argv, const std::vector<std::string>& env = {},
          const std::vector<int>& listen_fds = {});
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  pid_t pid() const { return pid_; }
  void signal(int signo) const;
  /// Waits for exit up to `timeout`; nullopt when still running.
  std::optional<ExitStatus> wait(std::chrono::milliseconds timeout);
  std::string output() const;
  /// output() up to its last newline: a running child may be half way through writing a line.
  std::string complete_lines() const;
  /// False once wait() has reaped the process.
  bool reaped() const { return reaped_; }

 private:
  pid_t pid_{-1};
  std::string log_path_;
  bool reaped_{false};
};

/// Runs a command to completion (bounded) and returns exit code and output.
struct RunResult {
  int code{-1};
  std::string output;
};
RunResult run(std::vector<std::string> argv,
              std::chrono::milliseconds timeout = std::chrono::seconds(20));

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& text);

/// A TCP port on loopback that was free a moment ago (bound, read, closed).
int free_port();

}  // namespace bessd::systest
