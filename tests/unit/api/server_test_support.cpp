#include "server_test_support.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace bessd::api::test {

namespace {
void set_receive_timeout(int fd, int ms) {
  timeval tv{ms / 1000, (ms % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}
}  // namespace

int connect_unix(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  set_receive_timeout(fd, 5000);
  return fd;
}

int connect_tcp(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  set_receive_timeout(fd, 5000);
  return fd;
}

bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const auto n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

std::optional<RawResponse> read_response(int fd) {
  std::string data;
  char buf[4096];
  std::size_t header_end = std::string::npos;
  while ((header_end = data.find("\r\n\r\n")) == std::string::npos) {
    const auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return std::nullopt;
    data.append(buf, static_cast<std::size_t>(n));
  }
  RawResponse r;
  r.head = data.substr(0, header_end);
  for (auto& c : r.head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (r.head.rfind("http/1.", 0) != 0 || r.head.size() < 12) return std::nullopt;
  r.status = static_cast<unsigned>(std::atoi(r.head.c_str() + 9));
  std::size_t length = 0;
  if (const auto p = r.head.find("content-length:"); p != std::string::npos)
    length = static_cast<std::size_t>(std::atol(r.head.c_str() + p + 15));
  r.body = data.substr(header_end + 4);
  while (r.body.size() < length) {
    const auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return std::nullopt;
    r.body.append(buf, static_cast<std::size_t>(n));
  }
  return r;
}

bool closed_without_data(int fd, std::chrono::milliseconds timeout) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return false;
  char c = 0;
  const auto n = ::recv(fd, &c, 1, MSG_DONTWAIT);
  return n == 0 || (n < 0 && errno == ECONNRESET);
}

std::string make_request(const std::string& method, const std::string& target,
                         const std::string& body, const std::string& extra_headers) {
  std::string r = method + " " + target + " HTTP/1.1\r\nHost: localhost\r\n" + extra_headers;
  if (!body.empty() || method == "PUT" || method == "POST")
    r +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  return r + "\r\n" + body;
}

std::optional<RawResponse> request_unix(const std::string& path, const std::string& raw) {
  const int fd = connect_unix(path);
  if (fd < 0) return std::nullopt;
  std::optional<RawResponse> r;
  if (send_all(fd, raw)) r = read_response(fd);
  ::close(fd);
  return r;
}

void ServerFixture::SetUp() {
  char tmpl[] = "/tmp/bessd-api-test-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  dir_ = tmpl;
  ::chmod(dir_.c_str(), 0755);  // the setuid child must reach the socket
  socket_path_ = dir_ + "/api.sock";
  options_.unix_path = socket_path_;
  options_.unix_mode = 0666;
  options_.unix_group = "";
  options_.tcp_enabled = true;
  options_.tcp_address = "127.0.0.1";
  options_.tcp_port = 0;
  options_.tokens = {{"default", Scope::control, kTestToken}};
  options_.max_connections = 8;
  options_.max_body_bytes = 4096;
  options_.read_timeout = std::chrono::milliseconds{300};
}

void ServerFixture::start_server() {
  server_.emplace(io_, router_, options_);
  const auto st = server_->start();
  ASSERT_TRUE(st.has_value()) << st.error().message;
  io_thread_ = std::thread([this] { io_.run(); });
}

void ServerFixture::stop_server() {
  if (!io_thread_.joinable()) return;
  boost::asio::post(io_, [this] {
    server_->stop();
    io_.stop();
  });
  io_thread_.join();
}

void ServerFixture::TearDown() {
  stop_server();
  server_.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

}  // namespace bessd::api::test
