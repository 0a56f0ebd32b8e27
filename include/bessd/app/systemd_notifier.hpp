#pragma once
// sd_notify(3) wrapper. Every call is a no-op when NOTIFY_SOCKET is unset (not under systemd).

#include <chrono>
#include <optional>
#include <string>

namespace bessd::app {

class SystemdNotifier {
 public:
  void ready() const;
  void reloading() const;
  void stopping() const;
  void watchdog() const;
  void status(const std::string& text) const;
  /// The interval at which the watchdog must be petted (half of WATCHDOG_USEC), if enabled.
  static std::optional<std::chrono::microseconds> watchdog_interval();

 private:
  static void send(const std::string& message);
};

}  // namespace bessd::app
