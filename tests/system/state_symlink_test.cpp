// The database and the safety state are never reached through a symbolic link: bessd writes
// both with its own rights, and reads its latches back from the safety state at start. A link
// in their place is refused at start-up like a configuration error (exit 78), naming the path.

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "site.hpp"

namespace bessd::systest {
namespace state_symlink_test {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

void expect_refused(Site& site, const std::string& path, const std::string& pointer) {
  EXPECT_FALSE(site.start_bessd(3s)) << "bessd started with " << path << " a symbolic link";
  const auto exit = site.bessd()->wait(10s);
  ASSERT_TRUE(exit.has_value()) << site.bessd_output();
  EXPECT_TRUE(exit->exited);
  EXPECT_EQ(exit->code, 78) << site.bessd_output();
  const auto out = site.bessd_output();
  EXPECT_NE(out.find(pointer + ": " + path + " is a symbolic link"), std::string::npos) << out;
}

TEST(StateSymlink, DatabasePathThatIsALinkIsRefused) {
  Site site;
  const fs::path elsewhere = fs::path(site.dir()) / "elsewhere.db";
  std::ofstream(elsewhere) << "";
  fs::create_symlink(elsewhere, site.db_path());
  expect_refused(site, site.db_path(), "/storage/path");
}

TEST(StateSymlink, SafetyStatePathThatIsALinkIsRefused) {
  Site site;
  const std::string state = site.dir() + "/safety-state.json";
  const fs::path elsewhere = fs::path(site.dir()) / "elsewhere.json";
  std::ofstream(elsewhere) << "";
  fs::create_symlink(elsewhere, state);
  site.patch_config({{"storage", {{"safety_state_path", state}}}});
  expect_refused(site, state, "/storage/safety_state_path");
}

}  // namespace state_symlink_test
}  // namespace bessd::systest
