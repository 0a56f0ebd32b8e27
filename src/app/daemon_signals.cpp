#include <bessd/app/daemon_signals.hpp>

#include <pthread.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include <bessd/app/logging.hpp>
#include <bessd/common/errno_text.hpp>

namespace bessd::app {
namespace {

sigset_t set_of(std::initializer_list<int> signals) {
  sigset_t set;
  sigemptyset(&set);
  for (const int signo : signals) sigaddset(&set, signo);
  return set;
}

int open_signalfd(std::initializer_list<int> signals) {
  const sigset_t set = set_of(signals);
  const int fd = ::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "signalfd");
  return fd;
}

void change_daemon_signals(int how) {
  const sigset_t set = set_of({SIGTERM, SIGINT, SIGHUP});
  // pthread_sigmask fails only for an invalid `how`: a bug, never a run-time condition.
  if (const int rc = ::pthread_sigmask(how, &set, nullptr); rc != 0)
    throw std::system_error(rc, std::generic_category(), "pthread_sigmask");
}

}  // namespace

void block_daemon_signals() {
  change_daemon_signals(SIG_BLOCK);
}

void unblock_daemon_signals() {
  change_daemon_signals(SIG_UNBLOCK);
}

void ignore_broken_pipes() {
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  if (::sigaction(SIGPIPE, &ignore, nullptr) != 0)
    throw std::system_error(errno, std::generic_category(), "sigaction(SIGPIPE)");
}

SignalReader::SignalReader(boost::asio::io_context& io, std::initializer_list<int> signals)
    : fd_(io, open_signalfd(signals)) {}

SignalReader::~SignalReader() = default;

void SignalReader::wait(std::function<void(int signo)> on_signal) {
  on_signal_ = std::move(on_signal);
  fd_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                 [this](const boost::system::error_code& ec) {
                   if (!ec) read_one();
                 });
}

void SignalReader::cancel() {
  fd_.cancel();
  on_signal_ = nullptr;
}

void SignalReader::read_one() {
  signalfd_siginfo info{};
  const ssize_t n = ::read(fd_.native_handle(), &info, sizeof info);
  if (n == static_cast<ssize_t>(sizeof info)) {
    auto on_signal = std::move(on_signal_);
    on_signal_ = nullptr;
    on_signal(static_cast<int>(info.ssi_signo));
    return;
  }
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) {  // readable, then taken: wait again
    wait(std::move(on_signal_));
    return;
  }
  // Never seen: a signalfd read returns whole records or EAGAIN. Without this reader the
  // signals stay pending, and systemd's stop timeout ends the process.
  logger("app")->critical("reading the daemon's signals failed ({}): stop and reload are lost",
                          n < 0 ? errno_text(errno) : "a short read");
}

}  // namespace bessd::app
