// Request smuggling and DNS rebinding (issue 17): strict Transfer-Encoding on both transports,
// the Host allow-list on TCP.

#include <gmock/gmock.h>
#include <unistd.h>

#include <bessd/api/http/exchange.hpp>
#include <bessd/api/http/host_allow_list.hpp>

#include "server_test_support.hpp"

namespace bessd::api::test {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;
namespace bhttp = boost::beast::http;

TEST(HostAllowList, ListenAddressLocalhostAndExtras) {
  const http::HostAllowList list("127.0.0.1", 8470, {"bess.lan", "proxy.example:443", "[::1]"});
  EXPECT_TRUE(list.allows("127.0.0.1:8470"));
  EXPECT_TRUE(list.allows("127.0.0.1"));
  EXPECT_TRUE(list.allows("LOCALHOST:8470"));
  EXPECT_TRUE(list.allows("localhost"));
  EXPECT_FALSE(list.allows("localhost:8471"));
  EXPECT_FALSE(list.allows("attacker.example:8470"));  // a rebound name
  EXPECT_FALSE(list.allows(""));
  EXPECT_FALSE(list.allows("127.0.0.1:x"));
  EXPECT_TRUE(list.allows("bess.lan:9999"));  // an entry without a port takes any
  EXPECT_TRUE(list.allows("proxy.example:443"));
  EXPECT_FALSE(list.allows("proxy.example:80"));
  EXPECT_TRUE(list.allows("[::1]:8470"));
  EXPECT_FALSE(list.allows("[::1"));
}

TEST(Framing, OnlyASingleChunkedTransferEncodingWithoutContentLength) {
  const auto with = [](std::vector<std::pair<bhttp::field, std::string>> headers) {
    http::HttpRequest req{bhttp::verb::put, "/v1/mode", 11};
    for (auto& [f, v] : headers) req.insert(f, v);
    return http::check_framing(req);
  };
  EXPECT_FALSE(with({}).has_value());
  EXPECT_FALSE(with({{bhttp::field::content_length, "3"}}).has_value());
  EXPECT_FALSE(with({{bhttp::field::transfer_encoding, "chunked"}}).has_value());
  EXPECT_FALSE(with({{bhttp::field::transfer_encoding, " Chunked "}}).has_value());
  for (const char* te : {"xchunked", "chunked, identity", "identity", "gzip, chunked", ""}) {
    const auto r = with({{bhttp::field::transfer_encoding, te}});
    ASSERT_TRUE(r.has_value()) << te;
    EXPECT_EQ(r->status, 400u);
    EXPECT_THAT(r->body, HasSubstr("Transfer-Encoding")) << te;
  }
  auto r = with(
      {{bhttp::field::transfer_encoding, "chunked"}, {bhttp::field::transfer_encoding, "chunked"}});
  ASSERT_TRUE(r.has_value());
  EXPECT_THAT(r->body, HasSubstr("2 times"));
  r = with({{bhttp::field::transfer_encoding, "chunked"}, {bhttp::field::content_length, "5"}});
  ASSERT_TRUE(r.has_value());
  EXPECT_THAT(r->body, HasSubstr("both given"));
  // RFC 9112, 3.2: two Host fields are a 400, not "the first one wins".
  r = with({{bhttp::field::host, "localhost"}, {bhttp::field::host, "evil.example"}});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 400u);
  EXPECT_THAT(r->body, HasSubstr("Host is given 2 times"));
}

// Red team 36b F4: RFC 9112, 6.1: Transfer-Encoding in HTTP/1.0 is faulty framing.
TEST(Framing, TransferEncodingInHttp10IsRefused) {
  http::HttpRequest req{bhttp::verb::put, "/v1/mode", 10};
  req.insert(bhttp::field::transfer_encoding, "chunked");
  const auto r = http::check_framing(req);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 400u);
  EXPECT_THAT(r->body, HasSubstr("HTTP/1.0"));
}

// Red team 36b F7: two credentials are refused like two Hosts; bessd is no proxy, so only
// origin-form targets are served (CONNECT gets 405, an absolute URI 400).
TEST(Framing, TwoAuthorizationFieldsAndNonOriginTargetsAreRefused) {
  http::HttpRequest req{bhttp::verb::get, "/v1/status", 11};
  req.insert(bhttp::field::authorization, "Bearer a");
  req.insert(bhttp::field::authorization, "Bearer b");
  auto r = http::check_framing(req);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 400u);
  EXPECT_THAT(r->body, HasSubstr("Authorization is given 2 times"));

  http::HttpRequest connect{bhttp::verb::connect, "127.0.0.1:22", 11};
  r = http::check_framing(connect);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 405u);
  EXPECT_THAT(r->body, HasSubstr("not a proxy"));

  http::HttpRequest absolute{bhttp::verb::get, "http://evil.example/v1/status", 11};
  r = http::check_framing(absolute);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 400u);
  EXPECT_THAT(r->body, HasSubstr("must be a path"));

  EXPECT_FALSE(http::check_framing(http::HttpRequest{bhttp::verb::get, "/v1/status", 11}));
}

using Smuggling = ServerFixture;

// The issue's finding: "xchunked" was read as no body, so the body was parsed as a second
// request. Now: 400, and the connection closes (nothing after it is read as a request).
TEST_F(Smuggling, OddTransferEncodingsAre400AndClose) {
  start_server();
  const std::string smuggled = "GET /v1/status HTTP/1.1\r\nHost: localhost\r\n\r\n";
  for (const std::string te : {"xchunked", "chunked, identity"}) {
    const int fd = connect_unix(socket_path_);
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(send_all(fd,
                         "POST /v1/faults/ack HTTP/1.1\r\nHost: localhost\r\n"
                         "Transfer-Encoding: " +
                             te + "\r\n\r\n" + smuggled));
    const auto r = read_response(fd);
    ASSERT_TRUE(r.has_value()) << te;
    EXPECT_EQ(r->status, 400u) << te;
    EXPECT_THAT(r->body, HasSubstr("Transfer-Encoding")) << te;
    EXPECT_TRUE(closed_without_data(fd, 4s)) << te << ": a second response was sent";
    ::close(fd);
  }
  // Content-Length and chunked together.
  const int fd = connect_unix(socket_path_);
  ASSERT_TRUE(send_all(fd,
                       "POST /v1/faults/ack HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n"
                       "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" +
                           smuggled));
  const auto r = read_response(fd);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 400u);
  EXPECT_TRUE(closed_without_data(fd, 4s));
  ::close(fd);
  EXPECT_TRUE(on_io([this] { return facade_.ack_requests.empty(); }));
}

// A method bessd has no name for is named as sent in the 405, not "OTHER".
TEST_F(Smuggling, AnUnknownMethodIsNamedAsSent) {
  start_server();
  const auto r = request_unix(socket_path_, "TRACE /v1/status HTTP/1.1\r\nHost: localhost\r\n\r\n");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 405u);
  EXPECT_THAT(r->body, HasSubstr("TRACE is not allowed on /v1/status"));
}

TEST_F(Smuggling, AChunkedBodyStillWorks) {
  start_server();
  const std::string body = R"({"mode":"idle"})";
  char size[8];
  std::snprintf(size, sizeof size, "%zx", body.size());
  const auto r = request_unix(socket_path_,
                              "PUT /v1/mode HTTP/1.1\r\nHost: localhost\r\n"
                              "Content-Type: application/json\r\n"
                              "Transfer-Encoding: chunked\r\n\r\n" +
                                  std::string(size) + "\r\n" + body + "\r\n0\r\n\r\n");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200u) << r->body;
}

TEST_F(Smuggling, TcpChecksTheHostHeader) {
  options_.tcp_allowed_hosts = {"bess.lan"};
  start_server();
  const auto port = on_io([this] { return server_->tcp_port(); });
  const auto with_host = [&](const std::string& host) {
    const int fd = connect_tcp(port);
    std::optional<RawResponse> r;
    if (send_all(fd, "GET /v1/status HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer " +
                         kTestToken + "\r\n\r\n"))
      r = read_response(fd);
    ::close(fd);
    return r ? r->status : 0u;
  };
  const std::string p = std::to_string(port);
  EXPECT_EQ(with_host("127.0.0.1:" + p), 200u);
  EXPECT_EQ(with_host("localhost:" + p), 200u);
  EXPECT_EQ(with_host("bess.lan:" + p), 200u);
  EXPECT_EQ(with_host("rebound.attacker.example:" + p), 421u);
  EXPECT_EQ(with_host("127.0.0.2:" + p), 421u);
  // The Unix socket has no Host to check (curl --unix-socket sends "localhost").
  const auto r = request_unix(socket_path_, "GET /v1/status HTTP/1.1\r\nHost: anything\r\n\r\n");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200u);
}

}  // namespace
}  // namespace bessd::api::test
