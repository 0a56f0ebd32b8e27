#pragma once
// The web dashboard's sessions (docs/api.md "Dashboard sessions"): a browser logs in with a token
// of the token file (POST /v1/session) and then holds an HttpOnly cookie instead of the token.
// A session carries its token's name and scope and a CSRF token that every write made with the
// cookie must echo in X-CSRF-Token.
//
// The store is in memory only (a restart ends every session), holds at most
// kMaxSessionsPerToken per token (a new login drops that token's oldest session, so that logins
// with a read token cannot end the sessions of a control token) and kMaxSessions in all (then the
// oldest goes), and a session ends at its absolute lifetime. A look-up compares the
// cookie with every session in constant time (the time depends on the count only), and checks
// that the session's token is still in the token file with the same secret and scope: a reload
// that removes or changes the token ends its sessions at their next use.
//
// This file is pure: time comes in as an argument and randomness through the RandomFill given to
// the constructor (system_random() reads getrandom(2)), so that tests drive both.
//
// Threading: not thread-safe; the HTTP server uses it on its own thread only.

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <bessd/api/http/token_file.hpp>
#include <bessd/api/http_message.hpp>
#include <bessd/api/requester.hpp>
#include <bessd/common/clock.hpp>

namespace bessd::api::http {

inline constexpr std::string_view kSessionCookie = "bessd_session";

struct SessionInfo {
  std::string name;  // of the token that opened it
  Scope scope{Scope::read};
  std::string csrf_token;  // 64 hex digits
  WallTime expires_at{};
};

class SessionStore {
 public:
  /// Fills the span with cryptographically strong random bytes.
  using RandomFill = std::function<void(std::span<unsigned char>)>;
  static constexpr std::size_t kMaxSessions = 64;
  static constexpr std::size_t kMaxSessionsPerToken = 8;

  explicit SessionStore(RandomFill random);

  struct Opened {
    std::string cookie;  // the value of the bessd_session cookie: 64 hex digits
    SessionInfo info;
  };
  /// Opens a session for `token` that ends at now + lifetime; drops the token's oldest beyond
  /// kMaxSessionsPerToken, then the oldest of all beyond kMaxSessions.
  Opened open(const Credential& token, WallTime now, std::chrono::seconds lifetime);
  /// The session whose cookie is `cookie`: nothing when there is none, when it has expired, or
  /// when its token is no longer in `tokens` with the same secret and scope (such a session is
  /// ended).
  std::optional<SessionInfo> find(std::string_view cookie, WallTime now,
                                  const std::vector<Credential>& tokens);
  /// Ends the session of `cookie`; false when there was none.
  bool close(std::string_view cookie);
  void clear() { entries_.clear(); }
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string cookie;
    std::string secret;  // of the token, to notice a reload that changed it
    SessionInfo info;
  };
  /// The index of the entry with `cookie`, comparing with every entry in constant time.
  std::optional<std::size_t> index_of(std::string_view cookie) const;
  std::string random_hex();

  RandomFill random_;
  std::vector<Entry> entries_;  // oldest first
};

/// getrandom(2), retried on EINTR; throws std::system_error when the kernel refuses.
void system_random(std::span<unsigned char> out);

/// The value of cookie `name` in a Cookie header ("a=1; bessd_session=abc"), or nothing.
std::optional<std::string_view> cookie_value(std::string_view cookie_header,
                                             std::string_view name) noexcept;

/// Origin (as sent: "https://bess.lan") names the request's Host ("bess.lan") with http or https.
bool origin_matches_host(std::string_view origin, std::string_view host) noexcept;

/// The headers of a request that the CSRF rule looks at.
struct CsrfInput {
  std::optional<std::string_view> origin;      // Origin, when sent
  std::string_view host;                       // Host
  std::optional<std::string_view> csrf_token;  // X-CSRF-Token, when sent
};

/// A write made with a session cookie: nothing when X-CSRF-Token equals the session's
/// csrf_token (constant time) and Origin, when present, names the Host; else the 403 `csrf`
/// answer saying what is missing or wrong. `what` names the request ("PUT /v1/mode").
std::optional<Response> check_csrf(const CsrfInput& in, std::string_view expected,
                                   std::string_view what);

struct SessionSettings {
  std::chrono::seconds lifetime{43200};
  bool secure_cookie{false};  // add "Secure" to Set-Cookie
};

/// A request to /v1/session (GET, HEAD, POST or DELETE) as the server read it.
struct SessionRequest {
  Method method{Method::get};
  std::string_view host;
  std::optional<std::string_view> origin;
  std::string_view content_type;
  std::string_view body;
  std::string_view cookies;  // every Cookie field, joined with "; "
  std::optional<std::string_view> csrf_token;
};

struct SessionOutcome {
  Response response;  // with the dashboard's security headers
  /// Set when the request presented a credential that failed ("invalid token", "no token",
  /// "invalid session"): the server counts it as a failed authentication.
  std::optional<std::string> failed_auth;
  /// A valid token or session was presented: the connection counts as authenticated.
  bool authenticated{false};
};

/// POST: log in with {"token": "<secret>"} -> 201 and the cookie; GET/HEAD: the session of the
/// cookie -> 200, else 401; DELETE: ends it -> 204 and an expired cookie (writes with a session
/// follow the CSRF rule). Bodies of 200/201: {"name", "scope", "csrf_token", "expires_at"}.
SessionOutcome handle_session_request(const SessionRequest& request, SessionStore& store,
                                      const std::vector<Credential>& tokens,
                                      const SessionSettings& settings, WallTime now);

}  // namespace bessd::api::http
