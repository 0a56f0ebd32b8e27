#include <algorithm>
#include <cstdio>
#include <functional>

#include <bessd/control/protection_self_test.hpp>
#include <bessd/limits/protection_policy.hpp>

namespace bessd::control {
namespace {

// A healthy pack in the middle of its window, all data fresh at `now`.
limits::LimitsInput healthy(const limits::LimitsSettings& s, TimePoint now) {
  limits::LimitsInput in;
  auto& p = in.pack;
  const double cell_v = s.cell_voltage_min_v + 0.55 * (s.cell_voltage_max_v - s.cell_voltage_min_v);
  const double series = s.series_cells ? static_cast<double>(*s.series_cells) : 16.0;
  p.voltage_v = cell_v * series;
  p.current_a = 0.0;
  p.temperature_c = 25.0;
  p.soc_pct = 50.0;
  p.soh_pct = 100.0;
  p.cell_voltage_min_v = cell_v - 0.005;
  p.cell_voltage_max_v = cell_v + 0.005;
  p.cell_temperature_min_c = 24.0;
  p.cell_temperature_max_c = 26.0;
  p.limits.charge_current_limit_a = 50.0;
  p.limits.discharge_current_limit_a = 50.0;
  p.limits.charge_voltage_limit_v = s.cell_voltage_max_v * series;
  for (std::size_t i = 0; i < core::kBmsConditionCount; ++i)
    p.protections.set(static_cast<core::BmsCondition>(i), core::FlagState::ok);
  p.requests.charge_enable = true;
  p.requests.discharge_enable = true;
  p.measured_at = p.limits_at = p.cells_at = p.flags_at = p.charge_at = now;
  in.inverter.online = true;
  in.inverter.operating = core::InverterOperating::running;
  in.inverter.battery_power_w = 0.0;
  in.inverter.grid_power_w = 0.0;
  in.inverter.read_at = now;
  return in;
}

void refresh(limits::LimitsInput& in, TimePoint now, bool pack_too) {
  in.inverter.read_at = now;
  if (!pack_too) return;
  auto& p = in.pack;
  p.measured_at = p.limits_at = p.cells_at = p.flags_at = p.charge_at = now;
}

struct Injection {
  std::string condition;
  std::string injected;
  std::string expected_event;
  std::vector<std::string_view> policy_rows;  // docs/protection.md rows that decide the action
  std::function<void(limits::LimitsInput&)> apply;
  bool silence{false};  // stop refreshing the BMS data
};

std::string action_text(bool charge_blocked, bool discharge_blocked) {
  if (charge_blocked && discharge_blocked) return "charge and discharge blocked";
  if (charge_blocked) return "charge blocked, discharge allowed";
  if (discharge_blocked) return "charge allowed, discharge blocked";
  return "charge and discharge allowed";
}

// The action the policy table expects: a direction is blocked when any of the rows blocks it.
std::string expected_action(const std::vector<std::string_view>& rows) {
  bool chg = false;
  bool dis = false;
  for (const auto id : rows) {
    const limits::PolicyRow* row = limits::find_policy(id);
    if (!row) return "unknown policy row " + std::string(id);
    chg = chg || row->charge == limits::Action::block;
    dis = dis || row->discharge == limits::Action::block;
  }
  return action_text(chg, dis);
}

// What the logic did: a direction is blocked when the command cannot move power that way.
std::string actual_action(const StepOutput& out) {
  if (out.command.kind != core::CommandKind::set_power) return action_text(true, true);
  return action_text(out.envelope.charge_power_max_w.value <= 0.0,
                     out.envelope.discharge_power_max_w.value <= 0.0);
}

}  // namespace

SelfTestReport run_protection_self_test(const ControllerSettings& settings,
                                        const limits::LimitsSettings& limits) {
  char buf[160];
  std::vector<Injection> injections;
  std::snprintf(buf, sizeof buf, "highest cell %.3f V", limits.cell_voltage_max_v + 0.1);
  injections.push_back({"over-voltage", buf, "OP-V-01", {"OP-V-01"}, [&](limits::LimitsInput& in) {
                          in.pack.cell_voltage_max_v = limits.cell_voltage_max_v + 0.1;
                        }});
  std::snprintf(buf, sizeof buf, "lowest cell %.3f V", limits.cell_voltage_min_v - 0.1);
  injections.push_back({"under-voltage", buf, "OP-V-03", {"OP-V-03"}, [&](limits::LimitsInput& in) {
                          in.pack.cell_voltage_min_v = limits.cell_voltage_min_v - 0.1;
                        }});
  std::snprintf(buf, sizeof buf, "warmest cell %.1f °C", limits.discharge_temperature_max_c + 5.0);
  injections.push_back(
      {"over-temperature", buf, "OP-T-04", {"OP-T-03", "OP-T-04"}, [&](limits::LimitsInput& in) {
         in.pack.cell_temperature_max_c = limits.discharge_temperature_max_c + 5.0;
       }});
  injections.push_back({"under-temperature",
                        "coldest cell -5.0 °C",
                        "OP-T-01",
                        {"OP-T-01"},
                        [](limits::LimitsInput& in) { in.pack.cell_temperature_min_c = -5.0; }});
  injections.push_back({"BMS over-temperature protection",
                        "protection item 'over_temperature'",
                        "BMS-OT",
                        {"FLAG:over_temperature"},
                        [](limits::LimitsInput& in) {
                          in.pack.protections.set(core::BmsCondition::over_temperature,
                                                  core::FlagState::active);
                        }});
  injections.push_back(
      {"BMS silence", "no BMS data", "COM-01", {"COM-01"}, [](limits::LimitsInput&) {}, true});
  injections.push_back({"BMS alarm flag",
                        "protection item 'general' active",
                        "OP-FLAG-01",
                        {"FLAG:general"},
                        [](limits::LimitsInput& in) {
                          in.pack.protections.set(core::BmsCondition::general,
                                                  core::FlagState::active);
                        }});
  injections.push_back({"fire-alarm input",
                        "fire alarm input tripped",
                        "ALM-01",
                        {"ALM-01"},
                        [](limits::LimitsInput& in) { in.fire_alarm_active = true; }});

  SelfTestReport report;
  report.all_passed = true;
  for (const auto& inj : injections) {
    ControllerSettings cs = settings;
    cs.fire_alarm_configured = true;  // the logic is tested even where no input is wired
    cs.commissioning = false;
    MemoryFaultLatchStore store;
    Controller controller(cs, limits, store);
    TimePoint now{};
    StepInput in;
    in.now = now;
    in.snapshot = healthy(limits, now);
    in.request.mode = config::OperatingMode::manual;
    in.request.manual_setpoint_w = 1000.0;
    // Warm up: starting -> safe setpoint first -> running, charging.
    StepOutput out;
    for (int i = 0; i < 3; ++i) {
      in.now = now += std::chrono::seconds{1};
      refresh(in.snapshot, now, true);
      out = controller.step(in);
    }
    SelfTestCase c;
    c.condition = inj.condition;
    c.injected = inj.injected;
    c.expected_action = expected_action(inj.policy_rows);
    c.expected_event = inj.expected_event;
    if (inj.condition == "fire-alarm input" && !settings.fire_alarm_configured)
      c.note = "the fire alarm input is not configured on this system; the logic was tested";
    // The baseline must run with both directions open, or a block proves nothing.
    if (actual_action(out) != action_text(false, false)) {
      c.actual_action = actual_action(out);
      c.note = "the healthy baseline did not reach running (" + c.actual_action + ")";
      report.cases.push_back(c);
      report.all_passed = false;
      continue;
    }
    inj.apply(in.snapshot);
    // BMS silence needs the timeout to pass; the others must act on the very next step.
    const Duration limit =
        inj.silence ? limits.lost_after + std::chrono::seconds{2} : std::chrono::seconds{1};
    const TimePoint deadline = now + limit;
    while (now < deadline) {
      in.now = now += std::chrono::seconds{1};
      refresh(in.snapshot, now, !inj.silence);
      out = controller.step(in);
      c.event_seen = c.event_seen ||
                     std::any_of(out.events.begin(), out.events.end(), [&](const core::Event& e) {
                       return e.code == inj.expected_event && e.edge == core::EventEdge::raised;
                     });
      if (actual_action(out) == c.expected_action && c.event_seen) break;
    }
    c.actual_action = actual_action(out);
    c.passed = c.actual_action == c.expected_action && c.event_seen;
    report.all_passed = report.all_passed && c.passed;
    report.cases.push_back(std::move(c));
  }
  return report;
}

}  // namespace bessd::control
