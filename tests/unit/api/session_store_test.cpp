// Dashboard sessions without sockets: the store, cookie parsing, the CSRF rule and the
// /v1/session exchange (docs/api.md "Dashboard sessions").

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <bessd/api/http/session_store.hpp>

namespace bessd::api::http {
namespace {

using namespace std::chrono_literals;

// Deterministic "random" bytes (splitmix64), different at every call.
SessionStore::RandomFill counting_random() {
  auto state = std::make_shared<std::uint64_t>(0);
  return [state](std::span<unsigned char> out) {
    for (auto& b : out) {
      std::uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      b = static_cast<unsigned char>(z ^ (z >> 31));
    }
  };
}

const WallTime kT0{std::chrono::seconds{1'795'000'000}};
const std::vector<Credential> kTokens{{"ops", Scope::control, "0123456789abcdef0123456789abcdef"},
                                      {"view", Scope::read, "fedcba9876543210fedcba9876543210"}};

bool is_hex64(const std::string& s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

TEST(SessionStore, OpensAndFindsASession) {
  SessionStore store(counting_random());
  const auto opened = store.open(kTokens[0], kT0, 300s);
  EXPECT_TRUE(is_hex64(opened.cookie));
  EXPECT_TRUE(is_hex64(opened.info.csrf_token));
  EXPECT_NE(opened.cookie, opened.info.csrf_token);
  EXPECT_EQ(opened.info.expires_at, kT0 + 300s);
  const auto found = store.find(opened.cookie, kT0 + 10s, kTokens);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->name, "ops");
  EXPECT_EQ(found->scope, Scope::control);
  EXPECT_EQ(found->csrf_token, opened.info.csrf_token);
}

TEST(SessionStore, NearMissesDoNotMatch) {
  SessionStore store(counting_random());
  const auto opened = store.open(kTokens[0], kT0, 300s);
  std::string wrong = opened.cookie;
  wrong.back() = wrong.back() == 'a' ? 'b' : 'a';
  EXPECT_FALSE(store.find(wrong, kT0, kTokens));
  EXPECT_FALSE(store.find(opened.cookie.substr(0, 63), kT0, kTokens));
  EXPECT_FALSE(store.find(opened.cookie + "0", kT0, kTokens));
  EXPECT_FALSE(store.find("", kT0, kTokens));
  EXPECT_TRUE(store.find(opened.cookie, kT0, kTokens));  // the misses ended nothing
}

TEST(SessionStore, ExpiresAtItsAbsoluteLifetime) {
  SessionStore store(counting_random());
  const auto opened = store.open(kTokens[1], kT0, 300s);
  EXPECT_TRUE(store.find(opened.cookie, kT0 + 299s, kTokens));
  EXPECT_FALSE(store.find(opened.cookie, kT0 + 300s, kTokens));
  EXPECT_EQ(store.size(), 0u);
  EXPECT_FALSE(store.find(opened.cookie, kT0, kTokens));  // gone for good
}

// A read token's holder logging in again and again ends only that token's own sessions: never
// the owner's control session.
TEST(SessionStore, KeepsAtMostEightPerTokenAndDropsThatTokensOldest) {
  SessionStore store(counting_random());
  const auto control = store.open(kTokens[0], kT0, 3600s);
  std::vector<std::string> reads;
  for (int i = 0; i < 100; ++i) reads.push_back(store.open(kTokens[1], kT0 + 1s * i, 3600s).cookie);
  EXPECT_EQ(store.size(), 1 + SessionStore::kMaxSessionsPerToken);
  EXPECT_TRUE(store.find(control.cookie, kT0 + 200s, kTokens));
  for (std::size_t i = 0; i < reads.size(); ++i)
    EXPECT_EQ(store.find(reads[i], kT0 + 200s, kTokens).has_value(),
              i >= reads.size() - SessionStore::kMaxSessionsPerToken)
        << i;
}

TEST(SessionStore, KeepsAtMost64InAllAndDropsTheOldest) {
  SessionStore store(counting_random());
  std::vector<Credential> many;
  for (int t = 0; t < 10; ++t)
    many.push_back({"t" + std::to_string(t), Scope::read,
                    "0123456789abcdef0123456789abcd" + std::to_string(10 + t)});
  std::vector<std::string> cookies;
  for (int i = 0; i < 65; ++i)
    cookies.push_back(
        store.open(many[static_cast<std::size_t>(i % 10)], kT0 + 1s * i, 3600s).cookie);
  EXPECT_EQ(store.size(), SessionStore::kMaxSessions);
  EXPECT_FALSE(store.find(cookies.front(), kT0 + 70s, many));
  for (std::size_t i = 1; i < cookies.size(); ++i)
    EXPECT_TRUE(store.find(cookies[i], kT0 + 70s, many)) << i;
}

TEST(SessionStore, EndsWhenAReloadRemovesOrChangesItsToken) {
  SessionStore store(counting_random());
  const auto a = store.open(kTokens[0], kT0, 3600s);
  const auto b = store.open(kTokens[0], kT0, 3600s);
  const auto c = store.open(kTokens[1], kT0, 3600s);
  auto changed_secret = kTokens;
  changed_secret[0].secret = "abcdefabcdefabcdefabcdefabcdef01";
  EXPECT_FALSE(store.find(a.cookie, kT0, changed_secret));
  auto changed_scope = kTokens;
  changed_scope[0].scope = Scope::read;
  EXPECT_FALSE(store.find(b.cookie, kT0, changed_scope));
  EXPECT_FALSE(store.find(c.cookie, kT0, {kTokens[0]}));  // "view" removed
  EXPECT_EQ(store.size(), 0u);
}

TEST(SessionStore, CloseEndsOnlyThatSession) {
  SessionStore store(counting_random());
  const auto a = store.open(kTokens[0], kT0, 3600s);
  const auto b = store.open(kTokens[0], kT0, 3600s);
  EXPECT_TRUE(store.close(a.cookie));
  EXPECT_FALSE(store.close(a.cookie));
  EXPECT_FALSE(store.find(a.cookie, kT0, kTokens));
  EXPECT_TRUE(store.find(b.cookie, kT0, kTokens));
}

TEST(SessionStore, SystemRandomFillsEveryByte) {
  std::array<unsigned char, 64> a{};
  std::array<unsigned char, 64> b{};
  system_random(a);
  system_random(b);
  EXPECT_NE(a, b);
}

TEST(SessionCookie, IsFoundAmongOthersAndSpaces) {
  EXPECT_EQ(cookie_value("bessd_session=abc", kSessionCookie), "abc");
  EXPECT_EQ(cookie_value("a=1; bessd_session=abc", kSessionCookie), "abc");
  EXPECT_EQ(cookie_value("a=1;bessd_session=abc;b=2", kSessionCookie), "abc");
  EXPECT_EQ(cookie_value("  a=1 ;  bessd_session = abc ; b=2", kSessionCookie), "abc");
  EXPECT_EQ(cookie_value("bessd_session=\"abc\"", kSessionCookie), "abc");
  EXPECT_EQ(cookie_value("xbessd_session=abc; bessd_sessionx=d", kSessionCookie), std::nullopt);
  EXPECT_EQ(cookie_value("", kSessionCookie), std::nullopt);
  EXPECT_EQ(cookie_value("bessd_session", kSessionCookie), std::nullopt);
  EXPECT_EQ(cookie_value("bessd_session=", kSessionCookie), "");
}

TEST(SessionCsrf, OriginMustNameTheHost) {
  EXPECT_TRUE(origin_matches_host("http://localhost:8470", "localhost:8470"));
  EXPECT_TRUE(origin_matches_host("https://bess.lan", "bess.lan"));
  EXPECT_TRUE(origin_matches_host("HTTPS://Bess.LAN", "bess.lan"));
  EXPECT_FALSE(origin_matches_host("https://evil.example", "bess.lan"));
  EXPECT_FALSE(origin_matches_host("https://bess.lan.evil.example", "bess.lan"));
  EXPECT_FALSE(origin_matches_host("http://localhost:8471", "localhost:8470"));
  EXPECT_FALSE(origin_matches_host("null", "localhost"));
  EXPECT_FALSE(origin_matches_host("ftp://localhost", "localhost"));
  EXPECT_FALSE(origin_matches_host("http://", ""));
}

TEST(SessionCsrf, Decisions) {
  const std::string csrf(64, 'a');
  const auto code = [](const std::optional<Response>& r) {
    return r ? nlohmann::json::parse(r->body)["error"]["code"].get<std::string>() : "";
  };
  EXPECT_FALSE(check_csrf({std::nullopt, "localhost", csrf}, csrf, "PUT /v1/mode"));
  EXPECT_FALSE(check_csrf({"http://localhost", "localhost", csrf}, csrf, "PUT /v1/mode"));
  const auto missing = check_csrf({std::nullopt, "localhost", std::nullopt}, csrf, "PUT /v1/mode");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 403u);
  EXPECT_EQ(code(missing), "csrf");
  EXPECT_NE(missing->body.find("needs the X-CSRF-Token header"), std::string::npos);
  const auto wrong =
      check_csrf({std::nullopt, "localhost", std::string(64, 'b')}, csrf, "PUT /v1/mode");
  ASSERT_TRUE(wrong);
  EXPECT_NE(wrong->body.find("not this session's csrf_token"), std::string::npos);
  EXPECT_TRUE(check_csrf({std::nullopt, "localhost", csrf.substr(1)}, csrf, "PUT /v1/mode"));
  const auto cross = check_csrf({"https://evil.example", "localhost", csrf}, csrf, "PUT /v1/mode");
  ASSERT_TRUE(cross);
  EXPECT_EQ(code(cross), "csrf");
  EXPECT_NE(cross->body.find("Origin"), std::string::npos);
}

struct SessionExchange : ::testing::Test {
  SessionStore store{counting_random()};
  SessionSettings settings{std::chrono::seconds{3600}, false};

  SessionOutcome call(Method m, std::string body = "", std::string cookies = "",
                      std::optional<std::string_view> origin = std::nullopt,
                      std::optional<std::string_view> csrf = std::nullopt,
                      std::string content_type = "application/json") {
    body_ = std::move(body);
    cookies_ = std::move(cookies);
    type_ = std::move(content_type);
    return handle_session_request({m, "localhost:8470", origin, type_, body_, cookies_, csrf},
                                  store, kTokens, settings, kT0);
  }
  static std::string header(const Response& r, std::string_view name) {
    for (const auto& [n, v] : r.headers)
      if (n == name) return v;
    return "";
  }
  std::string body_, cookies_, type_;
};

TEST_F(SessionExchange, LoginSetsTheCookieAndAnswersTheSession) {
  const auto out = call(Method::post, R"({"token":"0123456789abcdef0123456789abcdef"})");
  ASSERT_EQ(out.response.status, 201u) << out.response.body;
  EXPECT_TRUE(out.authenticated);
  EXPECT_FALSE(out.failed_auth);
  const auto j = nlohmann::json::parse(out.response.body);
  EXPECT_EQ(j["name"], "ops");
  EXPECT_EQ(j["scope"], "control");
  EXPECT_TRUE(is_hex64(j["csrf_token"]));
  EXPECT_EQ(j["expires_at"], "2026-11-18T12:06:40.000Z");
  const std::string cookie = header(out.response, "Set-Cookie");
  ASSERT_EQ(cookie.rfind("bessd_session=", 0), 0u) << cookie;
  EXPECT_TRUE(is_hex64(cookie.substr(14, 64)));
  EXPECT_EQ(cookie.substr(78), "; Path=/; HttpOnly; SameSite=Strict; Max-Age=3600");
  EXPECT_EQ(header(out.response, "X-Frame-Options"), "DENY");
  EXPECT_NE(header(out.response, "Content-Security-Policy").find("frame-ancestors 'none'"),
            std::string::npos);
  settings.secure_cookie = true;
  const auto secure = call(Method::post, R"({"token":"fedcba9876543210fedcba9876543210"})");
  EXPECT_TRUE(header(secure.response, "Set-Cookie").ends_with("; Max-Age=3600; Secure"));
}

TEST_F(SessionExchange, LoginRefusals) {
  auto out = call(Method::post, R"({"token":"0123456789abcdef0123456789abcdeX"})");
  EXPECT_EQ(out.response.status, 401u);
  EXPECT_EQ(out.failed_auth, "invalid token");
  out = call(Method::post, R"({})");
  EXPECT_EQ(out.response.status, 401u);
  EXPECT_EQ(out.failed_auth, "no token");
  out = call(Method::post, R"({"token":"0123456789abcdef0123456789abcdef"})", "", std::nullopt,
             std::nullopt, "text/plain");
  EXPECT_EQ(out.response.status, 415u);
  EXPECT_FALSE(out.failed_auth);
  out = call(Method::post, R"({"token":"0123456789abcdef0123456789abcdef"})", "", std::nullopt,
             std::nullopt, "");
  EXPECT_EQ(out.response.status, 415u);
  out = call(Method::post, R"({"token":"0123456789abcdef0123456789abcdef"})", "",
             "https://evil.example");
  EXPECT_EQ(out.response.status, 403u);
  EXPECT_NE(out.response.body.find("\"csrf\""), std::string::npos);
  EXPECT_EQ(store.size(), 0u);
  out = call(Method::post, "{nope");
  EXPECT_EQ(out.response.status, 400u);
  out = call(Method::post, R"({"token":"0123456789abcdef0123456789abcdef","x":1})");
  EXPECT_EQ(out.response.status, 400u);
  EXPECT_EQ(store.size(), 0u);
}

TEST_F(SessionExchange, GetAndDelete) {
  auto login = call(Method::post, R"({"token":"fedcba9876543210fedcba9876543210"})");
  const std::string set = header(login.response, "Set-Cookie");
  const std::string jar = "theme=dark; " + set.substr(0, set.find(';'));
  const std::string csrf = nlohmann::json::parse(login.response.body)["csrf_token"];
  auto out = call(Method::get, "", jar);
  ASSERT_EQ(out.response.status, 200u);
  EXPECT_EQ(nlohmann::json::parse(out.response.body)["scope"], "read");
  EXPECT_EQ(nlohmann::json::parse(out.response.body)["csrf_token"], csrf);
  out = call(Method::get);
  EXPECT_EQ(out.response.status, 401u);
  EXPECT_FALSE(out.failed_auth);  // no cookie: a probe, not a guess
  out = call(Method::get, "", "bessd_session=" + std::string(64, '0'));
  EXPECT_EQ(out.response.status, 401u);
  EXPECT_EQ(out.failed_auth, "invalid session");
  // Logging out is a write: the CSRF rule applies.
  out = call(Method::delete_, "", jar);
  EXPECT_EQ(out.response.status, 403u);
  EXPECT_EQ(store.size(), 1u);
  out = call(Method::delete_, "", jar, std::nullopt, csrf);
  EXPECT_EQ(out.response.status, 204u);
  EXPECT_EQ(header(out.response, "Set-Cookie"),
            "bessd_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
  EXPECT_EQ(store.size(), 0u);
  EXPECT_EQ(call(Method::get, "", jar).response.status, 401u);
  EXPECT_EQ(call(Method::delete_, "", jar).response.status, 204u);  // nothing left to end
}

}  // namespace
}  // namespace bessd::api::http
