#include <bessd/app/fire_alarm_input.hpp>

#include <array>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace bessd::app {

FireAlarmInput::FireAlarmInput(boost::asio::io_context& io, config::FireAlarmConfig cfg,
                               std::function<void(bool, const std::string&)> on_change)
    : timer_(io), cfg_(std::move(cfg)), on_change_(std::move(on_change)) {}

FireAlarmInput::~FireAlarmInput() {
  close_input();
}

bool FireAlarmInput::content_means_alarm(const std::string& content,
                                         const std::string& active_value) {
  const auto first = content.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return false;
  const auto last = content.find_last_not_of(" \t\r\n");
  return content.substr(first, last - first + 1) == active_value;
}

void FireAlarmInput::start() {
  if (!cfg_.enabled) return;
  poll();
}

void FireAlarmInput::stop() {
  timer_.cancel();
  close_input();
}

void FireAlarmInput::close_input() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

// The descriptor is opened once and kept: a process that has run out of descriptors (a
// connection flood, docs/operations.md) can still read its fire-alarm input. A new one is
// opened only when the path names another file than the one held (a relay interface that
// replaces the file by rename), and the new one is opened before the old one is closed.
std::optional<std::string> FireAlarmInput::ensure_open() {
  struct stat by_path {};
  if (::stat(cfg_.path.c_str(), &by_path) != 0) return std::string(std::strerror(errno));
  if (fd_ >= 0) {
    struct stat held {};
    if (::fstat(fd_, &held) == 0 && held.st_dev == by_path.st_dev && held.st_ino == by_path.st_ino)
      return std::nullopt;
  }
  const int fresh = ::open(cfg_.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fresh < 0) return std::string(std::strerror(errno));
  close_input();
  fd_ = fresh;
  return std::nullopt;
}

std::optional<std::string> FireAlarmInput::read_input(std::string& content) {
  if (auto problem = ensure_open()) return problem;
  // GPIO value files are tiny; anything longer than this cannot equal an active value anyway.
  std::array<char, 256> buf{};
  const ssize_t n = ::pread(fd_, buf.data(), buf.size(), 0);
  if (n < 0) return std::string(std::strerror(errno));
  content.assign(buf.data(), static_cast<std::size_t>(n));
  return std::nullopt;
}

void FireAlarmInput::poll() {
  bool alarm = false;
  std::string detail;
  std::string content;
  if (auto problem = read_input(content)) {
    // A missing or unreadable input cannot prove there is no fire.
    alarm = true;
    detail = "cannot read fire-alarm input " + cfg_.path + ": " + *problem + " (treated as alarm)";
  } else {
    alarm = content_means_alarm(content, cfg_.active_value);
    detail = alarm ? "fire-alarm input " + cfg_.path + " reads \"" + cfg_.active_value + "\""
                   : "fire-alarm input " + cfg_.path + " clear";
  }
  if (first_ || alarm != active_ || detail != last_detail_) {
    const bool edge = first_ || alarm != active_;
    first_ = false;
    active_ = alarm;
    last_detail_ = detail;
    if (edge) on_change_(alarm, detail);
  }
  timer_.expires_after(std::chrono::milliseconds(cfg_.poll_ms));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) poll();
  });
}

}  // namespace bessd::app
