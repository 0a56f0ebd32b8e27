#include <bessd/app/logging.hpp>

#include <cstdlib>
#include <mutex>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace bessd::app {

namespace {

spdlog::level::level_enum to_spdlog(config::LogLevel l) {
  switch (l) {
    case config::LogLevel::trace:
      return spdlog::level::trace;
    case config::LogLevel::debug:
      return spdlog::level::debug;
    case config::LogLevel::info:
      return spdlog::level::info;
    case config::LogLevel::warn:
      return spdlog::level::warn;
    case config::LogLevel::error:
      return spdlog::level::err;
    case config::LogLevel::critical:
      return spdlog::level::critical;
    case config::LogLevel::off:
      return spdlog::level::off;
  }
  return spdlog::level::info;
}

// "<N>" syslog priority prefix understood by journald on stderr (sd-daemon(3)).
class PriorityFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    static constexpr const char* kPrefix[] = {"<7>", "<7>", "<6>", "<4>", "<3>", "<2>", "<6>"};
    const auto idx = static_cast<std::size_t>(msg.level);
    const char* p = idx < std::size(kPrefix) ? kPrefix[idx] : "<6>";
    dest.append(p, p + 3);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<PriorityFlag>();
  }
};

struct LoggingState {
  std::mutex mutex;
  spdlog::sink_ptr sink;
  spdlog::level::level_enum level{spdlog::level::info};
  config::LoggingConfig cfg;
  bool journal{false};
};

LoggingState& state() {
  static LoggingState s;
  return s;
}

void apply(LoggingState& s, spdlog::logger& log) {
  auto it = s.cfg.components.find(log.name());
  log.set_level(it != s.cfg.components.end() ? to_spdlog(it->second) : s.level);
  if (s.journal) {
    auto f = std::make_unique<spdlog::pattern_formatter>();
    f->add_flag<PriorityFlag>('*').set_pattern("%*%n: %v");
    log.set_formatter(std::move(f));
  } else {
    log.set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %n: %v");
  }
}

}  // namespace

void setup_logging(const config::LoggingConfig& cfg,
                   std::optional<config::LogLevel> override_level) {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  if (!s.sink) s.sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  s.cfg = cfg;
  s.level = to_spdlog(override_level.value_or(cfg.level));
  switch (cfg.format) {
    case config::LogFormat::journal:
      s.journal = true;
      break;
    case config::LogFormat::plain:
      s.journal = false;
      break;
    case config::LogFormat::automatic:
      s.journal = std::getenv("JOURNAL_STREAM") != nullptr;
      break;
  }
  spdlog::apply_all([&](const std::shared_ptr<spdlog::logger>& l) { apply(s, *l); });
}

std::shared_ptr<spdlog::logger> logger(const std::string& component) {
  if (auto existing = spdlog::get(component)) return existing;
  auto& s = state();
  std::lock_guard lock(s.mutex);
  if (auto existing = spdlog::get(component)) return existing;
  if (!s.sink) s.sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto log = std::make_shared<spdlog::logger>(component, s.sink);
  apply(s, *log);
  spdlog::register_logger(log);
  return log;
}

bool journal_format_active() {
  return state().journal;
}

}  // namespace bessd::app
