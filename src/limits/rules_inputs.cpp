// Inputs that hold power flow (ALM-01, faults, compliance), COM-01 data freshness and the BMS's
// own protection items and enable bits (OP-FLAG-01). Directions: docs/protection.md.
#include <algorithm>
#include <cstdarg>
#include <cstdio>

#include <bessd/limits/protection_policy.hpp>

#include "rule_context.hpp"

namespace bessd::limits::detail {

using core::CauseKind;
using core::Severity;

void Cycle::activate(const char* id, Severity sev, std::string sentence) {
  for (const auto& a : act)
    if (a.id == id) return;
  act.push_back(Activation{id, std::move(sentence), sev});
}

namespace {

const char* directions_text(bool charge, bool discharge) {
  return charge && discharge ? "Charging and discharging are"
         : charge            ? "Charging is"
                             : "Discharging is";
}

bool fresh(const std::optional<TimePoint>& at, TimePoint now, Duration limit) {
  return at && now >= *at && now - *at <= limit;
}

}  // namespace

void apply_blocking_inputs(Cycle& c) {
  const auto& in = c.in;
  if (in.fire_alarm_configured && in.fire_alarm_active) {
    c.f.fire_alarm = true;
    const auto sentence = [] {
      return std::string(
          "Charging and discharging are stopped because the fire alarm input has tripped "
          "(ALM-01).");
    };
    c.block(true, true, CauseKind::fire_alarm, "ALM-01", "", sentence);
    c.activate("ALM-01", Severity::critical, sentence());
  }
  for (const auto& fault : in.faults) {
    if (!fault.blocks_charge && !fault.blocks_discharge) continue;
    const auto sentence = [&] {
      return printf_string("%s stopped because of the fault %s: %s",
                           directions_text(fault.blocks_charge, fault.blocks_discharge),
                           fault.id.c_str(), fault.reason.c_str());
    };
    c.block(fault.blocks_charge, fault.blocks_discharge, CauseKind::fault, fault.id.c_str(), "",
            sentence);
  }
  if (in.compliance.blocked) {
    c.f.compliance_block = true;
    const auto sentence = [&] {
      return printf_string("Charging and discharging are blocked by an installation rule: %s",
                           in.compliance.reason.c_str());
    };
    c.block(true, true, CauseKind::compliance_block, "COMPLIANCE", "", sentence);
  }
}

void apply_data_freshness(Cycle& c) {
  const auto& p = c.in.pack;
  const auto& s = c.s;
  auto& f = c.f;
  // Cell extremes (0x373) are optional: a genuine Pylontech never sends them. Once a BMS has
  // sent them, they are required like the rest (a BMS that stops sending them is stale).
  struct Part {
    const std::optional<TimePoint>* at;
    const char* what;
  };
  std::vector<Part> parts{{&p.measured_at, "voltage and current"},
                          {&p.limits_at, "charge/discharge limits"},
                          {&p.flags_at, "alarm flags"},
                          {&p.charge_at, "state of charge"}};
  if (p.cells_at) parts.push_back({&p.cells_at, "cell voltages and temperatures"});
  const char* missing = nullptr;
  double oldest_age_s = 0.0;
  bool never_seen = false;  // waiting for a first frame (start-up): info, not an error
  for (const auto& part : parts) {
    if (!part.at->has_value()) {
      f.bms_lost = true;
      never_seen = true;
      if (!missing) missing = part.what;
      continue;
    }
    const double age = to_seconds(c.now - **part.at);
    if (!fresh(*part.at, c.now, s.lost_after)) f.bms_lost = true;
    if (!fresh(*part.at, c.now, s.stale_after)) {
      if (!missing) missing = part.what;
      oldest_age_s = std::max(oldest_age_s, age);
    }
  }
  // A charge voltage limit is needed only to charge: a pack that refuses charging may send none
  // (Pylontech HV's 0 V cut-off on a cold night) and still lets the pack discharge.
  const bool charge_refused =
      p.limits.charge_current_limit_a && *p.limits.charge_current_limit_a <= 0.0;
  const bool have_values = p.voltage_v && p.current_a && p.limits.charge_current_limit_a &&
                           p.limits.discharge_current_limit_a &&
                           (p.limits.charge_voltage_limit_v || charge_refused) && p.soc_pct;
  c.stale = missing != nullptr || !have_values;
  f.bms_stale = c.stale;

  // The cell view: measured extremes when the BMS sends them, else estimates.
  auto& cells = c.cells;
  if (p.cells_at) {
    cells.voltage_max_v = p.cell_voltage_max_v;
    cells.voltage_min_v = p.cell_voltage_min_v;
    cells.temperature_min_c = p.cell_temperature_min_c;
    cells.temperature_max_c = p.cell_temperature_max_c;
  } else {
    cells.estimated = true;
    f.cell_data_estimated = true;
    if (p.voltage_v && s.series_cells && *s.series_cells > 0) {
      const double v = *p.voltage_v / static_cast<double>(*s.series_cells);
      cells.voltage_max_v = cells.voltage_min_v = v;
      f.estimated_cell_voltage_v = v;
    }
    // The pack sensor stands for every cell; a BMS that also sends cell temperature extremes but
    // no cell voltages (BYD HVS) widens the range to them: the colder and the warmer reading win.
    const auto widen = [](std::optional<double> cell, std::optional<double> pack, auto pick) {
      if (cell && pack) return std::optional<double>{pick(*cell, *pack)};
      return cell ? cell : pack;
    };
    cells.temperature_min_c = widen(p.cell_temperature_min_c, p.temperature_c,
                                    [](double a, double b) { return std::min(a, b); });
    cells.temperature_max_c = widen(p.cell_temperature_max_c, p.temperature_c,
                                    [](double a, double b) { return std::max(a, b); });
  }
  // Measured extremes that arrive incomplete count as missing data (never a guess).
  if (p.cells_at && !(cells.voltage_max_v && cells.voltage_min_v && cells.temperature_min_c &&
                      cells.temperature_max_c))
    c.stale = f.bms_stale = true;

  if (!c.stale) return;
  const auto sentence = [&] {
    if (missing && oldest_age_s > 0.0)
      return printf_string(
          "Charging and discharging are stopped because the BMS %s are %.1f s old (COM-01).",
          missing, oldest_age_s);
    if (missing)
      return printf_string(
          "Charging and discharging are stopped because the BMS has not reported its %s "
          "(COM-01).",
          missing);
    return std::string(
        "Charging and discharging are stopped because the BMS data is incomplete (COM-01).");
  };
  c.block(true, true, CauseKind::stale_data, "COM-01", "", sentence);
  c.cvl.offer(0.0, CauseKind::stale_data, "COM-01", sentence);
  // The controller raises the COM-01 fault (critical) once the start-up grace is over.
  c.activate("COM-01",
             never_seen && oldest_age_s == 0.0 ? Severity::info
             : f.bms_lost                      ? Severity::error
                                               : Severity::warning,
             sentence());
}

void apply_bms_flags(Cycle& c) {
  const auto& p = c.in.pack;
  auto& f = c.f;
  for (std::size_t i = 0; i < core::kBmsConditionCount; ++i) {
    const auto cond = static_cast<core::BmsCondition>(i);
    if (p.protections.get(cond) != core::FlagState::active) continue;
    f.protection_flag = true;
    if (!f.protection_detail.empty()) f.protection_detail += ", ";
    f.protection_detail += core::describe(cond);
    if (cond == core::BmsCondition::over_temperature) f.bms_over_temperature = true;
    const PolicyRow& row = policy_of(cond);
    const bool chg = row.charge == Action::block;
    const bool dis = row.discharge == Action::block;
    const std::string what(core::describe(cond));
    if (!chg && !dis) {
      // A derating item (cell imbalance): charge reduced, the balancing charge continues.
      if (row.charge == Action::derate)
        c.derate(true, c.s.imbalance_charge_factor, CauseKind::protection_flag, "OP-FLAG-01",
                 Severity::warning, [&] {
                   return printf_string(
                       "Charging is reduced to %s because the BMS reports %s; a slow "
                       "charge lets the cells balance (OP-FLAG-01).",
                       c.share(true, c.s.imbalance_charge_factor).c_str(), what.c_str());
                 });
      continue;
    }
    const auto sentence = [&] {
      return printf_string(
          "%s stopped because the BMS reports a protection alarm: %s (OP-FLAG-01).",
          directions_text(chg, dis), what.c_str());
    };
    c.block(chg, dis, CauseKind::protection_flag, "OP-FLAG-01", std::string(row.id), sentence);
    c.activate("OP-FLAG-01", Severity::error, sentence());
  }
  if (p.requests.charge_enable == false) {
    const auto sentence = [] {
      return std::string(
          "Charging is stopped because the BMS does not allow charging (OP-FLAG-01).");
    };
    c.block(true, false, CauseKind::protection_flag, "OP-FLAG-01", "", sentence);
    c.activate("OP-FLAG-01", Severity::warning, sentence());
  }
  if (p.requests.discharge_enable == false) {
    const auto sentence = [] {
      return std::string(
          "Discharging is stopped because the BMS does not allow discharging (OP-FLAG-01).");
    };
    c.block(false, true, CauseKind::protection_flag, "OP-FLAG-01", "", sentence);
    c.activate("OP-FLAG-01", Severity::warning, sentence());
  }
  f.force_charge_requested = p.requests.force_charge.value_or(false);
  // The BMS asks for a charge because the pack is (nearly) empty: discharging it further is the
  // wrong direction, also while the recovery charge itself cannot run (a frozen pack).
  if (f.force_charge_requested) {
    const auto sentence = [] {
      return std::string(
          "Discharging is stopped because the BMS asks for a charge (force-charge request, "
          "REQ:force_charge).");
    };
    c.block(false, true, CauseKind::protection_flag, "REQ:force_charge", "", sentence);
    c.activate("REQ:force_charge", Severity::info, sentence());
  }
}

}  // namespace bessd::limits::detail
