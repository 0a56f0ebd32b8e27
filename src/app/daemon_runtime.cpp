#include <bessd/app/daemon_runtime.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <bessd/api/http/http_server.hpp>
#include <bessd/api/json.hpp>
#include <bessd/api/router.hpp>
#include <bessd/api/settings_change.hpp>
#include <bessd/app/active_warnings.hpp>
#include <bessd/app/api_listeners.hpp>
#include <bessd/app/app_facade.hpp>
#include <bessd/app/compliance_monitor.hpp>
#include <bessd/app/control_loop.hpp>
#include <bessd/app/control_thread_facade.hpp>
#include <bessd/app/counter_keeper.hpp>
#include <bessd/app/daemon_builder.hpp>
#include <bessd/app/daemon_signals.hpp>
#include <bessd/app/fire_alarm_input.hpp>
#include <bessd/app/fleet_uplink.hpp>
#include <bessd/app/inherited_sockets.hpp>
#include <bessd/app/latch_write_behind.hpp>
#include <bessd/app/logging.hpp>
#include <bessd/app/mqtt_bridge.hpp>
#include <bessd/app/power_flow_permit.hpp>
#include <bessd/app/price_feed.hpp>
#include <bessd/app/safety_state_store.hpp>
#include <bessd/app/site_meter.hpp>
#include <bessd/app/status_text.hpp>
#include <bessd/app/systemd_notifier.hpp>
#include <bessd/bms/bms_monitor.hpp>
#include <bessd/bms/bms_monitor_timer.hpp>
#include <bessd/bms/bms_protocol_factory.hpp>
#include <bessd/common/clock.hpp>
#include <bessd/common/date.hpp>
#include <bessd/common/errno_text.hpp>
#include <bessd/compliance/checker.hpp>
#include <bessd/compliance/report_text.hpp>
#include <bessd/config/config_loader.hpp>
#include <bessd/core/soc_window.hpp>
#include <bessd/energy/energy_periods.hpp>
#include <bessd/inverter/profile.hpp>
#include <bessd/inverter/profile_inverter_driver.hpp>
#include <bessd/storage/safety_state_file.hpp>
#include <bessd/storage/store.hpp>

namespace bessd::app {

namespace asio = boost::asio;

namespace {

// Why a stop's safe state was not confirmed, from the inverter's last state: a device that
// answered with an exception or a read-back of another value is not "no answer", and a
// read-back from before the stop began says nothing of what the device did with the stop.
std::string why_unconfirmed(const Result<core::InverterState>& s, TimePoint stop_began) {
  if (!s || !s->online) return "inverter offline";
  if (s->command_failing_since && !s->command_failure.empty())
    return "the write failed: " + s->command_failure;
  if (!s->read_at || *s->read_at < stop_began) return "no read-back since the stop began";
  if (s->setpoint_readback_w && std::abs(*s->setpoint_readback_w) >= 1.0)
    return "the inverter reads back " + std::to_string(std::lround(*s->setpoint_readback_w)) + " W";
  return "no read-back in time";
}

spdlog::level::level_enum level_of(core::Severity s) {
  switch (s) {
    case core::Severity::debug:
      return spdlog::level::debug;
    case core::Severity::info:
      return spdlog::level::info;
    case core::Severity::warning:
      return spdlog::level::warn;
    case core::Severity::error:
      return spdlog::level::err;
    case core::Severity::critical:
      return spdlog::level::critical;
  }
  return spdlog::level::info;
}

}  // namespace

struct DaemonRuntime::Impl {
  // A reload read and checked away from the event loop (reload_worker): the file parsed, the
  // token file read, the group looked up. `error` says why the reload is refused. (A member,
  // not in the anonymous namespace: Impl has external linkage and a lambda of it holds one.)
  struct PreparedReload {
    std::optional<config::Config> config;
    std::optional<api::http::ServerOptions> server;
    std::optional<gid_t> unix_gid;
    std::optional<gid_t> read_gid;
    std::string text;  // the file as read, for the configuration snapshot
    std::string error;
  };
  // First, before any member makes a thread: the daemon's signals are read from a signalfd,
  // never delivered to a thread (docs/architecture.md "Signals"). bessd's main blocked them
  // already; a runtime made in-process (a test) blocks them in the thread that makes it.
  struct DaemonSignalsBlock {
    DaemonSignalsBlock() { block_daemon_signals(); }
  } daemon_signals_block;

  DaemonOptions options;
  config::Config config;
  DaemonPorts ports;
  asio::io_context io;
  // The API's own thread (docs/architecture.md "Threads"): the HTTP server, its listeners and
  // the router live here, so that no number of connections delays a BMS frame or a command.
  // They reach the controller only through api_facade (calls carried out on `io`). Declared
  // before them: destroyed after them, like `io`.
  asio::io_context api_io;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> api_work;
  std::thread api_thread;
  bool api_closing = false;  // api thread only: the daemon is stopping, never reopen listeners
  // API thread: records the refused writes whose minute has ended (docs/api.md "Write rate
  // limit"), so that a flood that stops is still counted.
  asio::steady_timer refusal_audit_timer{api_io};
  // Read from signalfds on this loop (docs/architecture.md "Signals"); two readers, so that a
  // SIGHUP during a reload stays pending while a SIGTERM is still taken at once.
  SignalReader stop_signals{io, {SIGINT, SIGTERM}};
  SignalReader reload_signals{io, {SIGHUP}};
  asio::steady_timer stop_timer{io};
  asio::steady_timer hold_warning_timer{io};  // the start-up hold takes long (a stalled disk)
  TimePoint hold_began{};
  SystemdNotifier notifier;
  const Clock& clock;  // ports.clock
  std::shared_ptr<spdlog::logger> log = logger("app");
  ActiveWarnings warnings;  // before anything that reports events
  compliance::ComplianceReport compliance_report;
  std::string running_config_fingerprint;  // of the file in force (/v1/compliance)
  std::unique_ptr<ComplianceMonitor> compliance_monitor;

  // Storage first: every other part reports into it.
  std::unique_ptr<storage::Store> store;
  // The durable safety state (latches, operator's mode): apart from the telemetry database.
  std::unique_ptr<SafetyStateStore> latches;
  // The controller's latches go through this: written off the io thread, after the command.
  std::unique_ptr<LatchWriteBehind> latch_writer;
  bool safety_telemetry_db_existed{false};  // for the start-up rewrite's follow-up
  bool safety_store_ready{false};
  // BMS
  std::unique_ptr<bms::BmsProtocol> bms_protocol;
  std::unique_ptr<can::CanBus> bms_bus;
  std::unique_ptr<bms::BmsMonitor> bms_monitor;
  std::unique_ptr<bms::BmsMonitorTimer> bms_timer;
  // Inverter
  std::unique_ptr<modbus::ModbusClient> modbus_client;
  std::unique_ptr<inverter::ProfileInverterDriver> inverter_driver;
  std::unique_ptr<SiteMeter> meter;       // the site's grid meter, when configured
  std::unique_ptr<PriceFeed> price_feed;  // schedule.by_price's file, when configured
  std::unique_ptr<MqttBridge> mqtt;       // the site on an MQTT broker, when configured
  std::unique_ptr<FleetUplink> uplink;    // the log forwarded to a central broker, when configured
  std::uint64_t inverter_problems{0};     // io thread; shown as the inverter link's error_count
  // Control
  std::unique_ptr<FireAlarmInput> fire_alarm;
  std::unique_ptr<ControlLoop> loop;
  std::unique_ptr<CounterKeeper> counter_keeper;  // the loop's totals in the store between runs
  // API
  std::unique_ptr<AppFacade> facade;
  std::unique_ptr<ControlThreadFacade> api_facade;
  std::string config_text;  // of the configuration in force (/v1/config)
  std::unique_ptr<api::Router> router;
  std::unique_ptr<api::http::HttpServer> http;
  std::unique_ptr<ApiListeners> listeners;
  // Sockets systemd passed (socket activation); handed to `listeners` by start_api().
  std::vector<InheritedSocket> inherited;
  // The last reload refused (shown in /v1/status until a reload succeeds).
  std::optional<api::ActiveFault> reload_fault;
  std::optional<TimePoint> last_telemetry_at;  // steady: a wall clock set back must not stop it
  std::string last_status;
  TimePoint last_status_at{};
  const std::optional<std::chrono::microseconds> watchdog_period =
      SystemdNotifier::watchdog_interval();
  TimePoint last_watchdog_at{};
  bool stopping = false;
  bool answered_during_stop = false;      // wait_safe_state(): the read-back bound has begun
  bool waiting_for_reach_logged = false;  // wait_safe_state(): said once that it waits
  std::optional<TimePoint> reconnect_hurried_at;  // wait_safe_state(): last reconnect_now()
  TimePoint stop_began{};                         // the stop's wait for the safe state began
  bool profile_can_release = false;               // the profile declares release writes
  // Reads and checks a reloaded configuration (file, token file, group look-up) so that the
  // event loop never waits on them. Last member: joined before anything it posts to goes.
  asio::thread_pool reload_worker{1};

  Impl(DaemonOptions o, config::Config c, DaemonPorts p)
      : options(std::move(o)),
        config(std::move(c)),
        ports(std::move(p)),
        clock(*ports.clock),
        bms_protocol(bms::make_bms_protocol(config.bms)) {}
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl() {
    // A start-up that failed after the API thread started: stop it before its objects go.
    if (api_thread.joinable()) {
      api_io.stop();
      api_thread.join();
    }
  }

  // Events from every component: logged once at the level a user wants, and stored.
  void on_event(const core::Event& e) {
    logger(e.source.empty() ? "app" : e.source)
        ->log(level_of(e.severity), "{}{}: {}",
              e.edge == core::EventEdge::cleared ? "cleared " : "", e.code, e.message);
    warnings.apply(e, clock.wall_now());
    if (store) store->append_event(e, clock.wall_now());
  }

  // The devices come from the builder (daemon_builder.hpp); the policy is attached here.
  void build() {
    refuse_symlinked_state_paths(config, options.config_path);
    auto stored = build_store(ports, config.storage, [this](const core::Event& e) {
      asio::post(
          io, [e] { logger("storage")->log(level_of(e.severity), "{}: {}", e.code, e.message); });
    });
    store = std::move(stored.store);
    open_safety_state(stored.telemetry_db_existed, stored.ready);
    const std::string text = config::read_config_text(options.config_path);
    running_config_fingerprint = config::config_fingerprint(text);
    store->save_config_snapshot({clock.wall_now(), running_config_fingerprint, text});
    config_text = text;

    auto inverter = build_inverter(io, ports, config, options.config_path);
    profile_can_release = inverter.can_release;
    modbus_client = std::move(inverter.client);
    inverter_driver = std::move(inverter.driver);
    inverter_driver->set_event_handler([this](const core::Event& e) {
      // The inverter link's error count in /v1/status: every problem it reported, not the clears.
      if (inverter::is_link_problem(e)) ++inverter_problems;
      on_event(e);
    });

    if (config.meter)
      meter = std::make_unique<SiteMeter>(io, clock, *config.meter,
                                          load_meter_profile(config, options.config_path),
                                          [this](const core::Event& e) { on_event(e); });
    if (config.mqtt)
      mqtt = std::make_unique<MqttBridge>(
          io, clock, config, broker_options_of(config, options.config_path),
          [this] { return api::to_json(facade->status()); },
          [this](const core::Event& e) { on_event(e); });
    if (config.uplink)
      uplink = std::make_unique<FleetUplink>(
          clock, *store, uplink_settings_of(config),
          uplink_broker_options_of(config, options.config_path),
          [this](const core::Event& e) { asio::post(io, [this, e] { on_event(e); }); });

    auto bms = build_bms(io, ports, config, *bms_protocol);
    bms_bus = std::move(bms.bus);
    bms_monitor = std::move(bms.monitor);
    bms_timer = std::move(bms.timer);

    ControlLoopSinks sinks;
    sinks.apply_command = [this](const core::InverterCommand& c,
                                 std::optional<TimePoint> safety_input_at) {
      if (safety_input_at) inverter_driver->note_safety_input(*safety_input_at);
      inverter_driver->apply(c);
    };
    sinks.event = [this](const core::Event& e) { on_event(e); };
    sinks.stepped = [this](const control::StepInput& in, const control::StepOutput& out) {
      after_step(in, out);
    };
    sinks.mode_expired = [this](const control::OperatorRequest& r) { on_mode_expired(r); };
    // A failed safety-state write (any thread) reaches the controller as FAULT-STORE.
    latches->set_write_failure_handler([this](const std::string& what) {
      asio::post(io, [this, what] {
        if (loop) loop->report_latch_write_failure(what);
      });
    });
    latch_writer = std::make_unique<LatchWriteBehind>(*latches);
    loop = std::make_unique<ControlLoop>(io, clock, config, *latch_writer, std::move(sinks));
    loop->set_inverter_source([this]() -> std::optional<core::InverterState> {
      auto s = inverter_driver->latest_state();
      if (!s) return std::nullopt;
      if (meter) return meter->apply(*s, clock.now());
      return *s;
    });
    counter_keeper = std::make_unique<CounterKeeper>(*store, *loop, clock, log);
    counter_keeper->restore();
    restore_operator_mode();
    restore_owner_settings();
    report_schedule_zone();
    // A restored file is trusted only once it can be rewritten (the start-up rewrite, after the
    // inverter's safe state is under way): no mode releases power before.
    loop->hold_until_confirmed(true);

    bms_monitor->on_change([this](const core::PackState& pack, const bms::BmsChange& change) {
      for (const auto& e : change.events) on_event(e);
      loop->set_pack(pack, change.safety_relevant);
      if (compliance_monitor) compliance_monitor->on_pack(pack);
    });
    fire_alarm = std::make_unique<FireAlarmInput>(
        io, config.control.fire_alarm, [this](bool active, const std::string& detail) {
          logger("control")->log(active ? spdlog::level::critical : spdlog::level::info, "{}",
                                 detail);
          loop->set_fire_alarm(active);
        });
  }

  // In the telemetry database: "this installation keeps a safety state", so that a state missing
  // from a changed storage.safety_state_path reads as lost, not as a first start.
  static constexpr const char* kSafetyStateKeptCounter = "safety_state_kept";
  // "safety_state_generation.<store id>": the last generation of the safety state on disk.
  static constexpr std::string_view kSafetyStateGenerationPrefix = "safety_state_generation.";

  // Latches and the operator's mode come from the safety-state file, never from telemetry.
  void open_safety_state(bool telemetry_db_existed, bool store_ready) {
    TelemetryRecords legacy;
    legacy.telemetry_db_existed = telemetry_db_existed;
    // A database found corrupt and started afresh knows nothing (docs/operations.md: a limit of
    // the older-copy check). One that did not answer in time, or whose records cannot be read,
    // may know a later generation: the state's age is unknown, so latched.
    if (!store_ready) {
      legacy.unreadable = "the telemetry database did not answer within 10 s at start";
    } else if (store->metrics().corrupt_files_replaced == 0) {
      if (auto counters = store->load_counters()) {
        for (const auto& c : *counters) {
          if (c.key == kSafetyStateKeptCounter && c.value > 0) legacy.kept_before = true;
          if (c.key.starts_with(kSafetyStateGenerationPrefix) && c.value >= 0 && c.value < 1e18)
            legacy.generations[c.key.substr(kSafetyStateGenerationPrefix.size())] =
                static_cast<std::uint64_t>(c.value);
        }
      } else {
        legacy.unreadable =
            "the telemetry database's records cannot be read (" + counters.error().message + ")";
      }
    }
    legacy.load = [this, store_ready]() -> Result<std::vector<control::LatchedFault>> {
      if (!store_ready) return fail(ErrorCode::timeout, "the telemetry database was not ready");
      if (store->metrics().corrupt_files_replaced > 0)
        return fail(ErrorCode::storage_error, "the telemetry database was corrupt");
      auto stored = store->load_latched_faults();
      if (!stored) return Failure{stored.error()};
      std::vector<control::LatchedFault> out;
      for (const auto& f : *stored)
        out.push_back(control::LatchedFault{
            f.code, f.message,
            std::chrono::duration_cast<std::chrono::milliseconds>(f.raised_at.time_since_epoch())
                .count()});
      return out;
    };
    const auto now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(clock.wall_now().time_since_epoch())
            .count();
    latches =
        std::make_unique<SafetyStateStore>(storage::SafetyStateFile(safety_state_path(config)),
                                           legacy, now_ms, SafetyStateStore::StartWrite::later);
    // Recorded once on disk, per store: the next start spots an older copy of the file.
    latches->set_stored_handler([this](const storage::SafetyStateStamp& stamp) {
      store->save_counter({std::string(kSafetyStateGenerationPrefix) + stamp.store_id,
                           static_cast<double>(stamp.generation), storage::CounterOrigin::derived,
                           clock.wall_now()});
    });
    if (latches->lost())
      log->critical("{}", latches->opened_summary());
    else
      log->info("{}", latches->opened_summary());
    safety_telemetry_db_existed = telemetry_db_existed;
    safety_store_ready = store_ready;
  }

  // The start-up rewrite of the safety state runs on the latch writer once the inverter's safe
  // state, the BMS and the fire alarm are under way: a slow disk must not delay them at start
  // any more than while running (docs/operations.md, "Safety state").
  void rewrite_safety_state_at_start() {
    hold_began = clock.now();
    if (loop->request().mode != config::OperatingMode::idle)
      log->info("mode {} held as idle until the safety state is rewritten at start",
                config::to_string(loop->request().mode));
    warn_while_held(std::chrono::seconds(10));
    latch_writer->defer([this] {
      const auto now_ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(clock.wall_now().time_since_epoch())
              .count();
      const bool ok = static_cast<bool>(latches->rewrite_at_start(now_ms));
      asio::post(io, [this, ok] { after_safety_state_rewrite(ok); });
    });
  }

  // A disk that stalls at start holds power for as long: said in the journal, not only in status.
  void warn_while_held(std::chrono::seconds after) {
    hold_warning_timer.expires_after(after);
    hold_warning_timer.async_wait([this, after](const boost::system::error_code& ec) {
      if (ec || !loop->holding_until_confirmed()) return;
      log->warn(
          "start-up: the safety state has not been rewritten after {} s (the disk does not "
          "answer); every mode runs as idle until it is",
          std::chrono::duration_cast<std::chrono::seconds>(clock.now() - hold_began).count());
      warn_while_held(after);
    });
  }

  void after_safety_state_rewrite(bool ok) {
    hold_warning_timer.cancel();
    if (!ok) log->critical("{}", latches->opened_summary());
    const auto held_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(clock.now() - hold_began).count();
    if (ok && loop->request().mode != config::OperatingMode::idle)
      log->info("safety state rewritten after {} ms: mode {} in force", held_ms,
                config::to_string(loop->request().mode));
    // Written: the restored state is trusted. Not written: FAULT-STORE is latched (reported by
    // the store before this) and blocks power until acknowledged.
    loop->hold_until_confirmed(false);
    loop->step_now();
    // Merged latches live in the safety state only, once it holds them (never dropped unread).
    if (safety_store_ready && latches->legacy_stored()) {
      if (safety_telemetry_db_existed) store->clear_all_latched_faults();
      store->save_counter(
          {kSafetyStateKeptCounter, 1.0, storage::CounterOrigin::derived, clock.wall_now()});
    }
  }

  // The operator's mode outlives restarts: `bessctl mode idle` before maintenance stays idle.
  void restore_operator_mode() {
    const auto& m = latches->mode();
    if (!m) return;
    control::OperatorRequest r = loop->request();
    bool known = false;
    for (auto mode : {config::OperatingMode::idle, config::OperatingMode::manual,
                      config::OperatingMode::self_consumption, config::OperatingMode::schedule}) {
      if (config::to_string(mode) == m->mode) {
        r.mode = mode;
        known = true;
      }
    }
    if (known && r.mode == config::OperatingMode::schedule && !config.schedule) {
      // The section was removed while bessd was stopped: the configured mode, said once.
      log->warn(
          "safety state: the operator's mode schedule is not restored: the configuration "
          "has no schedule section (docs/schedules.md); the configured mode {} applies",
          config::to_string(config.control.mode));
      return;
    }
    if (!known) {
      // Cannot happen with a file this version wrote; fail safe rather than guess.
      log->error("safety state: unknown operator mode '{}'; using idle", m->mode);
      r.mode = config::OperatingMode::idle;
    }
    r.manual_setpoint_w = m->manual_setpoint_w;
    r.target_grid_w = m->target_grid_w;
    if (m->expires_unix_ms) r.expires_at = WallTime{std::chrono::milliseconds{*m->expires_unix_ms}};
    if (control::has_expired(r, clock.wall_now())) {
      // It ended while bessd was stopped: the configured mode is what the operator asked for.
      on_mode_expired(r);
      return;
    }
    loop->restore_request(r);
    log->info("operator mode {} restored (set by {}{})", config::to_string(r.mode), m->set_by,
              r.expires_at ? ", until " + api::format_time(*r.expires_at) : "");
  }

  // The owner's reserve and charge target outlive restarts (docs/api.md "PUT /v1/settings").
  // They only narrow the configured window, so they apply from the first step.
  void restore_owner_settings() {
    const auto o = latches->settings();
    if (!o) return;
    // Values no percentage can be came from another writer: set aside, never applied.
    const auto valid = [](std::optional<double> pct) {
      return pct && *pct >= 0.0 && *pct <= 100.0 ? pct : std::nullopt;
    };
    if (valid(o->reserve_soc_pct) != o->reserve_soc_pct ||
        valid(o->target_soc_pct) != o->target_soc_pct)
      log->warn("safety state: the owner's settings hold a value outside 0-100 %; set aside");
    loop->restore_owner({valid(o->reserve_soc_pct), valid(o->target_soc_pct)});
    report_owner_settings("restored (set by " + o->set_by + ")");
  }

  // docs/schedules.md: windows read in UTC for want of a zone are an hour out half the year.
  void report_schedule_zone() {
    const auto& zone = loop->schedule_zone();
    if (!zone) return;
    if (zone->fallback())
      log->warn(
          "schedule: the system's time zone cannot be read (TZ, /etc/localtime), so the "
          "windows are read in UTC; set schedule.time_zone (such as Europe/London)");
    else
      log->info("schedule: windows read in {}", zone->name());
  }

  // docs/schedules.md "Price files": one feed per file; a reload naming another file (or none)
  // replaces it, the same file is looked at again at once.
  void start_price_feed() {
    const auto* by_price =
        config.schedule && config.schedule->by_price ? &*config.schedule->by_price : nullptr;
    if (price_feed && by_price && price_feed->state().file == by_price->file) {
      price_feed->check_now();
      return;
    }
    if (price_feed) price_feed->stop();
    price_feed.reset();
    if (!by_price) return;
    price_feed = std::make_unique<PriceFeed>(
        io, clock, by_price->file,
        [this](std::shared_ptr<const energy::PriceList> prices) {
          loop->set_prices(std::move(prices));
        },
        [this](const core::Event& e) { on_event(e); });
    price_feed->start();
  }

  // Said at start and after a reload: where the window stands, and an owner's value the
  // configured window no longer holds (docs/api.md "PUT /v1/settings").
  void report_owner_settings(const std::string& when) {
    const auto& owner = loop->owner();
    if (!owner.reserve_soc_pct && !owner.target_soc_pct) return;
    const auto s = api::settings_with(api::configured_soc_window(config), owner.reserve_soc_pct,
                                      owner.target_soc_pct);
    log->info("owner's settings {}: discharging stops at {}, charging at {}", when,
              core::pct_text(s.reserve.effective_pct), core::pct_text(s.target.effective_pct));
    if (!s.note.empty()) log->warn("owner's settings: {}", s.note);
  }

  // The operator's mode reached its expiry (docs/api.md, "PUT /v1/mode"): forget it durably, so
  // that a restart keeps the configured mode, and say so once.
  void on_mode_expired(const control::OperatorRequest& expired) {
    auto m = latches->mode();
    // The stored mode is the one that ended unless a new one was stored while it ended (a
    // write is stored before it is applied): that one is kept.
    if (m && (!m->expires_unix_ms || !expired.expires_at ||
              *m->expires_unix_ms != std::chrono::duration_cast<std::chrono::milliseconds>(
                                         expired.expires_at->time_since_epoch())
                                         .count()))
      m.reset();
    const std::string set_by = m ? m->set_by : "unknown";
    // Written on the latch writer's thread: a stalled disk must not hold the control loop. A
    // failure latches FAULT-STORE (the store's failure handler); an expired mode left in the
    // file would be discarded again at the next start.
    if (m) latch_writer->defer([this, ended = *m] { (void)latches->clear_mode_if(ended); });
    core::Event e;
    e.at = clock.now();
    e.severity = core::Severity::info;
    e.source = "control";
    e.code = "mode.expired";
    e.message = "operator mode " + std::string(config::to_string(expired.mode)) +
                (expired.mode == config::OperatingMode::manual
                     ? " (" + std::to_string(std::lround(expired.manual_setpoint_w)) + " W)"
                     : std::string()) +
                " set by " + set_by + " expired at " + api::format_time(*expired.expires_at) +
                "; the configured mode " + std::string(config::to_string(config.control.mode)) +
                " is in force";
    e.fields = {{"mode", std::string(config::to_string(expired.mode))},
                {"set_by", set_by},
                {"expired_at", api::format_time(*expired.expires_at)},
                {"configured_mode", std::string(config::to_string(config.control.mode))}};
    on_event(e);
  }

  std::string bms_link_detail() const {
    std::string detail = config.bms.transport == config::BmsTransport::slcan
                             ? "slcan " + config.bms.device
                             : "socketcan " + config.bms.interface;
    detail += ", " + std::string(config::to_string(config.bms.protocol));
    if (config.bms.bus_role == config::BmsBusRole::listen_only) detail += ", listening only";
    return detail;
  }
  std::string inverter_link_detail() const { return config::inverter_link_text(config.inverter); }

  // The API listens before READY=1: a client that sees the service active can connect. A
  // listener that cannot be opened is a service fault, retried (api_listeners.hpp); it never
  // stops the controller.
  // docs/operations.md "Priorities": the API thread runs 10 nice levels below the controller,
  // so that serving (or refusing) clients never takes the CPU from a BMS frame or a command.
  // Lowering its own priority needs no privilege.
  void audit_due_refusals_later() {
    refusal_audit_timer.expires_after(std::chrono::seconds(5));
    refusal_audit_timer.async_wait([this](const boost::system::error_code& ec) {
      if (ec || api_closing) return;
      router->audit_due_refusals();
      audit_due_refusals_later();
    });
  }

  static void lower_api_thread_priority() {
    errno = 0;
    const int current = ::getpriority(PRIO_PROCESS, 0);
    const int wanted = std::min(19, (errno == 0 ? current : 0) + 10);
    if (::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), wanted) != 0)
      logger("api")->warn("api: cannot lower the API thread's priority to nice {}: {}", wanted,
                          errno_text(errno));
  }

  void start_api() {
    auto server_options = api::http::ServerOptions::from_config(config.api);
    if (!server_options) {
      throw config::ConfigError(options_path(), {{"/api", server_options.error().message}});
    }
    server_options->logger = logger("api");
    // Start-up: the one place the group is looked up on this thread (reloads use the worker).
    const auto gid = unix_group_id(config.api);
    facade = std::make_unique<AppFacade>(FacadeContext{
        io.get_executor(),
        clock,
        config,
        options.config_path,
        *loop,
        *bms_monitor,
        *inverter_driver,
        *store,
        compliance_report,
        bms_link_detail(),
        inverter_link_detail(),
        &inverter_problems,
        latches.get(),
        latch_writer.get(),
        &config_text,
        [this] {
          auto links = listeners->links();
          if (meter) links.push_back(meter->link_status(clock.now()));
          if (mqtt) links.push_back(mqtt->link_status(clock.now()));
          if (uplink) links.push_back(uplink->link_status(clock.now()));
          return links;
        },
        [this] { return service_faults(); },
        &running_config_fingerprint,
        [this] { return warnings.list(); },
        [this] { return uplink ? uplink->metrics() : std::vector<api::MetricSample>{}; },
        [this] { return price_feed ? &price_feed->state() : nullptr; }});
    // 2 s at most for a write's audit record: well inside a client's patience (bessctl gives up
    // after 5 s), so an answer that says "not stored yet" still arrives.
    api_facade = std::make_unique<ControlThreadFacade>(
        *facade, io.get_executor(), [this] { return facade->take_audit_commits(); },
        std::chrono::seconds(2), facade.get());
    if (mqtt) mqtt->set_facade(api_facade.get());
    router = std::make_unique<api::Router>(*api_facade, clock,
                                           api::write_rate_settings(config.api.write_rate));
    http = std::make_unique<api::http::HttpServer>(api_io, *router, *server_options);
    http->update_options(std::move(*server_options), gid, unix_read_group_id(config.api));
    listeners =
        std::make_unique<ApiListeners>(api_io, *http, clock, std::move(inherited), logger("api"));
    listeners->start(ListenerPlan::from_config(config.api, gid));
    api_work.emplace(api_io.get_executor());
    audit_due_refusals_later();
    api_thread = std::thread([this] {
      lower_api_thread_priority();
      // A bug that throws out of one connection's handler must not end the controller: that
      // connection is gone (its handler unwound), the others and the controller go on.
      for (;;) {
        try {
          api_io.run();
          break;
        } catch (const std::exception& e) {
          logger("api")->error("api: a request handler failed ({}); the API goes on", e.what());
        }
      }
      // A write still running finishes (it needs the control thread, which runs until the
      // post below); those queued behind it are answered "stopping".
      api_facade->stop_writes();
      // Everything of the API has stopped: the control thread finishes the stop.
      asio::post(io, [this] { finish_stop_after_api(); });
    });
  }

  // The Unix socket's groups (getgrnam: at start-up, else on the reload worker, never per step).
  std::optional<gid_t> unix_group_id(const config::ApiConfig& api) const {
    return lookup_api_group(api, api.unix_socket.group,
                            "only root and the daemon's user may write");
  }
  std::optional<gid_t> unix_read_group_id(const config::ApiConfig& api) const {
    return lookup_api_group(api, api.unix_socket.read_group,
                            "only the control group may use the API");
  }
  std::optional<gid_t> lookup_api_group(const config::ApiConfig& api, const std::string& name,
                                        const char* otherwise) const {
    if (!api.unix_socket.enabled || name.empty()) return std::nullopt;
    auto gid = api::http::group_id_of(name);
    if (!gid) logger("api")->warn("api: group \"{}\" does not exist: {}", name, otherwise);
    return gid;
  }

  std::vector<api::ActiveFault> service_faults() const {
    auto out = listeners ? listeners->faults() : std::vector<api::ActiveFault>{};
    if (reload_fault) out.push_back(*reload_fault);
    return out;
  }

  std::string options_path() const { return options.config_path.string(); }

  // WATCHDOG=1 at half the interval systemd asked for (none when it asked for none). After
  // every step, and during the stop's waits: systemd keeps the watchdog armed while a unit
  // stops, so a stop waiting 5 s for an absent inverter was killed with SIGABRT under
  // WatchdogSec=3s.
  void feed_watchdog(TimePoint now) {
    if (watchdog_period && now - last_watchdog_at >= *watchdog_period) {
      last_watchdog_at = now;
      notifier.watchdog();
    }
  }

  // After every step: watchdog, telemetry at its own rate, counters once a minute, STATUS=.
  void after_step(const control::StepInput& in, const control::StepOutput& out) {
    stall_if_requested();
    bms_monitor->permit(power_flow_permit(in, out));
    // sd_notify blocks when the notify socket's queue is full, so the loop talks to systemd only
    // as often as it must: the watchdog at half its interval (and only when enabled), STATUS=
    // on a change of state or every 5 s at most.
    feed_watchdog(in.now);
    // The period runs on the steady clock: paced by the wall clock, a clock set back an hour
    // (NTP correcting an RTC that ran ahead) stored nothing for that hour.
    const auto wall = clock.wall_now();
    if (!last_telemetry_at || in.now - *last_telemetry_at >=
                                  std::chrono::duration<double>(config.storage.telemetry_period_s) -
                                      std::chrono::milliseconds(50)) {
      last_telemetry_at = in.now;
      auto sample =
          storage::make_telemetry_sample(wall, in.snapshot.pack, in.snapshot.inverter, out.envelope,
                                         out.command, std::string(control::to_string(out.state)),
                                         std::string(config::to_string(in.request.mode)));
      sample.cell_voltage_estimated_v = out.findings.estimated_cell_voltage_v;
      store->append_telemetry(sample);
    }
    counter_keeper->after_step(in.now);
    auto status = status_text(out, in.snapshot.pack);
    const bool state_changed =
        status.substr(0, status.find(',')) != last_status.substr(0, last_status.find(','));
    if (status != last_status &&
        (state_changed || in.now - last_status_at >= std::chrono::seconds(5))) {
      notifier.status(status);
      last_status = std::move(status);
      last_status_at = in.now;
    }
  }

  // Test-only: with BESSD_TEST_STALL_FILE set, the loop hangs while that file exists, so the
  // systemd watchdog test can see the service restarted. Unset in production: no effect.
  void stall_if_requested() {
    if (stall_file.empty()) return;
    std::error_code ec;
    if (!std::filesystem::exists(stall_file, ec)) return;
    log->warn("BESSD_TEST_STALL_FILE {} exists: stalling the control loop (test hook)", stall_file);
    while (std::filesystem::exists(stall_file, ec))
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const std::string stall_file = [] {
    const char* v = std::getenv("BESSD_TEST_STALL_FILE");
    return std::string(v != nullptr ? v : "");
  }();

  void wait_stop() {
    stop_signals.wait([this](int signo) {
      log->info("received {}, driving the inverter to the safe state",
                signo == SIGTERM ? "SIGTERM" : "SIGINT");
      begin_stop();
    });
  }

  // SIGTERM: command the safe state, wait (bounded) for the inverter to read it back, then stop.
  void begin_stop() {
    if (stopping) return;
    stopping = true;
    reload_signals.cancel();
    loop->stop();
    // Writes not yet started are answered "stopping" and not carried out: a mode stored now
    // would be in force after the restart without anyone told it was accepted.
    if (api_facade) api_facade->refuse_writes();
    // Latches raised until now are stored before exit by finish_stop_after_api()'s drain; not
    // waited for here, where a slow disk would hold the write that is running (it needs this
    // thread to finish) and with it the answers of those queued.
    log->info("safe state commanded");
    // No new API connections from here on: under socket activation they wait in systemd's
    // socket for the next bessd; requests already being served finish during the safe-state
    // wait instead of being cut off when the server stops.
    asio::post(api_io, [this] {
      api_closing = true;
      if (listeners) listeners->stop_accepting();
    });
    const auto now = clock.now();
    stop_began = now;
    wait_safe_state({now + kStopReach, now + kStopReadBack});
  }

  // docs/operations.md "Stop behaviour": how long a stop waits for the safe state's read-back.
  // An inverter that answers gets kStopReadBack from the time it is seen answering. One not
  // reached yet (a stop just after a restart, while the link connects; a link that dropped)
  // gets kStopReach to connect: its session's first write is the safe state, and until then
  // the device may still run a forced charge or discharge of the run before.
  static constexpr std::chrono::milliseconds kStopReadBack{800};
  static constexpr std::chrono::seconds kStopReach{5};
  struct StopDeadlines {
    TimePoint reach;      // the inverter must answer by then
    TimePoint read_back;  // and confirm by then (moved on when it first answers late)
  };

  // After a long outage the link's backoff is seconds, as long as the whole wait: the stop asks
  // for an attempt now, and again each second, which the backoff would space further apart.
  static constexpr std::chrono::seconds kStopReconnectEvery{1};
  void hurry_reconnect(TimePoint now) {
    if (reconnect_hurried_at && now - *reconnect_hurried_at < kStopReconnectEvery) return;
    reconnect_hurried_at = now;
    if (modbus_client) modbus_client->reconnect_now();
  }

  void wait_safe_state(StopDeadlines deadlines) {
    // Running, the loop tells the driver its command at every step; stopped, it no longer
    // steps, so the safe state is told again here: a session that begins during the wait (the
    // link just came up) must take it as its command, not only write it as its first write.
    inverter_driver->apply(loop->last_output().command);
    auto s = inverter_driver->latest_state();
    const bool online = s && s->online;
    const auto now = clock.now();
    feed_watchdog(now);
    if (online && !answered_during_stop) {
      answered_during_stop = true;
      deadlines.read_back = std::max(deadlines.read_back, now + kStopReadBack);
    }
    // The safe state itself must have been written and read back: a read-back of 0 W can
    // still be the previous safe state while a setpoint write is in flight.
    const bool confirmed = online && inverter_driver->command_confirmed() &&
                           s->setpoint_readback_w && std::abs(*s->setpoint_readback_w) < 1.0;
    const bool given_up = online ? now >= deadlines.read_back : now >= deadlines.reach;
    if (!confirmed && !online && !waiting_for_reach_logged) {
      waiting_for_reach_logged = true;
      log->info("inverter not answering: waiting up to {} s for it, to write the safe state",
                kStopReach.count());
    }
    if (!online && !given_up) hurry_reconnect(now);
    if (confirmed || given_up) {
      if (confirmed)
        log->info("safe state confirmed by read-back");
      else
        log->warn(
            "safe state not confirmed by read-back ({}); the inverter keeps its last command "
            "until its own timeout (a hold has none)",
            why_unconfirmed(s, stop_began));
      if (confirmed && release_on_stop()) {
        core::InverterCommand release;
        release.kind = core::CommandKind::release;
        release.reason = "stop: inverter.on_stop = release, no fault";
        inverter_driver->apply(release);
        log->info("releasing the inverter to its own mode (inverter.on_stop = release)");
        wait_release(clock.now() + std::chrono::milliseconds(800));
        return;
      }
      finish_stop();
      return;
    }
    stop_timer.expires_after(std::chrono::milliseconds(20));
    stop_timer.async_wait([this, deadlines](const boost::system::error_code& ec) {
      if (!ec) wait_safe_state(deadlines);
    });
  }

  /// docs/operations.md "Stop behaviour": a stop releases the inverter only when configured,
  /// the profile can, and no fault is active or latched; otherwise the safe state holds.
  bool release_on_stop() const {
    if (config.inverter.on_stop != config::OnStop::release) return false;
    if (!profile_can_release) {
      log->warn("inverter.on_stop = release, but the profile has no release writes: holding");
      return false;
    }
    const auto& faults = loop->last_output().faults;
    if (!faults.empty()) {
      std::string ids;
      for (const auto& f : faults) ids += (ids.empty() ? "" : ", ") + f.id;
      log->warn("stopping with fault(s) {}: the inverter stays in the safe state", ids);
      return false;
    }
    return true;
  }

  void wait_release(TimePoint deadline) {
    feed_watchdog(clock.now());
    const bool confirmed = inverter_driver->command_confirmed();
    if (confirmed || clock.now() >= deadline) {
      if (confirmed)
        log->info("inverter released to its own mode (read back)");
      else
        log->warn("release not confirmed in time: the inverter may still hold the safe state");
      finish_stop();
      return;
    }
    stop_timer.expires_after(std::chrono::milliseconds(20));
    stop_timer.async_wait([this, deadline](const boost::system::error_code& ec) {
      if (!ec) wait_release(deadline);
    });
  }

  // The API thread stops first (the control thread keeps answering its facade calls meanwhile),
  // then the rest stops here.
  void finish_stop() {
    notifier.stopping();
    if (mqtt) mqtt->audit_pending_refusals();
    if (!api_thread.joinable()) return finish_stop_after_api();
    asio::post(api_io, [this] {
      // Every refusal still counted gets its record before the store stops.
      refusal_audit_timer.cancel();
      if (router) router->audit_pending_refusals();
      const auto close_api = [this] {
        if (http) http->stop();
        if (listeners) listeners->stop();
        api_work.reset();
        api_io.stop();
      };
      if (!api_facade) return close_api();
      // The write running finishes and those queued are answered "stopping" first: their
      // answers are on the connections (posted to this io before) when the server closes them.
      api_facade->when_writes_done([this, close_api] { asio::post(api_io, close_api); });
    });
  }

  void finish_stop_after_api() {
    fire_alarm->stop();
    if (compliance_monitor) compliance_monitor->stop();
    bms_timer->stop();
    bms_monitor->stop();
    // Latches raised while stopping (a fire alarm) are on disk before the process ends. A hung
    // disk holds the stop here until systemd's TimeoutStopSec; the safe state is out already.
    latch_writer->drain([this](std::chrono::seconds waited) {
      feed_watchdog(clock.now());  // alive, waiting on the disk: TimeoutStopSec bounds it
      log->warn(
          "stopping: still waiting after {} s for the safety-state file to be written (the disk "
          "does not answer); the inverter has its safe-state command",
          waited.count());
    });
    inverter_driver->stop();
    if (meter) meter->stop();
    if (price_feed) price_feed->stop();
    if (mqtt) mqtt->stop();
    if (uplink) uplink->stop();  // before the store: it reads the log
    counter_keeper->save_all();
    io.stop();
  }

  void wait_reload() {
    reload_signals.wait([this](int) {
      // Posted: a SIGTERM read in the same turn of the loop (both signalfds ready at once, in
      // whichever order epoll names them) is acted on first, and no reload begins.
      asio::post(io, [this] {
        if (!stopping) reload();  // re-arms wait_reload() once the reload is applied or refused
      });
    });
  }

  // SIGHUP: the file is read, parsed and checked (token file, group) on reload_worker; the
  // result is applied here, on the event loop, entirely or not at all (apply_reload()).
  void reload() {
    notifier.reloading();
    log->info("SIGHUP: reloading {}", options.config_path.string());
    const bool on_schedule =
        loop->operator_mode() && loop->request().mode == config::OperatingMode::schedule;
    asio::post(reload_worker, [this, on_schedule] {
      PreparedReload r;
      try {
        // Parsed from the very text kept as the snapshot: the file may change in between.
        r.text = config::read_config_text(options.config_path);
        r.config = config::parse_config(r.text, options.config_path.string());
        // The profile the file names must load, as at start: a reload must never accept a
        // file the next restart would refuse (docs/operations.md, "Configure, reload").
        (void)inverter::load_configured_profile(
            r.config->inverter.profile, r.config->inverter.profile_dir, options.config_path);
        if (r.config->meter) (void)load_meter_profile(*r.config, options.config_path);
        if (r.config->mqtt) (void)broker_options_of(*r.config, options.config_path);
        if (r.config->uplink) (void)uplink_broker_options_of(*r.config, options.config_path);
        // The operator's mode schedule needs its section (docs/schedules.md), as control.mode
        // does: a reload that takes it away would leave the battery idle without a word.
        if (on_schedule && !r.config->schedule)
          throw std::runtime_error(
              "the operator's mode is schedule, and this configuration has no schedule section; "
              "choose another mode first (bessctl mode ...) or keep the section");
        // The token file through the same loader as at start-up.
        auto server = api::http::ServerOptions::from_config(r.config->api);
        if (!server) {
          r.error = "api: " + server.error().message;
        } else {
          r.server = std::move(*server);
          r.unix_gid = unix_group_id(r.config->api);
          r.read_gid = unix_read_group_id(r.config->api);
        }
      } catch (const config::ConfigError& e) {
        r.error = e.what();
      } catch (const std::exception& e) {
        r.error = e.what();
      }
      if (!r.error.empty())
        return asio::post(io, [this, r = std::move(r)]() mutable { apply_reload(std::move(r)); });
      asio::post(api_io, [this, r = std::move(r)]() mutable { apply_api_reload(std::move(r)); });
    });
  }

  // On the API thread: every listener the new api section adds or moves must open before
  // anything changes; then the api section takes effect and the control thread applies the
  // rest, which cannot fail (apply_reload()).
  void apply_api_reload(PreparedReload r) {
    if (api_closing) return;
    auto p = listeners->prepare(ListenerPlan::from_config(r.config->api, r.unix_gid));
    if (!p) {
      r.error = "api: " + p.error().message;
    } else {
      r.server->logger = logger("api");
      http->update_options(std::move(*r.server), r.unix_gid, r.read_gid);
      router->set_write_rate(api::write_rate_settings(r.config->api.write_rate));
      listeners->commit(*p);
    }
    asio::post(io, [this, r = std::move(r)]() mutable { apply_reload(std::move(r)); });
  }

  void apply_reload(PreparedReload r) {
    if (stopping) return;
    if (!r.error.empty()) {
      refuse_reload(r.error);
    } else {
      config::Config fresh = std::move(*r.config);
      const bool links_changed =
          fresh.bms != config.bms || fresh.inverter.profile != config.inverter.profile ||
          fresh.inverter.transport != config.inverter.transport ||
          fresh.inverter.tcp.host != config.inverter.tcp.host ||
          fresh.inverter.tcp.port != config.inverter.tcp.port ||
          fresh.inverter.rtu.device != config.inverter.rtu.device ||
          fresh.storage.path != config.storage.path || meter_link_changed(fresh) ||
          fresh.mqtt != config.mqtt || fresh.uplink != config.uplink;
      config = std::move(fresh);
      setup_logging(config.logging, options.log_level);
      evaluate_compliance();
      loop->reconfigure(config);
      start_price_feed();
      report_owner_settings("with the reloaded configuration");
      report_schedule_zone();
      running_config_fingerprint = config::config_fingerprint(r.text);
      store->save_config_snapshot({clock.wall_now(), running_config_fingerprint, r.text});
      config_text = std::move(r.text);
      if (links_changed) {
        log->warn(
            "BMS, inverter, meter, MQTT, uplink or storage link settings changed: they take effect "
            "at the next restart");
      }
      reload_fault.reset();
      log->info("configuration reloaded (api section applied)");
    }
    notifier.ready();
    wait_reload();
  }

  bool meter_link_changed(const config::Config& fresh) const {
    if (fresh.meter.has_value() != config.meter.has_value()) return true;
    if (!fresh.meter) return false;
    const auto& a = *fresh.meter;
    const auto& b = *config.meter;
    return a.profile != b.profile || modbus_link_text(a) != modbus_link_text(b) ||
           a.unit_id != b.unit_id;
  }

  void refuse_reload(const std::string& reason) {
    log->error("reload rejected, keeping the running configuration: {}", reason);
    api::ActiveFault f;
    f.code = "CONFIG-RELOAD";
    f.severity = core::Severity::warning;
    f.message = "the last reload was refused, the previous configuration stays in force: " + reason;
    f.since = clock.wall_now();
    reload_fault = std::move(f);
  }

  // Checked at start-up, on every reload, at the change of the local day and when the BMS
  // reports its nameplate (compliance_monitor.cpp); each report reaches the loop and the API.
  void evaluate_compliance() {
    if (!compliance_monitor) {
      compliance_monitor = std::make_unique<ComplianceMonitor>(
          io, clock, config, [this](const compliance::ComplianceReport& r) {
            compliance_report = r;
            if (loop) loop->set_compliance(compliance_report);
          });
      compliance_monitor->start();
      return;
    }
    compliance_monitor->reevaluate("configuration reloaded");
  }

  void start() {
    // First: the variables go from the environment before any thread or child could see them.
    if (ports.inherit_sockets) inherited = take_inherited_sockets();
    build();
    evaluate_compliance();
    wait_stop();
    wait_reload();
    if (watchdog_period) {
      if (std::chrono::milliseconds(config.control.period_ms) > *watchdog_period) {
        log->warn("control period {} ms is longer than half the systemd watchdog interval",
                  config.control.period_ms);
      }
    }
    inverter_driver->start();
    if (meter) meter->start();
    bms_monitor->start();
    bms_timer->start();
    fire_alarm->start();
    start_price_feed();  // before the loop's first step, which plans as soon as prices are in
    loop->start();
    rewrite_safety_state_at_start();
    start_api();
    if (mqtt) mqtt->start();  // after the facade its status comes from
    if (uplink) uplink->start();
    log->info("bessd ready (site \"{}\", config {})", config.site.name,
              options.config_path.string());
    notifier.ready();
  }

  int run_until_stopped() {
    io.run();
    if (api_thread.joinable()) api_thread.join();
    log->info("bessd stopped");
    return 0;
  }
};

DaemonRuntime::DaemonRuntime(DaemonOptions options, config::Config config, DaemonPorts ports)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(config), std::move(ports))) {}
DaemonRuntime::~DaemonRuntime() = default;

void DaemonRuntime::start() {
  impl_->start();
}
int DaemonRuntime::run_until_stopped() {
  return impl_->run_until_stopped();
}
int DaemonRuntime::run() {
  start();
  return run_until_stopped();
}
boost::asio::io_context& DaemonRuntime::io() {
  return impl_->io;
}
void DaemonRuntime::request_stop() {
  asio::post(impl_->io, [impl = impl_.get()] {
    impl->log->info("stop requested, driving the inverter to the safe state");
    impl->begin_stop();
  });
}
AppFacade& DaemonRuntime::facade() {
  return *impl_->facade;
}

}  // namespace bessd::app
