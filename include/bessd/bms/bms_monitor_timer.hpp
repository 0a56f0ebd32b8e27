#pragma once
// Drives BmsMonitor::tick() from an Asio steady_timer at the monitor's next deadline (capped
// at `max_wait` so a clock that differs from steady_clock cannot stall it). The production
// Clock is steady_clock-based, so the deadlines map one to one.

#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <bessd/bms/bms_monitor.hpp>

namespace bessd::bms {

class BmsMonitorTimer {
 public:
  BmsMonitorTimer(boost::asio::io_context& io, BmsMonitor& monitor, const Clock& clock,
                  Duration max_wait = std::chrono::milliseconds{250});
  ~BmsMonitorTimer() { stop(); }
  BmsMonitorTimer(const BmsMonitorTimer&) = delete;
  BmsMonitorTimer& operator=(const BmsMonitorTimer&) = delete;

  void start();
  void stop();

 private:
  void arm();

  boost::asio::steady_timer timer_;
  BmsMonitor& monitor_;
  const Clock& clock_;
  Duration max_wait_;
  std::shared_ptr<int> alive_;
};

}  // namespace bessd::bms
