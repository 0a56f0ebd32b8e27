#include <bessd/app/systemd_notifier.hpp>

#include <cstdint>

#include <systemd/sd-daemon.h>

namespace bessd::app {

void SystemdNotifier::send(const std::string& message) {
  // A failed notification is not fatal: without systemd nothing listens.
  (void)sd_notify(0, message.c_str());
}

void SystemdNotifier::ready() const {
  send("READY=1");
}
void SystemdNotifier::reloading() const {
  send("RELOADING=1");
}
void SystemdNotifier::stopping() const {
  send("STOPPING=1");
}
void SystemdNotifier::watchdog() const {
  send("WATCHDOG=1");
}
void SystemdNotifier::status(const std::string& text) const {
  send("STATUS=" + text);
}

std::optional<std::chrono::microseconds> SystemdNotifier::watchdog_interval() {
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
  return std::chrono::microseconds{usec / 2};
}

}  // namespace bessd::app
