#include <bessd/config/sections.hpp>

#include <string>

#include <bessd/config/country_code.hpp>

namespace bessd::config {

namespace {
/// site.jurisdiction: a known ISO 3166-1 alpha-2 code, or an alias of the United Kingdom (read as
/// GB). "NI" and anything else is an error with a suggestion: a typo must not switch the PAS 63100
/// fire rules off.
void read_jurisdiction(ObjectReader& in, SiteConfig& out) {
  std::string written;
  if (!in.string("jurisdiction", written, Presence::required)) return;
  if (const auto why = ambiguous_jurisdiction(written)) {
    in.issues().add(in.child_pointer("jurisdiction"), *why);
    return;
  }
  if (is_iso3166_alpha2(written)) {
    out.jurisdiction = written;
    return;
  }
  if (const auto alias = jurisdiction_alias(written)) {
    out.jurisdiction = std::string{*alias};
    out.jurisdiction_as_written = written;
    return;
  }
  std::string message = "\"" + written + "\" is not an ISO 3166-1 alpha-2 country code";
  if (const auto suggestion = suggest_country_code(written))
    message += "; did you mean \"" + *suggestion + "\"?";
  message +=
      " (PAS 63100 applies in GB and in JE, GG and IM; \"UK\" and \"XI\" are read as \"GB\")."
      " Known codes:";
  for (const auto code : iso3166_alpha2_codes()) message += " " + std::string{code};
  in.issues().add(in.child_pointer("jurisdiction"), message);
}

}  // namespace

std::string_view to_string(SiteLocation l) noexcept {
  return enum_name(kSiteLocationNames, l);
}

bool is_outdoor(SiteLocation l) noexcept {
  return l == SiteLocation::outdoor_wall || l == SiteLocation::outdoor_ground;
}

std::string_view to_string(DetectionType t) noexcept {
  return enum_name(kDetectionTypeNames, t);
}

void read_site(ObjectReader& in, SiteConfig& out) {
  const auto nonneg = NumberRange::at_least(0.0);
  in.string("name", out.name);
  {
    auto i = in.object("installer");
    i.string("name", out.installer.name);
    i.string("registration", out.installer.registration);
    i.finish();
  }
  read_jurisdiction(in, out);
  in.boolean("dwelling", out.dwelling);
  in.enumeration("location", out.location, kSiteLocationNames, Presence::required);
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
    if (d.enumeration("type", type, kDetectionTypeNames)) {
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
