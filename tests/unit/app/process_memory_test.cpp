#include <bessd/app/process_memory.hpp>

#include <pthread.h>

#include <thread>

#include <gtest/gtest.h>

namespace bessd::app {
namespace {

std::size_t stack_size_of_new_thread() {
  std::size_t size = 0;
  std::thread t([&] {
    pthread_attr_t attr;
    ASSERT_EQ(::pthread_getattr_np(::pthread_self(), &attr), 0);
    ASSERT_EQ(::pthread_attr_getstacksize(&attr, &size), 0);
    ::pthread_attr_destroy(&attr);
  });
  t.join();
  return size;
}

TEST(ProcessMemory, ThreadsStartedAfterwardsGetTheSmallStackUnlessSanitized) {
  const auto before = stack_size_of_new_thread();
  const auto r = limit_process_memory();
  const auto after = stack_size_of_new_thread();
  if (r.stack_size_set) {
    EXPECT_TRUE(r.arena_limited) << r.detail;
    EXPECT_TRUE(r.detail.empty()) << r.detail;
    EXPECT_EQ(after, 512U * 1024U);
    EXPECT_GT(before, after);
  } else {
    // Only sanitizer builds skip it, and say so.
    EXPECT_NE(r.detail.find("sanitizer"), std::string::npos) << r.detail;
    EXPECT_EQ(after, before);
  }
}

}  // namespace
}  // namespace bessd::app
