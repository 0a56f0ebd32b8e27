#include <bessd/bms/bms_monitor_timer.hpp>

#include <algorithm>

namespace bessd::bms {

BmsMonitorTimer::BmsMonitorTimer(boost::asio::io_context& io, BmsMonitor& monitor,
                                 const Clock& clock, Duration max_wait)
    : timer_(io), monitor_(monitor), clock_(clock), max_wait_(max_wait) {}

void BmsMonitorTimer::start() {
  alive_ = std::make_shared<int>(0);
  arm();
}

void BmsMonitorTimer::stop() {
  alive_.reset();
  timer_.cancel();
}

void BmsMonitorTimer::arm() {
  const TimePoint deadline = monitor_.next_deadline();
  Duration wait = max_wait_;
  if (deadline != TimePoint::max())
    wait = std::clamp(deadline - clock_.now(), Duration::zero(), max_wait_);
  timer_.expires_after(wait);
  std::weak_ptr<int> alive = alive_;
  timer_.async_wait([this, alive](const boost::system::error_code& ec) {
    if (ec || alive.expired()) return;
    monitor_.tick();
    if (!alive.expired()) arm();
  });
}

}  // namespace bessd::bms
