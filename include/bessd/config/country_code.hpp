#pragma once
// site.jurisdiction: an ISO 3166-1 alpha-2 country code. The code decides whether PAS 63100 (the
// UK fire-safety rules for home batteries) applies, so a typo must never silently switch those
// rules off: unknown codes are refused with a suggestion, and the aliases installers write for
// parts of the United Kingdom ("UK", "XI", "GB-ENG", "GB-NIR" ...) are read as "GB". "NI" is
// refused: ISO gives it to Nicaragua, installers write it for Northern Ireland (docs/compliance.md,
// "Scope").

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace bessd::config {

/// Every officially assigned ISO 3166-1 alpha-2 code, sorted.
std::span<const std::string_view> iso3166_alpha2_codes() noexcept;

/// True when `code` is an officially assigned alpha-2 code (upper case, exactly as listed).
bool is_iso3166_alpha2(std::string_view code) noexcept;

/// The code `text` stands for when it is an accepted alias ("UK", "XI", "GB-SCT" -> "GB";
/// "NIC" -> "NI" and "SYC" -> "SC", the ways to say Nicaragua and the Seychelles); nullopt
/// otherwise.
std::optional<std::string_view> jurisdiction_alias(std::string_view text) noexcept;

/// Why `code`, although assigned, is refused as a jurisdiction ("NI", "SC": they read as parts of
/// the United Kingdom), or nullopt.
std::optional<std::string> ambiguous_jurisdiction(std::string_view code);

/// A likely intended code for an unknown `text` ("gb" -> GB, "DEU" -> DE, "England" -> GB,
/// "GBR" -> GB); nullopt when nothing is close enough to suggest.
std::optional<std::string> suggest_country_code(std::string_view text);

}  // namespace bessd::config
