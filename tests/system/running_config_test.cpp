// /v1/config shows the configuration in force, not the file on disk (issue 17): an edit that has
// not been applied (no SIGHUP yet, or a reload that was refused) must not be shown as running.

#include <csignal>

#include <gtest/gtest.h>

#include "site.hpp"

namespace bessd::systest {
namespace running_config_test {

using namespace std::chrono_literals;

TEST(RunningConfig, ApiShowsTheConfigurationInForceNotTheFile) {
  Site site;
  site.patch_config({{"logging", {{"level", "info"}}}});
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  auto shown = site.api("GET", "/v1/config");
  ASSERT_EQ(shown.status, 200) << shown.body.dump();
  EXPECT_EQ(shown.body.at("logging").at("level"), "info");

  // Edited on disk, not reloaded: still the running one.
  site.patch_config({{"logging", {{"level", "debug"}}}});
  shown = site.api("GET", "/v1/config");
  ASSERT_EQ(shown.status, 200);
  EXPECT_EQ(shown.body.at("logging").at("level"), "info") << "shows the file, not what runs";

  // A reload that is refused leaves the running one in force, and shown.
  site.patch_config({{"logging", {{"level", "loud"}}}});
  site.bessd()->signal(SIGHUP);
  ASSERT_TRUE(wait_until(
      [&] { return site.bessd_output().find("reload rejected") != std::string::npos; }, 10s))
      << site.bessd_output();
  shown = site.api("GET", "/v1/config");
  EXPECT_EQ(shown.body.at("logging").at("level"), "info");

  // An accepted reload is shown.
  site.patch_config({{"logging", {{"level", "debug"}}}});
  site.bessd()->signal(SIGHUP);
  ASSERT_TRUE(wait_until(
      [&] {
        shown = site.api("GET", "/v1/config");
        return shown.status == 200 && shown.body.at("logging").at("level") == "debug";
      },
      10s))
      << shown.body.dump() << "\n"
      << site.bessd_output();
}

}  // namespace running_config_test
}  // namespace bessd::systest
