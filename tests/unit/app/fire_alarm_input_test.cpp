#include <bessd/app/fire_alarm_input.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

#include <gtest/gtest.h>

namespace bessd::app {
namespace {

namespace fs = std::filesystem;

TEST(FireAlarmInput, ContentComparisonIsTrimmed) {
  EXPECT_TRUE(FireAlarmInput::content_means_alarm("1\n", "1"));
  EXPECT_TRUE(FireAlarmInput::content_means_alarm("  1 \r\n", "1"));
  EXPECT_FALSE(FireAlarmInput::content_means_alarm("0\n", "1"));
  EXPECT_FALSE(FireAlarmInput::content_means_alarm("", "1"));
  EXPECT_FALSE(FireAlarmInput::content_means_alarm("10", "1"));
  EXPECT_TRUE(FireAlarmInput::content_means_alarm("ALARM", "ALARM"));
}

class FireAlarmFile : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = fs::temp_directory_path() / ("bessd-fire-" + std::to_string(::getpid()));
    write("0\n");
  }
  void TearDown() override { fs::remove(path_); }
  void write(const std::string& text) { std::ofstream(path_) << text; }
  config::FireAlarmConfig cfg() const {
    config::FireAlarmConfig c;
    c.enabled = true;
    c.path = path_.string();
    c.poll_ms = 10;
    return c;
  }
  // Runs the loop until `edges` has `n` entries (bounded).
  void run_until(boost::asio::io_context& io, std::size_t n) {
    for (int i = 0; i < 500 && edges_.size() < n; ++i) io.run_for(std::chrono::milliseconds(5));
  }
  fs::path path_;
  std::vector<std::pair<bool, std::string>> edges_;
};

TEST_F(FireAlarmFile, ReportsInitialStateAndEveryEdge) {
  boost::asio::io_context io;
  FireAlarmInput input(io, cfg(), [&](bool a, const std::string& d) { edges_.emplace_back(a, d); });
  input.start();
  run_until(io, 1);
  ASSERT_EQ(edges_.size(), 1U);
  EXPECT_FALSE(edges_[0].first);
  write("1\n");
  run_until(io, 2);
  ASSERT_EQ(edges_.size(), 2U);
  EXPECT_TRUE(edges_[1].first);
  EXPECT_TRUE(input.active());
  write("0\n");
  run_until(io, 3);
  ASSERT_EQ(edges_.size(), 3U);
  EXPECT_FALSE(edges_[2].first);
  input.stop();
}

TEST_F(FireAlarmFile, UnreadableInputIsTreatedAsAlarm) {
  boost::asio::io_context io;
  auto c = cfg();
  c.path = (fs::temp_directory_path() / "bessd-no-such-fire-input").string();
  FireAlarmInput input(io, c, [&](bool a, const std::string& d) { edges_.emplace_back(a, d); });
  input.start();
  run_until(io, 1);
  ASSERT_EQ(edges_.size(), 1U);
  EXPECT_TRUE(edges_[0].first);
  EXPECT_NE(edges_[0].second.find("treated as alarm"), std::string::npos) << edges_[0].second;
  input.stop();
}

TEST_F(FireAlarmFile, DisabledInputNeverPolls) {
  boost::asio::io_context io;
  auto c = cfg();
  c.enabled = false;
  FireAlarmInput input(io, c, [&](bool a, const std::string& d) { edges_.emplace_back(a, d); });
  input.start();
  io.run_for(std::chrono::milliseconds(30));
  EXPECT_TRUE(edges_.empty());
  EXPECT_FALSE(input.configured());
}

}  // namespace
}  // namespace bessd::app
