#include <bessd/api/http/session_store.hpp>

#include <algorithm>
#include <cerrno>
#include <system_error>

#include <sys/random.h>

#include <bessd/api/error_response.hpp>
#include <bessd/api/http/header_text.hpp>
#include <bessd/api/http/http_server.hpp>
#include <bessd/api/http/static_files.hpp>
#include <bessd/api/json.hpp>

namespace bessd::api::http {

namespace {

char ascii_lower(char c) {
  return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
}

bool same_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

std::string quote_short(std::string_view s) {
  return "\"" + std::string(s.substr(0, 128)) + "\"";
}

Response csrf_refusal(const std::string& message) {
  return error_response(403, error_code::kCsrf, message);
}

std::optional<Response> check_origin(const std::optional<std::string_view>& origin,
                                     std::string_view host, std::string_view what) {
  if (!origin || origin_matches_host(*origin, host)) return std::nullopt;
  return csrf_refusal(std::string(what) + ": Origin " + quote_short(*origin) +
                      " is not this server (Host " + quote_short(host) +
                      "); requests from another site's page are refused");
}

std::string cookie_header(std::string_view value, const SessionSettings& s,
                          std::chrono::seconds max_age) {
  std::string out =
      std::string(kSessionCookie) + "=" + std::string(value) +
      "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age.count());
  if (s.secure_cookie) out += "; Secure";
  return out;
}

std::string clearing_cookie(const SessionSettings& s) {
  std::string out = std::string(kSessionCookie) + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict";
  if (s.secure_cookie) out += "; Secure";
  return out;
}

Response session_body(const SessionInfo& info, unsigned status) {
  Response r;
  r.status = status;
  r.body = Json{{"name", info.name},
                {"scope", std::string(to_string(info.scope))},
                {"csrf_token", info.csrf_token},
                {"expires_at", format_time(info.expires_at)}}
               .dump();
  return r;
}

bool is_json_type(std::string_view ct) {
  return same_ignoring_case(trim_ows(ct.substr(0, ct.find(';'))), "application/json");
}

SessionOutcome login(const SessionRequest& req, SessionStore& store,
                     const std::vector<Credential>& tokens, const SessionSettings& settings,
                     WallTime now) {
  SessionOutcome out;
  if (!is_json_type(req.content_type)) {
    out.response = error_response(
        415, error_code::kUnsupportedMediaType,
        "POST /v1/session needs Content-Type: application/json with {\"token\": \"<secret>\"}, "
        "got " +
            (req.content_type.empty() ? std::string("none") : quote_short(req.content_type)));
    return out;
  }
  const Json body = Json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    out.response = error_response(400, error_code::kMalformedJson,
                                  "POST /v1/session needs a JSON object {\"token\": \"<secret>\"}");
    return out;
  }
  for (const auto& item : body.items())
    if (item.key() != "token") {
      out.response = error_response(
          400, error_code::kInvalidBody,
          "POST /v1/session: unknown key " + quote_short(item.key()) + " (only \"token\" is taken)",
          {{"/" + item.key().substr(0, 64), "unknown key"}});
      return out;
    }
  const Credential* token = nullptr;
  if (body.contains("token") && body["token"].is_string())
    token = match_token(tokens, body["token"].get_ref<const std::string&>());
  if (token == nullptr) {
    const bool presented = body.contains("token");
    out.failed_auth = presented ? "invalid token" : "no token";
    out.response = error_response(
        401, error_code::kUnauthorized,
        presented ? "invalid token"
                  : "POST /v1/session needs {\"token\": \"<secret>\"}: a token of the token file");
    return out;
  }
  const auto opened = store.open(*token, now, settings.lifetime);
  out.authenticated = true;
  out.response = session_body(opened.info, 201);
  out.response.headers.emplace_back("Set-Cookie",
                                    cookie_header(opened.cookie, settings, settings.lifetime));
  return out;
}

}  // namespace

SessionStore::SessionStore(RandomFill random) : random_(std::move(random)) {}

std::string SessionStore::random_hex() {
  unsigned char bytes[32];
  random_(std::span<unsigned char>(bytes, sizeof bytes));
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * sizeof bytes);
  for (const unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 0x0f];
  }
  return out;
}

SessionStore::Opened SessionStore::open(const Credential& token, WallTime now,
                                        std::chrono::seconds lifetime) {
  Entry e;
  e.cookie = random_hex();
  e.secret = token.secret;
  e.info.name = token.name;
  e.info.scope = token.scope;
  e.info.csrf_token = random_hex();
  e.info.expires_at = now + lifetime;
  // Expired sessions first, then the token's own oldest, then the oldest of all while over a cap.
  std::erase_if(entries_, [now](const Entry& x) { return x.info.expires_at <= now; });
  const auto same_token = [&token](const Entry& x) { return x.info.name == token.name; };
  while (static_cast<std::size_t>(std::count_if(entries_.begin(), entries_.end(), same_token)) >=
         kMaxSessionsPerToken)
    entries_.erase(std::find_if(entries_.begin(), entries_.end(), same_token));
  while (entries_.size() >= kMaxSessions) entries_.erase(entries_.begin());
  entries_.push_back(e);
  return {std::move(e.cookie), std::move(e.info)};
}

std::optional<std::size_t> SessionStore::index_of(std::string_view cookie) const {
  // Every entry is compared, the match is not a reason to stop: the time says nothing about
  // which session nearly matched.
  std::optional<std::size_t> found;
  for (std::size_t i = 0; i < entries_.size(); ++i)
    if (constant_time_equal(entries_[i].cookie, cookie)) found = i;
  return found;
}

std::optional<SessionInfo> SessionStore::find(std::string_view cookie, WallTime now,
                                              const std::vector<Credential>& tokens) {
  const auto i = index_of(cookie);
  if (!i) return std::nullopt;
  const Entry& e = entries_[*i];
  bool token_valid = false;
  for (const auto& t : tokens)
    if (t.name == e.info.name && t.scope == e.info.scope && constant_time_equal(t.secret, e.secret))
      token_valid = true;
  if (!token_valid || now >= e.info.expires_at) {
    entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(*i));
    return std::nullopt;
  }
  return e.info;
}

bool SessionStore::close(std::string_view cookie) {
  const auto i = index_of(cookie);
  if (!i) return false;
  entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(*i));
  return true;
}

void system_random(std::span<unsigned char> out) {
  std::size_t done = 0;
  while (done < out.size()) {
    const auto n = ::getrandom(out.data() + done, out.size() - done, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::system_error(errno, std::generic_category(), "getrandom");
    done += static_cast<std::size_t>(n);
  }
}

std::optional<std::string_view> cookie_value(std::string_view header,
                                             std::string_view name) noexcept {
  while (!header.empty()) {
    const auto semi = header.find(';');
    const std::string_view pair = trim_ows(header.substr(0, semi));
    header = semi == std::string_view::npos ? std::string_view{} : header.substr(semi + 1);
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos || trim_ows(pair.substr(0, eq)) != name) continue;
    std::string_view value = trim_ows(pair.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    return value;
  }
  return std::nullopt;
}

bool origin_matches_host(std::string_view origin, std::string_view host) noexcept {
  host = trim_ows(host);
  if (host.empty()) return false;
  for (const std::string_view scheme : {"http://", "https://"})
    if (origin.size() > scheme.size() &&
        same_ignoring_case(origin.substr(0, scheme.size()), scheme) &&
        same_ignoring_case(origin.substr(scheme.size()), host))
      return true;
  return false;
}

std::optional<Response> check_csrf(const CsrfInput& in, std::string_view expected,
                                   std::string_view what) {
  if (auto refused = check_origin(in.origin, in.host, what)) return refused;
  if (!in.csrf_token)
    return csrf_refusal(std::string(what) +
                        " with a dashboard session needs the X-CSRF-Token header (the "
                        "csrf_token of POST /v1/session)");
  if (!constant_time_equal(*in.csrf_token, expected))
    return csrf_refusal(std::string(what) +
                        ": X-CSRF-Token is not this session's csrf_token (GET /v1/session "
                        "gives it)");
  return std::nullopt;
}

SessionOutcome handle_session_request(const SessionRequest& req, SessionStore& store,
                                      const std::vector<Credential>& tokens,
                                      const SessionSettings& settings, WallTime now) {
  const std::string what = std::string(to_string(req.method)) + " /v1/session";
  SessionOutcome out;
  const auto cookie = cookie_value(req.cookies, kSessionCookie);
  if (req.method == Method::post) {
    if (auto refused = check_origin(req.origin, req.host, what))
      out.response = std::move(*refused);
    else
      out = login(req, store, tokens, settings, now);
  } else if (req.method == Method::delete_) {
    const auto session = cookie ? store.find(*cookie, now, tokens) : std::nullopt;
    std::optional<Response> refused;
    if (session)
      refused = check_csrf({req.origin, req.host, req.csrf_token}, session->csrf_token, what);
    if (refused) {
      out.authenticated = true;
      out.response = std::move(*refused);
    } else {
      // No session (ended, expired, never there) is no error: the browser's cookie goes.
      if (session) store.close(*cookie);
      out.authenticated = session.has_value();
      out.response.status = 204;
      out.response.content_type.clear();
      out.response.headers.emplace_back("Set-Cookie", clearing_cookie(settings));
    }
  } else {  // GET, HEAD
    const auto session = cookie ? store.find(*cookie, now, tokens) : std::nullopt;
    if (session) {
      out.authenticated = true;
      out.response = session_body(*session, 200);
    } else {
      // A page asks this to learn whether it is logged in: without any cookie that is no
      // failed authentication; a cookie that opens nothing is.
      if (cookie) out.failed_auth = "invalid session";
      out.response = error_response(
          401, error_code::kUnauthorized,
          cookie ? "the dashboard session has ended (expired, logged out, its token changed or "
                   "bessd restarted); log in again with POST /v1/session"
                 : "no dashboard session; log in with POST /v1/session");
    }
  }
  add_dashboard_headers(out.response);
  return out;
}

}  // namespace bessd::api::http
