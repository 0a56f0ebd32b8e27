#include <bessd/compliance/report_html.hpp>

#include <sstream>

namespace bessd::compliance {

namespace {

// Small, print-friendly style: A4, one page for the 16 rules at 8 pt; the verdict column is
// coloured on screen and bold in print so a monochrome printout still reads.
constexpr std::string_view kStyle = R"(@page { size: A4; margin: 12mm; }
body { font-family: sans-serif; font-size: 8pt; color: #000; margin: 0; }
h1 { font-size: 13pt; margin: 0 0 4pt 0; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 0.5pt solid #888; padding: 2pt 3pt; text-align: left; vertical-align: top; }
th { background: #eee; }
table.facts { width: auto; margin-bottom: 6pt; }
table.facts th { width: 12em; }
.verdict { font-weight: bold; text-transform: uppercase; white-space: nowrap; }
.block { color: #b00; } .derate { color: #a60; } .warn { color: #a60; }
.pass { color: #060; } .not_applicable { color: #555; font-weight: normal; }
.scope { border: 1pt solid #000; padding: 3pt; margin: 4pt 0 6pt 0; }
.sign td { height: 18pt; }
p.small { font-size: 7pt; color: #333; })";

std::string or_dash(const std::string& text) {
  return text.empty() ? std::string{"—"} : html_escape(text);
}

void fact(std::ostringstream& out, std::string_view name, const std::string& escaped_value) {
  out << "<tr><th>" << name << "</th><td>" << escaped_value << "</td></tr>\n";
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string format_html(const ComplianceReport& report, const CommissioningInfo& info) {
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<title>Commissioning record: " << html_escape(report.site_name) << "</title>\n"
      << "<style>\n"
      << kStyle << "\n</style>\n</head>\n<body>\n";
  out << "<h1>Battery installation commissioning record</h1>\n";
  out << "<table class=\"facts\">\n";
  fact(out, "Site", or_dash(report.site_name));
  fact(out, "Installer", or_dash(info.installer_name));
  fact(out, "Installer registration", or_dash(info.installer_registration));
  fact(out, "Checked as of", html_escape(format_date(report.evaluated_on)));
  fact(out, "Record made on", or_dash(info.generated_on));
  fact(out, "bessd version", or_dash(info.bessd_version));
  fact(out, "Configuration", or_dash(info.config_path));
  fact(out, "Configuration checksum", or_dash(info.config_checksum));
  std::string packs;
  for (const auto& line : info.pack_identity)
    packs += (packs.empty() ? "" : "<br>") + html_escape(line);
  fact(out, "Packs (as reported by the BMS)",
       packs.empty() ? std::string{"not read: record made without a running daemon"} : packs);
  out << "<tr><th>Overall verdict</th><td class=\"verdict " << to_string(report.verdict) << "\">"
      << html_escape(to_string(report.verdict)) << "</td></tr>\n";
  out << "</table>\n";
  if (!report.scope_note.empty())
    out << "<div class=\"scope\">" << html_escape(report.scope_note) << "</div>\n";

  out << "<table>\n<tr><th>Rule</th><th>Verdict</th><th>Clause</th><th>Finding</th></tr>\n";
  for (const auto& f : report.findings) {
    out << "<tr><td>" << html_escape(f.rule_id) << "<br>" << html_escape(f.title)
        << "</td><td class=\"verdict " << to_string(f.verdict) << "\">"
        << html_escape(to_string(f.verdict)) << "</td><td>" << html_escape(f.reference) << ' '
        << html_escape(tag(f.confidence)) << "</td><td>" << html_escape(f.message);
    if (f.verify_published_text) out << " <em>(" << html_escape(kVerifyNote) << ")</em>";
    out << "</td></tr>\n";
  }
  out << "</table>\n";
  if (const auto& d = report.second_life_derate) {
    std::ostringstream line;
    line << "Second-life derate in force: currents × " << d->factor << ", cell window "
         << d->cell_voltage_min_v << " V to " << d->cell_voltage_max_v << " V.";
    out << "<p>" << html_escape(line.str()) << "</p>\n";
  }
  out << "<p class=\"small\">Confidence: [C] confirmed from the primary text, [S] secondary source "
         "(installer guidance), [U] uncertain, [I] bessd's engineering judgement. bessd checks the "
         "facts recorded in its configuration; it does not inspect the installation.</p>\n";
  out << "<table class=\"sign\">\n<tr><th>Installer signature</th><td></td><th>Date</th>"
         "<td></td></tr>\n<tr><th>Householder signature</th><td></td><th>Date</th><td></td></tr>\n"
         "</table>\n";
  out << "</body>\n</html>\n";
  return out.str();
}

}  // namespace bessd::compliance
