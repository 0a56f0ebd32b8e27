// The commissioning record: a complete HTML document, every finding with its clause, the
// installer and the checksum, and every text from the configuration escaped.
#include <bessd/compliance/report_html.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "site_fixture.hpp"

namespace bessd::compliance {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::SiteTest;

CommissioningInfo info() {
  CommissioningInfo i;
  i.installer_name = "A. Sparks & Sons";
  i.installer_registration = "MCS-12345";
  i.bessd_version = "9.9.9";
  i.config_path = "/etc/bessd/bessd.json";
  i.config_checksum = "0123456789abcdef";
  i.generated_on = "2026-11-24";
  return i;
}

TEST(HtmlEscape, EscapesEveryMarkupCharacter) {
  EXPECT_EQ(html_escape(R"(<a href="x">Tom's & Jerry's</a>)"),
            "&lt;a href=&quot;x&quot;&gt;Tom&#39;s &amp; Jerry&#39;s&lt;/a&gt;");
  EXPECT_EQ(html_escape("plain text 40 kWh"), "plain text 40 kWh");
  EXPECT_EQ(html_escape(""), "");
}

TEST_F(SiteTest, RecordHasTheFactsAndEveryFindingWithItsClause) {
  site.location = config::SiteLocation::bedroom;
  const auto report = run();
  const std::string html = format_html(report, info());
  EXPECT_THAT(html, HasSubstr("<!DOCTYPE html>"));
  EXPECT_THAT(html, HasSubstr("</html>"));
  EXPECT_THAT(html, HasSubstr("A. Sparks &amp; Sons"));
  EXPECT_THAT(html, HasSubstr("MCS-12345"));
  EXPECT_THAT(html, HasSubstr("9.9.9"));
  EXPECT_THAT(html, HasSubstr("0123456789abcdef"));
  EXPECT_THAT(html, HasSubstr("2026-11-24"));
  EXPECT_THAT(html, HasSubstr("@page"));
  for (const auto& f : report.findings) {
    EXPECT_THAT(html, HasSubstr(">" + f.rule_id + "<")) << f.rule_id;
    EXPECT_THAT(html, HasSubstr(html_escape(f.reference))) << f.rule_id;
  }
  EXPECT_THAT(html, HasSubstr("class=\"verdict block\">block<"));
  EXPECT_THAT(html, HasSubstr("without a running daemon"));
}

TEST_F(SiteTest, RecordEscapesTextFromTheConfiguration) {
  site.name = "<script>alert('x')</script> & \"Co\"";
  site.location = config::SiteLocation::habitable_room;
  site.indoor_justification = "<b>no wall</b>";
  auto i = info();
  i.installer_name = "<img src=x onerror=alert(1)>";
  i.pack_identity = {"Manufacturer: <PYLON>"};
  const std::string html = format_html(run(), i);
  EXPECT_THAT(html, Not(HasSubstr("<script>")));
  EXPECT_THAT(html, Not(HasSubstr("<img")));
  EXPECT_THAT(html, Not(HasSubstr("<PYLON>")));
  EXPECT_THAT(html,
              HasSubstr("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;Co&quot;"));
  EXPECT_THAT(html, HasSubstr("Manufacturer: &lt;PYLON&gt;"));
}

}  // namespace
}  // namespace bessd::compliance
