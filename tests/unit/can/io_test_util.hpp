#pragma once
// Test helpers: drive an io_context until a condition holds, with a bounded deadline (never a
// sleep for readiness).

#include <chrono>
#include <functional>

#include <boost/asio/io_context.hpp>

namespace bessd::can::testing {

/// Run handlers until `done()` is true or `limit` passes; returns done().
inline bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::milliseconds limit = std::chrono::milliseconds{3000}) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  if (io.stopped()) io.restart();
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    io.run_one_for(std::chrono::milliseconds{5});
    if (io.stopped()) io.restart();
  }
  return true;
}

/// Run whatever is ready (and timers due within `span`), for checks that nothing happens.
inline void run_for(boost::asio::io_context& io, std::chrono::milliseconds span) {
  if (io.stopped()) io.restart();
  io.run_for(span);
}

}  // namespace bessd::can::testing
