#include <bessd/inverter/inverter_task_queue.hpp>

#include <deque>
#include <utility>

#include <boost/asio/post.hpp>

namespace bessd::inverter {

struct InverterTaskQueue::State {
  explicit State(boost::asio::any_io_executor ex) : executor(std::move(ex)) {}
  boost::asio::any_io_executor executor;
  std::deque<Task> tasks;
  bool busy{false};
  bool running{true};
  std::uint64_t generation{0};
};

InverterTaskQueue::InverterTaskQueue(boost::asio::any_io_executor executor)
    : state_(std::make_shared<State>(std::move(executor))) {}

// A task finishing after this is gone finds no state: its `finished` does nothing.
InverterTaskQueue::~InverterTaskQueue() = default;

void InverterTaskQueue::enqueue(Task task, bool first) {
  if (first)
    state_->tasks.push_front(std::move(task));
  else
    state_->tasks.push_back(std::move(task));
  pump(state_);
}

void InverterTaskQueue::reset() {
  ++state_->generation;
  state_->tasks.clear();
  state_->busy = false;
}

void InverterTaskQueue::start() {
  state_->running = true;
  pump(state_);
}

void InverterTaskQueue::stop() {
  state_->running = false;
  state_->tasks.clear();
}

std::uint64_t InverterTaskQueue::generation() const {
  return state_->generation;
}

bool InverterTaskQueue::idle() const {
  return !state_->busy && state_->tasks.empty();
}

std::size_t InverterTaskQueue::queued() const {
  return state_->tasks.size();
}

void InverterTaskQueue::pump(const std::shared_ptr<State>& state) {
  if (state->busy || state->tasks.empty() || !state->running) return;
  state->busy = true;
  Task task = std::move(state->tasks.front());
  state->tasks.pop_front();
  std::weak_ptr<State> weak = state;
  const std::uint64_t generation = state->generation;
  auto called = std::make_shared<bool>(false);  // shared by every copy of `finished`
  task([weak, generation, called] {
    auto s = weak.lock();
    // Twice from one task, or from a task of an earlier link: neither frees the current slot.
    if (!s || *called || s->generation != generation) return;
    *called = true;
    s->busy = false;
    boost::asio::post(s->executor, [weak] {
      if (auto again = weak.lock()) pump(again);
    });
  });
}

}  // namespace bessd::inverter
