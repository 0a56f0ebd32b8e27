#include <bessd/config/sections.hpp>

#include <cctype>

namespace bessd::config {

namespace {
const EnumTable<SiteLocation>& location_table() {
  static const EnumTable<SiteLocation> table{
      {"outdoor_wall", SiteLocation::outdoor_wall},
      {"outdoor_ground", SiteLocation::outdoor_ground},
      {"outbuilding_detached", SiteLocation::outbuilding_detached},
      {"garage_integral", SiteLocation::garage_integral},
      {"utility_room", SiteLocation::utility_room},
      {"plant_room", SiteLocation::plant_room},
      {"habitable_room", SiteLocation::habitable_room},
      {"bedroom", SiteLocation::bedroom},
      {"cupboard_into_bedroom", SiteLocation::cupboard_into_bedroom},
      {"escape_route", SiteLocation::escape_route},
      {"protected_escape_route", SiteLocation::protected_escape_route},
      {"firefighting_shaft", SiteLocation::firefighting_shaft},
      {"under_stairs", SiteLocation::under_stairs},
      {"loft", SiteLocation::loft},
      {"roof_space", SiteLocation::roof_space},
      {"void", SiteLocation::void_space},
      {"cellar", SiteLocation::cellar},
      {"bathroom", SiteLocation::bathroom},
  };
  return table;
}
}  // namespace

std::string_view to_string(SiteLocation l) noexcept {
  for (const auto& [name, value] : location_table())
    if (value == l) return name;
  return "invalid";
}

bool is_outdoor(SiteLocation l) noexcept {
  return l == SiteLocation::outdoor_wall || l == SiteLocation::outdoor_ground;
}

std::string_view to_string(DetectionType t) noexcept {
  switch (t) {
    case DetectionType::heat:
      return "heat";
    case DetectionType::smoke:
      return "smoke";
    case DetectionType::multi:
      return "multi";
  }
  return "invalid";
}

void read_site(ObjectReader& in, SiteConfig& out) {
  const auto nonneg = NumberRange::at_least(0.0);
  in.string("name", out.name);
  if (in.string("jurisdiction", out.jurisdiction, Presence::required)) {
    const auto& j = out.jurisdiction;
    if (j.size() != 2 || !std::isupper(static_cast<unsigned char>(j[0])) ||
        !std::isupper(static_cast<unsigned char>(j[1]))) {
      in.issues().add(
          in.child_pointer("jurisdiction"),
          "must be a two-letter upper-case ISO 3166 country code such as \"GB\", got \"" + j +
              "\"");
    }
  }
  in.boolean("dwelling", out.dwelling);
  in.enumeration("location", out.location, location_table(), Presence::required);
  in.boolean("stair_is_escape_route", out.stair_is_escape_route);
  in.boolean("outdoor_practicable", out.outdoor_practicable);
  in.string("indoor_justification", out.indoor_justification);
  in.number("fire_separation_rei", out.fire_separation_rei, nonneg);
  {
    auto c = in.object("clearances_m");
    c.number("escape_route", out.clearances.escape_route_m, nonneg);
    c.number("door", out.clearances.door_m, nonneg);
    c.number("window", out.clearances.window_m, nonneg);
    c.number("ventilation_opening", out.clearances.ventilation_opening_m, nonneg);
    c.number("flammable_store", out.clearances.flammable_store_m, nonneg);
    c.finish();
  }
  {
    auto v = in.object("ventilation");
    v.boolean("present", out.ventilation.present);
    v.number("clearance_to_openings_m", out.ventilation.clearance_to_openings_m, nonneg);
    v.boolean("preserves_fire_resistance", out.ventilation.preserves_fire_resistance);
    v.finish();
  }
  {
    auto d = in.object("detection");
    d.boolean("present", out.detection.present);
    DetectionType type{DetectionType::smoke};
    if (d.enumeration("type", type,
                      EnumTable<DetectionType>{{"heat", DetectionType::heat},
                                               {"smoke", DetectionType::smoke},
                                               {"multi", DetectionType::multi}})) {
      out.detection.type = type;
    }
    d.boolean("interlinked", out.detection.interlinked);
    d.finish();
  }
  in.number("ev_parked_kwh", out.ev_parked_kwh, nonneg);
  in.boolean("labels_fitted", out.labels_fitted);
  in.number("grid_import_limit_w", out.grid_import_limit_w, nonneg);
  in.number("grid_export_limit_w", out.grid_export_limit_w, nonneg);
  in.finish();
}

}  // namespace bessd::config
