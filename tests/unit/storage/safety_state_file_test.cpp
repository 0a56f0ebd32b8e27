// The durable safety-state file: round trip, fresh install vs lost, damage detection, that a
// failed write leaves "lost" behind rather than an older state (its latches still known), and
// the stamp that tells an older copy.

#include <bessd/storage/safety_state_file.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include <boost/crc.hpp>

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace bessd::storage {
namespace {

using test::TempDir;

SafetyState sample() {
  SafetyState s;
  s.latches.push_back({"ALM-01", "fire alarm input tripped", 1'700'000'000'123});
  s.latches.push_back({"OP-FLAG-01", "BMS protection: \"over-temperature\"", 0});
  SafetyMode m;
  m.mode = "manual";
  m.manual_setpoint_w = -1500.5;
  m.expires_unix_ms = 1'800'000'000'000;
  m.set_by = "uid 1000 (alice) pid 42 via unix socket";
  m.set_unix_ms = 1'700'000'000'000;
  s.mode = m;
  s.trips.push_back({"OP-V-01", true, false, {1'700'000'000'000, 1'700'000'600'000}});
  SafetySettings o;
  o.reserve_soc_pct = 42.5;
  o.set_by = "mqtt client ha";
  o.set_unix_ms = 1'700'000'100'000;
  s.settings = o;
  return s;
}

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void write(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
}

TEST(SafetyStateFile, FirstStartIsAFreshInstallNotLost) {
  TempDir dir;
  SafetyStateFile file(dir.path() / "safety-state.json");
  const auto opened = file.open();
  EXPECT_EQ(opened.origin, SafetyStateOrigin::fresh_install);
  EXPECT_TRUE(opened.state.latches.empty());
  EXPECT_FALSE(file.marker_exists());
}

TEST(SafetyStateFile, RoundTripsLatchesAndModeAcrossInstances) {
  TempDir dir;
  const auto path = dir.path() / "safety-state.json";
  {
    SafetyStateFile file(path);
    (void)file.open();
    ASSERT_TRUE(file.save(sample()));
    EXPECT_TRUE(file.marker_exists());
  }
  SafetyStateFile again(path);
  const auto opened = again.open();
  ASSERT_EQ(opened.origin, SafetyStateOrigin::restored) << opened.lost_reason;
  EXPECT_EQ(opened.state, sample());
  EXPECT_FALSE(std::filesystem::exists(path.string() + ".tmp"));
}

// A symbolic link planted at the temporary name must not be written through (the write goes
// to whatever file the link names, with the daemon's rights).
TEST(SafetyStateFile, ALinkAtTheTemporaryNameIsNotWrittenThrough) {
  TempDir dir;
  const auto path = dir.path() / "safety-state.json";
  const auto victim = dir.path() / "victim";
  write(victim, "untouched");
  std::filesystem::create_symlink(victim, path.string() + ".tmp");
  SafetyStateFile file(path);
  (void)file.open();
  EXPECT_FALSE(file.save(sample()));
  EXPECT_EQ(read(victim), "untouched");
}

// A named pipe at either name must fail at once, never hold the caller in open(2): the control
// loop and the start-up both read and write this file.
TEST(SafetyStateFile, APipeAtEitherNameFailsAtOnce) {
  TempDir dir;
  const auto path = dir.path() / "safety-state.json";
  ASSERT_EQ(::mkfifo((path.string() + ".tmp").c_str(), 0600), 0);
  SafetyStateFile file(path);
  (void)file.open();
  const auto st = file.save(sample());
  ASSERT_FALSE(st);
  std::filesystem::remove(path.string() + ".tmp");
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  const auto opened = SafetyStateFile(path).open();
  EXPECT_EQ(opened.origin, SafetyStateOrigin::lost);
  EXPECT_NE(opened.lost_reason.find("not a regular file"), std::string::npos) << opened.lost_reason;
}

TEST(SafetyStateFile, AnOversizedStateIsLostNotRead) {
  TempDir dir;
  const auto path = dir.path() / "safety-state.json";
  write(path, std::string(2 << 20, ' '));
  const auto opened = SafetyStateFile(path).open();
  EXPECT_EQ(opened.origin, SafetyStateOrigin::lost);
  EXPECT_NE(opened.lost_reason.find("bytes"), std::string::npos) << opened.lost_reason;
}

// Something at the marker's name that cannot be checked counts as "has run here".
TEST(SafetyStateFile, ADanglingMarkerLinkIsNotAFreshInstall) {
  TempDir dir;
  const auto path = dir.path() / "safety-state.json";
  std::filesystem::create_symlink(dir.path() / "nowhere", dir.path() / "safety-state.marker");
  EXPECT_EQ(SafetyStateFile(path).open().origin, SafetyStateOrigin::lost);
}

TEST(SafetyStateFile, MissingAfterAPreviousRunIsLost) {
  TempDir dir;
  const auto path = dir.path() / "safety-state.json";
  SafetyStateFile file(path);
  (void)file.open();
  ASSERT_TRUE(file.save(sample()));
  std::filesystem::remove(path);
  const auto opened = SafetyStateFile(path).open();
  EXPECT_EQ(opened.origin, SafetyStateOrigin::lost);
  EXPECT_NE(opened.lost_reason.find("missing"), std::string::npos) << opened.lost_reason;
}

class Damaged : public ::testing::TestWithParam<std::function<std::string(std::string)>> {};

TEST_P(Damaged, IsDetectedReportedLostAndKeptAside) {
  TempDir dir;
  const auto path = dir.path() / "safety-state.json";
  SafetyStateFile file(path);
  (void)file.open();
  ASSERT_TRUE(file.save(sample()));
  write(path, GetParam()(read(path)));
  const auto opened = SafetyStateFile(path).open();
  EXPECT_EQ(opened.origin, SafetyStateOrigin::lost);
  EXPECT_NE(opened.lost_reason.find("damaged"), std::string::npos) << opened.lost_reason;
  EXPECT_TRUE(opened.state.latches.empty());
  EXPECT_FALSE(std::filesystem::exists(path));  // moved aside for people to look at
  // The next start, with no new state written, is still "lost" (the marker stays).
  EXPECT_EQ(SafetyStateFile(path).open().origin, SafetyStateOrigin::lost);
}

INSTANTIATE_TEST_SUITE_P(
    SafetyStateFile, Damaged,
    ::testing::Values([](std::string) { return std::string(); },                // empty
                      [](std::string s) { return s.substr(0, s.size() / 2); },  // truncated
                      [](std::string s) { return s + "x"; },                    // appended
                      [](std::string s) {  // one flipped character inside a latch's id
                        s[s.find("ALM-01")] = 'B';
                        return s;
                      },
                      [](std::string s) { return s.substr(s.find('\n') + 1); },  // no header
                      [](std::string) { return std::string(4096, '\0'); }));     // zeroed

TEST(SafetyStateFile, AFailedWriteRemovesTheOldStateSoTheNextStartIsLost) {
  if (::geteuid() == 0) GTEST_SKIP() << "root ignores directory permissions";
  TempDir dir;
  const auto sub = dir.path() / "state";
  std::filesystem::create_directory(sub);
  const auto path = sub / "safety-state.json";
  SafetyStateFile file(path);
  (void)file.open();
  ASSERT_TRUE(file.save(sample()));
  // Read-only directory: neither a new file nor a removal is possible; the write must fail.
  ::chmod(sub.c_str(), 0500);
  auto st = file.save(SafetyState{});
  ::chmod(sub.c_str(), 0700);
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find(sub.string()), std::string::npos) << st.error().message;
}

TEST(SafetyStateFile, AFailedWriteWhereRemovalWorksLeavesLost) {
  TempDir dir;
  const auto path = dir.path() / "safety-state.json";
  SafetyStateFile file(path);
  (void)file.open();
  ASSERT_TRUE(file.save(sample()));
  // The temporary file's name is taken by a directory: creating it fails, removal still works.
  std::filesystem::create_directory(path.string() + ".tmp");
  EXPECT_FALSE(file.save(SafetyState{}));
  std::filesystem::remove(path.string() + ".tmp");
  const auto opened = SafetyStateFile(path).open();
  EXPECT_EQ(opened.origin, SafetyStateOrigin::lost) << "an older state must not be resumed";
  // The state before the failed write is kept aside: its latches are still known.
  ASSERT_TRUE(opened.unconfirmed);
  EXPECT_EQ(opened.unconfirmed->latches, sample().latches);
  EXPECT_NE(opened.lost_reason.find(".unconfirmed"), std::string::npos) << opened.lost_reason;
}

// A start that cannot rewrite what it read moves it aside; the next start (nothing written in
// between) still knows which faults were latched, and so does the one after it.
TEST(SafetyStateFile, TheLatchesOfAFileMovedAsideOutliveSeveralStarts) {
  TempDir dir;
  const auto path = dir.path() / "safety-state.json";
  {
    SafetyStateFile file(path);
    (void)file.open();
    ASSERT_TRUE(file.save(sample()));
  }
  std::filesystem::create_directory(path.string() + ".tmp");
  for (int start = 1; start <= 3; ++start) {
    SafetyStateFile file(path);
    const auto opened = file.open();
    if (start == 1) {
      ASSERT_EQ(opened.origin, SafetyStateOrigin::restored);
    } else {
      ASSERT_EQ(opened.origin, SafetyStateOrigin::lost) << "start " << start;
      ASSERT_TRUE(opened.unconfirmed) << "start " << start;
      EXPECT_EQ(opened.unconfirmed->latches, sample().latches) << "start " << start;
    }
    EXPECT_FALSE(file.save(opened.origin == SafetyStateOrigin::restored ? opened.state
                                                                        : *opened.unconfirmed));
  }
  // Once a write succeeds, what was moved aside is gone: the next start restores the new file.
  std::filesystem::remove(path.string() + ".tmp");
  {
    SafetyStateFile file(path);
    (void)file.open();
    ASSERT_TRUE(file.save(SafetyState{}));
  }
  EXPECT_FALSE(std::filesystem::exists(path.string() + ".unconfirmed"));
  EXPECT_EQ(SafetyStateFile(path).open().origin, SafetyStateOrigin::restored);
}

// The generation grows across restarts and the store id stays: a copy put back later carries a
// smaller generation than the one last written.
TEST(SafetyStateFile, TheStampGrowsAcrossRestartsAndKeepsItsId) {
  TempDir dir;
  const auto path = dir.path() / "safety-state.json";
  SafetyStateStamp first;
  {
    SafetyStateFile file(path);
    (void)file.open();
    ASSERT_TRUE(file.save(sample()));
    ASSERT_TRUE(file.save(sample()));
    first = file.stamp();
  }
  EXPECT_EQ(first.generation, 2u);
  EXPECT_EQ(first.store_id.size(), 16u);
  SafetyStateFile again(path);
  const auto opened = again.open();
  EXPECT_EQ(opened.stamp, first);
  ASSERT_TRUE(again.save(sample()));
  EXPECT_EQ(again.stamp().store_id, first.store_id);
  EXPECT_EQ(again.stamp().generation, 3u);
  again.continue_after(10);
  ASSERT_TRUE(again.save(sample()));
  EXPECT_EQ(again.stamp().generation, 11u);
  // A reset (file and marker removed) is another store.
  std::filesystem::remove(path);
  std::filesystem::remove(again.marker_path());
  SafetyStateFile reset(path);
  (void)reset.open();
  ASSERT_TRUE(reset.save(sample()));
  EXPECT_NE(reset.stamp().store_id, first.store_id);
  EXPECT_EQ(reset.stamp().generation, 1u);
}

// Files written before the trip counts were stored have no "trips": they still decode.
TEST(SafetyStateFile, AFileWithoutTripsDecodes) {
  SafetyState old = sample();
  old.trips.clear();
  const std::string enc = encode_safety_state(old, {"", 3});
  std::string body = enc.substr(enc.find('\n') + 1);
  const std::string key = ",\n  \"trips\": []";
  ASSERT_NE(body.find(key), std::string::npos) << body;
  body.erase(body.find(key), key.size());
  boost::crc_32_type crc;
  crc.process_bytes(body.data(), body.size());
  char header[96];
  std::snprintf(header, sizeof header, "bessd-safety-state 1 length=%zu crc32=%08x\n", body.size(),
                static_cast<unsigned>(crc.checksum()));
  const auto decoded = decode_safety_state(header + body);
  ASSERT_TRUE(decoded) << decoded.error().message << "\n" << header << body;
  EXPECT_EQ(decoded->state, old);
  EXPECT_EQ(decoded->stamp.generation, 3u);
}

// A file from before the owner's settings existed has no "settings" key, and a file with only a
// target keeps the reserve absent (the configuration's).
TEST(SafetyStateFile, SettingsAreOptionalEachOnItsOwn) {
  SafetyState none = sample();
  none.settings.reset();
  const auto without = encode_safety_state(none, {"", 1});
  EXPECT_EQ(without.find("\"settings\""), std::string::npos) << without;
  auto decoded = decode_safety_state(without);
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_FALSE(decoded->state.settings);
  SafetyState target_only = sample();
  target_only.settings->reserve_soc_pct.reset();
  target_only.settings->target_soc_pct = 85.0;
  decoded = decode_safety_state(encode_safety_state(target_only, {"", 2}));
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(decoded->state, target_only);
  // "settings": null (as "mode": null) reads as none, not as a damaged file (red team 21a F6).
  const std::string enc = encode_safety_state(none, {"", 3});
  std::string body = enc.substr(enc.find('\n') + 1);
  const std::string mode_key = "\"mode\":";
  ASSERT_NE(body.find(mode_key), std::string::npos) << body;
  body.insert(body.find(mode_key), "\"settings\": null,\n  ");
  boost::crc_32_type crc;
  crc.process_bytes(body.data(), body.size());
  char header[96];
  std::snprintf(header, sizeof header, "bessd-safety-state 1 length=%zu crc32=%08x\n", body.size(),
                static_cast<unsigned>(crc.checksum()));
  decoded = decode_safety_state(header + body);
  ASSERT_TRUE(decoded) << decoded.error().message << "\n" << body;
  EXPECT_FALSE(decoded->state.settings);
}

TEST(SafetyStateFile, DecodeNamesWhatIsWrong) {
  EXPECT_FALSE(decode_safety_state(""));
  const auto enc = encode_safety_state(sample(), {"0123456789abcdef", 7});
  ASSERT_TRUE(decode_safety_state(enc));
  const auto bad = decode_safety_state(enc.substr(0, enc.size() - 3));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("truncated"), std::string::npos) << bad.error().message;
}

}  // namespace
}  // namespace bessd::storage
