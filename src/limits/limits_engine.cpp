#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <limits>

#include <bessd/limits/breakpoints.hpp>
#include <bessd/limits/limits_engine.hpp>

namespace bessd::limits {
namespace {

using core::Bound;
using core::Cause;
using core::CauseKind;
using core::Severity;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kZeroEpsilon = 1e-9;

// printf-style formatting into a std::string (the sentences people read).
__attribute__((format(printf, 1, 2))) std::string fmt(const char* format, ...) {
  char buf[512];
  va_list args;
  va_start(args, format);
  const int n = std::vsnprintf(buf, sizeof buf, format, args);
  va_end(args);
  if (n < 0) return {};
  return std::string(buf, std::min<std::size_t>(static_cast<std::size_t>(n), sizeof buf - 1));
}

// Keeps the lowest offered bound; the sentence is built only when the offer wins.
class BoundBuilder {
 public:
  template <typename MakeSentence>
  void offer(double value, CauseKind kind, const char* rule, MakeSentence&& make_sentence) {
    if (!(value < value_)) return;  // ties keep the earlier (more severe) cause; NaN never wins
    // A factor that interpolates to 1e-16 at a table's end is zero: OP-HYST-01 must see it.
    value_ = value < kZeroEpsilon ? 0.0 : value;
    cause_ = Cause{kind, rule, make_sentence()};
  }
  void offer_bound(const Bound& b) {
    if (b.value < value_) {
      value_ = b.value;
      cause_ = b.cause;
    }
  }
  double value() const { return value_; }
  Bound bound() const {
    if (value_ == kInf)
      return Bound{0.0, Cause{CauseKind::stale_data, "COM-01", "No limit known."}};
    return Bound{value_, cause_};
  }

 private:
  double value_{kInf};
  Cause cause_;
};

struct Activation {
  std::string id;
  std::string sentence;
  Severity severity;
};

void activate(std::vector<Activation>& list, const char* id, Severity sev, std::string sentence) {
  for (const auto& a : list)
    if (a.id == id) return;
  list.push_back(Activation{id, std::move(sentence), sev});
}

bool fresh(const std::optional<TimePoint>& at, TimePoint now, Duration limit) {
  return at && now >= *at && now - *at <= limit;
}

// Which direction a BMS protection item blocks (OP-FLAG-01). Unknown and general items block
// both (fail safe).
struct FlagDirections {
  bool charge;
  bool discharge;
};
FlagDirections directions_of(core::BmsCondition c) {
  using core::BmsCondition;
  switch (c) {
    case BmsCondition::cell_over_voltage:
    case BmsCondition::charge_over_temperature:
    case BmsCondition::charge_under_temperature:
    case BmsCondition::charge_over_current:
      return {true, false};
    case BmsCondition::cell_under_voltage:
    case BmsCondition::discharge_over_current:
      return {false, true};
    case BmsCondition::general:
    case BmsCondition::over_temperature:
    case BmsCondition::under_temperature:
    case BmsCondition::contactor:
    case BmsCondition::short_circuit:
    case BmsCondition::bms_internal:
    case BmsCondition::cell_imbalance:
    case BmsCondition::unknown:
      return {true, true};
  }
  return {true, true};
}

double pct(double factor) {
  return factor * 100.0;
}

}  // namespace

LimitsEngine::LimitsEngine(LimitsSettings settings) : settings_(std::move(settings)) {}

core::Bound LimitsEngine::apply_hysteresis(HysteresisState& h, core::Bound raw,
                                           double reference_max, TimePoint now,
                                           const char* direction) const {
  // A bound that has never been above zero since start-up (no BMS data yet) is not flapping:
  // holding it would keep every restart idle for the hold time for no safety gain.
  const bool was_ever_positive = h.max_seen > 0.0;
  h.max_seen = std::max(h.max_seen, raw.value);
  const double reference = std::max(reference_max, h.max_seen);
  const double threshold = settings_.hysteresis_recovery_pct / 100.0 * reference;
  if (!h.held) {
    if (raw.value <= 0.0 && was_ever_positive) {
      h.held = true;
      h.held_cause = raw.cause;
      h.above_since.reset();
    }
    return raw;
  }
  if (raw.value <= 0.0) {  // still at zero for a real reason: show that reason
    h.above_since.reset();
    h.held_cause = raw.cause;
    return raw;
  }
  if (raw.value > threshold) {
    if (!h.above_since) h.above_since = now;
    if (now - *h.above_since >= settings_.hysteresis_hold) {
      h.held = false;
      h.above_since.reset();
      return raw;
    }
    const double remaining = to_seconds(settings_.hysteresis_hold - (now - *h.above_since));
    return Bound{0.0, Cause{CauseKind::hysteresis, "OP-HYST-01",
                            fmt("%s stays off for another %.0f s so that it does not switch on and "
                                "off; it was stopped because: %s (OP-HYST-01)",
                                direction, remaining, h.held_cause.sentence.c_str())}};
  }
  h.above_since.reset();
  return Bound{
      0.0, Cause{CauseKind::hysteresis, "OP-HYST-01",
                 fmt("%s stays off until its limit is above %.1f %% of its maximum; it "
                     "was stopped because: %s (OP-HYST-01)",
                     direction, settings_.hysteresis_recovery_pct, h.held_cause.sentence.c_str())}};
}

LimitsResult LimitsEngine::compute(const LimitsInput& in, TimePoint now) {
  const auto& s = settings_;
  const auto& p = in.pack;
  LimitsResult result;
  LimitsFindings& f = result.findings;
  std::vector<Activation> act;

  BoundBuilder chg_i, dis_i, chg_p, dis_p, cvl;

  // ---- Blocks that hold both directions at zero -------------------------------------------
  if (in.fire_alarm_configured && in.fire_alarm_active) {
    f.fire_alarm = true;
    const auto sentence = [] {
      return std::string(
          "Charging and discharging are stopped because the fire alarm input has tripped "
          "(ALM-01).");
    };
    chg_i.offer(0.0, CauseKind::fire_alarm, "ALM-01", sentence);
    dis_i.offer(0.0, CauseKind::fire_alarm, "ALM-01", sentence);
    activate(act, "ALM-01", Severity::critical, sentence());
  }
  for (const auto& fault : in.faults) {
    const auto sentence = [&] {
      return fmt("Charging and discharging are stopped because of the fault %s: %s",
                 fault.id.c_str(), fault.reason.c_str());
    };
    chg_i.offer(0.0, CauseKind::fault, fault.id.c_str(), sentence);
    dis_i.offer(0.0, CauseKind::fault, fault.id.c_str(), sentence);
  }
  if (in.compliance.blocked) {
    f.compliance_block = true;
    const auto sentence = [&] {
      return fmt("Charging and discharging are blocked by an installation rule: %s",
                 in.compliance.reason.c_str());
    };
    chg_i.offer(0.0, CauseKind::compliance_block, "COMPLIANCE", sentence);
    dis_i.offer(0.0, CauseKind::compliance_block, "COMPLIANCE", sentence);
  }

  // ---- COM-01: missing or stale data ---------------------------------------------------------
  struct Part {
    const std::optional<TimePoint>* at;
    const char* what;
  };
  const Part parts[] = {{&p.measured_at, "voltage and current"},
                        {&p.limits_at, "charge/discharge limits"},
                        {&p.cells_at, "cell voltages and temperatures"},
                        {&p.flags_at, "alarm flags"},
                        {&p.charge_at, "state of charge"}};
  const char* missing = nullptr;
  double oldest_age_s = 0.0;
  for (const auto& part : parts) {
    if (!part.at->has_value()) {
      f.bms_lost = true;
      if (!missing) missing = part.what;
      continue;
    }
    const double age = to_seconds(now - **part.at);
    if (!fresh(*part.at, now, s.lost_after)) f.bms_lost = true;
    if (!fresh(*part.at, now, s.stale_after)) {
      if (!missing) missing = part.what;
      oldest_age_s = std::max(oldest_age_s, age);
    }
  }
  const bool have_values =
      p.voltage_v && p.current_a && p.cell_voltage_min_v && p.cell_voltage_max_v &&
      p.cell_temperature_min_c && p.cell_temperature_max_c && p.limits.charge_current_limit_a &&
      p.limits.discharge_current_limit_a && p.limits.charge_voltage_limit_v && p.soc_pct;
  const bool stale = missing != nullptr || !have_values;
  f.bms_stale = stale;
  if (stale) {
    const auto sentence = [&] {
      if (missing && oldest_age_s > 0.0)
        return fmt(
            "Charging and discharging are stopped because the BMS %s are %.1f s old (COM-01).",
            missing, oldest_age_s);
      if (missing)
        return fmt(
            "Charging and discharging are stopped because the BMS has not reported its %s "
            "(COM-01).",
            missing);
      return std::string(
          "Charging and discharging are stopped because the BMS data is incomplete (COM-01).");
    };
    chg_i.offer(0.0, CauseKind::stale_data, "COM-01", sentence);
    dis_i.offer(0.0, CauseKind::stale_data, "COM-01", sentence);
    cvl.offer(0.0, CauseKind::stale_data, "COM-01", sentence);
    activate(act, "COM-01", f.bms_lost ? Severity::error : Severity::warning, sentence());
  }

  // ---- OP-FLAG-01: BMS protection items and enable requests --------------------------------
  for (std::size_t i = 0; i < core::kBmsConditionCount; ++i) {
    const auto c = static_cast<core::BmsCondition>(i);
    if (p.protections.get(c) != core::FlagState::active) continue;
    f.protection_flag = true;
    if (!f.protection_detail.empty()) f.protection_detail += ", ";
    f.protection_detail += core::describe(c);
    const auto dirs = directions_of(c);
    const auto sentence = [&] {
      return fmt("%s stopped because the BMS reports a protection alarm: %s (OP-FLAG-01).",
                 dirs.charge && dirs.discharge ? "Charging and discharging are"
                 : dirs.charge                 ? "Charging is"
                                               : "Discharging is",
                 std::string(core::describe(c)).c_str());
    };
    if (dirs.charge) chg_i.offer(0.0, CauseKind::protection_flag, "OP-FLAG-01", sentence);
    if (dirs.discharge) dis_i.offer(0.0, CauseKind::protection_flag, "OP-FLAG-01", sentence);
    activate(act, "OP-FLAG-01", Severity::error, sentence());
  }
  if (p.requests.charge_enable == false) {
    const auto sentence = [] {
      return std::string(
          "Charging is stopped because the BMS does not allow charging (OP-FLAG-01).");
    };
    chg_i.offer(0.0, CauseKind::protection_flag, "OP-FLAG-01", sentence);
    activate(act, "OP-FLAG-01", Severity::warning, sentence());
  }
  if (p.requests.discharge_enable == false) {
    const auto sentence = [] {
      return std::string(
          "Discharging is stopped because the BMS does not allow discharging (OP-FLAG-01).");
    };
    dis_i.offer(0.0, CauseKind::protection_flag, "OP-FLAG-01", sentence);
    activate(act, "OP-FLAG-01", Severity::warning, sentence());
  }

  // ---- Value rules (only with fresh, complete data) ----------------------------------------
  double chg_base = kInf;
  double dis_base = kInf;
  if (!stale) {
    const double vmax = *p.cell_voltage_max_v;
    const double vmin = *p.cell_voltage_min_v;
    const double tmin = *p.cell_temperature_min_c;
    const double tmax = *p.cell_temperature_max_c;
    const double soc = *p.soc_pct;
    // Effective window: pack/chemistry, narrowed for a second-life pack (SL-DER-01).
    double max_v = s.cell_voltage_max_v;
    double min_v = s.cell_voltage_min_v;
    double practical_min_v = s.cell_voltage_practical_min_v;
    const bool sl_max =
        in.second_life.cell_voltage_max_v && *in.second_life.cell_voltage_max_v < max_v;
    const bool sl_min =
        in.second_life.cell_voltage_min_v && *in.second_life.cell_voltage_min_v > min_v;
    if (sl_max) max_v = *in.second_life.cell_voltage_max_v;
    if (sl_min) {
      practical_min_v += *in.second_life.cell_voltage_min_v - min_v;
      min_v = *in.second_life.cell_voltage_min_v;
    }

    // OP-V-01 / OP-V-03: outside the cell window.
    if (vmax > max_v) {
      f.cell_voltage_out_of_window = true;
      const auto sentence = [&] {
        return fmt(
            "Charging is stopped because the highest cell is at %.3f V, above the %.3f V "
            "limit (OP-V-01).",
            vmax, max_v);
      };
      chg_i.offer(0.0, CauseKind::cell_voltage, "OP-V-01", sentence);
      activate(act, "OP-V-01", Severity::error, sentence());
    }
    if (vmin < min_v) {
      f.cell_voltage_out_of_window = true;
      const auto sentence = [&] {
        return fmt(
            "Discharging is stopped because the lowest cell is at %.3f V, below the "
            "%.3f V limit (OP-V-03).",
            vmin, min_v);
      };
      dis_i.offer(0.0, CauseKind::cell_voltage, "OP-V-03", sentence);
      activate(act, "OP-V-03", Severity::error, sentence());
    }
    // OP-T-01: never charge below 0 °C cell temperature, whatever the configuration says.
    if (tmin < 0.0) {
      const auto sentence = [&] {
        return fmt(
            "Charging is stopped because the coldest cell is %.1f °C; lithium cells must "
            "not be charged below 0 °C (OP-T-01).",
            tmin);
      };
      chg_i.offer(0.0, CauseKind::temperature, "OP-T-01", sentence);
      activate(act, "OP-T-01", Severity::warning, sentence());
    }
    // OP-T-03 / OP-T-04: outside the charge / discharge temperature window.
    if (tmin < s.charge_temperature_min_c || tmax > s.charge_temperature_max_c) {
      const bool cold = tmin < s.charge_temperature_min_c;
      const auto sentence = [&] {
        return fmt(
            "Charging is stopped because the %s cell is %.1f °C, outside the charging "
            "range %.0f to %.0f °C (OP-T-03).",
            cold ? "coldest" : "warmest", cold ? tmin : tmax, s.charge_temperature_min_c,
            s.charge_temperature_max_c);
      };
      chg_i.offer(0.0, CauseKind::temperature, "OP-T-03", sentence);
      activate(act, "OP-T-03", Severity::warning, sentence());
    }
    if (tmin < s.discharge_temperature_min_c || tmax > s.discharge_temperature_max_c) {
      f.cell_temperature_out_of_window = true;
      const bool cold = tmin < s.discharge_temperature_min_c;
      const auto sentence = [&] {
        return fmt(
            "Discharging is stopped because the %s cell is %.1f °C, outside the "
            "discharging range %.0f to %.0f °C (OP-T-04).",
            cold ? "coldest" : "warmest", cold ? tmin : tmax, s.discharge_temperature_min_c,
            s.discharge_temperature_max_c);
      };
      dis_i.offer(0.0, CauseKind::temperature, "OP-T-04", sentence);
      // Outside even the widest window: charging is unsafe too.
      chg_i.offer(0.0, CauseKind::temperature, "OP-T-04", sentence);
      activate(act, "OP-T-04", Severity::error, sentence());
    }

    // OP-I-01/02: measured current above the enforced limit (previous cycle's envelope).
    const double current = *p.current_a;
    auto over_current = [&](OverCurrentState& st, double measured, double limit, bool have) {
      const bool over = have && measured > limit * (1.0 + s.over_current_margin_pct / 100.0) &&
                        measured - limit > s.over_current_floor_a;
      if (!over) {
        st.over_since.reset();
        return Duration::zero();
      }
      if (!st.over_since) st.over_since = now;
      return now - *st.over_since;
    };
    const Duration chg_over =
        over_current(oc_charge_, current, last_charge_current_limit_a_, have_last_limits_);
    const Duration dis_over =
        over_current(oc_discharge_, -current, last_discharge_current_limit_a_, have_last_limits_);
    const bool chg_oc_block = chg_over > 2 * s.over_current_time;
    const bool dis_oc_block = dis_over > 2 * s.over_current_time;
    if (chg_oc_block) {
      f.over_current_block = true;
      const auto sentence = [&] {
        return fmt(
            "Charging is stopped because the battery current (%.1f A) has stayed above the "
            "limit (%.1f A) although it was reduced: the inverter does not obey (OP-I-01).",
            current, last_charge_current_limit_a_);
      };
      chg_i.offer(0.0, CauseKind::over_current, "OP-I-01", sentence);
      activate(act, "OP-I-01", Severity::error, sentence());
    }
    if (dis_oc_block) {
      f.over_current_block = true;
      const auto sentence = [&] {
        return fmt(
            "Discharging is stopped because the battery current (%.1f A) has stayed above "
            "the limit (%.1f A) although it was reduced: the inverter does not obey "
            "(OP-I-02).",
            -current, last_discharge_current_limit_a_);
      };
      dis_i.offer(0.0, CauseKind::over_current, "OP-I-02", sentence);
      activate(act, "OP-I-02", Severity::error, sentence());
    }

    // OP-SOC-01: reserve window, with a soft band so the limit does not jump 0 <-> full.
    const double band = std::max(s.soc_soft_band_pct, 1e-9);
    if (soc <= s.min_soc_pct) {
      const auto sentence = [&] {
        return fmt(
            "Discharging is stopped because the state of charge (%.0f %%) has reached the "
            "%.0f %% reserve (OP-SOC-01).",
            soc, s.min_soc_pct);
      };
      dis_i.offer(0.0, CauseKind::soc_reserve, "OP-SOC-01", sentence);
      activate(act, "OP-SOC-01", Severity::info, sentence());
    }
    if (s.max_soc_pct < 100.0 && soc >= s.max_soc_pct) {
      const auto sentence = [&] {
        return fmt(
            "Charging is stopped because the state of charge (%.0f %%) has reached the "
            "configured maximum of %.0f %% (OP-SOC-01).",
            soc, s.max_soc_pct);
      };
      chg_i.offer(0.0, CauseKind::soc_reserve, "OP-SOC-01", sentence);
      activate(act, "OP-SOC-01", Severity::info, sentence());
    }

    // Ratings: BMS limits and configured pack limits.
    const double ccl = std::max(0.0, *p.limits.charge_current_limit_a);
    const double dcl = std::max(0.0, *p.limits.discharge_current_limit_a);
    chg_base = ccl;
    dis_base = dcl;
    chg_i.offer(ccl, CauseKind::bms_limit, "BMS", [&] {
      return fmt("Charging is limited to %.1f A by the battery's own management system.", ccl);
    });
    dis_i.offer(dcl, CauseKind::bms_limit, "BMS", [&] {
      return fmt("Discharging is limited to %.1f A by the battery's own management system.", dcl);
    });
    if (s.max_charge_current_a) {
      chg_base = std::min(chg_base, *s.max_charge_current_a);
      chg_i.offer(*s.max_charge_current_a, CauseKind::pack_rating, "PACK", [&] {
        return fmt("Charging is limited to %.1f A by the pack's configured rating.",
                   *s.max_charge_current_a);
      });
    }
    if (s.max_discharge_current_a) {
      dis_base = std::min(dis_base, *s.max_discharge_current_a);
      dis_i.offer(*s.max_discharge_current_a, CauseKind::pack_rating, "PACK", [&] {
        return fmt("Discharging is limited to %.1f A by the pack's configured rating.",
                   *s.max_discharge_current_a);
      });
    }

    // Factors on the base current ("lowest factor wins").
    auto offer_factor = [&](BoundBuilder& b, double base, double factor, CauseKind kind,
                            const char* rule, Severity sev, auto make_sentence) {
      factor = std::clamp(factor, 0.0, 1.0);
      if (factor >= 1.0) return;
      b.offer(base * factor, kind, rule, make_sentence);
      activate(act, rule, sev, make_sentence());
    };
    // OP-V-02 / OP-V-04 tapers.
    const double chg_taper = s.charge_taper_v.empty()
                                 ? interpolate(s.charge_taper_rel_max, vmax - max_v)
                                 : interpolate(s.charge_taper_v, vmax);
    offer_factor(chg_i, chg_base, chg_taper, CauseKind::cell_voltage, "OP-V-02", Severity::info,
                 [&] {
                   return fmt(
                       "Charging is reduced to %.0f %% because the highest cell is at "
                       "%.3f V, near the %.3f V maximum (OP-V-02).",
                       pct(chg_taper), vmax, max_v);
                 });
    const double dis_taper = s.discharge_taper_v.empty()
                                 ? interpolate(s.discharge_taper_rel_min, vmin - practical_min_v)
                                 : interpolate(s.discharge_taper_v, vmin);
    offer_factor(dis_i, dis_base, dis_taper, CauseKind::cell_voltage, "OP-V-04", Severity::info,
                 [&] {
                   return fmt(
                       "Discharging is reduced to %.0f %% because the lowest cell is at "
                       "%.3f V, near the minimum (OP-V-04).",
                       pct(dis_taper), vmin);
                 });
    // OP-T-02 temperature tables: the coldest and the warmest cell both count.
    const double chg_cold = interpolate(s.charge_temperature_c, tmin);
    const double chg_hot = interpolate(s.charge_temperature_c, tmax);
    const bool chg_cold_wins = chg_cold <= chg_hot;
    const double chg_temp = std::min(chg_cold, chg_hot);
    offer_factor(chg_i, chg_base, chg_temp, CauseKind::temperature, "OP-T-02", Severity::info, [&] {
      return fmt(
          "Charging is reduced to %.0f %% because the %s cell is %.1f °C "
          "(OP-T-02).",
          pct(chg_temp), chg_cold_wins ? "coldest" : "warmest", chg_cold_wins ? tmin : tmax);
    });
    const double dis_cold = interpolate(s.discharge_temperature_c, tmin);
    const double dis_hot = interpolate(s.discharge_temperature_c, tmax);
    const bool dis_cold_wins = dis_cold <= dis_hot;
    const double dis_temp = std::min(dis_cold, dis_hot);
    offer_factor(dis_i, dis_base, dis_temp, CauseKind::temperature, "OP-T-02", Severity::info, [&] {
      return fmt(
          "Discharging is reduced to %.0f %% because the %s cell is %.1f °C "
          "(OP-T-02).",
          pct(dis_temp), dis_cold_wins ? "coldest" : "warmest", dis_cold_wins ? tmin : tmax);
    });
    // SL-DER-01 second-life factor.
    const double k = std::clamp(in.second_life.factor_k, 0.5, 1.0);
    const auto sl_sentence = [&](const char* dir) {
      return fmt(
          "%s is limited to %.0f %% because this is a second-life pack graded at that "
          "state of health (SL-DER-01).",
          dir, pct(k));
    };
    offer_factor(chg_i, chg_base, k, CauseKind::second_life, "SL-DER-01", Severity::info,
                 [&] { return sl_sentence("Charging"); });
    offer_factor(dis_i, dis_base, k, CauseKind::second_life, "SL-DER-01", Severity::info,
                 [&] { return sl_sentence("Discharging"); });
    // OP-DV-01 cell spread.
    const double spread = vmax - vmin;
    if (spread > s.cell_spread_warn_v) {
      f.cell_spread_warning = true;
      const double factor = spread > s.cell_spread_derate_v ? s.cell_spread_derate_factor : 1.0;
      const auto sentence = [&] {
        return factor < 1.0
                   ? fmt("Charging and discharging are reduced to %.0f %% because the cells differ "
                         "by %.0f mV (more than %.0f mV) (OP-DV-01).",
                         pct(factor), spread * 1000.0, s.cell_spread_derate_v * 1000.0)
                   : fmt("The cells differ by %.0f mV (more than %.0f mV): the pack may need "
                         "balancing (OP-DV-01).",
                         spread * 1000.0, s.cell_spread_warn_v * 1000.0);
      };
      if (factor < 1.0) {
        chg_i.offer(chg_base * factor, CauseKind::cell_spread, "OP-DV-01", sentence);
        dis_i.offer(dis_base * factor, CauseKind::cell_spread, "OP-DV-01", sentence);
      }
      activate(act, "OP-DV-01", Severity::warning, sentence());
    }
    // OP-SOC-01 soft band.
    if (soc > s.min_soc_pct && soc < s.min_soc_pct + band) {
      const double factor = (soc - s.min_soc_pct) / band;
      offer_factor(dis_i, dis_base, factor, CauseKind::soc_reserve, "OP-SOC-01", Severity::info,
                   [&] {
                     return fmt(
                         "Discharging is reduced to %.0f %% because the state of charge "
                         "(%.1f %%) is close to the %.0f %% reserve (OP-SOC-01).",
                         pct(factor), soc, s.min_soc_pct);
                   });
    }
    if (s.max_soc_pct < 100.0 && soc < s.max_soc_pct && soc > s.max_soc_pct - band) {
      const double factor = (s.max_soc_pct - soc) / band;
      offer_factor(chg_i, chg_base, factor, CauseKind::soc_reserve, "OP-SOC-01", Severity::info,
                   [&] {
                     return fmt(
                         "Charging is reduced to %.0f %% because the state of charge "
                         "(%.1f %%) is close to the configured maximum of %.0f %% "
                         "(OP-SOC-01).",
                         pct(factor), soc, s.max_soc_pct);
                   });
    }
    // OP-I-01/02 first stage: derate.
    if (chg_over > s.over_current_time && !chg_oc_block) {
      offer_factor(chg_i, chg_base, s.over_current_derate_factor, CauseKind::over_current,
                   "OP-I-01", Severity::warning, [&] {
                     return fmt(
                         "Charging is reduced to %.0f %% because the battery current "
                         "(%.1f A) is above the limit (%.1f A) (OP-I-01).",
                         pct(s.over_current_derate_factor), current, last_charge_current_limit_a_);
                   });
    }
    if (dis_over > s.over_current_time && !dis_oc_block) {
      offer_factor(dis_i, dis_base, s.over_current_derate_factor, CauseKind::over_current,
                   "OP-I-02", Severity::warning, [&] {
                     return fmt(
                         "Discharging is reduced to %.0f %% because the battery current "
                         "(%.1f A) is above the limit (%.1f A) (OP-I-02).",
                         pct(s.over_current_derate_factor), -current,
                         last_discharge_current_limit_a_);
                   });
    }

    // Charge voltage limit: the BMS's CVL and the (narrowed) cell max × series cells.
    const double bms_cvl = *p.limits.charge_voltage_limit_v;
    cvl.offer(bms_cvl, CauseKind::bms_limit, "BMS", [&] {
      return fmt(
          "The charge voltage is limited to %.2f V by the battery's own management "
          "system.",
          bms_cvl);
    });
    if (s.series_cells && *s.series_cells > 0) {
      const double pack_max = max_v * static_cast<double>(*s.series_cells);
      cvl.offer(pack_max, sl_max ? CauseKind::second_life : CauseKind::pack_rating,
                sl_max ? "SL-DER-01" : "PACK", [&] {
                  return fmt("The charge voltage is limited to %.2f V (%lld cells × %.3f V).",
                             pack_max, static_cast<long long>(*s.series_cells), max_v);
                });
    }
  } else {
    oc_charge_.over_since.reset();
    oc_discharge_.over_since.reset();
  }

  // ---- Currents -> powers, then the power-only bounds --------------------------------------
  const core::Bound chg_i_raw = chg_i.bound();
  const core::Bound dis_i_raw = dis_i.bound();
  const double volts = p.voltage_v.value_or(0.0);
  auto from_current = [&](BoundBuilder& b, const core::Bound& current_bound) {
    b.offer_bound(core::Bound{current_bound.value * volts, current_bound.cause});
    if (current_bound.value <= 0.0) b.offer_bound(current_bound);
  };
  from_current(chg_p, chg_i_raw);
  from_current(dis_p, dis_i_raw);
  if (s.max_charge_power_w) {
    chg_p.offer(*s.max_charge_power_w, CauseKind::pack_rating, "PACK", [&] {
      return fmt("Charging is limited to %.0f W by the pack's configured rating.",
                 *s.max_charge_power_w);
    });
  }
  if (s.max_discharge_power_w) {
    dis_p.offer(*s.max_discharge_power_w, CauseKind::pack_rating, "PACK", [&] {
      return fmt("Discharging is limited to %.0f W by the pack's configured rating.",
                 *s.max_discharge_power_w);
    });
  }
  const std::optional<double> rating =
      s.inverter_rated_power_w ? s.inverter_rated_power_w : in.inverter.rated_power_w;
  if (rating) {
    const auto sentence = [&] {
      return fmt("Power is limited to %.0f W by the inverter's rating.", *rating);
    };
    chg_p.offer(*rating, CauseKind::inverter_rating, "INVERTER", sentence);
    dis_p.offer(*rating, CauseKind::inverter_rating, "INVERTER", sentence);
  }
  // Site grid limits: with a grid reading, the headroom the rest of the house leaves; without
  // one, the limit itself (conservative: the battery alone must not exceed it).
  std::optional<double> house_w;  // grid power without the battery, + = import
  const std::optional<double> batt_w =
      in.inverter.battery_power_w ? in.inverter.battery_power_w : p.power_w();
  if (in.inverter.grid_power_w && batt_w) house_w = *in.inverter.grid_power_w - *batt_w;
  if (s.grid_import_limit_w) {
    const double headroom = house_w ? *s.grid_import_limit_w - *house_w : *s.grid_import_limit_w;
    chg_p.offer(headroom, CauseKind::site_grid_limit, "SITE", [&] {
      return house_w ? fmt("Charging is limited to %.0f W by the site's grid import limit of "
                           "%.0f W while the house draws %.0f W.",
                           std::max(0.0, headroom), *s.grid_import_limit_w, *house_w)
                     : fmt("Charging is limited to %.0f W by the site's grid import limit.",
                           *s.grid_import_limit_w);
    });
  }
  if (s.grid_export_limit_w) {
    const double headroom = house_w ? *s.grid_export_limit_w + *house_w : *s.grid_export_limit_w;
    dis_p.offer(headroom, CauseKind::site_grid_limit, "SITE", [&] {
      return house_w ? fmt("Discharging is limited to %.0f W by the site's grid export limit of "
                           "%.0f W with the house at %.0f W.",
                           std::max(0.0, headroom), *s.grid_export_limit_w, *house_w)
                     : fmt("Discharging is limited to %.0f W by the site's grid export limit.",
                           *s.grid_export_limit_w);
    });
  }

  // ---- OP-HYST-01 ------------------------------------------------------------------------------
  const double chg_i_ref = s.max_charge_current_a.value_or(0.0);
  const double dis_i_ref = s.max_discharge_current_a.value_or(0.0);
  core::Envelope& env = result.envelope;
  env.charge_current_max_a =
      apply_hysteresis(hyst_charge_current_, chg_i_raw, chg_i_ref, now, "Charging");
  env.discharge_current_max_a =
      apply_hysteresis(hyst_discharge_current_, dis_i_raw, dis_i_ref, now, "Discharging");
  env.charge_power_max_w = apply_hysteresis(hyst_charge_power_, chg_p.bound(),
                                            s.max_charge_power_w.value_or(0.0), now, "Charging");
  env.discharge_power_max_w =
      apply_hysteresis(hyst_discharge_power_, dis_p.bound(), s.max_discharge_power_w.value_or(0.0),
                       now, "Discharging");
  // A direction held at zero by its current is held at zero in power too (one cause shown).
  if (env.charge_current_max_a.value <= 0.0 && env.charge_power_max_w.value > 0.0)
    env.charge_power_max_w = env.charge_current_max_a;
  if (env.discharge_current_max_a.value <= 0.0 && env.discharge_power_max_w.value > 0.0)
    env.discharge_power_max_w = env.discharge_current_max_a;
  env.charge_voltage_max_v = cvl.bound();
  for (const core::Bound* b : {&env.charge_current_max_a, &env.discharge_current_max_a,
                               &env.charge_power_max_w, &env.discharge_power_max_w}) {
    if (b->cause.kind == CauseKind::hysteresis)
      activate(act, "OP-HYST-01", Severity::info, b->cause.sentence);
  }

  last_charge_current_limit_a_ = env.charge_current_max_a.value;
  last_discharge_current_limit_a_ = env.discharge_current_max_a.value;
  have_last_limits_ = !stale;

  // ---- Edges ---------------------------------------------------------------------------------
  for (const auto& a : act) {
    result.active_rules.push_back(a.id);
    const bool was = std::any_of(active_.begin(), active_.end(),
                                 [&](const ActiveRule& r) { return r.id == a.id; });
    if (!was)
      result.events.push_back(
          core::Event{now, a.severity, core::EventEdge::raised, "limits", a.id, a.sentence, {}});
  }
  for (const auto& r : active_) {
    const bool still =
        std::any_of(act.begin(), act.end(), [&](const Activation& a) { return a.id == r.id; });
    if (!still)
      result.events.push_back(core::Event{now,
                                          Severity::info,
                                          core::EventEdge::cleared,
                                          "limits",
                                          r.id,
                                          "Cleared: " + r.sentence,
                                          {}});
  }
  active_.clear();
  for (auto& a : act) active_.push_back(ActiveRule{a.id, std::move(a.sentence), a.severity});
  return result;
}

}  // namespace bessd::limits
