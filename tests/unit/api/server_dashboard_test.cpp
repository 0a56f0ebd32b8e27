// The dashboard over loopback TCP (docs/api.md "Dashboard sessions"): static files without a
// token, login, the cookie standing for the token, the scope, the CSRF rule and logout.

#include <gmock/gmock.h>
#include <sys/socket.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include "server_test_support.hpp"

namespace bessd::api::test {
namespace {

using ::testing::HasSubstr;

constexpr const char* kReadSecret = "read-only-secret-0123456789";

class Dashboard : public ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    options_.tokens = {{"view", Scope::read, kReadSecret}, {"ops", Scope::control, kTestToken}};
    options_.dashboard_enabled = true;
    options_.dashboard_files = std::make_shared<const http::StaticFiles>(
        http::StaticFiles::from_contents({{"index.html", "<!doctype html>" + std::string(600, ' ')},
                                          {"lib/dygraph.min.js", "var Dygraph;"},
                                          {"lib/dygraph.min.css", ".dygraph{}"}}));
    start_server();
    port_ = on_io([this] { return server_->tcp_port(); });
  }

  std::optional<RawResponse> exchange(const std::string& raw) {
    const int fd = connect_tcp(port_);
    std::optional<RawResponse> r;
    if (send_all(fd, raw)) r = read_response(fd);
    ::close(fd);
    return r;
  }

  struct Login {
    std::string cookie;  // "bessd_session=<hex>"
    std::string csrf;
  };
  Login login(const std::string& secret) {
    const auto r =
        exchange(make_request("POST", "/v1/session", R"({"token":")" + secret + R"("})"));
    EXPECT_TRUE(r.has_value());
    if (!r) return {};
    EXPECT_EQ(r->status, 201u) << r->body;
    const auto at = r->head.find("set-cookie: ");
    EXPECT_NE(at, std::string::npos);
    if (at == std::string::npos) return {};
    const auto value = r->head.substr(at + 12, r->head.find(';', at) - at - 12);
    return {value, nlohmann::json::parse(r->body)["csrf_token"]};
  }

  static std::string cookie_header(const Login& l) { return "Cookie: a=1; " + l.cookie + "\r\n"; }

  std::uint16_t port_{0};
};

TEST_F(Dashboard, StaticFilesNeedNoToken) {
  auto r = exchange(make_request("GET", "/"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 302u);
  EXPECT_THAT(r->head, HasSubstr("location: /ui/"));
  r = exchange(make_request("GET", "/ui/", "", "Accept-Encoding: gzip\r\n"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200u);
  EXPECT_THAT(r->head, HasSubstr("content-encoding: gzip"));
  EXPECT_THAT(r->head, HasSubstr("cache-control: no-cache"));
  EXPECT_THAT(r->head, HasSubstr("x-frame-options: deny"));
  const auto etag_at = r->head.find("etag: ");
  ASSERT_NE(etag_at, std::string::npos);
  const auto etag = r->head.substr(etag_at + 6, r->head.find("\r\n", etag_at) - etag_at - 6);
  r = exchange(
      make_request("GET", "/ui/", "", "Accept-Encoding: gzip\r\nIf-None-Match: " + etag + "\r\n"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 304u);
  EXPECT_THAT(r->head, ::testing::Not(HasSubstr("content-length")));
  {
    // HEAD: the head of the GET, no body (read up to the blank line only).
    const int fd = connect_tcp(port_);
    ASSERT_TRUE(send_all(fd, make_request("HEAD", "/ui/lib/dygraph.min.js")));
    std::string head;
    char c = 0;
    while (head.find("\r\n\r\n") == std::string::npos && ::recv(fd, &c, 1, 0) == 1) head += c;
    ::close(fd);
    EXPECT_THAT(head, HasSubstr("HTTP/1.1 200 OK"));
    EXPECT_THAT(head, HasSubstr("Content-Type: text/javascript"));
    EXPECT_THAT(head, HasSubstr("Content-Length: 12"));
  }
  r = exchange(make_request("GET", "/ui/../../etc/passwd"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404u);
  // The API itself still needs a credential, and the Host check still applies to the files.
  EXPECT_EQ(exchange(make_request("GET", "/v1/status"))->status, 401u);
  r = exchange("GET /ui/ HTTP/1.1\r\nHost: evil.example\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 421u);
}

TEST_F(Dashboard, ControlSessionWritesWithTheCsrfToken) {
  const auto ops = login(kTestToken);
  ASSERT_FALSE(ops.cookie.empty());
  auto r = exchange(make_request("GET", "/v1/status", "", cookie_header(ops)));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200u) << r->body;
  r = exchange(make_request("GET", "/v1/session", "", cookie_header(ops)));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200u);
  EXPECT_EQ(nlohmann::json::parse(r->body)["name"], "ops");
  r = exchange(make_request("PUT", "/v1/mode", R"({"mode":"idle"})", cookie_header(ops)));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403u);
  EXPECT_THAT(r->body, HasSubstr("\"code\":\"csrf\""));
  EXPECT_THAT(r->body, HasSubstr("X-CSRF-Token"));
  const std::string proof = cookie_header(ops) + "X-CSRF-Token: " + ops.csrf + "\r\n";
  r = exchange(make_request("PUT", "/v1/mode", R"({"mode":"idle"})",
                            proof + "Origin: https://evil.example\r\n"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403u);
  EXPECT_THAT(r->body, HasSubstr("\"code\":\"csrf\""));
  EXPECT_EQ(on_io([this] { return facade_.mode_requests.size(); }), 0u);
  r = exchange(make_request("PUT", "/v1/mode", R"({"mode":"idle"})",
                            proof + "Origin: http://localhost\r\n"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200u) << r->body;
  const auto requests = on_io([this] { return facade_.mode_requests; });
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].second.credential, "ops");
  EXPECT_THAT(requests[0].second.describe(), HasSubstr("session of token ops via tcp 127.0.0.1:"));
  // A bearer token wins over the cookie and needs no CSRF proof.
  r = exchange(make_request("PUT", "/v1/mode", R"({"mode":"idle"})",
                            cookie_header(ops) + "Authorization: Bearer " + kReadSecret + "\r\n"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403u);
  EXPECT_THAT(r->body, HasSubstr("\"code\":\"forbidden\""));
}

TEST_F(Dashboard, ReadSessionMayNotWrite) {
  const auto view = login(kReadSecret);
  const auto r =
      exchange(make_request("PUT", "/v1/mode", R"({"mode":"idle"})",
                            cookie_header(view) + "X-CSRF-Token: " + view.csrf + "\r\n"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403u);
  EXPECT_THAT(r->body, HasSubstr("\"code\":\"forbidden\""));
  EXPECT_THAT(r->body, HasSubstr("session of token view"));
}

TEST_F(Dashboard, CrossOriginLoginIsRefused) {
  const auto r = exchange(make_request("POST", "/v1/session",
                                       std::string(R"({"token":")") + kTestToken + R"("})",
                                       "Origin: http://evil.example\r\n"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403u);
  EXPECT_THAT(r->body, HasSubstr("\"code\":\"csrf\""));
  EXPECT_THAT(r->head, ::testing::Not(HasSubstr("set-cookie")));
}

TEST_F(Dashboard, LogoutEndsTheSession) {
  const auto ops = login(kTestToken);
  auto r = exchange(make_request("DELETE", "/v1/session", "",
                                 cookie_header(ops) + "X-CSRF-Token: " + ops.csrf + "\r\n"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204u);
  EXPECT_THAT(r->head, HasSubstr("set-cookie: bessd_session=; path=/; max-age=0"));
  r = exchange(make_request("GET", "/v1/status", "", cookie_header(ops)));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401u);
  EXPECT_EQ(exchange(make_request("GET", "/v1/session", "", cookie_header(ops)))->status, 401u);
}

TEST_F(Dashboard, BadLoginsAreThrottledLikeBadTokens) {
  for (int i = 0; i < 10; ++i) {
    const auto r = exchange(make_request("POST", "/v1/session", R"({"token":"wrong-secret-0"})"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401u);
  }
  const auto r = exchange(make_request("GET", "/ui/"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 429u);
}

TEST_F(Dashboard, OffMeans404AsBefore) {
  http::ServerOptions off = options_;
  off.dashboard_enabled = false;
  on_io([&] {
    server_->update_options(off, std::nullopt, std::nullopt);
    return 0;
  });
  EXPECT_EQ(exchange(make_request("GET", "/ui/", "",
                                  "Authorization: Bearer " + std::string(kTestToken) + "\r\n"))
                ->status,
            404u);
  const auto r = exchange(
      make_request("POST", "/v1/session", std::string(R"({"token":")") + kTestToken + R"("})",
                   "Authorization: Bearer " + std::string(kTestToken) + "\r\n"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404u);
  EXPECT_THAT(r->body, HasSubstr("api.dashboard.enabled"));
}

}  // namespace
}  // namespace bessd::api::test
