#pragma once
// Runs an io_context until a condition holds or a bounded deadline passes (no sleeps).
#include <chrono>
#include <functional>

#include <boost/asio/io_context.hpp>

namespace bessd::modbus::test {

inline bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::milliseconds limit = std::chrono::milliseconds{5000}) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    io.restart();
    io.run_for(std::chrono::milliseconds{5});
  }
  return true;
}

}  // namespace bessd::modbus::test
