// PAS 63100 location and separation rules (docs/compliance.md). Clause numbers 6.5.1 and 6.5.5
// come from installer guidance quoting the PAS [S]; the others are not confirmed and say so.

#include "rules.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace bessd::compliance::detail {

namespace {

using L = config::SiteLocation;

constexpr std::string_view kPasProhibited = "PAS 63100:2024, 6.5.5 (locations not permitted)";

/// Why PAS 63100 prohibits a location, or empty when it does not (under_stairs handled apart).
std::string_view prohibition_reason(L location) {
  switch (location) {
    case L::bedroom:
      return "PAS 63100 does not allow batteries in rooms where people sleep";
    case L::cupboard_into_bedroom:
      return "PAS 63100 does not allow batteries in cupboards, enclosures or spaces that open "
             "into a room where people sleep";
    case L::escape_route:
      return "PAS 63100 does not allow batteries on routes used to escape from the home "
             "(landings, stairs, hallways, corridors): a battery fire there would block the way "
             "out";
    case L::protected_escape_route:
      return "PAS 63100 does not allow batteries in the corridors, stairs, shafts or lobbies of "
             "a protected escape route";
    case L::firefighting_shaft:
      return "PAS 63100 does not allow batteries in firefighting lobbies, shafts or stairs";
    case L::loft:
    case L::roof_space:
    case L::void_space:
      return "PAS 63100 does not allow batteries in lofts, roof spaces or voids: a fire there is "
             "found late and a heavy battery can fall through a burning ceiling";
    case L::outdoor_wall:
    case L::outdoor_ground:
    case L::outbuilding_detached:
    case L::garage_integral:
    case L::utility_room:
    case L::plant_room:
    case L::habitable_room:
    case L::under_stairs:
    case L::cellar:
    case L::bathroom:
      return {};
  }
  return {};
}

/// How docs/compliance.md "Locations" treats a location that is not on the prohibited list.
enum class Allowance : std::uint8_t { permitted, verify, under_stairs };

Allowance allowance(L location) {
  switch (location) {
    case L::under_stairs:
      return Allowance::under_stairs;
    case L::habitable_room:
    case L::cellar:
    case L::bathroom:
      return Allowance::verify;
    case L::outdoor_wall:
    case L::outdoor_ground:
    case L::outbuilding_detached:
    case L::garage_integral:
    case L::utility_room:
    case L::plant_room:
    case L::bedroom:
    case L::cupboard_into_bedroom:
    case L::escape_route:
    case L::protected_escape_route:
    case L::firefighting_shaft:
    case L::loft:
    case L::roof_space:
    case L::void_space:
      return Allowance::permitted;
  }
  return Allowance::permitted;
}

constexpr std::string_view kMoveAdvice =
    " Move it outdoors (at least 1 m from doors, windows, vents and escape routes), to a "
    "detached outbuilding, or to a garage or utility room with REI 30 fire separation and "
    "interlinked fire detection.";

}  // namespace

Finding check_pas_loc_01(const RuleContext& ctx) {
  auto f = make_finding("PAS-LOC-01", "Location permitted", kPasProhibited, Confidence::secondary);
  if (!pas_scope(ctx, f)) return f;
  const auto loc = ctx.site.location;
  add_input(f, "site.location", std::string{config::to_string(loc)});
  const std::string where = "The battery is configured " + describe(loc) + ".";

  if (auto reason = prohibition_reason(loc); !reason.empty()) {
    f.verdict = Verdict::block;
    f.message = where + " " + std::string{reason} + "." + std::string{kMoveAdvice};
    return f;
  }
  switch (allowance(loc)) {
    case Allowance::under_stairs:
      add_input(f, "site.stair_is_escape_route", boolean(ctx.site.stair_is_escape_route));
      f.confidence = Confidence::judgement;
      f.reference = "PAS 63100:2024, 6.5.5 (escape routes); under-stairs reading is bessd's";
      if (ctx.site.stair_is_escape_route) {
        f.verdict = Verdict::block;
        f.message = where +
                    " That staircase is an escape route (site.stair_is_escape_route = true), and "
                    "PAS 63100 does not allow batteries on escape routes: a fire under the stairs "
                    "would cut off the way out." +
                    std::string{kMoveAdvice};
      } else {
        f.verdict = Verdict::warn;
        f.message = where +
                    " The configuration says the staircase is not an escape route, so bessd "
                    "allows it. Confirm that the stair is not a means of escape, and keep REI 30 "
                    "separation and interlinked fire detection.";
      }
      return f;
    case Allowance::verify:
      f.confidence = Confidence::uncertain;
      f.verdict = Verdict::warn;
      f.message = where +
                  " This is not on PAS 63100's list of prohibited locations as far as bessd "
                  "knows, but the PAS prefers outdoors and spaces away from where people live. "
                  "bessd allows it with this warning: confirm the location against the published "
                  "text, and keep REI 30 fire separation and interlinked fire detection.";
      return f;
    case Allowance::permitted:
      break;
  }
  f.verdict = Verdict::pass;
  f.message = where + " PAS 63100 permits this location.";
  return f;
}

Finding check_pas_loc_02(const RuleContext& ctx) {
  auto f = make_finding("PAS-LOC-02", "Outdoor clearances",
                        "PAS 63100:2024, 6.5.5 (outdoors within 1 m of openings)",
                        Confidence::secondary);
  if (!pas_scope(ctx, f)) return f;
  add_input(f, "site.location", std::string{config::to_string(ctx.site.location)});
  if (ctx.indoors()) {
    f.message =
        "The battery is not outdoors; outdoor clearances do not apply (indoor locations "
        "are covered by PAS-ENC-01, PAS-VEN-01 and PAS-DET-01).";
    return f;
  }
  const double min_m = ctx.thresholds.outdoor_clearance_m;
  add_input(f, "compliance.outdoor_clearance_m", number(min_m));
  struct Item {
    std::string_view key;
    std::string_view what;
    std::optional<double> value;
  };
  const Item items[] = {
      {"escape_route", "an escape route", ctx.site.clearances.escape_route_m},
      {"door", "a door", ctx.site.clearances.door_m},
      {"window", "a window", ctx.site.clearances.window_m},
      {"ventilation_opening", "a ventilation opening", ctx.site.clearances.ventilation_opening_m},
  };
  std::vector<std::string> too_close;
  std::vector<std::string> missing;
  for (const auto& it : items) {
    add_input(f, "site.clearances_m." + std::string{it.key}, number(it.value));
    if (!it.value)
      missing.push_back(std::string{it.what} + " (site.clearances_m." + std::string{it.key} + ")");
    else if (*it.value < min_m)
      too_close.push_back(number(*it.value) + " m from " + std::string{it.what});
  }
  const auto join = [](const std::vector<std::string>& parts) {
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      if (i > 0) out += (i + 1 == parts.size()) ? " and " : ", ";
      out += parts[i];
    }
    return out;
  };
  const std::string rule = "PAS 63100 asks for at least " + number(min_m) +
                           " m between an outdoor battery and escape routes, doors, windows and "
                           "ventilation openings, so that a battery fire cannot spread into the "
                           "home or block the way out.";
  if (!too_close.empty()) {
    f.verdict = Verdict::block;
    f.message = "The battery is " + join(too_close) + ". " + rule +
                " Move the battery (or the opening) to restore the clearance.";
    if (!missing.empty()) f.message += " Also record the distance to " + join(missing) + ".";
  } else if (!missing.empty()) {
    f.verdict = Verdict::warn;
    f.message = "The distance to " + join(missing) +
                " is not recorded, so bessd cannot confirm "
                "it. " +
                rule + " Measure and record it.";
  } else {
    f.verdict = Verdict::pass;
    f.message = "The battery is at least " + number(min_m) +
                " m from escape routes, doors, windows and ventilation openings.";
  }
  return f;
}

Finding check_pas_loc_03(const RuleContext& ctx) {
  auto f = make_finding("PAS-LOC-03", "Flammable materials",
                        "PAS 63100:2024, 6.5.5 (stored flammable materials; wording unconfirmed)",
                        Confidence::uncertain);
  if (!pas_scope(ctx, f)) return f;
  const double min_m = ctx.thresholds.flammable_clearance_m;
  const auto& d = ctx.site.clearances.flammable_store_m;
  add_input(f, "site.clearances_m.flammable_store", number(d));
  add_input(f, "compliance.flammable_clearance_m", number(min_m));
  if (!d) {
    f.verdict = Verdict::pass;
    f.message =
        "No store of flammable materials is recorded near the battery. If fuel, paint, "
        "solvents, gas bottles or similar are kept within " +
        number(min_m) + " m, record the distance in site.clearances_m.flammable_store.";
  } else if (*d < min_m) {
    f.verdict = Verdict::block;
    f.message = "Flammable materials are stored " + number(*d) +
                " m from the battery. PAS 63100 asks for at least " + number(min_m) +
                " m, so that a battery fire does not ignite them (or the reverse). Move the "
                "flammable materials or the battery.";
  } else {
    f.verdict = Verdict::pass;
    f.message = "Stored flammable materials are " + number(*d) + " m away (at least " +
                number(min_m) + " m required).";
  }
  return f;
}

Finding check_pas_loc_04(const RuleContext& ctx) {
  auto f = make_finding("PAS-LOC-04", "Outdoors where practicable", "PAS 63100:2024, 6.5.1",
                        Confidence::secondary);
  if (!pas_scope(ctx, f)) return f;
  add_input(f, "site.location", std::string{config::to_string(ctx.site.location)});
  add_input(f, "site.outdoor_practicable", boolean(ctx.site.outdoor_practicable));
  add_input(f, "site.indoor_justification",
            ctx.site.indoor_justification.empty() ? "not recorded" : ctx.site.indoor_justification);
  if (!ctx.indoors()) {
    f.verdict = Verdict::pass;
    f.message = "The battery is outdoors, as PAS 63100 prefers.";
    return f;
  }
  const bool justified = !ctx.site.indoor_justification.empty();
  if (justified) {
    f.verdict = Verdict::pass;
    f.message = "The battery is not outdoors; the reason is recorded: \"" +
                ctx.site.indoor_justification + "\".";
  } else if (ctx.site.outdoor_practicable == false) {
    f.verdict = Verdict::pass;
    f.message =
        "The battery is not outdoors, and outdoor installation is recorded as not "
        "practicable. Recording why in site.indoor_justification helps inspectors.";
  } else {
    f.verdict = Verdict::warn;
    f.message = std::string{"The battery is "} +
                (ctx.site.outdoor_practicable.has_value()
                     ? "not outdoors although outdoor installation is "
                       "recorded as practicable"
                     : "not outdoors and nobody recorded whether outdoor "
                       "installation was practicable") +
                ". PAS 63100 asks for batteries to be installed outdoors where practicable. "
                "Install it outdoors, or record why that is not practicable in "
                "site.indoor_justification (and set site.outdoor_practicable).";
  }
  return f;
}

Finding check_pas_enc_01(const RuleContext& ctx) {
  auto f = make_finding("PAS-ENC-01", "Fire separation",
                        "PAS 63100:2024, 6.5 (fire separation; clause unconfirmed)",
                        Confidence::secondary);
  if (!pas_scope(ctx, f)) return f;
  const auto loc = ctx.site.location;
  add_input(f, "site.location", std::string{config::to_string(loc)});
  if (config::is_outdoor(loc) || loc == L::outbuilding_detached) {
    f.message = "The battery is " + describe(loc) +
                ", not inside or attached to the dwelling; separating walls are not required "
                "(a detached outbuilding's rating counts towards PAS-ENE-01).";
    return f;
  }
  const double min_rei = ctx.thresholds.min_fire_separation_rei;
  const auto& rei = ctx.site.fire_separation_rei;
  add_input(f, "site.fire_separation_rei", number(rei));
  add_input(f, "compliance.min_fire_separation_rei", number(min_rei));
  const std::string need = "PAS 63100 asks for walls, ceilings and floors of at least REI " +
                           number(min_rei) +
                           " (minutes of fire resistance) between the battery space and the "
                           "rest of the home, so that a battery fire is held back while people "
                           "get out.";
  if (!rei) {
    f.verdict = Verdict::block;
    f.message =
        "The fire resistance between the battery space and the home is not recorded "
        "(site.fire_separation_rei). " +
        need + " Have it assessed and record it.";
  } else if (*rei < min_rei) {
    f.verdict = Verdict::block;
    f.message = "The battery space is separated from the home by REI " + number(*rei) +
                " construction. " + need +
                " Upgrade the separation (e.g. fire-rated plasterboard, fire doors) or move "
                "the battery.";
  } else {
    f.verdict = Verdict::pass;
    f.message = "The battery space is separated from the home by REI " + number(*rei) +
                " construction (at least REI " + number(min_rei) + " required).";
  }
  return f;
}

Finding check_pas_ven_01(const RuleContext& ctx) {
  auto f =
      make_finding("PAS-VEN-01", "Ventilation openings",
                   "PAS 63100:2024, 6.5 (ventilation; clause unconfirmed)", Confidence::secondary);
  if (!pas_scope(ctx, f)) return f;
  add_input(f, "site.location", std::string{config::to_string(ctx.site.location)});
  add_input(f, "site.ventilation.present", boolean(ctx.site.ventilation.present));
  if (!ctx.indoors()) {
    f.message = "The battery is outdoors; its clearance to openings is checked by PAS-LOC-02.";
    return f;
  }
  if (!ctx.site.ventilation.present) {
    f.message =
        "The battery location has no ventilation openings recorded, so there is "
        "nothing to check.";
    return f;
  }
  const double min_m = ctx.thresholds.ventilation_clearance_m;
  const auto& d = ctx.site.ventilation.clearance_to_openings_m;
  const auto& keeps = ctx.site.ventilation.preserves_fire_resistance;
  add_input(f, "site.ventilation.clearance_to_openings_m", number(d));
  add_input(f, "site.ventilation.preserves_fire_resistance", boolean(keeps));
  add_input(f, "compliance.ventilation_clearance_m", number(min_m));
  std::vector<std::string> blocks;
  std::vector<std::string> unknowns;
  if (!d)
    unknowns.push_back(
        "the distance from the vents to the nearest door, window or other opening "
        "(site.ventilation.clearance_to_openings_m)");
  else if (*d < min_m)
    blocks.push_back("The edges of the battery location's vents are " + number(*d) +
                     " m from a door, window or other opening of the home; PAS 63100 asks for "
                     "at least " +
                     number(min_m) + " m so smoke and fire cannot pass into the home.");
  if (!keeps)
    unknowns.push_back(
        "whether the vents keep the fire resistance of the walls "
        "(site.ventilation.preserves_fire_resistance)");
  else if (!*keeps)
    blocks.push_back(
        "The vents break the fire resistance of the separating walls; use "
        "fire-rated (intumescent) vents or move them.");
  if (!blocks.empty()) {
    f.verdict = Verdict::block;
    for (const auto& b : blocks) f.message += (f.message.empty() ? "" : " ") + b;
  } else if (!unknowns.empty()) {
    f.verdict = Verdict::warn;
    f.message = "bessd cannot confirm the ventilation: record ";
    for (std::size_t i = 0; i < unknowns.size(); ++i) f.message += (i ? " and " : "") + unknowns[i];
    f.message += ". Vents must be at least " + number(min_m) +
                 " m from the home's openings and must not weaken the fire separation.";
  } else {
    f.verdict = Verdict::pass;
    f.message = "The vents are " + number(*d) +
                " m from the home's openings and keep the fire resistance of the walls.";
  }
  return f;
}

Finding check_pas_det_01(const RuleContext& ctx) {
  auto f = make_finding("PAS-DET-01", "Fire detection",
                        "PAS 63100:2024, 6.5 (fire detection; clause unconfirmed)",
                        Confidence::secondary);
  if (!pas_scope(ctx, f)) return f;
  const auto& det = ctx.site.detection;
  add_input(f, "site.location", std::string{config::to_string(ctx.site.location)});
  if (!ctx.indoors()) {
    f.message =
        "The battery is outdoors; PAS 63100's detection requirement is for batteries "
        "indoors, in garages and in outbuildings.";
    return f;
  }
  add_input(f, "site.detection.present", boolean(det.present));
  add_input(f, "site.detection.type",
            det.type ? std::string{config::to_string(*det.type)} : "not recorded");
  add_input(f, "site.detection.interlinked", boolean(det.interlinked));
  const std::string why =
      " PAS 63100 asks for fire detection where the battery is, interlinked "
      "with the home's smoke alarms so that everybody is warned in time.";
  if (!det.present) {
    f.verdict = Verdict::block;
    f.message = "There is no fire detector at the battery location." + why +
                " Fit a detector (a heat detector in garages) and interlink it.";
  } else if (!det.interlinked) {
    f.verdict = Verdict::block;
    f.message =
        "The fire detector at the battery location is not interlinked with the home's "
        "alarms." +
        why + " Interlink it (wired or radio).";
  } else {
    f.verdict = Verdict::pass;
    f.message = "An interlinked fire detector covers the battery location.";
  }
  return f;
}

Finding check_pas_ene_01(const RuleContext& ctx) {
  auto f = make_finding("PAS-ENE-01", "Total stored energy",
                        "PAS 63100:2024 (energy limit per location; clause unconfirmed)",
                        Confidence::secondary);
  if (!pas_scope(ctx, f)) return f;
  const auto loc = ctx.site.location;
  const auto& t = ctx.thresholds;
  const double configured = ctx.battery.nominal_energy_kwh;
  // The BMS nameplate counts when it is larger: the cap is about what is really stored there.
  const auto bms_kwh = ctx.bms_energy_kwh();
  const double battery_kwh = bms_kwh ? std::max(configured, *bms_kwh) : configured;
  const double total = battery_kwh + ctx.site.ev_parked_kwh;
  add_input(f, "site.location", std::string{config::to_string(loc)});
  add_input(f, "battery.nominal_energy_kwh", number(configured));
  add_input(f, "bms.nameplate_energy_kwh", number(bms_kwh));
  add_input(f, "site.ev_parked_kwh", number(ctx.site.ev_parked_kwh));
  add_input(f, "total_energy_kwh", number(total));

  bool high_cap = config::is_outdoor(loc);
  std::string where = config::is_outdoor(loc) ? "outdoors" : describe(loc);
  if (loc == L::outbuilding_detached) {
    add_input(f, "site.fire_separation_rei", number(ctx.site.fire_separation_rei));
    add_input(f, "compliance.outbuilding_separation_rei", number(t.outbuilding_separation_rei));
    high_cap = ctx.site.fire_separation_rei.value_or(0.0) >= t.outbuilding_separation_rei;
    where += high_cap ? " with at least REI " + number(t.outbuilding_separation_rei) + " separation"
                      : " without REI " + number(t.outbuilding_separation_rei) + " separation";
  }
  const double cap = high_cap ? t.energy_cap_high_kwh : t.energy_cap_low_kwh;
  add_input(f, high_cap ? "compliance.energy_cap_high_kwh" : "compliance.energy_cap_low_kwh",
            number(cap));
  std::string what = number(total) + " kWh";
  if (ctx.site.ev_parked_kwh > 0)
    what += " (battery " + number(battery_kwh) + " kWh + parked EV " +
            number(ctx.site.ev_parked_kwh) + " kWh)";
  if (total > cap) {
    f.verdict = Verdict::block;
    f.message = "The battery space holds " + what + ". PAS 63100 allows at most " + number(cap) +
                " kWh " + where + " (" + number(t.energy_cap_high_kwh) +
                " kWh only outdoors or in a detached "
                "outbuilding with REI " +
                number(t.outbuilding_separation_rei) + " separation; " +
                number(t.energy_cap_low_kwh) +
                " kWh elsewhere). Reduce the installed energy, park the EV elsewhere, or move "
                "the battery.";
  } else {
    f.verdict = Verdict::pass;
    f.message = "The battery space holds " + what + ", within the " + number(cap) +
                " kWh allowed " + where + ".";
  }
  return f;
}

Finding check_pas_lbl_01(const RuleContext& ctx) {
  auto f = make_finding("PAS-LBL-01", "Warning labels",
                        "PAS 63100:2024 (labelling; clause unconfirmed)", Confidence::secondary);
  if (!pas_scope(ctx, f)) return f;
  add_input(f, "site.labels_fitted", boolean(ctx.site.labels_fitted));
  if (ctx.site.labels_fitted) {
    f.verdict = Verdict::pass;
    f.message = "Battery warning labels are fitted.";
  } else {
    f.verdict = Verdict::warn;
    f.message =
        "No battery warning labels are recorded as fitted. PAS 63100 asks for labels "
        "that tell firefighters a battery (and solar PV) is installed. Fit them at the "
        "meter, the consumer unit and the battery, then set site.labels_fitted = true.";
  }
  return f;
}

}  // namespace bessd::compliance::detail
