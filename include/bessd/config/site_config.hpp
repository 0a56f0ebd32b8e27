#pragma once
// Installation facts of the site (docs/compliance.md): where the battery is, how it is protected.

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include <bessd/common/enum_names.hpp>

namespace bessd::config {

enum class SiteLocation : std::uint8_t {
  outdoor_wall,
  outdoor_ground,
  outbuilding_detached,
  garage_integral,
  utility_room,
  plant_room,
  habitable_room,
  bedroom,
  cupboard_into_bedroom,
  escape_route,
  protected_escape_route,
  firefighting_shaft,
  under_stairs,
  loft,
  roof_space,
  void_space,  // config value "void"
  cellar,
  bathroom,
};
inline constexpr auto kSiteLocationNames = std::to_array<EnumName<SiteLocation>>(
    {{SiteLocation::outdoor_wall, "outdoor_wall"},
     {SiteLocation::outdoor_ground, "outdoor_ground"},
     {SiteLocation::outbuilding_detached, "outbuilding_detached"},
     {SiteLocation::garage_integral, "garage_integral"},
     {SiteLocation::utility_room, "utility_room"},
     {SiteLocation::plant_room, "plant_room"},
     {SiteLocation::habitable_room, "habitable_room"},
     {SiteLocation::bedroom, "bedroom"},
     {SiteLocation::cupboard_into_bedroom, "cupboard_into_bedroom"},
     {SiteLocation::escape_route, "escape_route"},
     {SiteLocation::protected_escape_route, "protected_escape_route"},
     {SiteLocation::firefighting_shaft, "firefighting_shaft"},
     {SiteLocation::under_stairs, "under_stairs"},
     {SiteLocation::loft, "loft"},
     {SiteLocation::roof_space, "roof_space"},
     {SiteLocation::void_space, "void"},
     {SiteLocation::cellar, "cellar"},
     {SiteLocation::bathroom, "bathroom"}});
static_assert(enum_names_complete(kSiteLocationNames));

std::string_view to_string(SiteLocation l) noexcept;
bool is_outdoor(SiteLocation l) noexcept;

enum class DetectionType : std::uint8_t { heat, smoke, multi };
inline constexpr auto kDetectionTypeNames =
    std::to_array<EnumName<DetectionType>>({{DetectionType::heat, "heat"},
                                            {DetectionType::smoke, "smoke"},
                                            {DetectionType::multi, "multi"}});
static_assert(enum_names_complete(kDetectionTypeNames));
std::string_view to_string(DetectionType t) noexcept;

/// Distances from the battery enclosure, in metres; absent = not recorded.
struct Clearances {
  std::optional<double> escape_route_m;
  std::optional<double> door_m;
  std::optional<double> window_m;
  std::optional<double> ventilation_opening_m;
  std::optional<double> flammable_store_m;
};

struct Ventilation {
  bool present{false};
  /// From the edges of the location's ventilation openings to doors, windows and other openings.
  std::optional<double> clearance_to_openings_m;
  std::optional<bool> preserves_fire_resistance;
};

struct Detection {
  bool present{false};
  std::optional<DetectionType> type;
  bool interlinked{false};
};

/// Who installed the battery, for the commissioning record (optional).
struct Installer {
  std::string name;
  std::string registration;  // competent-person / certification scheme number (e.g. MCS)
};

struct SiteConfig {
  std::string name;
  Installer installer;
  std::string jurisdiction;  // ISO 3166-1 alpha-2, upper case ("GB"); "UK" is read as "GB"
  /// The text of the file when it was an alias ("UK"), for the one info line; empty otherwise.
  std::string jurisdiction_as_written;
  bool dwelling{true};
  SiteLocation location{SiteLocation::outdoor_wall};
  bool stair_is_escape_route{true};
  std::optional<bool> outdoor_practicable;
  std::string indoor_justification;
  std::optional<double> fire_separation_rei;  // minutes of REI
  Clearances clearances;                      // config key "clearances_m"
  Ventilation ventilation;
  Detection detection;
  double ev_parked_kwh{0.0};
  bool labels_fitted{false};
  /// Grid connection limits at the meter (W, magnitudes); absent = no limit.
  std::optional<double> grid_import_limit_w;
  std::optional<double> grid_export_limit_w;
};

}  // namespace bessd::config
