#include <bessd/inverter/inverter_task_queue.hpp>

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

namespace bessd::inverter {
namespace {

// Tasks that record when they start and keep their `finished` for the test to call.
struct TaskLog {
  std::vector<std::string> started;
  std::vector<InverterTaskQueue::Finished> finishers;
  InverterTaskQueue::Task task(std::string name) {
    return [this, name](InverterTaskQueue::Finished finished) {
      started.push_back(name);
      finishers.push_back(std::move(finished));
    };
  }
};

class InverterTaskQueueTest : public ::testing::Test {
 protected:
  boost::asio::io_context io;
  InverterTaskQueue queue{io.get_executor()};
  TaskLog log;
  void run() {
    io.restart();
    io.poll();
  }
};

TEST_F(InverterTaskQueueTest, RunsOneTaskAtATimeInOrder) {
  queue.enqueue(log.task("poll 1"));
  queue.enqueue(log.task("poll 2"));
  run();
  ASSERT_EQ(log.started, std::vector<std::string>{"poll 1"});
  EXPECT_FALSE(queue.idle());
  log.finishers.at(0)();
  EXPECT_EQ(log.started.size(), 1u) << "the next task starts from the executor, not inside";
  run();
  EXPECT_EQ(log.started, (std::vector<std::string>{"poll 1", "poll 2"}));
  log.finishers.at(1)();
  run();
  EXPECT_TRUE(queue.idle());
}

TEST_F(InverterTaskQueueTest, ACommandGoesAheadOfQueuedPollsButNotTheOneInFlight) {
  queue.enqueue(log.task("poll 1"));
  queue.enqueue(log.task("poll 2"));
  queue.enqueue(log.task("poll 3"));
  queue.enqueue(log.task("command"), /*first=*/true);
  log.finishers.at(0)();
  run();
  EXPECT_EQ(log.started, (std::vector<std::string>{"poll 1", "command"}));
}

TEST_F(InverterTaskQueueTest, ALateFinishFromTheOldLinkDoesNotFreeTheNewLinksSlot) {
  queue.enqueue(log.task("old link poll"));
  const auto old_generation = queue.generation();
  queue.reset();  // the link went down and came back
  EXPECT_NE(queue.generation(), old_generation);
  queue.enqueue(log.task("start-up"));
  queue.enqueue(log.task("poll"));
  ASSERT_EQ(log.started, (std::vector<std::string>{"old link poll", "start-up"}));
  log.finishers.at(0)();  // the old link's poll is answered only now
  run();
  EXPECT_EQ(log.started.size(), 2u) << "the poll must wait for the start-up, still in flight";
  log.finishers.at(1)();
  run();
  EXPECT_EQ(log.started.back(), "poll");
}

TEST_F(InverterTaskQueueTest, AResetDropsWhatWasQueued) {
  queue.enqueue(log.task("poll 1"));
  queue.enqueue(log.task("poll 2"));
  queue.reset();
  EXPECT_TRUE(queue.idle());
  EXPECT_EQ(queue.queued(), 0u);
  log.finishers.at(0)();
  run();
  EXPECT_EQ(log.started, std::vector<std::string>{"poll 1"});
}

TEST_F(InverterTaskQueueTest, FinishingTwiceFreesTheSlotOnce) {
  queue.enqueue(log.task("a"));
  queue.enqueue(log.task("b"));
  queue.enqueue(log.task("c"));
  auto finished_a = log.finishers.at(0);
  finished_a();
  run();
  ASSERT_EQ(log.started.back(), "b");
  log.finishers.at(0)();  // a copy of a's `finished`, called again
  finished_a();
  run();
  EXPECT_EQ(log.started.back(), "b") << "c must wait for b";
}

TEST_F(InverterTaskQueueTest, StoppedRunsNothingAndStartedRunsAgain) {
  queue.stop();
  queue.enqueue(log.task("poll"));
  run();
  EXPECT_TRUE(log.started.empty());
  queue.start();
  run();
  EXPECT_EQ(log.started, std::vector<std::string>{"poll"});
}

TEST(InverterTaskQueueLifetime, AFinishAfterTheQueueIsGoneDoesNothing) {
  boost::asio::io_context io;
  TaskLog log;
  {
    InverterTaskQueue queue{io.get_executor()};
    queue.enqueue(log.task("poll"));
  }
  ASSERT_EQ(log.finishers.size(), 1u);
  log.finishers.at(0)();
  io.poll();
  SUCCEED();
}

}  // namespace
}  // namespace bessd::inverter
