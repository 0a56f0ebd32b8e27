// Runs every scenario file in tests/integration/scenarios/ through the real limits engine and
// controller, with a ManualClock and a simple inverter plant. The file format is documented in
// tests/integration/scenarios/README.md.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <bessd/common/clock.hpp>
#include <bessd/control/controller.hpp>
#include <bessd/limits/chemistry.hpp>

namespace bessd {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::vector<std::string> scenario_files() {
  std::vector<std::string> files;
  for (const auto& e :
       fs::directory_iterator(fs::path(BESSD_SOURCE_DIR) / "tests/integration/scenarios"))
    if (e.path().extension() == ".json") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

config::OperatingMode mode_of(const std::string& s) {
  if (s == "idle") return config::OperatingMode::idle;
  if (s == "manual") return config::OperatingMode::manual;
  if (s == "self_consumption") return config::OperatingMode::self_consumption;
  throw std::runtime_error("unknown mode '" + s + "'");
}

core::BmsCondition condition_of(const std::string& s) {
  for (std::size_t i = 0; i < core::kBmsConditionCount; ++i) {
    const auto c = static_cast<core::BmsCondition>(i);
    if (core::to_string(c) == s) return c;
  }
  throw std::runtime_error("unknown BMS condition '" + s + "'");
}

config::Chemistry chemistry_of(const std::string& s) {
  for (auto c : {config::Chemistry::LFP, config::Chemistry::NMC, config::Chemistry::NCA,
                 config::Chemistry::LiPo, config::Chemistry::LiHV})
    if (config::to_string(c) == s) return c;
  throw std::runtime_error("unknown chemistry '" + s + "'");
}

// The world around the controller: pack, inverter, plant, operator.
struct World {
  limits::LimitsInput snapshot;
  control::OperatorRequest request;
  std::optional<double> meter_grid_power_w;
  bool bms_silent{false};
  bool inverter_silent{false};
  bool plant_follows{true};
  double house_load_w{0.0};
  bool ack{false};
  bool stop{false};
};

void healthy(World& w) {
  auto& p = w.snapshot.pack;
  p.voltage_v = 52.0;
  p.current_a = 0.0;
  p.soc_pct = 50.0;
  p.soh_pct = 100.0;
  p.capacity_ah = 100.0;
  p.cell_voltage_min_v = 3.28;  // below the LFP taper's 3.30 V knee
  p.cell_voltage_max_v = 3.29;
  p.cell_temperature_min_c = 25.0;
  p.cell_temperature_max_c = 25.0;
  p.limits.charge_current_limit_a = 100.0;
  p.limits.discharge_current_limit_a = 100.0;
  p.limits.charge_voltage_limit_v = 56.8;
  for (std::size_t i = 0; i < core::kBmsConditionCount; ++i)
    p.protections.set(static_cast<core::BmsCondition>(i), core::FlagState::ok);
  p.requests.charge_enable = true;
  p.requests.discharge_enable = true;
  w.snapshot.inverter.online = true;
  w.snapshot.inverter.battery_power_w = 0.0;
  w.snapshot.inverter.grid_power_w = 0.0;
}

void apply_set(World& w, const json& set) {
  auto& p = w.snapshot.pack;
  for (const auto& [key, v] : set.items()) {
    if (key == "soc_pct")
      p.soc_pct = v.get<double>();
    else if (key == "cell_voltage_min_v")
      p.cell_voltage_min_v = v.get<double>();
    else if (key == "cell_voltage_max_v")
      p.cell_voltage_max_v = v.get<double>();
    else if (key == "cell_temperature_min_c")
      p.cell_temperature_min_c = v.get<double>();
    else if (key == "cell_temperature_max_c")
      p.cell_temperature_max_c = v.get<double>();
    else if (key == "cell_temperature_c")
      p.cell_temperature_min_c = p.cell_temperature_max_c = v.get<double>();
    else if (key == "voltage_v")
      p.voltage_v = v.get<double>();
    else if (key == "current_a")
      p.current_a = v.get<double>();
    else if (key == "charge_current_limit_a")
      p.limits.charge_current_limit_a = v.get<double>();
    else if (key == "discharge_current_limit_a")
      p.limits.discharge_current_limit_a = v.get<double>();
    else if (key == "protection_active")
      p.protections.set(condition_of(v.get<std::string>()), core::FlagState::active);
    else if (key == "protection_ok")
      p.protections.set(condition_of(v.get<std::string>()), core::FlagState::ok);
    else if (key == "charge_enable")
      p.requests.charge_enable = v.get<bool>();
    else if (key == "discharge_enable")
      p.requests.discharge_enable = v.get<bool>();
    else if (key == "bms_silent")
      w.bms_silent = v.get<bool>();
    else if (key == "inverter_silent")
      w.inverter_silent = v.get<bool>();
    else if (key == "plant_follows")
      w.plant_follows = v.get<bool>();
    else if (key == "battery_power_w")
      w.snapshot.inverter.battery_power_w = v.get<double>();
    else if (key == "grid_power_w")
      w.snapshot.inverter.grid_power_w = v.get<double>();
    else if (key == "meter_grid_power_w")
      w.meter_grid_power_w = v.get<double>();
    else if (key == "house_load_w")
      w.house_load_w = v.get<double>();
    else if (key == "fire_alarm")
      w.snapshot.fire_alarm_active = v.get<bool>();
    else if (key == "compliance_block") {
      w.snapshot.compliance.blocked = !v.is_null();
      w.snapshot.compliance.reason = v.is_null() ? "" : v.get<std::string>();
    } else if (key == "second_life_k")
      w.snapshot.second_life.factor_k = v.get<double>();
    else if (key == "mode")
      w.request.mode = mode_of(v.get<std::string>());
    else if (key == "setpoint_w")
      w.request.manual_setpoint_w = v.get<double>();
    else if (key == "target_grid_w")
      w.request.target_grid_w = v.get<double>();
    else if (key == "ack")
      w.ack = v.get<bool>();
    else if (key == "stop")
      w.stop = v.get<bool>();
    else
      throw std::runtime_error("unknown key in \"set\": " + key);
  }
}

struct ScenarioSetup {
  control::ControllerSettings controller;
  limits::LimitsSettings limits;
};

ScenarioSetup make_setup(const json& s) {
  config::Config cfg;
  cfg.battery.series_cells = 16;
  cfg.battery.capacity_ah = 100.0;
  for (const auto& [key, v] : s.items()) {
    if (key == "chemistry")
      cfg.battery.chemistry = chemistry_of(v.get<std::string>());
    else if (key == "inverter_rated_power_w")
      cfg.inverter.rated_power_w = v.get<double>();
    else if (key == "grid_import_limit_w")
      cfg.site.grid_import_limit_w = v.get<double>();
    else if (key == "grid_export_limit_w")
      cfg.site.grid_export_limit_w = v.get<double>();
    else if (key == "min_soc_pct")
      cfg.control.min_soc_pct = v.get<double>();
    else if (key == "max_soc_pct")
      cfg.control.max_soc_pct = v.get<double>();
    else if (key == "fire_alarm")
      cfg.control.fire_alarm.enabled = v.get<bool>();
    else if (key == "commissioning")
      cfg.control.commissioning = v.get<bool>();
    else if (key == "hysteresis_hold_s")
      cfg.limits.hysteresis_hold_s = v.get<double>();
    else if (key == "ramp_w_per_s")
      cfg.control.self_consumption.ramp_w_per_s = v.get<double>();
    else if (key == "deadband_w")
      cfg.control.self_consumption.deadband_w = v.get<double>();
    else
      throw std::runtime_error("unknown key in \"settings\": " + key);
  }
  return ScenarioSetup{control::ControllerSettings::from_config(cfg),
                       limits::LimitsSettings::from_config(cfg)};
}

std::string kind_name(core::CommandKind k) {
  switch (k) {
    case core::CommandKind::none:
      return "none";
    case core::CommandKind::safe_state:
      return "safe_state";
    case core::CommandKind::set_power:
      return "set_power";
    case core::CommandKind::release:
      return "release";
  }
  return "?";
}

std::string describe(const control::StepOutput& out) {
  std::ostringstream os;
  os << "state=" << control::to_string(out.state) << " command=" << kind_name(out.command.kind)
     << " " << out.command.battery_power_w << " W (" << out.command.reason << ") events=[";
  for (const auto& e : out.events) os << e.code << ":" << core::to_string(e.edge) << " ";
  os << "] charge cause=" << out.envelope.charge_power_max_w.cause.rule_id
     << " discharge cause=" << out.envelope.discharge_power_max_w.cause.rule_id;
  return os.str();
}

class Scenario : public ::testing::TestWithParam<std::string> {};

TEST_P(Scenario, Runs) {
  std::ifstream file(GetParam());
  ASSERT_TRUE(file) << GetParam();
  const json sc = json::parse(file, nullptr, true, /*ignore_comments=*/true);
  SCOPED_TRACE(sc.at("name").get<std::string>());
  const ScenarioSetup setup = make_setup(sc.value("settings", json::object()));
  control::MemoryFaultLatchStore store;
  for (const auto& id : sc.value("latched_faults", json::array()))
    ASSERT_TRUE(store.latch({id.get<std::string>(), "latched before the restart", 0}));
  control::Controller controller(setup.controller, setup.limits, store);
  ManualClock clock;
  World w;
  healthy(w);
  w.snapshot.fire_alarm_configured = setup.controller.fire_alarm_configured;
  apply_set(w, sc.value("initial", json::object()));
  control::StepOutput out;
  int step_no = 0;
  for (const auto& st : sc.at("steps")) {
    apply_set(w, st.value("set", json::object()));
    const int repeat = st.value("repeat", 1);
    const double advance_s = st.value("advance_s", 1.0);
    std::vector<core::Event> events;
    std::vector<double> setpoints;
    for (int r = 0; r < repeat; ++r) {
      clock.advance(std::chrono::duration_cast<Duration>(std::chrono::duration<double>(advance_s)));
      const TimePoint now = clock.now();
      auto& p = w.snapshot.pack;
      if (!w.bms_silent) p.measured_at = p.limits_at = p.cells_at = p.flags_at = p.charge_at = now;
      w.snapshot.inverter.online = !w.inverter_silent;
      if (!w.inverter_silent) w.snapshot.inverter.read_at = now;
      if (w.plant_follows) {
        const double batt =
            out.command.kind == core::CommandKind::set_power ? out.command.battery_power_w : 0.0;
        w.snapshot.inverter.battery_power_w = batt;
        p.current_a = batt / p.voltage_v.value_or(52.0);
        w.snapshot.inverter.grid_power_w = w.house_load_w + batt;
      }
      control::StepInput in;
      in.now = now;
      in.wall_now = clock.wall_now();
      in.snapshot = w.snapshot;
      in.meter_grid_power_w = w.meter_grid_power_w;
      in.request = w.request;
      in.ack_faults = w.ack;
      in.stop_requested = w.stop;
      w.ack = false;  // one-step edge
      out = controller.step(in);
      ++step_no;
      events.insert(events.end(), out.events.begin(), out.events.end());
      if (out.command.kind == core::CommandKind::set_power)
        setpoints.push_back(out.command.battery_power_w);
    }
    const json ex = st.value("expect", json::object());
    const std::string where = "step #" + std::to_string(step_no) + " (" +
                              st.value("note", std::string()) + "): " + describe(out);
    auto has = [&](const std::string& code, bool cleared) {
      return std::any_of(events.begin(), events.end(), [&](const core::Event& e) {
        return e.code == code && ((e.edge == core::EventEdge::cleared) == cleared);
      });
    };
    for (const auto& [key, v] : ex.items()) {
      if (key == "state")
        EXPECT_EQ(control::to_string(out.state), v.get<std::string>()) << where;
      else if (key == "command")
        EXPECT_EQ(kind_name(out.command.kind), v.get<std::string>()) << where;
      else if (key == "power_w")
        EXPECT_NEAR(out.command.battery_power_w, v.get<double>(), 1e-6) << where;
      else if (key == "events") {
        for (const auto& code : v)
          EXPECT_TRUE(has(code.get<std::string>(), false))
              << "missing event " << code << " at " << where;
      } else if (key == "cleared") {
        for (const auto& code : v)
          EXPECT_TRUE(has(code.get<std::string>(), true))
              << "missing cleared " << code << " at " << where;
      } else if (key == "no_events") {
        for (const auto& code : v)
          EXPECT_FALSE(has(code.get<std::string>(), false))
              << "unexpected event " << code << " at " << where;
      } else if (key == "clamped")
        EXPECT_EQ(out.clamp.clamped, v.get<bool>()) << where;
      else if (key == "clamp_rule")
        EXPECT_EQ(out.clamp.cause.rule_id, v.get<std::string>()) << where;
      else if (key == "charge_rule")
        EXPECT_EQ(out.envelope.charge_power_max_w.cause.rule_id, v.get<std::string>()) << where;
      else if (key == "discharge_rule")
        EXPECT_EQ(out.envelope.discharge_power_max_w.cause.rule_id, v.get<std::string>()) << where;
      else if (key == "charge_power_max_w")
        EXPECT_NEAR(out.envelope.charge_power_max_w.value, v.get<double>(), 1e-6) << where;
      else if (key == "discharge_power_max_w")
        EXPECT_NEAR(out.envelope.discharge_power_max_w.value, v.get<double>(), 1e-6) << where;
      else if (key == "faults") {
        std::vector<std::string> ids;
        for (const auto& f : out.faults) ids.push_back(f.id);
        std::sort(ids.begin(), ids.end());
        auto want = v.get<std::vector<std::string>>();
        std::sort(want.begin(), want.end());
        EXPECT_EQ(ids, want) << where;
      } else if (key == "grid_power_w")
        EXPECT_NEAR(*w.snapshot.inverter.grid_power_w, v.get<double>(), 1e-6) << where;
      else if (key == "no_reversal") {
        // Self-consumption must not oscillate: the setpoint's steps never change direction.
        int reversals = 0;
        double dir = 0.0;
        for (std::size_t i = 1; i < setpoints.size(); ++i) {
          const double d = setpoints[i] - setpoints[i - 1];
          if (std::abs(d) < 1e-9) continue;
          const double nd = d > 0 ? 1.0 : -1.0;
          if (dir != 0.0 && nd != dir) ++reversals;
          dir = nd;
        }
        EXPECT_EQ(reversals, 0) << where;
      } else if (key == "max_step_w") {
        for (std::size_t i = 1; i < setpoints.size(); ++i)
          EXPECT_LE(std::abs(setpoints[i] - setpoints[i - 1]), v.get<double>() + 1e-6) << where;
      } else {
        FAIL() << "unknown key in \"expect\": " << key;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Files, Scenario, ::testing::ValuesIn(scenario_files()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           std::string n = fs::path(param_info.param).stem().string();
                           std::replace_if(
                               n.begin(), n.end(),
                               [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); },
                               '_');
                           return n;
                         });

TEST(ScenarioFiles, AllPresent) {
  // The scenario list the issue asks for; a missing file is a failure, not a silent skip.
  for (const char* name :
       {"comms_loss_starting", "comms_loss_standby", "comms_loss_running", "comms_loss_fault",
        "comms_loss_lockout", "inverter_link_loss", "alarm_during_charge",
        "fire_alarm_during_charge", "cold_charge_block", "taper_near_full", "soc_reserve",
        "fault_latch_and_ack", "restart_with_latched_fault", "compliance_lockout",
        "self_consumption_stepping", "stop"}) {
    EXPECT_TRUE(fs::exists(fs::path(BESSD_SOURCE_DIR) / "tests/integration/scenarios" /
                           (std::string(name) + ".json")))
        << name;
  }
}

}  // namespace
}  // namespace bessd
