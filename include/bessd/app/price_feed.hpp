#pragma once
// The price file of `schedule.by_price` (docs/schedules.md "Price files"): read at start, then
// again whenever it changes (checked every 30 s and on a reload), away from the event loop. A
// file that cannot be read or parsed raises an event naming it and why, and the prices read
// before stay in use: a half-written download never takes the plan away.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <bessd/common/clock.hpp>
#include <bessd/common/result.hpp>
#include <bessd/core/event.hpp>
#include <bessd/energy/price_list.hpp>

namespace bessd::app {

/// What /v1/status says of the file.
struct PriceFileState {
  std::string file;
  std::optional<WallTime> read_at;  // the last good read
  std::size_t slots{0};
  std::optional<WallTime> first_start;
  std::optional<WallTime> last_end;
  std::string error;  // why the last read failed; empty when it did not
};

/// A price file's text, at most 4 MiB. Errors name the file.
Result<std::string> read_price_text(const std::string& path);

class PriceFeed {
 public:
  using OnPrices = std::function<void(std::shared_ptr<const energy::PriceList>)>;
  using OnEvent = std::function<void(const core::Event&)>;

  PriceFeed(boost::asio::io_context& io, const Clock& clock, std::string path, OnPrices on_prices,
            OnEvent on_event, Duration check_every = std::chrono::seconds{30});
  ~PriceFeed();
  PriceFeed(const PriceFeed&) = delete;
  PriceFeed& operator=(const PriceFeed&) = delete;

  void start();
  void stop();
  /// Reads the file now if it changed (a reload, a test).
  void check_now();
  const PriceFileState& state() const { return state_; }

 private:
  struct Worker;  // what the worker thread keeps between reads
  void arm();
  void applied(Result<energy::PriceList> read);

  boost::asio::io_context& io_;
  const Clock& clock_;
  boost::asio::steady_timer timer_;
  Duration check_every_;
  OnPrices on_prices_;
  OnEvent on_event_;
  PriceFileState state_;
  std::shared_ptr<Worker> worker_state_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
  bool stopped_{false};
  // Never joined on the event loop: a read hung on a dead mount must not stop the control loop.
  std::unique_ptr<boost::asio::thread_pool> worker_;
};

}  // namespace bessd::app
