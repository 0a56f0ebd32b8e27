#pragma once
// ALM-01: an external fire-alarm input read from a file (a GPIO value file under /sys/class/gpio,
// or any file a relay interface keeps up to date). Polled on the io_context; a read failure is
// treated as "alarm" (fail safe) and reported once per edge. The file is opened once and read
// with pread(): polling needs no new descriptor, so running out of descriptors (a connection
// flood) can never make the input unreadable and latch a false ALM-01.

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <bessd/config/control_config.hpp>

namespace bessd::app {

class FireAlarmInput {
 public:
  /// `on_change(active, detail)` runs on the io_context on every edge (and once at start).
  FireAlarmInput(boost::asio::io_context& io, config::FireAlarmConfig cfg,
                 std::function<void(bool active, const std::string& detail)> on_change);
  ~FireAlarmInput();
  FireAlarmInput(const FireAlarmInput&) = delete;
  FireAlarmInput& operator=(const FireAlarmInput&) = delete;
  void start();
  void stop();
  bool configured() const { return cfg_.enabled; }
  bool active() const { return active_; }

  /// Pure helper: does the file content mean "alarm"? (trimmed comparison)
  static bool content_means_alarm(const std::string& content, const std::string& active_value);

 private:
  void poll();
  /// Problem text, or nothing when `fd_` holds the file the path names now.
  std::optional<std::string> ensure_open();
  std::optional<std::string> read_input(std::string& content);
  void close_input();

  boost::asio::steady_timer timer_;
  config::FireAlarmConfig cfg_;
  std::function<void(bool, const std::string&)> on_change_;
  int fd_{-1};
  bool active_{false};
  bool first_{true};
  std::string last_detail_;
};

}  // namespace bessd::app
