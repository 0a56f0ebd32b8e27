#pragma once
// The bessd daemon as `bessd` runs it: the runtime (daemon_runtime.hpp) over the real devices
// (daemon_ports.hpp). Signals: SIGINT/SIGTERM stop cleanly (safe state first), SIGHUP reloads
// the configuration (the old one stays when the new one is invalid).

#include <memory>

#include <bessd/app/daemon_runtime.hpp>
#include <bessd/config/config.hpp>

namespace bessd::app {

class Daemon {
 public:
  Daemon(DaemonOptions options, config::Config config);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  /// Runs until a stop signal; returns the process exit status.
  int run();

 private:
  std::unique_ptr<DaemonRuntime> runtime_;
};

}  // namespace bessd::app
