#pragma once
// Scenario commands for bess-sim, one per line, on stdin and on a Unix stream socket
// (`--control PATH`). Every command gets exactly one reply line: "ok ...", "error: ..." or a
// JSON object (status, writes). Threading: the io_context thread.

#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

namespace bessd::sim {

using CommandHandler = std::function<std::string(const std::string& line)>;

class ScenarioControl {
 public:
  ScenarioControl(boost::asio::io_context& io, CommandHandler handler);
  ~ScenarioControl();
  /// Listens on `path` (an existing socket file is replaced). Throws std::runtime_error.
  void listen(const std::string& path);
  /// Reads commands from stdin until EOF (replies on stdout).
  void read_stdin();

 private:
  void accept();
  boost::asio::io_context& io_;
  CommandHandler handler_;
  std::string path_;
  std::unique_ptr<boost::asio::local::stream_protocol::acceptor> acceptor_;
  std::unique_ptr<boost::asio::posix::stream_descriptor> stdin_;
  std::string stdin_line_;
  std::array<char, 256> stdin_buf_{};
};

}  // namespace bessd::sim
