#include "process.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace bessd::systest {

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "bessd-test-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

NotifySocket::NotifySocket(const std::string& path) : path_(path) {
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
  ::unlink(path.c_str());
  if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    throw std::runtime_error("cannot bind notify socket " + path);
}

NotifySocket::~NotifySocket() {
  if (fd_ >= 0) ::close(fd_);
  ::unlink(path_.c_str());
}

bool NotifySocket::wait_for(const std::string& line, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (const auto& r : received_)
    if (r.find(line) != std::string::npos) return true;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char buf[4096];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) continue;
    received_.emplace_back(buf, static_cast<std::size_t>(n));
    if (received_.back().find(line) != std::string::npos) return true;
  }
}

Process::Process(std::vector<std::string> argv, const std::vector<std::string>& env,
                 const std::vector<int>& listen_fds) {
  // Built before fork(): the child only calls async-signal-safe functions (and putenv), and
  // allocates nothing (another thread of the test may hold the allocator's lock).
  std::string listen_count = "LISTEN_FDS=" + std::to_string(listen_fds.size());
  char listen_pid[64] = "LISTEN_PID=";
  std::vector<int> high(listen_fds.size());
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  char tmpl[] = "/tmp/bessd-proc-XXXXXX";
  const int log_fd = ::mkstemp(tmpl);
  if (log_fd < 0) throw std::runtime_error("mkstemp failed");
  log_path_ = tmpl;
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    for (const auto& e : env) ::putenv(const_cast<char*>(e.c_str()));
    if (!listen_fds.empty()) {
      // Out of the way first (a passed descriptor may itself be 3 or 4), then into place.
      for (std::size_t i = 0; i < listen_fds.size(); ++i)
        high[i] = ::fcntl(listen_fds[i], F_DUPFD, 100);
      for (std::size_t i = 0; i < high.size(); ++i) ::dup2(high[i], 3 + static_cast<int>(i));
      for (int fd : high) ::close(fd);
      std::snprintf(listen_pid + 11, sizeof listen_pid - 11, "%ld", static_cast<long>(::getpid()));
      ::putenv(listen_count.data());
      ::putenv(listen_pid);
    }
    ::execv(args[0], args.data());
    std::perror("execv");
    ::_exit(127);
  }
  ::close(log_fd);
}

Process::~Process() {
  if (!reaped_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  ::unlink(log_path_.c_str());
}

void Process::signal(int signo) const {
  ::kill(pid_, signo);
}

std::optional<ExitStatus> Process::wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      ExitStatus s;
      if (WIFEXITED(status)) {
        s.exited = true;
        s.code = WEXITSTATUS(status);
      } else if (WIFSIGNALED(status)) {
        s.signal = WTERMSIG(status);
      }
      return s;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // polling interval, not readiness
  }
}

std::string Process::output() const {
  return read_file(log_path_);
}

std::string Process::complete_lines() const {
  std::string text = output();
  const auto last = text.rfind('\n');
  text.erase(last == std::string::npos ? 0 : last + 1);
  return text;
}

RunResult run(std::vector<std::string> argv, std::chrono::milliseconds timeout) {
  Process p(std::move(argv));
  auto status = p.wait(timeout);
  RunResult r;
  r.output = p.output();
  r.code = status && status->exited ? status->code : -1;
  return r;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
                     ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0;
  ::close(fd);
  if (!bound) throw std::runtime_error("free_port: no loopback port to bind");
  return ntohs(a.sin_port);
}

}  // namespace bessd::systest
