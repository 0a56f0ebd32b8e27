// The socket-free steps of a server session (exchange.hpp); server_test.cpp covers them again
// through real connections.

#include <bessd/api/http/exchange.hpp>

#include <sstream>
#include <string>
#include <string_view>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/write.hpp>

namespace bessd::api::http {
namespace {

namespace bhttp = boost::beast::http;
using ::testing::HasSubstr;

// Feeds `bytes` to a fresh parser with `limits`; returns the parser's error (or none).
boost::system::error_code parse(RequestParser& parser, std::string_view bytes,
                                const ParseLimits& limits) {
  apply_limits(parser, limits);
  boost::system::error_code ec;
  std::size_t used = 0;
  while (!ec && !parser.is_done() && used < bytes.size())
    used += parser.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), ec);
  return ec;
}

TEST(Exchange, LimitsAreTheServersHeaderAndBodyLimits) {
  const ParseLimits limits{256, 1024};
  {
    RequestParser parser;
    const std::string req =
        "GET /v1/status HTTP/1.1\r\nX-Pad: " + std::string(300, 'a') + "\r\n\r\n";
    EXPECT_EQ(parse(parser, req, limits), bhttp::error::header_limit);
  }
  {
    RequestParser parser;
    EXPECT_EQ(parse(parser, "PUT /v1/mode HTTP/1.1\r\nContent-Length: 1025\r\n\r\n", limits),
              bhttp::error::body_limit);
  }
  {
    RequestParser parser;
    EXPECT_FALSE(parse(parser, "PUT /v1/mode HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}", limits));
    EXPECT_TRUE(parser.is_done());
  }
}

TEST(Exchange, ContinueOnlyWhileTheBodyIsStillToCome) {
  const std::string header =
      "PUT /v1/mode HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n";
  RequestParser waiting;
  apply_limits(waiting, {});
  boost::system::error_code ec;
  waiting.put(boost::asio::buffer(header), ec);
  ASSERT_FALSE(ec);
  EXPECT_TRUE(wants_continue(waiting));

  RequestParser complete;
  EXPECT_FALSE(parse(complete, header + "{}", {}));
  EXPECT_FALSE(wants_continue(complete));
}

TEST(Exchange, ReadErrorsAreAnsweredWithTheirStatus) {
  const ParseLimits limits{8192, 65536};
  const Response body = read_error_response(bhttp::error::body_limit, limits);
  EXPECT_EQ(body.status, 413U);
  EXPECT_THAT(body.body, HasSubstr("65536 bytes"));
  const Response header = read_error_response(bhttp::error::header_limit, limits);
  EXPECT_EQ(header.status, 431U);
  EXPECT_THAT(header.body, HasSubstr("8192 bytes"));
  const Response bad = read_error_response(bhttp::error::bad_method, limits);
  EXPECT_EQ(bad.status, 400U);
  EXPECT_THAT(bad.body, HasSubstr("malformed HTTP request"));
  EXPECT_TRUE(is_disconnect(bhttp::error::end_of_stream));
  EXPECT_TRUE(is_disconnect(boost::asio::error::connection_reset));
  EXPECT_FALSE(is_disconnect(bhttp::error::partial_message));
}

TEST(Exchange, BearerTokenIsCheckedOverTcp) {
  const std::vector<Credential> tokens{{"grafana", Scope::read, "0123456789abcdef0123456789abcdef"},
                                       {"ops", Scope::control, "Zm9vYmFyYmF6cXV4LXF1dXgtMTIz"}};
  HttpRequest req{bhttp::verb::get, "/v1/status", 11};
  const auto missing = check_bearer(req, tokens);
  ASSERT_TRUE(missing.denied.has_value());
  EXPECT_FALSE(missing.presented);
  EXPECT_EQ(missing.denied->status, 401U);
  EXPECT_THAT(missing.denied->body, HasSubstr("Authorization: Bearer"));
  req.set(bhttp::field::authorization, "Bearer 0123456789abcdef0123456789abcdeX");
  const auto wrong = check_bearer(req, tokens);
  ASSERT_TRUE(wrong.denied.has_value());
  EXPECT_TRUE(wrong.presented);
  EXPECT_THAT(wrong.denied->body, HasSubstr("invalid bearer token"));
  req.set(bhttp::field::authorization, "bearer 0123456789abcdef0123456789abcdef");
  auto ok = check_bearer(req, tokens);
  EXPECT_FALSE(ok.denied.has_value());
  ASSERT_NE(ok.credential, nullptr);
  EXPECT_EQ(ok.credential->name, "grafana");
  EXPECT_EQ(ok.credential->scope, Scope::read);
  req.set(bhttp::field::authorization, "Bearer Zm9vYmFyYmF6cXV4LXF1dXgtMTIz");
  ok = check_bearer(req, tokens);
  ASSERT_NE(ok.credential, nullptr);
  EXPECT_EQ(ok.credential->name, "ops");
  EXPECT_EQ(ok.credential->scope, Scope::control);
}

TEST(Exchange, ParsedRequestBecomesTheRoutersRequest) {
  HttpRequest req{bhttp::verb::put, "/v1/mode?x=1", 11};
  req.set(bhttp::field::content_type, "application/json");
  req.body() = R"({"mode":"idle"})";
  Requester who;
  who.scope = Scope::control;
  const Request r = to_request(req, who);
  EXPECT_EQ(r.method, Method::put);
  EXPECT_EQ(r.target, "/v1/mode?x=1");
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, R"({"mode":"idle"})");
  EXPECT_TRUE(r.requester.may_write());
}

/// What a client reads from the bytes to_wire() gives (the body only when `with_body`).
HttpResponse read_back(const Response& r, unsigned version, bool keep_alive, Method answered,
                       bool with_body = true) {
  std::string head;
  std::string body;
  to_wire(r, version, keep_alive, answered, head, body);
  bhttp::response_parser<bhttp::string_body> parser;
  parser.skip(!with_body);
  boost::system::error_code ec;
  const std::string wire = head + body;
  parser.eager(true);
  std::size_t used = 0;
  while (!ec && !parser.is_done() && used < wire.size())
    used += parser.put(boost::asio::buffer(wire.data() + used, wire.size() - used), ec);
  EXPECT_FALSE(ec) << ec.message() << "\n" << wire;
  EXPECT_TRUE(parser.is_done()) << wire;
  EXPECT_EQ(used, wire.size()) << "bytes left over for the next response:\n" << wire;
  return parser.release();
}

TEST(Exchange, ResponseMessageCarriesHeadersLengthAndKeepAlive) {
  Response r;
  r.status = 405;
  r.body = R"({"error":{}})";
  r.headers.emplace_back("Allow", "GET");
  const HttpResponse res = read_back(r, 11, false, Method::get);
  EXPECT_EQ(res.result_int(), 405U);
  EXPECT_EQ(res[bhttp::field::allow], "GET");
  EXPECT_EQ(res[bhttp::field::server], "bessd");
  EXPECT_EQ(res[bhttp::field::cache_control], "no-store");
  EXPECT_EQ(res[bhttp::field::content_type], "application/json");
  EXPECT_EQ(res[bhttp::field::content_length], std::to_string(r.body.size()));
  EXPECT_EQ(res.body(), r.body);
  EXPECT_FALSE(res.keep_alive());
  EXPECT_TRUE(read_back(r, 11, true, Method::get).keep_alive());
}

// A client reads the response to HEAD up to the blank line: a body would be taken for the next
// response on the connection (fuzz_http's read-back of pipelined responses reports it).
TEST(Exchange, ResponseToHeadHasTheLengthButNoBody) {
  Response r;
  r.status = 405;
  r.body = R"({"error":{"code":"method_not_allowed"}})";
  std::string head;
  std::string body = "left from the previous response";
  to_wire(r, 11, true, Method::head, head, body);
  EXPECT_TRUE(body.empty());
  EXPECT_TRUE(head.ends_with("\r\n\r\n")) << head;
  EXPECT_EQ(read_back(r, 11, true, Method::head, false)[bhttp::field::content_length],
            std::to_string(r.body.size()));
  EXPECT_EQ(read_back(r, 11, true, Method::other).body(), r.body);
}

}  // namespace
}  // namespace bessd::api::http
