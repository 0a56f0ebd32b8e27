#include "site.hpp"

#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

namespace bessd::systest {
namespace {

using namespace std::chrono_literals;

// A blocking request/response on a Unix stream socket (bounded by SO_RCVTIMEO). `why`, when
// given, says what ended the exchange early (for a test's failure message).
std::string unix_exchange(const std::string& path, const std::string& request, bool until_eof,
                          std::string* why = nullptr, std::chrono::milliseconds timeout = 5s) {
  const auto said = [&](const std::string& what) {
    if (why) *why = what;
  };
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  timeval tv{static_cast<time_t>(timeout.count() / 1000),
             static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    said("connect " + path + ": " + std::strerror(errno));
    ::close(fd);
    return {};
  }
  const auto started = std::chrono::steady_clock::now();
  std::size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      said("send after " + std::to_string(sent) + " bytes: " + std::strerror(errno));
      break;
    }
    sent += static_cast<std::size_t>(n);
  }
  std::string reply;
  char buf[4096];
  while (true) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0) {
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - started)
                          .count();
      said("recv after " + std::to_string(reply.size()) + " bytes and " + std::to_string(ms) +
           " ms: " + std::strerror(errno));
    }
    if (n <= 0) break;
    reply.append(buf, static_cast<std::size_t>(n));
    if (!until_eof && reply.find('\n') != std::string::npos) break;
  }
  if (reply.empty() && why && why->empty()) said("closed by the peer without an answer");
  ::close(fd);
  return reply;
}

}  // namespace

std::int64_t Site::now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::int64_t Site::now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool wait_until(const std::function<bool()>& predicate, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (predicate()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(10ms);  // polling interval, not a readiness wait
  }
}

std::optional<std::int64_t> first_write_after(
    const nlohmann::json& writes, std::int64_t since_us,
    const std::function<bool(double lo, double hi)>& predicate) {
  for (const auto& w : writes) {
    const auto at = w.at("at_us").get<std::int64_t>();
    if (at >= since_us && predicate(w.at("lo_w").get<double>(), w.at("hi_w").get<double>()))
      return at;
  }
  return std::nullopt;
}

std::optional<std::int64_t> wait_for_write(
    Site& site, std::int64_t since_us, const std::function<bool(double lo, double hi)>& predicate,
    std::chrono::milliseconds timeout) {
  std::optional<std::int64_t> at;
  wait_until(
      [&] {
        at = first_write_after(site.sim_writes(), since_us, predicate);
        return at.has_value();
      },
      timeout);
  return at;
}

void expect_safe_state_before_exit(Site& site, std::chrono::milliseconds timeout) {
  const std::int64_t term = Site::now_us();
  site.bessd()->signal(SIGTERM);
  auto exited = site.bessd()->wait(timeout);
  ASSERT_TRUE(exited) << site.bessd_output();
  const std::int64_t gone = Site::now_us();
  EXPECT_TRUE(exited->exited);
  EXPECT_EQ(exited->code, 0) << site.bessd_output();
  const auto safe = first_write_after(site.sim_writes(), term, holds_zero);
  ASSERT_TRUE(safe) << site.sim("writes") << "\n" << site.bessd_output();
  EXPECT_LE(*safe, gone);
  // The device took it: the SunSpec storage mode limits both directions to 0 %.
  const auto dev = site.inverter_device();
  EXPECT_EQ(dev.at("storctl_mod"), 3) << dev.dump();
  EXPECT_EQ(dev.at("in_wrte_pct"), 0.0) << dev.dump();
  EXPECT_EQ(dev.at("out_wrte_pct"), 0.0) << dev.dump();
}

nlohmann::json fault_in(const nlohmann::json& status, const std::string& code) {
  if (!status.is_object() || !status.contains("active_faults")) return nullptr;
  for (const auto& f : status.at("active_faults"))
    if (f.value("code", "") == code) return f;
  return nullptr;
}

bool any_latched(const nlohmann::json& status) {
  if (!status.is_object() || !status.contains("active_faults")) return false;
  for (const auto& f : status.at("active_faults"))
    if (f.value("latched", false)) return true;
  return false;
}

nlohmann::json status_of(Site& site) {
  return site.api("GET", "/v1/status").body;
}

bool wait_stored(Site& site, const std::string& text, std::chrono::milliseconds timeout) {
  return wait_until(
      [&] {
        std::ifstream in(site.dir() + "/safety-state.json");
        const std::string body((std::istreambuf_iterator<char>(in)), {});
        return body.find(text) != std::string::npos;
      },
      timeout);
}

std::vector<std::string> bessd_command() {
  std::vector<std::string> argv;
  if (const char* emulator = std::getenv("BESSD_TEST_EMULATOR"); emulator && *emulator) {
    argv.emplace_back(emulator);
  }
  const char* binary = std::getenv("BESSD_TEST_BESSD");
  argv.emplace_back(binary && *binary ? binary : BESSD_BIN);
  return argv;
}

Site::Site(SiteOptions options) : options_(std::move(options)) {
  const std::string root = BESSD_SOURCE_DIR;
  db_path_ = dir_.path() + "/bessd.db";
  api_socket_ = dir_.path() + "/api.sock";
  control_path_ = dir_.path() + "/sim.sock";
  const std::string ready = dir_.path() + "/sim.ready";

  std::vector<std::string> argv{
      BESS_SIM_BIN,
      "--profile",
      options_.sim_profile.empty() ? options_.profile : options_.sim_profile,
      "--modbus-port",
      "0",
      "--slcan-link",
      dir_.path() + "/slcan",
      "--control",
      control_path_,
      "--fire-alarm-file",
      dir_.path() + "/fire-alarm",
      "--ready-file",
      ready,
      "--bms-period-ms",
      std::to_string(options_.bms_period_ms),
      "--step-ms",
      "50"};
  if (!options_.meter.empty()) {
    argv.push_back("--meter");
    argv.push_back(options_.meter);
  }
  argv.insert(argv.end(), options_.sim_args.begin(), options_.sim_args.end());
  sim_ = std::make_unique<Process>(argv);
  if (!wait_until([&] { return ::access(ready.c_str(), F_OK) == 0; }, 10s))
    throw std::runtime_error("bess-sim not ready within 10 s:\n" + sim_->output());
  int port = 0;
  int meter_port = 0;
  {
    std::ifstream in(ready);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("modbus_port=", 0) == 0) port = std::stoi(line.substr(12));
      if (line.rfind("meter_port=", 0) == 0) meter_port = std::stoi(line.substr(11));
    }
  }

  config_ = nlohmann::json::parse(read_file(root + "/config/demo.json"), nullptr, true, true);
  auto& c = config_;
  c["bms"]["device"] = dir_.path() + "/slcan";
  c["bms"]["stale_ms"] = 400;
  c["bms"]["timeout_ms"] = 800;
  c["inverter"]["profile"] = options_.profile;
  c["inverter"]["profile_dir"] = root + "/config/profiles";
  c["inverter"]["tcp"]["port"] = port;
  // Each vendor's default address, as bess-sim serves it.
  c["inverter"]["unit_id"] =
      options_.profile == "victron_ess"
          ? 100
          : (options_.profile == "goodwe_et" || options_.profile == "foxess_h1" ? 247 : 1);
  c["inverter"]["poll_period_ms"] = 200;
  c["control"]["period_ms"] = 200;
  c["control"]["mode"] = "manual";
  c["control"]["manual_setpoint_w"] = -1500;
  c["control"]["fire_alarm"]["path"] = dir_.path() + "/fire-alarm";
  c["control"]["fire_alarm"]["poll_ms"] = 50;
  // The anti-cycling hold (OP-HYST-01, 30 s) would also hold the start-up (no BMS data yet
  // counts as a stop): keep tests short.
  c["limits"]["hysteresis_hold_s"] = 0;
  if (!options_.meter.empty())
    c["meter"] = {
        {"profile", options_.meter_profile.empty() ? options_.meter : options_.meter_profile},
        {"tcp", {{"host", "127.0.0.1"}, {"port", meter_port}}},
        {"unit_id", 1},
        {"poll_period_ms", 200}};
  c["storage"]["path"] = db_path_;
  c["api"]["unix_socket"]["path"] = api_socket_;
  c.merge_patch(options_.config_patch);
  config_path_ = dir_.path() + "/bessd.json";
  write_file(config_path_, c.dump(2));
}

SiteOptions evening_self_consumption(const std::string& profile) {
  SiteOptions o;
  o.profile = profile;
  o.sim_args = {"--start-hour", "18.5", "--soc", "70"};
  o.config_patch = {{"control",
                     {{"mode", "self_consumption"},
                      {"self_consumption", {{"ramp_w_per_s", 2000}, {"deadband_w", 25}}}}}};
  return o;
}

bool wait_battery_covers_house(Site& site, nlohmann::json& truth, double discharging_w,
                               double grid_within_w, std::chrono::milliseconds timeout) {
  return wait_until(
      [&] {
        truth = site.sim_status();
        return truth.at("battery_w").get<double>() < -discharging_w &&
               std::abs(truth.at("grid_w").get<double>()) < grid_within_w;
      },
      timeout);
}

Site::~Site() {
  if (bessd_ && !bessd_->reaped()) {
    bessd_->signal(SIGTERM);
    bessd_->wait(5s);
  }
  if (sim_) {
    sim_->signal(SIGTERM);
    sim_->wait(5s);
  }
}

void Site::patch_config(const nlohmann::json& patch) {
  config_.merge_patch(patch);
  write_file(config_path_, config_.dump(2));
}

bool Site::start_bessd(std::chrono::milliseconds timeout) {
  return start_bessd({}, {}, timeout);
}

bool Site::start_bessd(const std::vector<int>& listen_fds, std::vector<std::string> env,
                       std::chrono::milliseconds timeout) {
  notify_ = std::make_unique<NotifySocket>(dir_.path() + "/notify" + std::to_string(restarts_++) +
                                           ".sock");
  env.push_back("NOTIFY_SOCKET=" + notify_->path());
  // As bessd.service's StateDirectory= does: the safety state's default folder.
  env.push_back("STATE_DIRECTORY=" + dir_.path());
  auto argv = bessd_command();
  argv.insert(argv.end(), {"--config", config_path_});
  bessd_ = std::make_unique<Process>(std::move(argv), std::move(env), listen_fds);
  const bool ready = notify_->wait_for("READY=1", timeout);
  // Nobody reads the notify socket after this: close it, or bessd's STATUS= updates fill its
  // queue (net.unix.max_dgram_qlen) and sd_notify() blocks the daemon's event loop.
  notify_.reset();
  return ready;
}

std::string Site::sim(const std::string& command) {
  auto reply = unix_exchange(control_path_, command + "\n", false);
  while (!reply.empty() && (reply.back() == '\n' || reply.back() == '\r')) reply.pop_back();
  return reply;
}

nlohmann::json Site::sim_status() {
  return nlohmann::json::parse(sim("status"));
}
std::optional<int> Site::stop_bessd(std::chrono::milliseconds timeout) {
  if (!bessd_) return std::nullopt;
  bessd_->signal(SIGTERM);
  auto exited = bessd_->wait(timeout);
  if (!exited) return std::nullopt;
  return exited->code;
}

bool Site::battery_settles_at_zero(double tolerance_w, std::chrono::milliseconds timeout) {
  return wait_until(
      [&] { return std::abs(sim_status().at("battery_w").get<double>()) < tolerance_w; }, timeout);
}

bool Site::inverter_reads_battery(int sign, nlohmann::json& status,
                                  std::chrono::milliseconds timeout) {
  return wait_until(
      [&] {
        status = api("GET", "/v1/status").body;
        const auto& w = status.at("inverter").at("battery_power_w");
        return w.is_number() && sign * w.get<double>() > 100;
      },
      timeout);
}

bool Site::battery_at_command(int sign, double tolerance_w, nlohmann::json& status,
                              nlohmann::json& sim_state) {
  sim_state = sim_status();
  status = api("GET", "/v1/status").body;
  if (!status.at("commanded_power_w").is_number()) return false;  // nothing commanded yet
  const double commanded = status.at("commanded_power_w").get<double>();
  return sign * commanded > 100 &&
         std::abs(sim_state.at("battery_w").get<double>() - commanded) < tolerance_w;
}

std::string Site::charge_then_discharge(
    const std::function<bool(const nlohmann::json&)>& in_control, nlohmann::json& device) {
  nlohmann::json status;
  nlohmann::json sim_state;
  const auto follows = [&](int sign) {
    device = inverter_device();
    return in_control(device) && battery_at_command(sign, 150, status, sim_state);
  };
  const auto states = [&] {
    return "\ndevice: " + device.dump() + "\nsimulator: " + sim_state.dump() +
           "\nbessd: " + status.dump();
  };
  if (!wait_until([&] { return follows(+1); }, std::chrono::seconds(30)))
    return "the battery never charged at bessd's command" + states() + "\n" + bessd_output();
  if (!inverter_reads_battery(+1, status))
    return "bessd does not read the device's battery power as charging" + states();
  const auto put = api("PUT", "/v1/mode", R"({"mode":"manual","setpoint_w":-900})");
  if (put.status != 200) return "PUT /v1/mode answered " + std::to_string(put.status);
  if (!wait_until([&] { return follows(-1); }, std::chrono::seconds(20)))
    return "the battery never discharged at bessd's command" + states();
  if (!inverter_reads_battery(-1, status))
    return "bessd does not read the device's battery power as discharging" + states();
  device = inverter_device();
  return "";
}

nlohmann::json Site::sim_writes() {
  return nlohmann::json::parse(sim("writes"));
}

ApiResponse Site::api(const std::string& method, const std::string& target,
                      const std::string& body) {
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n";
  if (!body.empty())
    req +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  req += "\r\n" + body;
  std::string why;
  const std::string reply = unix_exchange(api_socket_, req, true, &why);
  ApiResponse r;
  if (reply.rfind("HTTP/1.1 ", 0) != 0) {
    // status 0: the body says why there is no answer (a test's failure message shows it).
    r.body = "no HTTP answer to " + method + " " + target + ": " +
             (why.empty() ? "the reply was: " + reply.substr(0, 200) : why);
    return r;
  }
  r.status = std::stoi(reply.substr(9, 3));
  const auto split = reply.find("\r\n\r\n");
  if (split == std::string::npos) return r;
  std::string payload = reply.substr(split + 4);
  if (reply.substr(0, split).find("chunked") != std::string::npos) {
    std::string decoded;
    std::size_t pos = 0;
    while (pos < payload.size()) {
      const auto eol = payload.find("\r\n", pos);
      if (eol == std::string::npos) break;
      const std::size_t n = std::stoul(payload.substr(pos, eol - pos), nullptr, 16);
      if (n == 0) break;
      decoded += payload.substr(eol + 2, n);
      pos = eol + 2 + n + 2;
    }
    payload = decoded;
  }
  r.body = nlohmann::json::parse(payload, nullptr, false);
  return r;
}

}  // namespace bessd::systest
