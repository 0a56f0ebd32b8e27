#pragma once
// The commissioning record (`bessd check-site --format html`): a printable, self-contained,
// one-page HTML document for the installer's handover pack. Every text that comes from the
// configuration or the BMS is HTML-escaped. Pure: the caller supplies the date, version,
// checksum and BMS identity.

#include <string>
#include <string_view>
#include <vector>

#include <bessd/compliance/report.hpp>

namespace bessd::compliance {

struct CommissioningInfo {
  std::string installer_name;          // site.installer.name
  std::string installer_registration;  // site.installer.registration (e.g. MCS number)
  std::string bessd_version;
  std::string config_path;
  std::string config_checksum;  // the configuration fingerprint (as stored by the daemon)
  std::string generated_on;     // YYYY-MM-DD
  /// Identity lines of the packs as the BMS reported them ("Manufacturer: PYLON"); empty when the
  /// record was made offline (no BMS data).
  std::vector<std::string> pack_identity;
};

/// `text` with &, <, >, " and ' replaced by entities (safe in element content and attributes).
std::string html_escape(std::string_view text);

/// The whole document (<!DOCTYPE html> ... </html>).
std::string format_html(const ComplianceReport& report, const CommissioningInfo& info);

}  // namespace bessd::compliance
