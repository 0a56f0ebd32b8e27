// bessd: the home battery controller daemon. Exit codes: 0 clean stop / valid config,
// 1 runtime failure, 2 command-line usage error, 78 invalid configuration (EX_CONFIG).

#include <iostream>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include <bessd/app/daemon.hpp>
#include <bessd/app/logging.hpp>
#include <bessd/config/config_loader.hpp>
#include <bessd/version.hpp>

namespace {

std::optional<bessd::config::LogLevel> parse_level(const std::string& text) {
  using L = bessd::config::LogLevel;
  for (L l : {L::trace, L::debug, L::info, L::warn, L::error, L::critical, L::off})
    if (bessd::config::to_string(l) == text) return l;
  return std::nullopt;
}

int check_config(const std::string& path) {
  try {
    (void)bessd::config::load_config_file(path);
    std::cout << path << ": configuration is valid\n";
    return 0;
  } catch (const bessd::config::ConfigError& e) {
    std::cerr << e.what() << '\n';
    return bessd::config::kExitConfig;
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"bessd: home battery energy storage controller"};
  std::string config_path = "/etc/bessd/bessd.json";
  std::string check_path;
  std::string log_level;
  bool version = false;
  cli.add_option("-c,--config", config_path, "configuration file")->capture_default_str();
  cli.add_option("--check-config", check_path,
                 "validate FILE, print every problem and exit (0 valid, 78 invalid)");
  cli.add_option("--log-level", log_level, "trace, debug, info, warn, error, critical or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  cli.add_flag("-V,--version", version, "print the version and exit");
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help prints and exits 0; every real usage error exits 2 (documented), not CLI11's codes.
    const int code = cli.exit(e);
    return code == 0 ? 0 : 2;
  }

  if (version) {
    std::cout << "bessd " << bessd::kVersion << '\n';
    return 0;
  }
  if (!check_path.empty()) return check_config(check_path);

  const auto level = log_level.empty() ? std::nullopt : parse_level(log_level);
  bessd::app::setup_logging({}, level);
  bessd::config::Config config;
  try {
    config = bessd::config::load_config_file(config_path);
  } catch (const bessd::config::ConfigError& e) {
    bessd::app::logger("config")->critical("{}", e.what());
    return bessd::config::kExitConfig;
  }
  bessd::app::setup_logging(config.logging, level);
  try {
    bessd::app::Daemon daemon({config_path, level}, std::move(config));
    return daemon.run();
  } catch (const std::exception& e) {
    bessd::app::logger("app")->critical("fatal: {}", e.what());
    return 1;
  }
}
