#include "rules.hpp"

#include <cstdio>

namespace bessd::compliance::detail {

std::string number(double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", value);
  std::string text{buf};
  // Trim trailing zeros and a dangling point: "1.000" -> "1", "0.990" -> "0.99".
  while (!text.empty() && text.back() == '0') text.pop_back();
  if (!text.empty() && text.back() == '.') text.pop_back();
  if (text == "-0") text = "0";
  return text;
}

std::string number(const std::optional<double>& value) {
  return value ? number(*value) : std::string{"not recorded"};
}

std::string boolean(bool value) {
  return value ? "true" : "false";
}

std::string boolean(const std::optional<bool>& value) {
  return value ? boolean(*value) : std::string{"not recorded"};
}

std::string describe(config::SiteLocation location) {
  using L = config::SiteLocation;
  switch (location) {
    case L::outdoor_wall:
      return "outdoors on a wall";
    case L::outdoor_ground:
      return "outdoors on the ground";
    case L::outbuilding_detached:
      return "in a detached outbuilding";
    case L::garage_integral:
      return "in an integral garage";
    case L::utility_room:
      return "in a utility room";
    case L::plant_room:
      return "in a plant room";
    case L::habitable_room:
      return "in a habitable room (living room, kitchen or study)";
    case L::bedroom:
      return "in a bedroom";
    case L::cupboard_into_bedroom:
      return "in a cupboard that opens into a bedroom";
    case L::escape_route:
      return "on an escape route (landing, stairs, hallway or corridor)";
    case L::protected_escape_route:
      return "in a protected escape route";
    case L::firefighting_shaft:
      return "in a firefighting lobby, shaft or stair";
    case L::under_stairs:
      return "in a cupboard under the stairs";
    case L::loft:
      return "in a loft";
    case L::roof_space:
      return "in a roof space";
    case L::void_space:
      return "in a void";
    case L::cellar:
      return "in a cellar";
    case L::bathroom:
      return "in a bathroom";
  }
  return "in an unknown location";
}

Finding make_finding(std::string_view rule_id, std::string_view title, std::string_view reference,
                     Confidence confidence) {
  Finding f;
  f.rule_id = std::string{rule_id};
  f.title = std::string{title};
  f.reference = std::string{reference};
  f.confidence = confidence;
  f.verdict = Verdict::not_applicable;
  return f;
}

void add_input(Finding& f, std::string_view name, std::string value) {
  f.inputs.push_back(Input{std::string{name}, std::move(value)});
}

bool pas_scope(const RuleContext& ctx, Finding& f) {
  add_input(f, "site.jurisdiction", ctx.site.jurisdiction);
  add_input(f, "site.dwelling", boolean(ctx.site.dwelling));
  if (ctx.pas_applies()) return true;
  f.verdict = Verdict::not_applicable;
  f.message = !pas_63100_region(ctx.site.jurisdiction)
                  ? "PAS 63100 applies to dwellings in the United Kingdom (jurisdiction GB) and is "
                    "applied in the Crown dependencies; this site is in " +
                        ctx.site.jurisdiction + ", so this rule is not checked."
                  : std::string{
                        "PAS 63100 applies to dwellings; this site is configured as not a "
                        "dwelling (site.dwelling = false), so this rule is not checked."};
  return false;
}

bool second_life_scope(const RuleContext& ctx, Finding& f) {
  add_input(f, "battery.second_life.enabled", boolean(ctx.battery.second_life.enabled));
  if (ctx.battery.second_life.enabled) return true;
  f.verdict = Verdict::not_applicable;
  f.message =
      "The battery is configured as new (battery.second_life.enabled = false); second-life "
      "rules apply only to reused packs.";
  return false;
}

}  // namespace bessd::compliance::detail
