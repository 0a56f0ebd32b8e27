#include <bessd/config/config_loader.hpp>

#include <filesystem>

#include <gtest/gtest.h>

namespace bessd::config {
namespace {

namespace fs = std::filesystem;

// Every shipped configuration file must load: the example, the demo, and the site examples.
TEST(ExampleFiles, AllShippedConfigsAreValid) {
  const fs::path root = fs::path(BESSD_SOURCE_DIR) / "config";
  std::vector<fs::path> files{root / "bessd.example.json"};
  for (const auto* sub : {"examples", "demo"}) {
    if (!fs::is_directory(root / sub)) continue;
    for (const auto& entry : fs::directory_iterator(root / sub))
      if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  if (fs::exists(root / "demo.json")) files.push_back(root / "demo.json");
  for (const auto& f : files) {
    SCOPED_TRACE(f.string());
    try {
      (void)load_config_file(f);
    } catch (const ConfigError& e) {
      ADD_FAILURE() << e.what();
    }
  }
}

TEST(ExampleFiles, ExampleHasTheDocumentedValues) {
  const Config c = load_config_file(fs::path(BESSD_SOURCE_DIR) / "config" / "bessd.example.json");
  EXPECT_EQ(c.site.location, SiteLocation::outdoor_wall);
  EXPECT_EQ(c.control.mode, OperatingMode::self_consumption);
  ASSERT_TRUE(c.site.grid_export_limit_w);
  EXPECT_DOUBLE_EQ(*c.site.grid_export_limit_w, 3680.0);
}

}  // namespace
}  // namespace bessd::config
