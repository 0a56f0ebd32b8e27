// The daemon's runtime driven in-process (docs/architecture.md "Daemon: builder and runtime"):
// built from a configuration with fakes in the ports (a SimCanBus the test plays the BMS on, an
// InMemoryModbusClient holding the inverter's registers, a MemoryStore), the control thread run
// by the test in slices. The policy checked is the one the system tests check on the binary:
// BMS frames lead to inverter writes inside the BMS's limits, a protection flag to 0 W, a silent
// BMS to the safe state, a stop to the safe state first; status shows the pack.
#include <bessd/app/daemon_runtime.hpp>

#include <stdlib.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <bessd/app/app_facade.hpp>
#include <bessd/app/logging.hpp>
#include <bessd/can/sim_can_bus.hpp>
#include <bessd/config/config_loader.hpp>
#include <bessd/modbus/testing/in_memory_modbus_client.hpp>
#include <bessd/storage/memory_store.hpp>

namespace bessd::app {
namespace {

using modbus::testing::InMemoryModbusClient;
using std::chrono::milliseconds;

// config/profiles/test_dummy.json: the setpoint (s32, discharge positive) at holding 200-201,
// the enable flag at 202; the safe state writes both 0.
constexpr std::uint16_t kSetpoint = 200;
constexpr std::uint16_t kEnable = 202;
// The BMS allows 10 A either way: at most 10 A x 53.2 V (its charge-voltage limit) of power.
constexpr double kMaxPowerW = 10.0 * 53.2;

std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<can::CanFrame> healthy_frames() {
  return {
      can::make_frame(0x351, {0x14, 0x02, 0x64, 0x00, 0x64, 0x00, 0xC2, 0x01}),  // 53.2 V, 10 A
      can::make_frame(0x355, {0x46, 0x00, 0x64, 0x00}),                          // SOC 70, SOH 100
      can::make_frame(0x356, {0xA0, 0x14, 0x00, 0x00, 0xDC, 0x00}),              // 52.8 V, 0 A
      can::make_frame(0x359, {0x00, 0x00, 0x00, 0x00, 0x06, 'P', 'N'}),
      can::make_frame(0x35C, {0xC0, 0x00}),
      can::make_frame(0x35E, {'P', 'Y', 'L', 'O', 'N', ' ', ' ', ' '}),
      can::make_frame(0x373, {0xE4, 0x0C, 0xEE, 0x0C, 0x27, 0x01, 0x29, 0x01}),
  };
}

// The BMS's internal-error protection in 0x359 (the rest as healthy_frames()): it blocks both
// directions (docs/protection.md, FLAG:bms_internal), so the discharge must stop too.
std::vector<can::CanFrame> protection_frames() {
  auto frames = healthy_frames();
  frames[3] = can::make_frame(0x359, {0x00, 0x08, 0x00, 0x00, 0x06, 'P', 'N'});
  return frames;
}

std::int32_t setpoint_of(const InMemoryModbusClient::Request& r) {
  const auto hi =
      static_cast<std::uint32_t>(r.values.at(static_cast<std::size_t>(kSetpoint - r.address)));
  const auto lo =
      static_cast<std::uint32_t>(r.values.at(static_cast<std::size_t>(kSetpoint + 1 - r.address)));
  return static_cast<std::int32_t>((hi << 16) | lo);
}

bool writes(const InMemoryModbusClient::Request& r, std::uint16_t reg) {
  return r.function == InMemoryModbusClient::Function::write_registers && r.address <= reg &&
         static_cast<std::size_t>(reg) < r.address + r.values.size();
}

// What one of the daemon's loggers writes while it lives.
class LoggedLines {
 public:
  explicit LoggedLines(const std::string& name)
      : logger_(logger(name)), sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(500)) {
    logger_->sinks().push_back(sink_);
  }
  ~LoggedLines() {
    auto& sinks = logger_->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
  }
  LoggedLines(const LoggedLines&) = delete;
  LoggedLines& operator=(const LoggedLines&) = delete;

  bool has(const std::string& text) const {
    const auto lines = sink_->last_formatted();
    return std::any_of(lines.begin(), lines.end(), [&](const std::string& line) {
      return line.find(text) != std::string::npos;
    });
  }

 private:
  std::shared_ptr<spdlog::logger> logger_;
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
};

class DaemonRuntimeTest : public ::testing::Test {
 protected:
  DaemonRuntimeTest() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "bessd-runtime-XXXXXX").string();
    dir_ = ::mkdtemp(tmpl.data());
    const std::string root = BESSD_SOURCE_DIR;
    auto c = nlohmann::json::parse(read_all(root + "/config/demo.json"), nullptr, true, true);
    c["bms"]["stale_ms"] = 400;
    c["bms"]["timeout_ms"] = 800;
    c["inverter"]["profile"] = "test_dummy";
    c["inverter"]["profile_dir"] = root + "/config/profiles";
    c["inverter"]["unit_id"] = 1;
    c["inverter"]["poll_period_ms"] = 100;
    c["control"]["period_ms"] = 100;
    c["control"]["mode"] = "manual";
    c["control"]["manual_setpoint_w"] = -1500;
    // An input that cannot be read counts as an alarm: the panel here says "no alarm".
    c["control"]["fire_alarm"]["path"] = (dir_ / "fire-alarm").string();
    std::ofstream(dir_ / "fire-alarm") << "0\n";
    c["limits"]["hysteresis_hold_s"] = 0;
    c["storage"]["path"] = (dir_ / "bessd.db").string();
    c["storage"]["safety_state_path"] = (dir_ / "safety-state.json").string();
    c["api"]["unix_socket"]["path"] = (dir_ / "api.sock").string();
    const auto path = dir_ / "bessd.json";
    std::ofstream(path) << c.dump(2);

    DaemonPorts ports;
    ports.clock = std::make_shared<SystemClock>();
    ports.inherit_sockets = false;
    ports.bms_bus = [this](boost::asio::io_context& io, const config::BmsConfig&,
                           const std::vector<can::CanFilter>&) {
      auto bus = std::make_unique<can::SimCanBus>(io, "bms");
      bus_ = bus.get();
      return bus;
    };
    ports.inverter_client = [this](boost::asio::io_context& io, const config::InverterConfig&) {
      auto client = std::make_unique<InMemoryModbusClient>(io, "inverter");
      client->set_input(1, 0, {0, 528, 0, 0, 0, 0, 2});  // idle, 52.8 V, running
      client->set_holding(1, 100, {0, 5000});            // rated 5 kW
      client->set_holding(1, 110, std::vector<std::uint16_t>(16, 0x4142));
      client->set_holding(1, kSetpoint, {0, 0, 0});
      if (prepare_inverter_) prepare_inverter_(*client);
      inverter_ = client.get();
      return client;
    };
    ports.store = [this](const config::StorageConfig& cfg, const Clock&,
                         const std::function<void(const core::Event&)>&) {
      auto store = std::make_unique<storage::MemoryStore>(cfg);
      store_ = store.get();
      return store;
    };
    runtime_ = std::make_unique<DaemonRuntime>(DaemonOptions{path, std::nullopt},
                                               config::load_config_file(path), std::move(ports));
  }

 public:
  ~DaemonRuntimeTest() override {
    if (started_ && !runtime_->io().stopped()) stop();
    runtime_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

 protected:
  void start() {
    runtime_->start();
    started_ = true;
  }

  // Runs the control thread for `d`, the BMS sending `frames` every 100 ms (none: silent).
  void run_for(milliseconds d, const std::vector<can::CanFrame>& frames = {}) {
    for (milliseconds t{0}; t < d; t += milliseconds{100}) {
      for (const auto& f : frames) bus_->inject(f);
      runtime_->io().run_for(milliseconds{100});
    }
  }

  // Runs (BMS sending `frames`) until `done`, at most `limit`.
  bool run_until(const std::function<bool()>& done, const std::vector<can::CanFrame>& frames,
                 milliseconds limit = milliseconds{10'000}) {
    for (milliseconds t{0}; t < limit; t += milliseconds{100}) {
      if (done()) return true;
      run_for(milliseconds{100}, frames);
    }
    return done();
  }

  std::vector<InMemoryModbusClient::Request> setpoint_writes() const {
    std::vector<InMemoryModbusClient::Request> out;
    for (const auto& r : inverter_->requests())
      if (writes(r, kSetpoint) && r.ok) out.push_back(r);
    return out;
  }
  std::optional<std::int32_t> last_setpoint() const {
    auto w = setpoint_writes();
    if (w.empty()) return std::nullopt;
    return setpoint_of(w.back());
  }
  std::optional<std::uint16_t> last_enable() const {
    std::optional<std::uint16_t> out;
    for (const auto& r : inverter_->requests())
      if (writes(r, kEnable) && r.ok)
        out = r.values.at(static_cast<std::size_t>(kEnable - r.address));
    return out;
  }
  bool powered() const {
    const auto s = last_setpoint();
    return s && *s != 0;
  }
  bool in_safe_state() const { return last_setpoint() == 0 && last_enable() == 0; }

  void stop() {
    runtime_->request_stop();
    for (int i = 0; i < 100 && !runtime_->io().stopped(); ++i)
      runtime_->io().run_for(milliseconds{100});
  }

  std::filesystem::path dir_;
  // Called on the inverter's fake once it is made (at start()), after its usual registers.
  std::function<void(InMemoryModbusClient&)> prepare_inverter_;
  std::unique_ptr<DaemonRuntime> runtime_;
  bool started_{false};
  can::SimCanBus* bus_{nullptr};
  InMemoryModbusClient* inverter_{nullptr};
  storage::MemoryStore* store_{nullptr};
};

TEST_F(DaemonRuntimeTest, BmsFramesLeadToAnInverterWriteWithinTheBmsLimits) {
  start();
  ASSERT_TRUE(run_until([&] { return powered(); }, healthy_frames()))
      << "no setpoint written while the BMS reports a healthy pack";
  // The manual 1500 W discharge is cut to what the BMS's 10 A allow.
  const auto w = *last_setpoint();
  EXPECT_GT(w, 0) << "discharge (discharge-positive register) expected";
  EXPECT_LE(std::abs(w), kMaxPowerW);
  run_for(milliseconds{1'000}, healthy_frames());
  for (const auto& r : setpoint_writes()) {
    EXPECT_LE(std::abs(setpoint_of(r)), kMaxPowerW);
  }
  EXPECT_EQ(last_enable(), 1);
}

// A BMS protection that blocks both directions closes the envelope: 0 W through the ordinary
// command, held while the flag is up. The profile's safe-state writes (the enable flag off too)
// are for the faults that block, such as a silent BMS, and for the stop (docs/protection.md
// "Safe state").
TEST_F(DaemonRuntimeTest, BmsProtectionFlagStopsThePower) {
  start();
  ASSERT_TRUE(run_until([&] { return powered(); }, healthy_frames()));
  ASSERT_TRUE(
      run_until([&] { return last_setpoint() == 0; }, protection_frames(), milliseconds{2'000}))
      << "setpoint " << last_setpoint().value_or(-1);
  // It stays there while the flag is up.
  run_for(milliseconds{1'000}, protection_frames());
  EXPECT_EQ(last_setpoint(), 0);
}

TEST_F(DaemonRuntimeTest, BmsSilenceDrivesTheInverterToTheSafeState) {
  start();
  ASSERT_TRUE(run_until([&] { return powered(); }, healthy_frames()));
  // bms.timeout_ms is 800: well within 3 s of silence.
  ASSERT_TRUE(run_until([&] { return in_safe_state(); }, {}, milliseconds{3'000}))
      << "setpoint " << last_setpoint().value_or(-1);
}

TEST_F(DaemonRuntimeTest, StopWritesTheSafeStateFirst) {
  start();
  ASSERT_TRUE(run_until([&] { return powered(); }, healthy_frames()));
  const auto before = inverter_->requests().size();
  stop();
  ASSERT_TRUE(runtime_->io().stopped()) << "the stop did not finish within 10 s";
  std::vector<InMemoryModbusClient::Request> after;
  for (std::size_t i = before; i < inverter_->requests().size(); ++i)
    if (inverter_->requests()[i].function == InMemoryModbusClient::Function::write_registers)
      after.push_back(inverter_->requests()[i]);
  ASSERT_FALSE(after.empty()) << "nothing written to the inverter on stop";
  ASSERT_TRUE(writes(after.front(), kSetpoint));
  EXPECT_EQ(setpoint_of(after.front()), 0) << "the first write after the stop is not 0 W";
  for (const auto& r : after) {
    if (writes(r, kSetpoint)) {
      EXPECT_EQ(setpoint_of(r), 0);
    }
  }
  EXPECT_TRUE(in_safe_state());
}

// docs/operations.md "Stop behaviour": a stop just after a restart, before the inverter is
// reached, still writes the safe state once the link comes up; the device may still run the
// discharge the run before (killed) left it in.
TEST_F(DaemonRuntimeTest, AStopBeforeTheInverterIsReachedWaitsToWriteTheSafeState) {
  prepare_inverter_ = [](InMemoryModbusClient& inverter) {
    inverter.set_holding(1, kSetpoint, {0, 500, 1});  // discharging 500 W, enabled
    inverter.link_down("connection refused");
  };
  const LoggedLines logged("app");
  start();
  EXPECT_EQ(inverter_->reconnect_requests(), 0u) << "running, the link keeps its own backoff";
  runtime_->request_stop();
  run_for(milliseconds{1'500});  // longer than the read-back bound of an answering inverter
  ASSERT_FALSE(runtime_->io().stopped()) << "the stop gave up before the inverter was reached";
  // The link's backoff can be seconds after a long outage: the stop asks for an attempt at once
  // and again each second.
  EXPECT_EQ(inverter_->reconnect_requests(), 2u);
  inverter_->link_up();
  for (int i = 0; i < 50 && !runtime_->io().stopped(); ++i)
    runtime_->io().run_for(milliseconds{100});
  ASSERT_TRUE(runtime_->io().stopped()) << "the stop did not finish once the inverter answered";
  EXPECT_TRUE(in_safe_state()) << "setpoint " << last_setpoint().value_or(-1);
  EXPECT_TRUE(logged.has("safe state confirmed by read-back"));
}

TEST_F(DaemonRuntimeTest, AStopWithTheInverterUnreachableEndsAfterItsBound) {
  prepare_inverter_ = [](InMemoryModbusClient& inverter) {
    inverter.link_down("no route to host");
  };
  start();
  const auto began = std::chrono::steady_clock::now();
  stop();
  const auto took = std::chrono::steady_clock::now() - began;
  ASSERT_TRUE(runtime_->io().stopped()) << "the stop did not finish within 10 s";
  EXPECT_GE(took, milliseconds{4'500});  // waited for the inverter, 5 s
  EXPECT_LT(took, milliseconds{8'000});
}

TEST_F(DaemonRuntimeTest, StatusThroughTheFacadeShowsThePack) {
  start();
  run_for(milliseconds{1'000}, healthy_frames());
  const auto status = runtime_->facade().status();
  ASSERT_TRUE(status.pack.soc_pct.has_value());
  EXPECT_DOUBLE_EQ(*status.pack.soc_pct, 70.0);
  ASSERT_TRUE(status.pack.voltage_v.has_value());
  EXPECT_NEAR(*status.pack.voltage_v, 52.8, 1e-6);
  ASSERT_TRUE(status.pack.cell_voltage_max_v.has_value());
  EXPECT_NEAR(*status.pack.cell_voltage_max_v, 3.31, 1e-6);
}

// The audit log keeps who wrote as JSON (docs/api.md "GET /v1/audit"): each transport is
// written by its name and read back by the same table.
TEST_F(DaemonRuntimeTest, TheAuditReadsEveryTransportBack) {
  start();
  for (const auto& row : api::kTransportNames) {
    api::Requester who;
    who.transport = row.value;
    who.user = std::string(row.name);
    runtime_->facade().audit_refusal(who, "POST /v1/mode", "refused for the test");
  }
  std::optional<Result<std::vector<api::AuditRecord>>> got;
  runtime_->facade().audit({},
                           [&](Result<std::vector<api::AuditRecord>> r) { got = std::move(r); });
  ASSERT_TRUE(run_until([&] { return got.has_value(); }, healthy_frames()));
  ASSERT_TRUE(*got) << got->error().message;
  std::vector<std::pair<std::string, api::Transport>> read;
  for (const auto& rec : got->value())
    if (rec.action == "refused_write") read.emplace_back(rec.who.user, rec.who.transport);
  ASSERT_EQ(read.size(), api::kTransportNames.size());
  for (const auto& row : api::kTransportNames)
    EXPECT_NE(std::find(read.begin(), read.end(), std::pair{std::string(row.name), row.value}),
              read.end())
        << row.name;
}

}  // namespace
}  // namespace bessd::app
