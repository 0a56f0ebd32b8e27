#include "scenario_control.hpp"

#include <unistd.h>

#include <iostream>
#include <stdexcept>

#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

namespace bessd::sim {
namespace {

using boost::asio::local::stream_protocol;

// One client connection: read a line, answer a line, until the client closes.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(stream_protocol::socket socket, CommandHandler& handler)
      : socket_(std::move(socket)), handler_(handler) {}
  void start() { read(); }

 private:
  void read() {
    boost::asio::async_read_until(
        socket_, buffer_, '\n',
        [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
          if (ec) return;
          std::string line(boost::asio::buffers_begin(self->buffer_.data()),
                           boost::asio::buffers_begin(self->buffer_.data()) + static_cast<long>(n));
          self->buffer_.consume(n);
          while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
          self->reply_ = self->handler_(line) + "\n";
          boost::asio::async_write(self->socket_, boost::asio::buffer(self->reply_),
                                   [self](boost::system::error_code wec, std::size_t) {
                                     if (!wec) self->read();
                                   });
        });
  }
  stream_protocol::socket socket_;
  CommandHandler& handler_;
  boost::asio::streambuf buffer_;
  std::string reply_;
};

}  // namespace

ScenarioControl::ScenarioControl(boost::asio::io_context& io, CommandHandler handler)
    : io_(io), handler_(std::move(handler)) {}

ScenarioControl::~ScenarioControl() {
  if (acceptor_) {
    boost::system::error_code ec;
    acceptor_->close(ec);
    ::unlink(path_.c_str());
  }
  // stdin_ owns a dup() of fd 0: closing it leaves the process's stdin alone.
}

void ScenarioControl::listen(const std::string& path) {
  path_ = path;
  ::unlink(path.c_str());
  try {
    acceptor_ = std::make_unique<stream_protocol::acceptor>(io_, stream_protocol::endpoint(path));
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot listen on control socket " + path + ": " + e.what());
  }
  accept();
}

void ScenarioControl::accept() {
  acceptor_->async_accept([this](boost::system::error_code ec, stream_protocol::socket socket) {
    if (ec == boost::asio::error::operation_aborted) return;
    if (!ec) std::make_shared<Session>(std::move(socket), handler_)->start();
    accept();
  });
}

void ScenarioControl::read_stdin() {
  if (!stdin_) {
    stdin_ = std::make_unique<boost::asio::posix::stream_descriptor>(io_, ::dup(STDIN_FILENO));
  }
  stdin_->async_read_some(boost::asio::buffer(stdin_buf_),
                          [this](boost::system::error_code ec, std::size_t n) {
                            if (ec) return;  // EOF or not pollable (a file): no stdin commands
                            for (std::size_t i = 0; i < n; ++i) {
                              const char c = stdin_buf_[i];
                              if (c == '\n') {
                                if (!stdin_line_.empty())
                                  std::cout << handler_(stdin_line_) << std::endl;
                                stdin_line_.clear();
                              } else if (c != '\r') {
                                stdin_line_.push_back(c);
                              }
                            }
                            read_stdin();
                          });
}

}  // namespace bessd::sim
