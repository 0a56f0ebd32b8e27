#include <bessd/app/latch_write_behind.hpp>

#include <future>
#include <memory>
#include <string>

#include <boost/asio/post.hpp>

namespace bessd::app {

LatchWriteBehind::~LatchWriteBehind() {
  writer_.join();  // runs what is queued, then ends the thread
}

Status LatchWriteBehind::latch(const control::LatchedFault& fault) {
  if (coalescing_) {
    coalescing_->stage_latch(fault);
    flush_later();
    return {};
  }
  boost::asio::post(writer_, [this, fault] { (void)durable_.latch(fault); });
  return {};
}

Status LatchWriteBehind::save_trips(const std::vector<control::TripRecord>& trips) {
  if (coalescing_) {
    coalescing_->stage_trips(trips);
    flush_later();
    return {};
  }
  boost::asio::post(writer_, [this, trips] { (void)durable_.save_trips(trips); });
  return {};
}

void LatchWriteBehind::flush_later() {
  // One flush queued at a time: it writes everything staged before it runs. A change staged
  // after the flag is cleared queues the next one.
  if (flush_queued_.exchange(true)) return;
  boost::asio::post(writer_, [this] {
    flush_queued_ = false;
    (void)coalescing_->flush();
  });
}

Status LatchWriteBehind::clear(std::string_view id) {
  if (const auto it = acknowledged_.find(id); it != acknowledged_.end()) return it->second;
  return fail(ErrorCode::storage_error,
              "it latched again while the acknowledgement was being stored; acknowledge again");
}

Status LatchWriteBehind::store_now(const std::function<Status()>& write) {
  return store_later(write).get();
}

std::shared_future<Status> LatchWriteBehind::store_later(std::function<Status()> write) {
  auto done = std::make_shared<std::promise<Status>>();
  auto result = done->get_future().share();
  boost::asio::post(writer_, [write = std::move(write), done] { done->set_value(write()); });
  return result;
}

void LatchWriteBehind::defer(std::function<void()> write) {
  boost::asio::post(writer_, std::move(write));
}

void LatchWriteBehind::drain(const std::function<void(std::chrono::seconds)>& still_waiting) {
  // Shared: the writer may set it after a caller that gave up (its process ending) has returned.
  auto done = std::make_shared<std::promise<void>>();
  auto finished = done->get_future();
  boost::asio::post(writer_, [done] { done->set_value(); });
  constexpr std::chrono::seconds kReportEvery{5};
  std::chrono::seconds waited{0};
  while (finished.wait_for(kReportEvery) != std::future_status::ready) {
    waited += kReportEvery;
    if (still_waiting) still_waiting(waited);
  }
}

}  // namespace bessd::app
