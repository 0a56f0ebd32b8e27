#include <bessd/api/http/http_server.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <bessd/api/error_response.hpp>
#include <bessd/api/http/auth_failures.hpp>
#include <bessd/api/http/exchange.hpp>
#include <bessd/api/http/host_allow_list.hpp>
#include <bessd/api/query_params.hpp>

#include "unix_peer.hpp"

namespace bessd::api::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using unix_proto = asio::local::stream_protocol;
using tcp = asio::ip::tcp;

namespace {

// Unix-socket slots only the control scope may take: a quarter of the budget, at least one.
std::size_t unix_control_reserve(std::size_t max_connections) {
  return max_connections >= 2 ? std::max<std::size_t>(1, max_connections / 4) : 0;
}

struct SessionBase {
  virtual ~SessionBase() = default;
  virtual void close() = 0;
  /// TCP, no valid token yet: closes it to make room for a newer connection (true).
  virtual bool evict_waiting_for_token() = 0;
  virtual bool evict_idle_read() = 0;
};

}  // namespace

struct HttpServer::State : std::enable_shared_from_this<HttpServer::State> {
  State(asio::io_context& i, Router& r, ServerOptions o)
      : io(i), router(r), options(std::move(o)), unix_retry(i), tcp_retry(i) {}

  asio::io_context& io;
  Router& router;
  ServerOptions options;
  std::optional<gid_t> write_gid;
  std::optional<gid_t> read_gid;
  std::optional<HostAllowList> allowed_hosts;  // TCP; built once the port is known
  uid_t own_uid{::geteuid()};
  std::optional<unix_proto::acceptor> unix_acceptor;
  std::optional<tcp::acceptor> tcp_acceptor;
  asio::steady_timer unix_retry;  // re-arms an accept loop after an error such as EMFILE
  asio::steady_timer tcp_retry;
  std::size_t unix_active{0};
  std::size_t tcp_active{0};
  std::size_t tcp_unauthenticated{0};  // a subset of tcp_active
  std::size_t refusing{0};             // connections being answered 503/429 and closed
  static constexpr std::size_t kMaxRefusing = 64;
  AuthFailureTracker auth_failures{options.auth_throttle};
  SessionStore dashboard_sessions{system_random};  // docs/api.md "Dashboard sessions"
  std::uint64_t evictions_unlogged{0};
  std::optional<std::chrono::steady_clock::time_point> last_eviction_log;
  std::vector<std::weak_ptr<SessionBase>> sessions;
  bool stopped{false};
  bool unix_bound{false};
  // Bumped when a listener is replaced or closed: an accept that completes for an older one
  // does not re-arm its loop (that would accept twice on the new listener).
  unsigned unix_generation{0};
  unsigned tcp_generation{0};

  template <typename... Args>
  void log_warn(spdlog::format_string_t<Args...> fmt, Args&&... args) {
    if (options.logger) options.logger->warn(fmt, std::forward<Args>(args)...);
  }
  template <typename... Args>
  void log_debug(spdlog::format_string_t<Args...> fmt, Args&&... args) {
    if (options.logger) options.logger->debug(fmt, std::forward<Args>(args)...);
  }

  void accept_unix(unsigned generation);
  void accept_tcp(unsigned generation);
  template <typename Protocol>
  void serve(typename Protocol::socket socket, Requester who,
             std::optional<Response> forced_refusal = std::nullopt,
             std::vector<gid_t> unix_groups = {});
  /// A Unix peer's scope under the groups in force now (docs/api.md "Transports and access").
  std::optional<Scope> unix_scope(uid_t uid, gid_t gid, const std::vector<gid_t>& groups) const {
    const auto member = [&](const std::optional<gid_t>& g) {
      return g && in_group(gid, groups, *g);
    };
    if (uid == 0 || uid == own_uid || member(write_gid)) return Scope::control;
    if (options.unix_read_group.empty() || member(read_gid)) return Scope::read;
    return std::nullopt;
  }
  /// The refusal for a new connection over `transport`, or nothing when it may be served.
  std::optional<Response> admission(Transport transport, const std::string& peer_address,
                                    std::optional<Scope> unix_scope);
  bool evict_oldest_idle_read();
  void auth_failed(const std::string& peer_address, std::string_view reason);
  bool evict_oldest_unauthenticated();
};

namespace {

template <typename Protocol>
class Session final : public SessionBase, public std::enable_shared_from_this<Session<Protocol>> {
 public:
  // `refusal`: the connection is over its budget (or its peer is throttled); it gets this answer
  // and is closed, and counts against no budget.
  Session(std::shared_ptr<HttpServer::State> state, typename Protocol::socket socket, Requester who,
          std::optional<Response> refusal, std::vector<gid_t> unix_groups)
      : state_(std::move(state)),
        stream_(std::move(socket)),
        who_(std::move(who)),
        refusal_(std::move(refusal)),
        unix_groups_(std::move(unix_groups)) {
    // Beast's limits count header fields and body bytes, not a chunk extension or a trailer
    // field: the read buffer bounds those (a line longer than it is refused with 431 instead of
    // being buffered, or, for a trailer field over 64 KiB, thrown out of the parser).
    buffer_.max_size(read_buffer_limit(limits()));
    if (refusal_) {
      ++state_->refusing;
      return;
    }
    if constexpr (kTcp) {
      ++state_->tcp_active;
      ++state_->tcp_unauthenticated;
      auth_deadline_ = std::chrono::steady_clock::now() + opts().auth_timeout;
    } else {
      ++state_->unix_active;
    }
  }
  ~Session() override {
    if (refusal_) {
      --state_->refusing;
      return;
    }
    if constexpr (kTcp) {
      --state_->tcp_active;
      if (!authenticated_ && !evicted_) --state_->tcp_unauthenticated;
    } else {
      --state_->unix_active;
    }
  }

  void run() {
    if (refusal_) {
      state_->router.count_transport_error(refusal_->status);
      send(std::move(*refusal_), true);
      return;
    }
    read_header();
  }

  void close() override {
    beast::error_code ec;
    stream_.socket().shutdown(Protocol::socket::shutdown_both, ec);
    stream_.close();
  }

  // A connection that holds an unauthenticated slot without sending a valid token is what a
  // lock-out looks like (a few such connections, reopened as they time out, would refuse every
  // token holder): the oldest one goes and the newcomer is served (docs/api.md "Connection
  // budgets"). Not counted as a failed authentication: on loopback the squatter shares its address
  // with the token holders, and a throttle would lock them out instead.
  bool evict_waiting_for_token() override {
    if constexpr (!kTcp) {
      return false;
    } else {
      // A request whose header is read but not yet handled (its completion queued behind the
      // accept that asks for room) is in flight: closing it would fail a browser's request.
      if (refusal_ || authenticated_ || evicted_ || request_arrived() || header_waiting())
        return false;
      evicted_ = true;
      --state_->tcp_unauthenticated;
      close();
      return true;
    }
  }

  bool evict_idle_read() override {
    if constexpr (!kTcp) {
      return false;
    } else {
      if (refusal_ || !authenticated_ || evicted_ || !idle_ || who_.scope != Scope::read ||
          request_arrived() || header_waiting())
        return false;
      evicted_ = true;
      close();
      return true;
    }
  }

 private:
  const ServerOptions& opts() const { return state_->options; }
  ParseLimits limits() const { return {opts().max_header_bytes, opts().max_body_bytes}; }

  static constexpr bool kTcp = std::is_same_v<Protocol, tcp>;

  // Bytes waiting in the kernel that bessd has not read yet: a client that has sent its request
  // is never the one evicted, though its header is not parsed yet (a token holder's fresh
  // connection counts as unauthenticated until then). Bytes already read do not protect: a
  // header sent a byte at a time is read as it comes and leaves nothing waiting.
  bool request_arrived() {
    beast::error_code ec;
    const std::size_t pending = stream_.socket().available(ec);
    return !ec && pending > 0;
  }

  // A whole request header read from the socket but not parsed yet: its completion is queued
  // (behind the accept that asks for room). Closing it would fail a request already sent, as a
  // browser's is. A header still arriving byte by byte does not protect the connection.
  bool header_waiting() const {
    if (parser_ && parser_->is_header_done()) return true;
    const auto data = buffer_.data();
    const std::string_view bytes(static_cast<const char*>(data.data()), data.size());
    return bytes.find("\r\n\r\n") != std::string_view::npos;
  }

  // Until a TCP connection has presented a valid token it must do so by its deadline
  // (auth_timeout, shorter than read_timeout): it holds one of few unauthenticated slots. One
  // that has fetched a dashboard file is a browser's: it keeps the connection for the requests
  // that follow the login (closed at the short deadline, the browser's next request raced the
  // close and failed), and idle it is still the first to make room for a newcomer.
  void expire_for_read() {
    if (kTcp && !authenticated_ && !served_file_)
      stream_.expires_at(
          std::min(auth_deadline_, std::chrono::steady_clock::now() + opts().read_timeout));
    else
      stream_.expires_after(opts().read_timeout);
  }

  void read_header() {
    parser_.emplace();
    apply_limits(*parser_, limits());
    answering_ = Method::other;
    special_ = Special::none;
    idle_ = true;
    expire_for_read();
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                               self->on_header(ec);
                             });
  }

  void on_header(beast::error_code ec) {
    idle_ = false;
    if (ec) return on_read_error(ec);
    if (evicted_) return close();  // its slot is already given to another connection
    version_ = parser_->get().version();
    answering_ = parse_method(std::string_view(parser_->get().method_string().data(),
                                               parser_->get().method_string().size()));
    if (auto bad = check_framing(parser_->get())) {
      state_->router.count_transport_error(bad->status);
      keep_alive_ = false;
      return send(std::move(*bad), true);
    }
    // Credentials are checked on the header: before the body is read and before 100 Continue
    // invites it (docs/api.md "Transports and access"). The Host first: a page in a browser
    // (DNS rebinding) learns nothing, not even whether a token would do.
    if constexpr (kTcp) {
      if (state_->allowed_hosts && !state_->allowed_hosts->allows(std::string_view(
                                       parser_->get()[bhttp::field::host].data(),
                                       parser_->get()[bhttp::field::host].size()))) {
        state_->router.count_transport_error(421);
        keep_alive_ = false;
        const auto host = parser_->get()[bhttp::field::host];
        return send(error_response(421, error_code::kMisdirected,
                                   "Host \"" + std::string(host.data(), host.size()) +
                                       "\" is not served here; allowed: the listen address, "
                                       "localhost and api.tcp.allowed_hosts"),
                    true);
      }
      // A reload that turned TCP off leaves this connection open: its token is not wrong, the
      // listener is gone. Said as such, and not counted as a failed authentication.
      if (!opts().tcp_enabled) {
        state_->router.count_transport_error(503);
        keep_alive_ = false;
        return send(error_response(503, error_code::kUnavailable,
                                   "the TCP API was turned off by a configuration reload; use "
                                   "the Unix socket"),
                    true);
      }
    }
    // The dashboard's files need no credentials, /v1/session checks its own (docs/api.md
    // "Dashboard sessions"): both are answered once the body is read.
    special_ = classify();
    if (special_ == Special::none) {
      if constexpr (kTcp) {
        if (!authenticate()) return;
      }
      if constexpr (!kTcp) {
        // A reload that changes the groups applies to the next request, also on a connection
        // already open (docs/operations.md "Configure, reload").
        if (who_.uid && who_.gid)
          who_.scope = state_->unix_scope(*who_.uid, *who_.gid, unix_groups_);
      }
      // Authorisation comes before the body too (docs/api.md "Transports and access"): a write
      // from a client without the control scope is answered (403, counted and audited by the
      // router) without its body being read or 100 Continue sent. The body left on the wire
      // means the connection closes after the answer.
      if (!who_.may_write() && is_write_method(answering_) && !parser_->is_done()) {
        keep_alive_ = false;
        return dispatch(/*close_after=*/true);
      }
    }
    if (wants_continue(*parser_)) {
      continue_ =
          std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, version_);
      stream_.expires_after(opts().read_timeout);
      bhttp::async_write(stream_, *continue_,
                         [self = this->shared_from_this()](beast::error_code wec, std::size_t) {
                           if (wec) return self->close();
                           self->read_body();
                         });
      return;
    }
    read_body();
  }

  void read_body() {
    if (parser_->is_done()) return on_request();
    stream_.expires_after(opts().read_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec) return self->on_read_error(ec);
                        self->on_request();
                      });
  }

  void on_read_error(beast::error_code ec) {
    if (ec == asio::error::operation_aborted) return;
    if (is_disconnect(ec)) return close();
    if (ec == beast::error::timeout) {
      state_->log_debug("api: dropped a connection that sent nothing complete within {} ms ({})",
                        opts().read_timeout.count(), who_.describe());
      return close();  // a slow client gets no answer; the socket is already closed
    }
    Response r = read_error_response(ec, limits());
    state_->router.count_transport_error(r.status);
    send(std::move(r), true);
  }

  void on_request() {
    keep_alive_ = parser_->get().keep_alive();
    if (special_ == Special::static_file) {
      served_file_ = true;
      const auto& req = parser_->get();
      return send(
          serve_static(*opts().dashboard_files, {answering_, target_path(to_sv(req.target())),
                                                 to_sv(req[bhttp::field::accept_encoding]),
                                                 to_sv(req[bhttp::field::if_none_match])}),
          false);
    }
    if (special_ == Special::session) return answer_session();
    dispatch(/*close_after=*/false);
  }

  static std::string_view to_sv(beast::string_view s) { return {s.data(), s.size()}; }

  std::optional<std::string_view> header(std::string_view name) const {
    const auto& req = parser_->get();
    const auto it = req.find(beast::string_view(name.data(), name.size()));
    if (it == req.end()) return std::nullopt;
    return to_sv(it->value());
  }

  // Every Cookie field, joined as one header would carry them.
  std::string cookies() const {
    std::string out;
    const auto [first, last] = parser_->get().equal_range(bhttp::field::cookie);
    for (auto it = first; it != last; ++it) {
      if (!out.empty()) out += "; ";
      out += to_sv(it->value());
    }
    return out;
  }

  enum class Special : std::uint8_t { none, static_file, session };

  Special classify() const {
    if (!opts().dashboard_enabled || !opts().dashboard_files) return Special::none;
    const std::string_view path = target_path(to_sv(parser_->get().target()));
    const bool read = answering_ == Method::get || answering_ == Method::head;
    if (read && is_static_path(path)) return Special::static_file;
    if (kTcp && path == "/v1/session" &&
        (read || answering_ == Method::post || answering_ == Method::delete_))
      return Special::session;
    return Special::none;
  }

  void mark_authenticated() {
    if constexpr (kTcp) {
      if (!authenticated_) {
        authenticated_ = true;
        // An evicted connection gave its slot back already (a second decrement would wrap the
        // count and refuse every newcomer).
        if (!evicted_) --state_->tcp_unauthenticated;
      }
    }
  }

  // TCP: the bearer token, or else a dashboard session's cookie (docs/api.md "Dashboard
  // sessions"). False when the request has been answered (401, 403 csrf).
  bool authenticate() {
    const auto& req = parser_->get();
    who_.user = "token";
    if (opts().dashboard_enabled && req.count(bhttp::field::authorization) == 0) {
      const std::string jar = cookies();
      if (const auto cookie = cookie_value(jar, kSessionCookie)) {
        const auto session = state_->dashboard_sessions.find(
            *cookie, std::chrono::system_clock::now(), opts().tokens);
        if (!session) {
          state_->router.count_transport_error(401);
          state_->auth_failed(peer_address(), "invalid session");
          keep_alive_ = false;
          send(error_response(401, error_code::kUnauthorized,
                              "the dashboard session has ended (expired, logged out, its token "
                              "changed or bessd restarted); log in again with POST /v1/session"),
               true);
          return false;
        }
        who_.user = "session";
        who_.credential = session->name;
        who_.scope = session->scope;
        mark_authenticated();
        if (!is_write_method(answering_)) return true;
        const std::string what = std::string(to_string(answering_)) + " " +
                                 std::string(target_path(to_sv(req.target())));
        auto refused =
            check_csrf({header("Origin"), to_sv(req[bhttp::field::host]), header("X-CSRF-Token")},
                       session->csrf_token, what);
        if (!refused) return true;
        state_->router.count_transport_error(403);
        keep_alive_ = false;
        send(std::move(*refused), true);
        return false;
      }
    }
    auto bearer = check_bearer(req, opts().tokens);
    if (bearer.denied) {
      state_->router.count_transport_error(401);
      state_->auth_failed(peer_address(), bearer.presented ? "invalid token" : "no token");
      keep_alive_ = false;
      send(std::move(*bearer.denied), true);  // a 401 closes the connection
      return false;
    }
    who_.credential = bearer.credential->name;
    who_.scope = bearer.credential->scope;
    mark_authenticated();
    return true;
  }

  void answer_session() {
    const auto& req = parser_->get();
    const std::string jar = cookies();
    SessionRequest request;
    request.method = answering_;
    request.host = to_sv(req[bhttp::field::host]);
    request.origin = header("Origin");
    request.content_type = to_sv(req[bhttp::field::content_type]);
    request.body = req.body();
    request.cookies = jar;
    request.csrf_token = header("X-CSRF-Token");
    auto out = handle_session_request(request, state_->dashboard_sessions, opts().tokens,
                                      opts().dashboard_sessions, std::chrono::system_clock::now());
    if (out.authenticated) mark_authenticated();
    if (out.failed_auth) state_->auth_failed(peer_address(), *out.failed_auth);
    const unsigned status = out.response.status;
    if (status >= 400) state_->router.count_transport_error(status);
    // As for a bearer token: a 401 closes the connection; so does a 403 csrf, as elsewhere.
    const bool close = status == 401 || status == 403;
    if (close) keep_alive_ = false;
    send(std::move(out.response), close);
  }

  static bool is_write_method(Method m) {
    return m == Method::put || m == Method::post || m == Method::delete_ || m == Method::patch;
  }

  void dispatch(bool close_after) {
    Request request = to_request(parser_->get(), who_);
    answering_ = request.method;
    // The facade may complete on another thread: always come back to the stream's executor.
    // Most replies come back at once, on it: dispatch sends them without a round trip through
    // the queue.
    // The reply hands its reference to the session over to the stream's executor: the facade's
    // thread that calls it must not hold the last one, or the session would end (and change the
    // server's connection counts) on that thread.
    state_->router.handle(
        request, [self = this->shared_from_this(), close_after](Response response) mutable {
          auto exec = self->stream_.get_executor();
          asio::dispatch(exec,
                         [self = std::move(self), close_after, r = std::move(response)]() mutable {
                           self->send(std::move(r), close_after);
                         });
        });
  }

  void send(Response r, bool close_after) {
    const bool keep_alive = keep_alive_ && !close_after;
    head_.clear();
    to_wire(std::move(r), version_, keep_alive, answering_, head_, body_);
    const std::array<asio::const_buffer, 2> message{asio::buffer(head_), asio::buffer(body_)};
    stream_.expires_after(opts().read_timeout);
    asio::async_write(
        stream_, message,
        [self = this->shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
          if (ec) return self->close();
          if (!keep_alive) return self->linger_close();
          // An idle connection holds no body (a history answer can be large).
          self->body_ = std::string();
          self->read_header();
        });
  }

  // After a last response: half-close, then read and drop whatever the client still sends until
  // it closes or the linger time is up. Closing with unread input resets the connection, and the
  // reset can reach the client before it has read the response (RFC 9112, 9.6). It is what a
  // client over the connection cap, which sends its request after the 503 left, would see.
  void linger_close() {
    beast::error_code ec;
    stream_.socket().shutdown(Protocol::socket::shutdown_send, ec);
    if (ec) return close();
    // For the whole drain; shorter for a refused connection, which counts against no budget.
    stream_.expires_after(std::min(opts().read_timeout, refusal_ ? kMaxRefusalLinger : kMaxLinger));
    buffer_.clear();
    drain();
  }

  void drain() {
    stream_.async_read_some(buffer_.prepare(kDrainChunk),
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) return self->close();
                              self->buffer_.clear();
                              self->drain();
                            });
  }

  static constexpr std::chrono::milliseconds kMaxLinger{1000};
  static constexpr std::chrono::milliseconds kMaxRefusalLinger{200};
  static constexpr std::size_t kDrainChunk = 4096;

  std::shared_ptr<HttpServer::State> state_;
  beast::basic_stream<Protocol> stream_;
  beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
  std::shared_ptr<bhttp::response<bhttp::empty_body>> continue_;
  std::string head_;  // reused: its capacity stays with the connection
  std::string body_;
  Requester who_;
  unsigned version_{11};
  Method answering_{Method::other};  // of the request being answered (HEAD: no body)
  Special special_{Special::none};   // a dashboard request the server answers itself
  bool keep_alive_{false};
  bool authenticated_{false};  // TCP: a request on this connection carried a valid token
  bool evicted_{false};        // TCP: closed to make room; no longer counted as waiting
  bool idle_{false};           // waiting for a request's header (keep-alive between requests)
  bool served_file_{false};    // TCP: answered a dashboard file (expire_for_read)
  std::string peer_address() const { return who_.peer.substr(0, who_.peer.rfind(':')); }
  std::chrono::steady_clock::time_point auth_deadline_{};
  std::optional<Response> refusal_;
  std::vector<gid_t> unix_groups_;  // the Unix peer's groups at connect (SO_PEERGROUPS)
};

}  // namespace

template <typename Protocol>
void HttpServer::State::serve(typename Protocol::socket socket, Requester who,
                              std::optional<Response> forced_refusal,
                              std::vector<gid_t> unix_groups) {
  constexpr bool is_tcp = std::is_same_v<Protocol, tcp>;
  auto refusal =
      forced_refusal
          ? std::move(forced_refusal)
          : admission(is_tcp ? Transport::tcp : Transport::unix_socket,
                      is_tcp ? who.peer.substr(0, who.peer.rfind(':')) : std::string{}, who.scope);
  // Refusals hold descriptors too (docs/operations.md "Resource limits"): beyond a fixed number
  // being answered, a connection over its budget is closed at once, without an answer, so that
  // no flood can take the descriptors the safety state and the fire-alarm input need.
  if (refusal && refusing >= kMaxRefusing) {
    router.count_transport_error(refusal->status);
    beast::error_code ec;
    socket.close(ec);
    return;
  }
  auto session =
      std::make_shared<Session<Protocol>>(shared_from_this(), std::move(socket), std::move(who),
                                          std::move(refusal), std::move(unix_groups));
  const std::size_t budget = options.max_connections + options.max_tcp_connections;
  if (sessions.size() > 2 * budget + 16) {
    std::erase_if(sessions, [](const auto& w) { return w.expired(); });
  }
  sessions.push_back(session);
  session->run();
}

// Separate budgets (docs/api.md "Connection budgets"): the Unix socket, TCP, and TCP connections
// that have not yet presented a valid token, so that no TCP client, with or without a token, can
// take the Unix operator's place.
std::optional<Response> HttpServer::State::admission(Transport transport,
                                                     const std::string& peer_address,
                                                     std::optional<Scope> unix_scope) {
  const auto full = [](std::size_t limit, std::string_view what) {
    Response r = error_response(503, error_code::kTooManyConnections,
                                "too many " + std::string(what) + " (limit " +
                                    std::to_string(limit) + "); try again shortly");
    r.headers.emplace_back("Retry-After", "1");
    return r;
  };
  if (transport == Transport::unix_socket) {
    if (unix_active >= options.max_connections)
      return full(options.max_connections, "API connections on the Unix socket");
    // The last quarter of the slots is kept for the control scope (root and the control group):
    // read-only peers, however many connections they hold, never keep the operator's `mode idle`
    // out (docs/api.md "Connection budgets").
    if (unix_scope == Scope::read &&
        unix_active + unix_control_reserve(options.max_connections) >= options.max_connections)
      return full(options.max_connections - unix_control_reserve(options.max_connections),
                  "read-only API connections on the Unix socket");
    return std::nullopt;
  }
  const auto wait = auth_failures.blocked_for(peer_address, std::chrono::steady_clock::now());
  if (wait.count() > 0) {
    Response r = error_response(
        429, error_code::kTooManyFailures,
        "too many failed authentications from " + peer_address + "; try again later");
    r.headers.emplace_back("Retry-After",
                           std::to_string((wait.count() + 999) / 1000));  // whole seconds, up
    return r;
  }
  if (tcp_active >= options.max_tcp_connections && !evict_oldest_idle_read())
    return full(options.max_tcp_connections, "API connections over TCP");
  if (tcp_unauthenticated >= options.max_unauthenticated_tcp && !evict_oldest_unauthenticated())
    return full(options.max_unauthenticated_tcp, "TCP connections waiting to authenticate");
  return std::nullopt;
}

// A read-scope client idle between requests gives up its slot to a newcomer, whose scope is not
// known yet: dashboards holding keep-alive connections never keep a control token holder's
// `mode idle` out of a full TCP budget. They reconnect for their next request.
bool HttpServer::State::evict_oldest_idle_read() {
  for (const auto& weak : sessions) {  // in the order they were accepted
    auto s = weak.lock();
    if (s && s->evict_idle_read()) return true;
  }
  return false;
}

bool HttpServer::State::evict_oldest_unauthenticated() {
  for (const auto& weak : sessions) {  // in the order they were accepted
    auto s = weak.lock();
    if (!s || !s->evict_waiting_for_token()) continue;
    // Logged at most once a minute, with the count: someone holds connections without a token.
    ++evictions_unlogged;
    const auto now = std::chrono::steady_clock::now();
    if (!last_eviction_log || now - *last_eviction_log >= std::chrono::minutes(1)) {
      log_warn(
          "api: closed {} TCP connection(s) that held a slot without sending a valid token "
          "(limit {} waiting at once), to serve newer ones",
          evictions_unlogged, options.max_unauthenticated_tcp);
      evictions_unlogged = 0;
      last_eviction_log = now;
    }
    return true;
  }
  return false;
}

void HttpServer::State::auth_failed(const std::string& peer_address, std::string_view reason) {
  // Only a secret presented and wrong is a guess (docs/api.md "Failed authentications"). A
  // request with no credential, or with a session cookie that has ended (the owner's tabs after
  // a restart or a logout; any page in the browser can send credential-less requests), is
  // answered 401 and not counted: counting them let a web page, or the owner's own tabs, block
  // the address.
  if (reason != "invalid token") {
    log_debug("api: 401 for {} ({}), not counted as a failed authentication", peer_address, reason);
    return;
  }
  const auto line = auth_failures.record_failure(peer_address, std::chrono::steady_clock::now());
  if (!line) return;
  const std::string elsewhere = line->not_logged_elsewhere == 0
                                    ? std::string()
                                    : "; and " + std::to_string(line->not_logged_elsewhere) +
                                          " more from peers not logged one by one (too many lines)";
  if (line->blocked)
    log_warn("api: {} failed authentication(s) from {} (last: {}); refusing it for {} s{}",
             line->failures, peer_address, reason,
             std::chrono::duration_cast<std::chrono::seconds>(options.auth_throttle.block).count(),
             elsewhere);
  else
    log_warn("api: {} failed authentication(s) from {} (last: {}){}", line->failures, peer_address,
             reason, elsewhere);
}

void HttpServer::State::accept_unix(unsigned generation) {
  unix_acceptor->async_accept(
      [self = shared_from_this(), generation](beast::error_code ec, unix_proto::socket socket) {
        if (self->stopped || ec == asio::error::operation_aborted) return;
        const bool current = generation == self->unix_generation;
        if (ec) {
          if (!current) return;
          // EMFILE and friends: wait a little instead of spinning.
          self->log_warn("api: accept on {}: {}", self->options.unix_path, ec.message());
          self->unix_retry.expires_after(std::chrono::milliseconds{100});
          self->unix_retry.async_wait([self, generation](beast::error_code tec) {
            if (!tec && !self->stopped && generation == self->unix_generation)
              self->accept_unix(generation);
          });
          return;
        }
        Requester who;
        who.transport = Transport::unix_socket;
        who.peer = "unix:" + self->options.unix_path;
        std::vector<gid_t> groups;
        if (auto cred = peer_credentials(socket.native_handle())) {
          who.uid = cred->uid;
          who.gid = cred->gid;
          who.pid = cred->pid;
          who.user = user_name(cred->uid);
          groups = peer_groups(socket.native_handle());
          who.scope = self->unix_scope(cred->uid, cred->gid, groups);
        } else {
          who.user = "unknown";
        }
        // A peer with no access at all is answered 403 and closed as a refusal: it never holds
        // one of the Unix budget's slots (docs/api.md "Connection budgets").
        std::optional<Response> no_access;
        if (!who.scope)
          no_access = error_response(
              403, error_code::kForbidden,
              who.describe() +
                  " has no access: only root and members of the API's control or read group "
                  "may use it");
        self->serve<unix_proto>(std::move(socket), std::move(who), std::move(no_access),
                                std::move(groups));
        if (current) self->accept_unix(generation);
      });
}

void HttpServer::State::accept_tcp(unsigned generation) {
  tcp_acceptor->async_accept(
      [self = shared_from_this(), generation](beast::error_code ec, tcp::socket socket) {
        if (self->stopped || ec == asio::error::operation_aborted) return;
        const bool current = generation == self->tcp_generation;
        if (ec) {
          if (!current) return;
          self->log_warn("api: accept on tcp: {}", ec.message());
          self->tcp_retry.expires_after(std::chrono::milliseconds{100});
          self->tcp_retry.async_wait([self, generation](beast::error_code tec) {
            if (!tec && !self->stopped && generation == self->tcp_generation)
              self->accept_tcp(generation);
          });
          return;
        }
        Requester who;
        who.transport = Transport::tcp;
        who.user = "token";
        beast::error_code ep_ec;
        const auto ep = socket.remote_endpoint(ep_ec);
        if (!ep_ec) who.peer = ep.address().to_string() + ":" + std::to_string(ep.port());
        // The scope comes with the token on each request (Session::on_header).
        socket.set_option(tcp::no_delay(true), ep_ec);
        self->serve<tcp>(std::move(socket), std::move(who));
        if (current) self->accept_tcp(generation);
      });
}

HttpServer::HttpServer(asio::io_context& io, Router& router, ServerOptions options)
    : state_(std::make_shared<State>(io, router, std::move(options))) {}

HttpServer::~HttpServer() {
  stop();
}

Status HttpServer::start() {
  auto& s = *state_;
  const auto& o = s.options;
  if (o.unix_enabled) {
    if (!o.unix_group.empty()) {
      s.write_gid = group_id(o.unix_group);
      if (!s.write_gid)
        s.log_warn("api: group \"{}\" does not exist: only root and the daemon's user may write",
                   o.unix_group);
    }
    if (!o.unix_read_group.empty()) {
      s.read_gid = group_id(o.unix_read_group);
      if (!s.read_gid)
        s.log_warn("api: read group \"{}\" does not exist: only the control group may use the API",
                   o.unix_read_group);
    }
    auto fd = open_unix_listener({o.unix_path, o.unix_mode, s.write_gid, o.unix_group});
    if (!fd) return Failure{fd.error()};
    if (auto st = serve_unix(std::move(*fd)); !st) return st;
    s.unix_bound = true;
  }
  if (o.tcp_enabled) {
    if (o.tokens.empty())
      return fail(ErrorCode::invalid_argument, "api tcp: a bearer token is required");
    if (auto st = check_tcp_address(o.tcp_address, o.tcp_allow_remote); !st) return st;
    auto fd = open_tcp_listener(o.tcp_address, o.tcp_port);
    if (!fd) return Failure{fd.error()};
    if (auto st = serve_tcp(std::move(*fd)); !st) return st;
    beast::error_code ec;
    const auto address = asio::ip::make_address(o.tcp_address, ec);
    if (!ec && !address.is_loopback())
      s.log_warn(
          "api: TCP listener on non-loopback {} (allow_remote): plain HTTP, keep a TLS "
          "proxy in front",
          o.tcp_address);
  }
  return {};
}

Status HttpServer::serve_unix(ListenerFd fd) {
  auto& s = *state_;
  beast::error_code ec;
  ++s.unix_generation;
  if (s.unix_acceptor) s.unix_acceptor->close(ec);
  s.unix_acceptor.emplace(s.io);
  s.unix_acceptor->assign(unix_proto(), fd.get(), ec);
  if (ec) {
    s.unix_acceptor.reset();
    return fail(ErrorCode::io_error, "api socket: adopting descriptor " + std::to_string(fd.get()) +
                                         ": " + ec.message());
  }
  fd.release();
  s.accept_unix(s.unix_generation);
  return {};
}

Status HttpServer::serve_tcp(ListenerFd fd) {
  auto& s = *state_;
  beast::error_code ec;
  ++s.tcp_generation;
  if (s.tcp_acceptor) s.tcp_acceptor->close(ec);
  s.tcp_acceptor.emplace(s.io);
  const auto bound = bound_address(fd.get());
  const auto protocol = bound.address.find(':') != std::string::npos ? tcp::v6() : tcp::v4();
  s.tcp_acceptor->assign(protocol, fd.get(), ec);
  if (ec) {
    s.tcp_acceptor.reset();
    return fail(ErrorCode::io_error,
                "api tcp: adopting descriptor " + std::to_string(fd.get()) + ": " + ec.message());
  }
  fd.release();
  // The Host allow-list names the port really served (an inherited or an ephemeral one).
  s.allowed_hosts.emplace(s.options.tcp_address, bound.port, s.options.tcp_allowed_hosts);
  s.accept_tcp(s.tcp_generation);
  return {};
}

void HttpServer::close_unix() {
  auto& s = *state_;
  beast::error_code ec;
  ++s.unix_generation;
  s.unix_retry.cancel();
  if (s.unix_acceptor) s.unix_acceptor->close(ec);
  s.unix_acceptor.reset();
}

void HttpServer::close_tcp() {
  auto& s = *state_;
  beast::error_code ec;
  ++s.tcp_generation;
  s.tcp_retry.cancel();
  if (s.tcp_acceptor) s.tcp_acceptor->close(ec);
  s.tcp_acceptor.reset();
}

void HttpServer::update_options(ServerOptions options, std::optional<gid_t> write_gid,
                                std::optional<gid_t> read_gid) {
  auto& s = *state_;
  if (!options.logger) options.logger = s.options.logger;
  s.options = std::move(options);
  s.write_gid = write_gid;
  s.read_gid = read_gid;
  if (!s.options.dashboard_enabled) s.dashboard_sessions.clear();
  if (s.allowed_hosts && s.tcp_acceptor) {
    beast::error_code ec;
    const auto port = s.tcp_acceptor->local_endpoint(ec).port();
    if (!ec) s.allowed_hosts.emplace(s.options.tcp_address, port, s.options.tcp_allowed_hosts);
  }
}

void HttpServer::stop() {
  auto& s = *state_;
  if (s.stopped) return;
  s.stopped = true;
  beast::error_code ec;
  s.unix_retry.cancel();
  s.tcp_retry.cancel();
  if (s.unix_acceptor) s.unix_acceptor->close(ec);
  if (s.tcp_acceptor) s.tcp_acceptor->close(ec);
  for (auto& w : s.sessions)
    if (auto session = w.lock()) session->close();
  s.sessions.clear();
  if (s.unix_bound) {
    ::unlink(s.options.unix_path.c_str());
    s.unix_bound = false;
  }
}

std::uint16_t HttpServer::tcp_port() const {
  if (!state_->tcp_acceptor || !state_->tcp_acceptor->is_open()) return 0;
  beast::error_code ec;
  const auto ep = state_->tcp_acceptor->local_endpoint(ec);
  return ec ? 0 : ep.port();
}

std::size_t HttpServer::active_connections() const {
  return state_->unix_active + state_->tcp_active;
}

}  // namespace bessd::api::http
