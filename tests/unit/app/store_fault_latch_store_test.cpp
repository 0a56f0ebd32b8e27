#include <bessd/app/store_fault_latch_store.hpp>

#include <gtest/gtest.h>

#include <bessd/storage/memory_store.hpp>

namespace bessd::app {
namespace {

TEST(StoreFaultLatchStore, LatchedFaultsRoundTripThroughTheStore) {
  storage::MemoryStore store;
  StoreFaultLatchStore latches(store);
  ASSERT_TRUE(latches.latch({"ALM-01", "fire alarm input tripped", 1'700'000'000'123}));
  ASSERT_TRUE(latches.latch({"OP-FLAG-01", "BMS protection: over-temperature", 1'700'000'001'000}));
  store.flush().wait();
  auto loaded = latches.load();
  ASSERT_TRUE(loaded);
  ASSERT_EQ(loaded->size(), 2U);
  EXPECT_EQ((*loaded)[0].id, "ALM-01");
  EXPECT_EQ((*loaded)[0].reason, "fire alarm input tripped");
  EXPECT_EQ((*loaded)[0].raised_unix_ms, 1'700'000'000'123);
  ASSERT_TRUE(latches.clear("ALM-01"));
  store.flush().wait();
  loaded = latches.load();
  ASSERT_TRUE(loaded);
  ASSERT_EQ(loaded->size(), 1U);
  EXPECT_EQ((*loaded)[0].id, "OP-FLAG-01");
}

}  // namespace
}  // namespace bessd::app
