#include <bessd/app/daemon.hpp>

#include <bessd/app/daemon_ports.hpp>

namespace bessd::app {

Daemon::Daemon(DaemonOptions options, config::Config config)
    : runtime_(std::make_unique<DaemonRuntime>(std::move(options), std::move(config),
                                               production_ports())) {}
Daemon::~Daemon() = default;
int Daemon::run() {
  return runtime_->run();
}

}  // namespace bessd::app
