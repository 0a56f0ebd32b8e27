#pragma once
// ALM-01: an external fire-alarm input read from a file (a GPIO value file under /sys/class/gpio,
// or any file a relay interface keeps up to date). Polled on the io_context; a read failure is
// treated as "alarm" (fail safe) and reported once per edge.

#include <chrono>
#include <functional>
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
  void start();
  void stop();
  bool configured() const { return cfg_.enabled; }
  bool active() const { return active_; }

  /// Pure helper: does the file content mean "alarm"? (trimmed comparison)
  static bool content_means_alarm(const std::string& content, const std::string& active_value);

 private:
  void poll();

  boost::asio::steady_timer timer_;
  config::FireAlarmConfig cfg_;
  std::function<void(bool, const std::string&)> on_change_;
  bool active_{false};
  bool first_{true};
  std::string last_detail_;
};

}  // namespace bessd::app
