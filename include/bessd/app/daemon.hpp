#pragma once
// The bessd daemon: owns the io_context thread, the configuration and (as they land) every
// driver and the controller. Signals: SIGINT/SIGTERM stop cleanly (safe state first), SIGHUP
// reloads the configuration (the old one stays when the new one is invalid).

#include <filesystem>
#include <memory>
#include <optional>

#include <bessd/config/config.hpp>

namespace bessd::app {

struct DaemonOptions {
  std::filesystem::path config_path;
  std::optional<config::LogLevel> log_level;  // --log-level, survives reloads
};

class Daemon {
 public:
  Daemon(DaemonOptions options, config::Config config);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  /// Runs until a stop signal; returns the process exit status.
  int run();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bessd::app
