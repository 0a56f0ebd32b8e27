// Ratings and power bounds: the BMS's CCL/DCL and the configured pack limits, the second-life
// factor (SL-DER-01), cell spread (OP-DV-01, charge only: discharging does not worsen an
// imbalance and a slow top-balancing charge is the cure), then current × voltage, configured
// power, inverter rating and the site's grid headroom.
#include <algorithm>

#include "rule_context.hpp"

namespace bessd::limits::detail {

using core::CauseKind;
using core::Severity;

void apply_ratings(Cycle& c) {
  const auto& s = c.s;
  const auto& p = c.in.pack;
  const double ccl = std::max(0.0, *p.limits.charge_current_limit_a);
  const double dcl = std::max(0.0, *p.limits.discharge_current_limit_a);
  c.chg_i.offer(ccl, CauseKind::bms_limit, "BMS", [&] {
    return printf_string("Charging is limited to %.1f A by the battery's own management system.",
                         ccl);
  });
  c.dis_i.offer(dcl, CauseKind::bms_limit, "BMS", [&] {
    return printf_string("Discharging is limited to %.1f A by the battery's own management system.",
                         dcl);
  });
  if (s.max_charge_current_a) {
    c.chg_i.offer(*s.max_charge_current_a, CauseKind::pack_rating, "PACK", [&] {
      return printf_string("Charging is limited to %.1f A by the pack's configured rating.",
                           *s.max_charge_current_a);
    });
  }
  if (s.max_discharge_current_a) {
    c.dis_i.offer(*s.max_discharge_current_a, CauseKind::pack_rating, "PACK", [&] {
      return printf_string("Discharging is limited to %.1f A by the pack's configured rating.",
                           *s.max_discharge_current_a);
    });
  }
  // SL-DER-01 second-life factor.
  const double k = std::clamp(c.in.second_life.factor_k, 0.5, 1.0);
  for (const bool charge : {true, false}) {
    c.derate(charge, k, CauseKind::second_life, "SL-DER-01", Severity::info, [&] {
      return printf_string(
          "%s is limited to %s because this is a second-life pack graded at that "
          "state of health (SL-DER-01).",
          charge ? "Charging" : "Discharging", c.share(charge, k).c_str());
    });
  }
  // OP-DV-01 cell spread (only with measured cell extremes).
  const auto& cells = c.cells;
  if (!cells.estimated && cells.voltage_max_v && cells.voltage_min_v) {
    const double spread = *cells.voltage_max_v - *cells.voltage_min_v;
    if (spread > s.cell_spread_warn_v) {
      c.f.cell_spread_warning = true;
      const double factor = spread > s.cell_spread_derate_v ? s.cell_spread_derate_factor : 1.0;
      const auto sentence = [&] {
        return factor < 1.0
                   ? printf_string(
                         "Charging is reduced to %s because the cells differ by %.0f mV "
                         "(more than %.0f mV); a slow charge lets them balance, discharging "
                         "stays available (OP-DV-01).",
                         c.share(true, factor).c_str(), spread * 1000.0,
                         s.cell_spread_derate_v * 1000.0)
                   : printf_string(
                         "The cells differ by %.0f mV (more than %.0f mV): the pack may need "
                         "balancing (OP-DV-01).",
                         spread * 1000.0, s.cell_spread_warn_v * 1000.0);
      };
      if (factor < 1.0)
        c.chg_i.offer(c.charge_reference_a * factor, CauseKind::cell_spread, "OP-DV-01", sentence);
      c.activate("OP-DV-01", Severity::warning, sentence());
    }
  }
}

void apply_power_bounds(Cycle& c) {
  const auto& s = c.s;
  const auto& in = c.in;
  const auto& p = in.pack;
  const core::Bound chg_i_raw = c.chg_i.bound();
  const core::Bound dis_i_raw = c.dis_i.bound();
  const double volts = p.voltage_v.value_or(0.0);
  auto from_current = [&](BoundBuilder& b, const core::Bound& current_bound) {
    b.offer_bound(core::Bound{current_bound.value * volts, current_bound.cause});
    if (current_bound.value <= 0.0) b.offer_bound(current_bound);
  };
  from_current(c.chg_p, chg_i_raw);
  from_current(c.dis_p, dis_i_raw);
  if (s.max_charge_power_w) {
    c.chg_p.offer(*s.max_charge_power_w, CauseKind::pack_rating, "PACK", [&] {
      return printf_string("Charging is limited to %.0f W by the pack's configured rating.",
                           *s.max_charge_power_w);
    });
  }
  if (s.max_discharge_power_w) {
    c.dis_p.offer(*s.max_discharge_power_w, CauseKind::pack_rating, "PACK", [&] {
      return printf_string("Discharging is limited to %.0f W by the pack's configured rating.",
                           *s.max_discharge_power_w);
    });
  }
  // The inverter's state carries the smaller of the configured and the reported rating already;
  // the configured one still counts before the inverter has answered.
  std::optional<double> rating =
      s.inverter_rated_power_w ? s.inverter_rated_power_w : in.inverter.rated_power_w;
  if (rating && in.inverter.rated_power_w) rating = std::min(*rating, *in.inverter.rated_power_w);
  if (rating) {
    const auto sentence = [&] {
      return printf_string("Power is limited to %.0f W by the inverter's rating.", *rating);
    };
    c.chg_p.offer(*rating, CauseKind::inverter_rating, "INVERTER", sentence);
    c.dis_p.offer(*rating, CauseKind::inverter_rating, "INVERTER", sentence);
  }
  // Site grid limits: with a grid reading, the headroom the rest of the house leaves; without
  // one, the limit itself (conservative: the battery alone must not exceed it).
  std::optional<double> house_w;  // grid power without the battery, + = import
  const std::optional<double> batt_w =
      in.inverter.battery_power_w ? in.inverter.battery_power_w : p.power_w();
  if (in.inverter.grid_power_w && batt_w) house_w = *in.inverter.grid_power_w - *batt_w;
  if (s.grid_import_limit_w) {
    const double headroom = house_w ? *s.grid_import_limit_w - *house_w : *s.grid_import_limit_w;
    c.chg_p.offer(headroom, CauseKind::site_grid_limit, "SITE", [&] {
      return house_w
                 ? printf_string(
                       "Charging is limited to %.0f W by the site's grid import limit of "
                       "%.0f W while the house draws %.0f W.",
                       std::max(0.0, headroom), *s.grid_import_limit_w, *house_w)
                 : printf_string("Charging is limited to %.0f W by the site's grid import limit.",
                                 *s.grid_import_limit_w);
    });
  }
  if (s.grid_export_limit_w) {
    const double headroom = house_w ? *s.grid_export_limit_w + *house_w : *s.grid_export_limit_w;
    c.dis_p.offer(headroom, CauseKind::site_grid_limit, "SITE", [&] {
      return house_w ? printf_string(
                           "Discharging is limited to %.0f W by the site's grid export limit of "
                           "%.0f W with the house at %.0f W.",
                           std::max(0.0, headroom), *s.grid_export_limit_w, *house_w)
                     : printf_string(
                           "Discharging is limited to %.0f W by the site's grid export limit.",
                           *s.grid_export_limit_w);
    });
  }
}

void note_cover_bounds(Cycle& c) {
  // The cells' own limits: a DC load the inverter does not feed must stay within them too.
  const double cells_a =
      c.dis_i.lowest_of({CauseKind::bms_limit, CauseKind::pack_rating, CauseKind::cell_voltage,
                         CauseKind::temperature, CauseKind::second_life, CauseKind::protection_flag,
                         CauseKind::cell_spread});
  if (cells_a < kInf) c.f.cells_discharge_current_max_a = cells_a;
  // A charge that covers a DC load leaves the cells at rest (the discharge current guard takes
  // it back at once when the pack starts to charge), so only what keeps the inverter itself from
  // charging bounds it (docs/protection.md "Covering a DC load").
  // A BMS protection that stops both directions (a short circuit, a contactor or internal
  // error, over-temperature) is no pack at rest: nothing is pushed onto its bus.
  for (const auto& b : c.f.blocks)
    if (b.charge && b.discharge) return;
  for (const BoundBuilder* b : {&c.chg_i, &c.chg_p}) {
    if (b->lowest_of({CauseKind::fault, CauseKind::compliance_block, CauseKind::stale_data,
                      CauseKind::fire_alarm, CauseKind::over_current}) < kInf)
      return;
  }
  c.f.load_cover_max_w =
      c.chg_p.lowest_of({CauseKind::inverter_rating, CauseKind::site_grid_limit});
}

}  // namespace bessd::limits::detail
