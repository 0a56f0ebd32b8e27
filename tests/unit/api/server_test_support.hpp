#pragma once
// Helpers for the HTTP server tests: a server over a FakeFacade on a background io thread, and a
// small blocking client on raw sockets (also usable after fork()).

#include <future>
#include <optional>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <bessd/api/http/http_server.hpp>
#include <bessd/api/router.hpp>
#include <bessd/api/testing/fake_facade.hpp>

namespace bessd::api::test {

inline constexpr const char* kTestToken = "0123456789abcdef-test-token";

struct RawResponse {
  unsigned status{0};
  std::string head;  // status line and headers, lower-cased
  std::string body;
};

int connect_unix(const std::string& path);
int connect_tcp(std::uint16_t port);
bool send_all(int fd, std::string_view data);
/// Reads one response (Content-Length framed). nullopt on EOF, timeout (5 s) or garbage.
std::optional<RawResponse> read_response(int fd);
/// True when the peer closes the connection within `timeout` without sending anything.
bool closed_without_data(int fd, std::chrono::milliseconds timeout);
std::string make_request(const std::string& method, const std::string& target,
                         const std::string& body = "", const std::string& extra_headers = "");
/// One request on a fresh connection.
std::optional<RawResponse> request_unix(const std::string& path, const std::string& raw);

class ServerFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  /// Starts the server with `options_` (edit them first) and runs the io thread.
  void start_server();
  void stop_server();
  /// Runs `fn` on the io thread and waits for it.
  template <typename F>
  auto on_io(F fn) {
    std::packaged_task<decltype(fn())()> task(std::move(fn));
    auto result = task.get_future();
    boost::asio::post(io_, [&task] { task(); });
    return result.get();
  }

  std::string dir_;
  std::string socket_path_;
  http::ServerOptions options_;
  ManualClock clock_{WallTime{std::chrono::seconds{1'795'000'000}}};
  testing::FakeFacade facade_{clock_};
  Router router_{facade_, clock_};
  boost::asio::io_context io_;
  std::optional<http::HttpServer> server_;
  std::thread io_thread_;
};

}  // namespace bessd::api::test
