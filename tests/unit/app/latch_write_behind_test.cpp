// Latch writes go to their own thread (so a slow disk never delays a safe command), and an
// acknowledgement is written after every latch queued before it, and waited for.

#include <bessd/app/latch_write_behind.hpp>

#include <condition_variable>
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

TEST(LatchWriteBehind, AnAcknowledgementIsWrittenAfterTheLatchesBeforeIt) {
  GatedStore durable;
  LatchWriteBehind writer(durable);
  ASSERT_TRUE(writer.latch({"BMS-OT", "over-temperature", 1}));
  durable.open();
  EXPECT_TRUE(writer.clear("BMS-OT"));  // returns once written
  EXPECT_EQ(durable.calls(), (std::vector<std::string>{"latch BMS-OT", "clear BMS-OT"}));
}

TEST(LatchWriteBehind, AFailedClearIsReturnedToTheController) {
  control::MemoryFaultLatchStore durable;
  LatchWriteBehind writer(durable);
  durable.set_failing(true);
  EXPECT_FALSE(writer.clear("BMS-OT"));
  durable.set_failing(false);
  EXPECT_TRUE(writer.clear("BMS-OT"));
}

}  // namespace
}  // namespace bessd::app
