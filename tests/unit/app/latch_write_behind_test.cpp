// Latch writes go to their own thread (so a slow disk never delays a safe command); an
// acknowledgement is stored first (store_now, after every latch queued before it) and the
// controller's clear() then answers from what was stored, without waiting.

#include <bessd/app/latch_write_behind.hpp>

#include <chrono>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace bessd::app {
namespace {

// A durable store whose latch writes wait until the test opens the gate, like a stuck disk.
class GatedStore final : public control::FaultLatchStore {
 public:
  Result<std::vector<control::LatchedFault>> load() override {
    return std::vector<control::LatchedFault>{};
  }
  Status latch(const control::LatchedFault& f) override {
    std::unique_lock lock(mutex_);
    opened_.wait(lock, [this] { return open_; });
    calls_.push_back("latch " + f.id);
    return {};
  }
  Status clear(std::string_view id) override {
    const std::lock_guard lock(mutex_);
    calls_.push_back("clear " + std::string(id));
    return {};
  }
  Status save_trips(const std::vector<control::TripRecord>& trips) override {
    const std::lock_guard lock(mutex_);
    calls_.push_back("trips " + std::to_string(trips.size()));
    return {};
  }
  void open() {
    const std::lock_guard lock(mutex_);
    open_ = true;
    opened_.notify_all();
  }
  std::vector<std::string> calls() const {
    const std::lock_guard lock(mutex_);
    return calls_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable opened_;
  bool open_{false};
  std::vector<std::string> calls_;
};

// A coalescing store on a stuck disk: each flush waits at the gate and records what it wrote.
class GatedCoalescingStore final : public CoalescingLatchStore {
 public:
  Result<std::vector<control::LatchedFault>> load() override {
    return std::vector<control::LatchedFault>{};
  }
  Status latch(const control::LatchedFault& f) override {
    stage_latch(f);
    return flush();
  }
  Status clear(std::string_view) override { return {}; }
  void stage_latch(const control::LatchedFault& f) override {
    const std::lock_guard lock(mutex_);
    staged_.push_back(f.id);
  }
  void stage_trips(const std::vector<control::TripRecord>&) override {}
  Status flush() override {
    std::unique_lock lock(mutex_);
    opened_.wait(lock, [this] { return open_; });
    if (staged_.size() == written_) return {};
    written_ = staged_.size();
    writes_.push_back(staged_);
    return {};
  }
  void open() {
    const std::lock_guard lock(mutex_);
    open_ = true;
    opened_.notify_all();
  }
  std::vector<std::vector<std::string>> writes() const {
    const std::lock_guard lock(mutex_);
    return writes_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable opened_;
  bool open_{false};
  std::vector<std::string> staged_;
  std::size_t written_{0};
  std::vector<std::vector<std::string>> writes_;
};

// A fire alarm and the protections it trips, on a disk that takes seconds per write: one write
// for the burst, not one each (a stop waits for all of them).
TEST(LatchWriteBehind, ABurstOfLatchesOnASlowDiskIsWrittenTogether) {
  GatedCoalescingStore durable;
  LatchWriteBehind writer(durable);
  for (const char* id : {"ALM-01", "BMS-OT", "OP-T-01", "INV-CMD", "FAULT-X"})
    EXPECT_TRUE(writer.latch({id, "burst", 1}));  // would hang if written inline
  durable.open();
  writer.drain();
  const auto writes = durable.writes();
  ASSERT_FALSE(writes.empty());
  EXPECT_LE(writes.size(), 2U) << "one write per latch";
  EXPECT_EQ(writes.back().size(), 5U) << "a latch staged in the burst was not written";
}

TEST(LatchWriteBehind, ALatchReturnsAtOnceWhileTheDiskIsStuck) {
  GatedStore durable;
  LatchWriteBehind writer(durable);
  EXPECT_TRUE(writer.latch({"ALM-01", "fire alarm", 1}));  // would hang if written inline
  EXPECT_TRUE(writer.save_trips({control::TripRecord{"OP-T-01", true, false, {1}}}));
  EXPECT_TRUE(durable.calls().empty());
  durable.open();
  writer.drain();
  EXPECT_EQ(durable.calls(), (std::vector<std::string>{"latch ALM-01", "trips 1"}));
}

TEST(LatchWriteBehind, AnAcknowledgementIsStoredAfterTheLatchesBeforeIt) {
  GatedStore durable;
  LatchWriteBehind writer(durable);
  ASSERT_TRUE(writer.latch({"BMS-OT", "over-temperature", 1}));
  durable.open();
  EXPECT_TRUE(writer.store_now([&] { return durable.clear("BMS-OT"); }));  // once written
  EXPECT_EQ(durable.calls(), (std::vector<std::string>{"latch BMS-OT", "clear BMS-OT"}));
}

TEST(LatchWriteBehind, StoreNowWaitsForAStuckDiskAndReturnsItsResult) {
  GatedStore durable;
  LatchWriteBehind writer(durable);
  ASSERT_TRUE(writer.latch({"ALM-01", "fire alarm", 1}));
  auto stored = std::async(std::launch::async, [&] {
    return writer.store_now([] { return Status{fail(ErrorCode::storage_error, "disk full")}; });
  });
  EXPECT_EQ(stored.wait_for(std::chrono::milliseconds(100)), std::future_status::timeout)
      << "stored before the latch queued ahead of it";
  durable.open();
  const Status st = stored.get();
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().message, "disk full");
}

TEST(LatchWriteBehind, TheControllersClearAnswersFromWhatWasStoredWithoutWaiting) {
  GatedStore durable;  // never opened: a clear that went to the disk would hang
  LatchWriteBehind writer(durable);
  std::map<std::string, Status, std::less<>> stored;
  stored.emplace("BMS-OT", Status{});
  stored.emplace("ALM-01", Status{fail(ErrorCode::storage_error, "read-only file system")});
  writer.acknowledged(std::move(stored));
  EXPECT_TRUE(writer.clear("BMS-OT"));
  const Status failed = writer.clear("ALM-01");
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "read-only file system");
  // Latched while the acknowledgement was being stored: not on disk as cleared, so not cleared.
  const Status unseen = writer.clear("OP-T-01");
  ASSERT_FALSE(unseen);
  EXPECT_NE(unseen.error().message.find("acknowledge again"), std::string::npos);
  writer.acknowledged({});
  EXPECT_FALSE(writer.clear("BMS-OT"));
  durable.open();
}

}  // namespace
}  // namespace bessd::app
