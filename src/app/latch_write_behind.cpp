#include <bessd/app/latch_write_behind.hpp>

#include <future>
#include <string>

#include <boost/asio/post.hpp>

namespace bessd::app {

LatchWriteBehind::~LatchWriteBehind() {
  writer_.join();  // runs what is queued, then ends the thread
}

Status LatchWriteBehind::latch(const control::LatchedFault& fault) {
  boost::asio::post(writer_, [this, fault] { (void)durable_.latch(fault); });
  return {};
}

Status LatchWriteBehind::save_trips(const std::vector<control::TripRecord>& trips) {
  boost::asio::post(writer_, [this, trips] { (void)durable_.save_trips(trips); });
  return {};
}

Status LatchWriteBehind::clear(std::string_view id) {
  std::promise<Status> done;
  auto result = done.get_future();
  boost::asio::post(writer_,
                    [this, id = std::string(id), &done] { done.set_value(durable_.clear(id)); });
  return result.get();
}

void LatchWriteBehind::defer(std::function<void()> write) {
  boost::asio::post(writer_, std::move(write));
}

void LatchWriteBehind::drain() {
  std::promise<void> done;
  auto finished = done.get_future();
  boost::asio::post(writer_, [&done] { done.set_value(); });
  finished.wait();
}

}  // namespace bessd::app
