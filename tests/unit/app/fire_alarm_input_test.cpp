#include <bessd/app/fire_alarm_input.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

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

// A connection flood that takes every descriptor the process may open must not make the input
// unreadable: before, each poll opened the file again, failed with EMFILE and latched ALM-01.
TEST_F(FireAlarmFile, NoDescriptorLeftIsNotAnAlarm) {
  boost::asio::io_context io;
  FireAlarmInput input(io, cfg(), [&](bool a, const std::string& d) { edges_.emplace_back(a, d); });
  input.start();
  run_until(io, 1);
  ASSERT_EQ(edges_.size(), 1U);
  ASSERT_FALSE(edges_[0].first);

  rlimit old{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &old), 0);
  rlimit low = old;
  low.rlim_cur = 256;  // keeps the flood below small and fast whatever the machine's limit
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  std::vector<int> flood;
  for (;;) {
    const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd < 0) break;
    flood.push_back(fd);
  }
  const int exhausted = errno;
  // Several polls with no descriptor left.
  io.run_for(std::chrono::milliseconds(100));
  for (int fd : flood) ::close(fd);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &old), 0);
  EXPECT_EQ(exhausted, EMFILE);
  EXPECT_EQ(edges_.size(), 1U) << (edges_.size() > 1 ? edges_[1].second : "");
  EXPECT_FALSE(input.active());
  // And it still sees a real alarm.
  write("1\n");
  run_until(io, 2);
  ASSERT_EQ(edges_.size(), 2U);
  EXPECT_TRUE(edges_[1].first);
  input.stop();
}

// A relay interface may replace the file by rename: the input follows the path, not the inode.
TEST_F(FireAlarmFile, FileReplacedByRenameIsFollowed) {
  boost::asio::io_context io;
  FireAlarmInput input(io, cfg(), [&](bool a, const std::string& d) { edges_.emplace_back(a, d); });
  input.start();
  run_until(io, 1);
  ASSERT_EQ(edges_.size(), 1U);
  const fs::path tmp = path_.string() + ".new";
  std::ofstream(tmp) << "1\n";
  fs::rename(tmp, path_);
  run_until(io, 2);
  ASSERT_EQ(edges_.size(), 2U);
  EXPECT_TRUE(edges_[1].first);
  fs::remove(path_);  // a vanished input is an alarm too (no new edge: still active)
  io.run_for(std::chrono::milliseconds(50));
  EXPECT_TRUE(input.active());
  input.stop();
}

}  // namespace
}  // namespace bessd::app
