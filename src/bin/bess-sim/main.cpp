// bess-sim: a simulated home battery site speaking the real protocols over real byte streams.
// See docs/simulator.md.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <random>
#include <sstream>
#include <string>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include <bessd/bms/protocols/byd_hvs_frames.hpp>
#include <bessd/bms/protocols/pylontech_hv_frames.hpp>
#include <bessd/modbus/testing/modbus_test_server.hpp>
#include <bessd/sim/devices/bms_frames.hpp>
#include <bessd/sim/devices/byd_battery_frames.hpp>
#include <bessd/sim/devices/hv_pack_frames.hpp>
#include <bessd/sim/devices/inverter_device.hpp>
#include <bessd/sim/devices/meter_device.hpp>
#include <bessd/sim/devices/slcan_bms_port.hpp>
#include <bessd/sim/sim_world.hpp>

#include "scenario_control.hpp"

namespace {

using namespace bessd::sim;
namespace asio = boost::asio;
using bessd::modbus::testing::ModbusTestServer;

struct Options {
  std::string profile{"sunspec"};
  std::string sungrow_variant{"rt"};                // rt, rt_legacy (13021/13022 unsigned) or rs
  std::string sunspec_variant{"generic"};           // generic or fronius_gen24
  std::string gen24_window_check{"whole_request"};  // or per_register
  int modbus_port{0};
  std::string modbus_rtu_link;
  int unit_id{-1};
  std::string slcan_link;
  std::string bms_protocol{"v1.2"};
  bool genuine_bms{false};
  int hv_address{0};
  int hv_inverter_poll_ms{0};  // 0: bessd polls the HV pack; else the simulated inverter does
  int bms_period_ms{1000};
  int can_load_fps{0};
  int step_ms{100};
  std::string control_path;
  std::string fire_alarm_file;
  std::string ready_file;
  // "", "sdm630", "sunspec_meter" or "sunspec_meter_float": a grid meter on a port of its own
  std::string meter;
  int meter_port{0};
  int meter_unit{1};
  double time_scale{1.0};
  double start_hour{12.0};
  std::string chemistry{"LFP"};
  int cells{16};
  double capacity_ah{100.0};
  double soc_pct{50.0};
  double rated_power_w{5000.0};
  unsigned seed{1};
};

bessd::config::Chemistry chemistry_of(const std::string& s) {
  using bessd::config::Chemistry;
  for (auto c : {Chemistry::LFP, Chemistry::NMC, Chemistry::NCA, Chemistry::LiPo, Chemistry::LiHV})
    if (bessd::config::to_string(c) == s) return c;
  throw CLI::ValidationError("--chemistry", "unknown chemistry " + s);
}

std::optional<bool> on_off(const std::string& word) {
  if (word == "on" || word == "1" || word == "true") return true;
  if (word == "off" || word == "0" || word == "false") return false;
  return std::nullopt;
}

class Simulator {
 public:
  Simulator(asio::io_context& io, const Options& o)
      : io_(io),
        opts_(o),
        world_(params(o)),
        step_timer_(io),
        bms_timer_(io),
        load_timer_(io),
        rng_(o.seed),
        control_(io, [this](const std::string& line) { return execute(line); }) {
    frame_set_ = o.bms_protocol == "v1.3" ? PylontechFrameSet::v13 : PylontechFrameSet::v12;
    slcan_ = std::make_unique<SlcanBmsPort>(io, o.slcan_link);
    hv_ = o.bms_protocol == "pylontech_hv";
    byd_ = o.bms_protocol == "byd_hvs";
    if (hv_) slcan_->on_frame([this](const bessd::can::CanFrame& f) { on_hv_frame(f); });
    const bool victron = o.profile == "victron_ess";
    const bool goodwe = o.profile == "goodwe_et";
    const bool solax = o.profile == "solax_gen4";
    const bool sofar = o.profile == "sofar_hyd_g3";
    const bool sungrow = o.profile == "sungrow_sh";
    const bool foxess = o.profile == "foxess_h1";
    // Each vendor's own default unit: Victron's GX 100, GoodWe 247 (0xF7), Fox ESS 247 (evcc's
    // fox-ess-h1 and foxess_modbus), SolaX 1 ("Inverter default 0x01" in its Modbus protocol),
    // Sungrow 1 ("1 by default"), Sofar and SunSpec devices 1.
    const int default_unit = victron ? 100 : (goodwe || foxess ? 247 : 1);
    const auto unit = static_cast<std::uint8_t>(o.unit_id >= 0 ? o.unit_id : default_unit);
    if (victron)
      device_ = make_victron_device(unit, world_);
    else if (goodwe)
      device_ = make_goodwe_device(unit, world_);
    else if (solax)
      device_ = make_solax_device(unit, world_);
    else if (sofar)
      device_ = make_sofar_device(unit, world_);
    else if (sungrow)
      device_ = make_sungrow_device(unit, world_, {},
                                    {.single_phase = o.sungrow_variant == "rs",
                                     .legacy_battery_sign = o.sungrow_variant == "rt_legacy"});
    else if (foxess)
      device_ = make_foxess_device(unit, world_);
    else
      device_ = make_sunspec_device(
          unit, world_, {},
          {.variant = o.sunspec_variant == "fronius_gen24" ? SunSpecOptions::Variant::fronius_gen24
                                                           : SunSpecOptions::Variant::generic,
           .window_per_register = o.gen24_window_check == "per_register"});
    tcp_ = ModbusTestServer::tcp(static_cast<std::uint16_t>(o.modbus_port));
    device_->add_server(tcp_.get());
    if (!o.modbus_rtu_link.empty()) {
      bessd::modbus::testing::RtuServerOptions rtu;
      rtu.slave_id = unit;
      rtu_ = ModbusTestServer::rtu(rtu);
      device_->add_server(rtu_.get());
    }
    if (!o.meter.empty())
      meter_ = std::make_unique<SimMeter>(o.meter, static_cast<std::uint8_t>(o.meter_unit),
                                          static_cast<std::uint16_t>(o.meter_port));
  }

  ~Simulator() {
    if (!opts_.modbus_rtu_link.empty()) ::unlink(opts_.modbus_rtu_link.c_str());
    if (!opts_.ready_file.empty()) ::unlink(opts_.ready_file.c_str());
  }

  void start() {
    slcan_->start();
    device_->start(io_);
    device_->refresh(world_);
    tcp_->start();
    if (meter_) {
      meter_->refresh(world_);
      meter_->start();
    }
    if (rtu_) {
      rtu_->start();
      ::unlink(opts_.modbus_rtu_link.c_str());
      if (::symlink(rtu_->device_path().c_str(), opts_.modbus_rtu_link.c_str()) != 0)
        throw std::runtime_error("cannot create symlink " + opts_.modbus_rtu_link);
    }
    if (!opts_.control_path.empty()) control_.listen(opts_.control_path);
    try {
      control_.read_stdin();
    } catch (const std::exception&) {
      // stdin is a file or /dev/null: commands only through the control socket.
    }
    if (!opts_.fire_alarm_file.empty()) write_fire_alarm(false);
    last_step_ = std::chrono::steady_clock::now();
    step();
    emit_bms();
    if (opts_.can_load_fps > 0) {
      last_load_ = std::chrono::steady_clock::now();
      emit_load();
    }

    std::cout << "slcan: " << slcan_->pty_path() << "\n";
    std::cout << "modbus-tcp: 127.0.0.1:" << tcp_->port() << "\n";
    if (rtu_) std::cout << "modbus-rtu: " << rtu_->device_path() << "\n";
    if (meter_) std::cout << "meter-tcp: 127.0.0.1:" << meter_->port() << "\n";
    if (!opts_.control_path.empty()) std::cout << "control: " << opts_.control_path << "\n";
    std::cout << "ready" << std::endl;
    if (!opts_.ready_file.empty()) {
      const std::string tmp = opts_.ready_file + ".tmp";
      std::ofstream(tmp) << "slcan=" << slcan_->pty_path() << "\nmodbus_port=" << tcp_->port()
                         << "\n"
                         << (meter_ ? "meter_port=" + std::to_string(meter_->port()) + "\n" : "");
      std::rename(tmp.c_str(), opts_.ready_file.c_str());
    }
  }

  void stop() {
    step_timer_.cancel();
    bms_timer_.cancel();
    load_timer_.cancel();
    tcp_->stop();
    if (rtu_) rtu_->stop();
    if (meter_) meter_->stop();
  }

 private:
  static WorldParams params(const Options& o) {
    WorldParams p;
    p.pack.chemistry = chemistry_of(o.chemistry);
    p.pack.series_cells = o.cells;
    p.pack.capacity_ah = o.capacity_ah;
    p.pack.initial_soc_pct = o.soc_pct;
    p.pack.seed = o.seed;
    p.house.seed = o.seed;
    p.inverter.rated_power_w = o.rated_power_w;
    // The device layer runs model 124's revert timer on wall time (bessd's lease is wall time,
    // simulated time may run faster): the model's own timer is switched off.
    p.inverter.revert_timeout_s = 1e12;
    p.start_seconds_of_day = o.start_hour * 3600.0;
    p.time_scale = o.time_scale;
    p.bms.v13_frame_set = o.bms_protocol == "v1.3";
    return p;
  }

  void step() {
    const auto now = std::chrono::steady_clock::now();
    const double dt = std::chrono::duration<double>(now - last_step_).count();
    last_step_ = now;
    device_->apply(world_);
    const double before = world_.sim_seconds();
    world_.advance(dt);
    const double sim_dt_h = (world_.sim_seconds() - before) / 3600.0;
    const double bat = world_.readings().battery_power_w;
    (bat > 0 ? charged_kwh_ : discharged_kwh_) += std::fabs(bat) * sim_dt_h / 1000.0;
    device_->refresh(world_);
    if (meter_) meter_->refresh(world_);
    step_timer_.expires_at(now + std::chrono::milliseconds(opts_.step_ms));
    step_timer_.async_wait([this](boost::system::error_code ec) {
      if (!ec) step();
    });
  }

  // docs/simulator.md "Pylontech HV pack": the pack answers each 0x4200 poll with its burst, at
  // its address, whoever polls. Wake and relay commands are counted.
  void on_hv_frame(const bessd::can::CanFrame& f) {
    namespace hv = bessd::bms::pylontech_hv;
    if (!f.extended) return;
    if (f.id == hv::kIdRequest && f.dlc >= 1) {
      ++hv_polls_seen_;
      answer_hv_poll(f.data[0]);
    } else if ((f.id & ~0x0FU) == hv::kIdSleep) {
      ++hv_wakes_;
    } else if ((f.id & ~0x0FU) == hv::kIdRelayCommand) {
      ++hv_relay_commands_;
      char bytes[8];
      std::snprintf(bytes, sizeof bytes, "%02X%02X", f.data[0], f.data[1]);
      hv_last_relay_ = bytes;
    }
  }

  void answer_hv_poll(std::uint8_t what) {
    if (silent_) return;
    const auto address = static_cast<std::uint8_t>(opts_.hv_address);
    const auto report = world_.bms_report();
    const auto burst = what == bessd::bms::pylontech_hv::kRequestSystem
                           ? hv_system_burst(report, address)
                           : hv_ensemble_burst(report, address);
    const std::int64_t sending_us = steady_us();
    if (slcan_->send(burst)) {
      last_frame_us_ = sending_us;
      last_frame_ms_ = last_frame_us_ / 1000;
      ++bursts_;
    }
  }

  // The simulated inverter's polls on the HV bus: the poll itself (bessd sees it), then the
  // pack's answer; the system information every tenth poll.
  void emit_hv_inverter_poll() {
    namespace hv = bessd::bms::pylontech_hv;
    const std::uint8_t what =
        hv_inverter_polls_++ % 10 == 0 ? hv::kRequestSystem : hv::kRequestEnsemble;
    if (slcan_->send({hv::encode(hv::Request{what})})) answer_hv_poll(what);
    if (what == hv::kRequestSystem && slcan_->send({hv::encode(hv::Request{})}))
      answer_hv_poll(hv::kRequestEnsemble);
    bms_timer_.expires_after(std::chrono::milliseconds(opts_.hv_inverter_poll_ms));
    bms_timer_.async_wait([this](boost::system::error_code ec) {
      if (!ec) emit_hv_inverter_poll();
    });
  }

  // docs/simulator.md "BYD Battery-Box HVS": the battery's limits every period, its state every
  // fifth (2 s and 10 s on a real one), beside an inverter that sends its own frames each period
  // and asks for the identification burst at start and every 30th period.
  void emit_byd() {
    namespace byd = bessd::bms::byd_hvs;
    std::vector<bessd::can::CanFrame> frames;
    const auto report = world_.bms_report();
    const bool identify = byd_periods_ % 30 == 0;
    frames.push_back(byd::encode(byd::InverterFrame{byd::kIdInverterIdentify, identify}));
    frames.push_back(byd::encode(byd::InverterFrame{byd::kIdInverterMeasurements, false}));
    frames.push_back(byd::encode(byd::InverterFrame{byd::kIdInverterSoc, false}));
    if (!silent_) {
      frames.push_back(byd_limits_frame(report));
      if (byd_periods_ % 5 == 0)
        for (const auto& f : byd_state_frames(report)) frames.push_back(f);
      if (identify)
        for (const auto& f : byd_identification_burst(report)) frames.push_back(f);
    }
    const std::int64_t sending_us = steady_us();
    if (slcan_->send(frames) && !silent_) {
      last_frame_us_ = sending_us;
      last_frame_ms_ = last_frame_us_ / 1000;
      ++bursts_;
      ++byd_periods_;
    }
    bms_timer_.expires_after(std::chrono::milliseconds(opts_.bms_period_ms));
    bms_timer_.async_wait([this](boost::system::error_code ec) {
      if (!ec) emit_byd();
    });
  }

  void emit_bms() {
    if (byd_) return emit_byd();
    if (hv_) {
      if (opts_.hv_inverter_poll_ms > 0) emit_hv_inverter_poll();
      return;
    }
    if (!silent_) {
      // Stamped before the write: the device's Modbus server stamps a write as it arrives, on a
      // thread of its own, so a stamp taken after this write could come after bessd's answer.
      const std::int64_t sending_us = steady_us();
      if (slcan_->send(pylontech_broadcast(world_.bms_report(), frame_set_, opts_.genuine_bms))) {
        last_frame_us_ = sending_us;
        last_frame_ms_ = last_frame_us_ / 1000;
        ++bursts_;
        // The first burst carrying a newly raised alarm: the start of a reaction-time
        // measurement (bench/reaction_latency.py), so it does not include the wait for the
        // next period.
        if (alarm_pending_) {
          alarm_frame_us_ = last_frame_us_;
          alarm_pending_ = false;
        }
      }
    }
    if (garbage_) slcan_->send_garbage(rng_);
    bms_timer_.expires_after(std::chrono::milliseconds(opts_.bms_period_ms));
    bms_timer_.async_wait([this](boost::system::error_code ec) {
      if (!ec) emit_bms();
    });
  }

  // Extra bus load: the BMS broadcast repeated so that `--can-load-fps` frames per second reach
  // the adapter in total, as on a saturated bus (about 4000 frames/s of 8-byte standard frames at
  // 500 kbit/s). Every frame is one bessd decodes and folds, the worst case for its CPU.
  void emit_load() {
    const auto now = std::chrono::steady_clock::now();
    load_credit_ += std::chrono::duration<double>(now - last_load_).count() * opts_.can_load_fps;
    last_load_ = now;
    // A stalled loop (or a closed channel) must not turn into one huge burst afterwards.
    load_credit_ = std::min(load_credit_, opts_.can_load_fps * 0.05);
    if (!silent_ && load_credit_ >= 1.0) {
      const auto burst = pylontech_broadcast(world_.bms_report(), frame_set_, opts_.genuine_bms);
      std::vector<bessd::can::CanFrame> frames;
      while (load_credit_ >= 1.0) {
        frames.push_back(burst[load_index_++ % burst.size()]);
        load_credit_ -= 1.0;
      }
      if (slcan_->send(frames)) load_frames_ += frames.size();
    }
    load_timer_.expires_after(std::chrono::milliseconds(5));
    load_timer_.async_wait([this](boost::system::error_code ec) {
      if (!ec) emit_load();
    });
  }

  void write_fire_alarm(bool on) {
    const std::string tmp = opts_.fire_alarm_file + ".tmp";
    std::ofstream(tmp) << (on ? "1\n" : "0\n");
    std::rename(tmp.c_str(), opts_.fire_alarm_file.c_str());
    fire_alarm_ = on;
  }

  nlohmann::json status() const {
    const auto rd = world_.readings();
    const auto& pack = world_.pack();
    const auto report = world_.bms_report();
    auto& ov = const_cast<SimWorld&>(world_).bms().overrides();
    const auto& inv = world_.inverter();
    return {
        {"now_ms", steady_ms()},
        {"sim_s", world_.sim_seconds()},
        {"hour", world_.seconds_of_day() / 3600.0},
        {"time_scale", world_.time_scale()},
        {"soc_pct", pack.soc_pct()},
        {"pack_v", pack.voltage_v()},
        {"pack_a", pack.current_a()},
        {"battery_w", rd.battery_power_w},
        {"grid_w", rd.grid_power_w},
        {"pv_w", rd.pv_w},
        {"load_w", rd.load_w},
        {"ac_w", rd.ac_power_w},
        {"dc_load_w", rd.dc_load_w},
        {"temperature_c", pack.temperature_c()},
        {"charged_kwh", charged_kwh_},
        {"discharged_kwh", discharged_kwh_},
        {"energy",
         {{"battery_charged_kwh", world_.energy().battery_charged_kwh},
          {"battery_discharged_kwh", world_.energy().battery_discharged_kwh},
          {"grid_import_kwh", world_.energy().grid_import_kwh},
          {"grid_export_kwh", world_.energy().grid_export_kwh},
          {"pv_kwh", world_.energy().pv_kwh},
          {"load_kwh", world_.energy().load_kwh},
          {"losses_kwh", world_.energy().losses_kwh}}},
        {"inverter",
         {{"mode", inv.mode() == InverterMode::remote ? "remote" : "self_use"},
          {"setpoint_w", inv.setpoint_w()},
          {"ignoring", inv.ignores_commands()},
          {"refusing", refusing_},
          {"device", device_->status()}}},
        {"last_command_ms", device_->status().value("last_write_ms", std::int64_t{0})},
        {"bms",
         {{"silent", silent_},
          {"garbage", garbage_},
          {"over_temperature", ov.force_over_temperature},
          {"cell_over_voltage", ov.force_cell_over_voltage},
          {"protection", ov.force_protection_flag},
          {"uvp", ov.force_cell_under_voltage},
          {"force_charge", report.requests.force_charge.value_or(false)},
          {"cell_voltage_max_v", report.cell_voltage_max_v.value_or(0.0)},
          {"current_offset_a", ov.current_offset_a},
          {"genuine", opts_.genuine_bms},
          {"ccl_a", report.limits.charge_current_limit_a.value_or(0.0)},
          {"dcl_a", report.limits.discharge_current_limit_a.value_or(0.0)},
          {"bursts", bursts_},
          {"last_frame_us", last_frame_us_},
          {"alarm_frame_us", alarm_frame_us_},
          {"load_frames", load_frames_},
          {"frames_sent", slcan_->frames_sent()},
          {"last_frame_ms", last_frame_ms_},
          {"keepalives", slcan_->keepalives_seen()},
          {"last_keepalive_ms", slcan_->last_keepalive_ms()},
          {"frames_received", slcan_->frames_received()},
          {"channel_open", slcan_->channel_open()},
          {"lines_dropped", slcan_->lines_dropped()},
          {"byd_periods", byd_periods_},
          {"hv",
           {{"enabled", hv_},
            {"polls_seen", hv_polls_seen_},
            {"inverter_polls", hv_inverter_polls_},
            {"wakes", hv_wakes_},
            {"relay_commands", hv_relay_commands_},
            {"last_relay", hv_last_relay_}}}}},
        {"fire_alarm", fire_alarm_},
    };
  }

  std::string execute(const std::string& line) {
    std::istringstream in(line);
    std::string cmd;
    std::string arg;
    in >> cmd >> arg;
    auto& ov = world_.bms().overrides();
    const auto ok = [] { return "ok " + std::to_string(steady_ms()); };
    const auto flag = [&](bool& target) -> std::string {
      const auto v = on_off(arg);
      if (!v) return "error: " + cmd + " needs on|off";
      target = *v;
      return ok();
    };
    const auto alarm = [&](bool& target) -> std::string {
      const bool was = target;
      auto reply = flag(target);
      if (target && !was) alarm_pending_ = true;
      return reply;
    };
    if (cmd == "status") return status().dump();
    if (cmd == "writes") return device_->history().dump();
    if (cmd == "over-temp") return alarm(ov.force_over_temperature);
    if (cmd == "cell-over-voltage") return alarm(ov.force_cell_over_voltage);
    if (cmd == "protection") return alarm(ov.force_protection_flag);
    if (cmd == "uvp") return alarm(ov.force_cell_under_voltage);
    if (cmd == "force-charge") return flag(ov.force_charge_request);
    if (cmd == "bms-silence") return flag(silent_);
    if (cmd == "garbage") return flag(garbage_);
    if (cmd == "meter-silent") {
      if (!meter_) return "error: no meter (start with --meter)";
      const auto v = on_off(arg);
      if (!v) return "error: " + cmd + " needs on|off";
      meter_->set_silent(*v);
      return ok();
    }
    if (cmd == "inverter-restart") {
      device_->restart(world_);
      return ok();
    }
    if (cmd == "inverter-refuse") {
      // The device answers every write with exception 04 (server device failure): bessd's
      // commands never take.
      const auto v = on_off(arg);
      if (!v) return "error: " + cmd + " needs on|off";
      for (auto* server : {tcp_.get(), rtu_.get()}) {
        if (server == nullptr) continue;
        if (*v) {
          server->add_exception(16, 0, 65535, 0x04);
          server->add_exception(6, 0, 65535, 0x04);
        } else {
          server->clear_faults();
        }
      }
      refusing_ = *v;
      return ok();
    }
    if (cmd == "inverter-silent") {
      // The inverter stops answering (its requests time out), as one that hangs or loses its
      // network does; the connection stays open.
      const auto v = on_off(arg);
      if (!v) return "error: " + cmd + " needs on|off";
      for (auto* server : {tcp_.get(), rtu_.get()})
        if (server != nullptr) server->set_silent(*v);
      return ok();
    }
    if (cmd == "inverter-ignore") {
      bool v = false;
      auto r = flag(v);
      world_.inverter().set_ignore_commands(v);
      return r;
    }
    if (cmd == "fire-alarm") {
      if (opts_.fire_alarm_file.empty()) return "error: no --fire-alarm-file";
      bool v = false;
      auto r = flag(v);
      if (r.rfind("ok", 0) == 0) write_fire_alarm(v);
      return r;
    }
    try {
      if (cmd == "time-scale") {
        const double x = std::stod(arg);
        if (!(x > 0 && x <= 10000)) return "error: time-scale must be in (0, 10000]";
        world_.set_time_scale(x);
        return ok();
      }
      if (cmd == "temperature") {
        // The pack and the air around it (a cold night, a hot loft): the thermal model then
        // stays there instead of drifting back to 20 °C.
        const double x = std::stod(arg);
        if (!(x >= -40 && x <= 90)) return "error: temperature must be in [-40, 90] °C";
        world_.pack().set_ambient_c(x);
        world_.pack().set_temperature_c(x);
        return ok();
      }
      if (cmd == "cvl") {
        // The BMS's charge-voltage limit in volts (0x351); "cvl off" returns to the model's.
        if (arg == "off") {
          ov.charge_voltage_limit_v.reset();
          return ok();
        }
        const double x = std::stod(arg);
        if (!(x > 0 && x <= 1000)) return "error: cvl must be in (0, 1000] V, or off";
        ov.charge_voltage_limit_v = x;
        return ok();
      }
      if (cmd == "cell-high") {
        // The highest cell rests at this voltage (0x373); the BMS's over-voltage protection
        // follows it. "off" returns to the model's cells.
        if (arg == "off") {
          ov.cell_voltage_max_v.reset();
          return ok();
        }
        const double x = std::stod(arg);
        if (!(x > 0 && x <= 5)) return "error: cell-high must be in (0, 5] V, or off";
        if (!ov.cell_voltage_max_v || x > *ov.cell_voltage_max_v) alarm_pending_ = true;
        ov.cell_voltage_max_v = x;
        return ok();
      }
      if (cmd == "dc-load") {
        const double x = std::stod(arg);
        if (!(x >= 0 && x <= 20000)) return "error: dc-load must be in [0, 20000] W";
        world_.set_dc_load_w(x);
        return ok();
      }
      if (cmd == "current-offset") {
        const double x = std::stod(arg);
        if (!(x >= -50 && x <= 50)) return "error: current-offset must be in [-50, 50] A";
        ov.current_offset_a = x;
        return ok();
      }
      if (cmd == "soc") {
        const double x = std::stod(arg);
        if (!(x >= 0 && x <= 100)) return "error: soc must be in [0, 100]";
        for (std::size_t i = 0; i < world_.pack().cells().size(); ++i)
          world_.pack().set_cell_soc_pct(i, x);
        return ok();
      }
    } catch (const std::exception&) {
      return "error: " + cmd + " needs a number, got \"" + arg + "\"";
    }
    if (cmd == "help" || cmd.empty())
      return "ok commands: status writes over-temp|cell-over-voltage|protection|bms-silence|"
             "garbage|uvp|force-charge|inverter-ignore|inverter-refuse|inverter-silent|fire-alarm|"
             "meter-silent on|off, "
             "inverter-restart, time-scale X, soc X, temperature C, cvl V|off, cell-high V|off, "
             "dc-load W, current-offset A";
    return "error: unknown command \"" + cmd + "\" (try help)";
  }

  asio::io_context& io_;
  Options opts_;
  bool refusing_{false};  // inverter-refuse: every write answered with exception 04
  SimWorld world_;
  asio::steady_timer step_timer_;
  asio::steady_timer bms_timer_;
  asio::steady_timer load_timer_;
  std::mt19937 rng_;
  ScenarioControl control_;
  PylontechFrameSet frame_set_{PylontechFrameSet::v12};
  std::unique_ptr<SlcanBmsPort> slcan_;
  bool hv_{false};
  bool byd_{false};
  std::uint64_t byd_periods_{0};
  std::uint64_t hv_polls_seen_{0};
  std::uint64_t hv_inverter_polls_{0};
  std::uint64_t hv_wakes_{0};
  std::uint64_t hv_relay_commands_{0};
  std::string hv_last_relay_;
  std::unique_ptr<InverterDevice> device_;
  std::unique_ptr<ModbusTestServer> tcp_;
  std::unique_ptr<ModbusTestServer> rtu_;
  std::unique_ptr<SimMeter> meter_;
  std::chrono::steady_clock::time_point last_step_;
  bool silent_{false};
  bool garbage_{false};
  bool fire_alarm_{false};
  std::int64_t last_frame_ms_{0};
  std::size_t bursts_{0};
  bool alarm_pending_{false};
  std::int64_t alarm_frame_us_{0};
  std::int64_t last_frame_us_{0};
  std::chrono::steady_clock::time_point last_load_;
  double load_credit_{0.0};
  std::size_t load_index_{0};
  std::size_t load_frames_{0};
  double charged_kwh_{0.0};
  double discharged_kwh_{0.0};
};

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"bess-sim: a simulated home battery site (pack, BMS, inverter, house, PV)"};
  app.add_option("--profile", o.profile, "Inverter register profile")
      ->check(CLI::IsMember({"sunspec", "victron_ess", "goodwe_et", "solax_gen4", "sofar_hyd_g3",
                             "sungrow_sh", "foxess_h1"}));
  app.add_option("--sungrow-variant", o.sungrow_variant,
                 "sungrow_sh: rt (SH-RT, signed 13022), rt_legacy (SH-RT firmware before late "
                 "2024: 13021/13022 unsigned) or rs (SH-RS, single phase)")
      ->check(CLI::IsMember({"rt", "rt_legacy", "rs"}));
  app.add_option("--sunspec-variant", o.sunspec_variant,
                 "sunspec: generic (the standard's models) or fronius_gen24 (a Fronius Symo/Primo "
                 "GEN24 Plus with a battery: its map, auto-scaled factors, refusals, the meter at "
                 "unit 200)")
      ->check(CLI::IsMember({"generic", "fronius_gen24"}));
  app.add_option("--gen24-window-check", o.gen24_window_check,
                 "fronius_gen24: when the model 124 power window is judged: whole_request (after "
                 "the whole write) or per_register (after each register, in address order)")
      ->check(CLI::IsMember({"whole_request", "per_register"}));
  app.add_option("--modbus-port", o.modbus_port, "Modbus TCP port on 127.0.0.1 (0 = any free)")
      ->check(CLI::Range(0, 65535));
  app.add_option("--modbus-rtu-link", o.modbus_rtu_link,
                 "Also serve Modbus RTU on a pty, symlinked here");
  app.add_option("--unit-id", o.unit_id,
                 "Modbus unit id (default 1, victron_ess 100, goodwe_et and foxess_h1 247, "
                 "solax_gen4, sofar_hyd_g3 and sungrow_sh 1)")
      ->check(CLI::Range(1, 247));
  app.add_option("--slcan-link", o.slcan_link, "Symlink to the SLCAN pty (bessd's bms.device)");
  app.add_option("--bms-protocol", o.bms_protocol,
                 "Pylontech LV frame set (v1.2, v1.3), a Pylontech HV pack (pylontech_hv) or a "
                 "BYD Battery-Box HVS (byd_hvs)")
      ->check(CLI::IsMember({"v1.2", "v1.3", "pylontech_hv", "byd_hvs"}));
  app.add_option("--hv-address", o.hv_address, "The HV pack's address (0-15)")
      ->check(CLI::Range(0, 15));
  app.add_option("--hv-inverter-poll-ms", o.hv_inverter_poll_ms,
                 "An inverter polls the HV pack every this many ms (0: bessd must poll it)")
      ->check(CLI::Range(0, 10000));
  app.add_flag("--genuine-bms", o.genuine_bms,
               "Send only the frames a genuine Pylontech pack sends (no 0x372, 0x373, 0x379)");
  app.add_option("--bms-period-ms", o.bms_period_ms, "BMS broadcast period")
      ->check(CLI::Range(10, 10000));
  app.add_option("--can-load-fps", o.can_load_fps,
                 "Extra BMS frames per second on the SLCAN link (about 4000 saturates 500 kbit/s)")
      ->check(CLI::Range(0, 20000));
  app.add_option("--step-ms", o.step_ms, "Simulation step (real time)")
      ->check(CLI::Range(10, 1000));
  app.add_option("--control", o.control_path, "Unix socket for scenario commands");
  app.add_option("--fire-alarm-file", o.fire_alarm_file, "File the fire-alarm input writes 1/0 to");
  app.add_option("--ready-file", o.ready_file, "Written (atomically) once everything listens");
  app.add_option("--meter", o.meter,
                 "A grid meter on a port of its own: sdm630, sunspec_meter (model 203) or "
                 "sunspec_meter_float (model 213)")
      ->check(CLI::IsMember({"sdm630", "sunspec_meter", "sunspec_meter_float"}));
  app.add_option("--meter-port", o.meter_port, "The meter's Modbus TCP port (0 = any free)")
      ->check(CLI::Range(0, 65535));
  app.add_option("--meter-unit", o.meter_unit, "The meter's unit id")->check(CLI::Range(0, 255));
  app.add_option("--time-scale", o.time_scale, "Simulated seconds per real second")
      ->check(CLI::Range(0.001, 10000.0));
  app.add_option("--start-hour", o.start_hour, "Simulated time of day at start")
      ->check(CLI::Range(0.0, 24.0));
  app.add_option("--chemistry", o.chemistry, "LFP, NMC, NCA, LiPo, LiHV");
  app.add_option("--cells", o.cells, "Cells in series")->check(CLI::Range(1, 400));
  app.add_option("--capacity-ah", o.capacity_ah, "Nominal capacity")
      ->check(CLI::Range(1.0, 10000.0));
  app.add_option("--soc", o.soc_pct, "Initial state of charge, %")->check(CLI::Range(0.0, 100.0));
  app.add_option("--rated-power-w", o.rated_power_w, "Inverter rating")
      ->check(CLI::Range(100.0, 100000.0));
  app.add_option("--seed", o.seed, "Random seed (cell spread, load noise, garbage)");
  CLI11_PARSE(app, argc, argv);

  try {
    asio::io_context io;
    Simulator sim(io, o);
    sim.start();
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](boost::system::error_code, int) {
      sim.stop();
      io.stop();
    });
    io.run();
    std::cout << "bess-sim stopped" << std::endl;
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "bess-sim: " << e.what() << std::endl;
    return 1;
  }
}
