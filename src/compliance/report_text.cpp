#include <bessd/compliance/report_text.hpp>

#include <algorithm>
#include <sstream>
#include <string_view>
#include <vector>

namespace bessd::compliance {

namespace {

constexpr std::size_t kRuleCol = 13;
constexpr std::size_t kVerdictCol = 16;
constexpr std::size_t kConfCol = 6;
constexpr std::size_t kIndent = kRuleCol + kVerdictCol + kConfCol;

/// Display columns of UTF-8 text (code points; every character here is single-width).
std::size_t columns(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::string pad(std::string_view text, std::size_t width) {
  std::string out{text};
  const auto cols = columns(text);
  if (cols < width) out.append(width - cols, ' ');
  return out;
}

/// Joins words that must stay on one line ("name = value"); wrap() turns it back into a space.
constexpr char kNoBreak = '\x1f';

/// Greedy word wrap to `width` columns; a word longer than the width gets a line of its own.
std::vector<std::string> wrap(std::string_view text, std::size_t width) {
  std::vector<std::string> lines;
  std::string line;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto space = text.find(' ', pos);
    const auto word =
        text.substr(pos, space == std::string_view::npos ? text.size() - pos : space - pos);
    pos = space == std::string_view::npos ? text.size() : space + 1;
    if (word.empty()) continue;
    if (!line.empty() && columns(line) + 1 + columns(word) > width) {
      lines.push_back(std::move(line));
      line.clear();
    }
    if (!line.empty()) line += ' ';
    line += word;
  }
  if (!line.empty()) lines.push_back(std::move(line));
  if (lines.empty()) lines.emplace_back();
  for (auto& l : lines) std::replace(l.begin(), l.end(), kNoBreak, ' ');
  return lines;
}

std::string upper(std::string_view text) {
  std::string out{text};
  for (auto& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

}  // namespace

std::string format_table(const ComplianceReport& report, std::size_t width) {
  width = std::max<std::size_t>(width, 60);
  const std::size_t body = width - kIndent;
  std::ostringstream out;
  out << "bessd site compliance report";
  if (!report.site_name.empty()) out << " for \"" << report.site_name << '"';
  out << ", as of " << format_date(report.evaluated_on) << '\n';
  if (!report.scope_note.empty())
    for (const auto& l : wrap("Scope: " + report.scope_note, width)) out << l << '\n';
  out << "Overall verdict: " << upper(to_string(report.verdict)) << "  (block "
      << report.count(Verdict::block) << ", derate " << report.count(Verdict::derate) << ", warn "
      << report.count(Verdict::warn) << ", pass " << report.count(Verdict::pass)
      << ", not applicable " << report.count(Verdict::not_applicable) << ")\n";
  out << '\n';
  out << pad("RULE", kRuleCol) << pad("VERDICT", kVerdictCol) << pad("CONF", kConfCol)
      << "FINDING\n";
  out << std::string(kRuleCol - 1, '-') << ' ' << std::string(kVerdictCol - 1, '-') << ' '
      << std::string(kConfCol - 1, '-') << ' ' << std::string(body, '-') << '\n';

  const std::string indent(kIndent, ' ');
  for (const auto& f : report.findings) {
    std::vector<std::string> lines = wrap(f.title + ": " + f.message, body);
    for (auto& l : wrap("Reference: " + f.reference, body)) lines.push_back(std::move(l));
    std::string read = "Read: ";
    for (std::size_t i = 0; i < f.inputs.size(); ++i)
      read += (i ? "; " : "") + f.inputs[i].name + kNoBreak + '=' + kNoBreak + f.inputs[i].value;
    for (auto& l : wrap(read, body)) lines.push_back(std::move(l));
    if (f.verify_published_text) lines.push_back("Note: " + std::string{kVerifyNote});

    out << pad(f.rule_id, kRuleCol) << pad(to_string(f.verdict), kVerdictCol)
        << pad(tag(f.confidence), kConfCol) << lines.front() << '\n';
    for (std::size_t i = 1; i < lines.size(); ++i) out << indent << lines[i] << '\n';
    out << '\n';
  }
  if (const auto& d = report.second_life_derate) {
    out << "Second-life derate for the limits engine: factor " << d->factor << ", cell window "
        << d->cell_voltage_min_v << " V to " << d->cell_voltage_max_v << " V\n";
  }
  return out.str();
}

std::string format_log_line(const Finding& finding) {
  std::string line = finding.rule_id + " " + std::string{to_string(finding.verdict)} + ": " +
                     finding.message + " [" + finding.reference + "; " +
                     std::string{tag(finding.confidence)};
  if (finding.verify_published_text) line += ", " + std::string{kVerifyNote};
  return line + "]";
}

}  // namespace bessd::compliance
