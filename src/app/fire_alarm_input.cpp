#include <bessd/app/fire_alarm_input.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace bessd::app {

FireAlarmInput::FireAlarmInput(boost::asio::io_context& io, config::FireAlarmConfig cfg,
                               std::function<void(bool, const std::string&)> on_change)
    : timer_(io), cfg_(std::move(cfg)), on_change_(std::move(on_change)) {}

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
}

void FireAlarmInput::poll() {
  bool alarm = false;
  std::string detail;
  std::ifstream in(cfg_.path);
  if (!in) {
    // A missing or unreadable input cannot prove there is no fire.
    alarm = true;
    detail = "cannot read fire-alarm input " + cfg_.path + ": " + std::strerror(errno) +
             " (treated as alarm)";
  } else {
    std::ostringstream content;
    content << in.rdbuf();
    alarm = content_means_alarm(content.str(), cfg_.active_value);
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
