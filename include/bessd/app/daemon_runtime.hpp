#pragma once
// The daemon's runtime policy (docs/architecture.md "Daemon: builder and runtime"): builds the
// components through the ports (daemon_builder.hpp), attaches the policy to them (events,
// telemetry, the watchdog, the safety state at start), and runs them: SIGINT/SIGTERM stop
// cleanly (safe state first), SIGHUP reloads the configuration (the old one stays when the new
// one is invalid). `Daemon` runs it with the real devices; a test can run it in-process with
// fakes, driving the control thread (`io()`) itself.

#include <filesystem>
#include <memory>
#include <optional>

#include <boost/asio/io_context.hpp>

#include <bessd/app/daemon_ports.hpp>
#include <bessd/config/config.hpp>

namespace bessd::app {

class AppFacade;

struct DaemonOptions {
  std::filesystem::path config_path;
  std::optional<config::LogLevel> log_level;  // --log-level, survives reloads
};

class DaemonRuntime {
 public:
  DaemonRuntime(DaemonOptions options, config::Config config, DaemonPorts ports);
  ~DaemonRuntime();
  DaemonRuntime(const DaemonRuntime&) = delete;
  DaemonRuntime& operator=(const DaemonRuntime&) = delete;

  /// Builds everything and starts it, up to READY=1; the control thread (`io()`) does not run
  /// yet. Throws config::ConfigError for a configuration the devices cannot take.
  void start();
  /// Runs the control thread until the stop has finished; returns the process exit status.
  int run_until_stopped();
  /// start(), then run_until_stopped().
  int run();

  /// The control thread's context: every component lives on it.
  boost::asio::io_context& io();
  /// As SIGTERM: the safe state first, then everything stops. Posted to the control thread.
  void request_stop();
  /// The facade the API and MQTT read and write through; control thread only, after start().
  AppFacade& facade();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bessd::app
