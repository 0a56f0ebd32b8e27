// The API's listeners: adopted from systemd or bound here, retried while they cannot be opened,
// replaced on reload (api_listeners.hpp; docs/operations.md "API listeners").

#include <bessd/app/api_listeners.hpp>

#include <unistd.h>

namespace bessd::app {

namespace asio = boost::asio;
using api::http::BoundAddress;
using api::http::ListenerFd;

struct ApiListeners::Slot {
  Slot(asio::io_context& io, Kind k, const char* n, const char* c)
      : kind(k), name(n), code(c), retry(io) {}
  Kind kind;
  const char* name;  // link name in /v1/status
  const char* code;  // service fault code
  bool wanted{false};
  std::string where;  // "unix:/run/bessd/api.sock", "tcp:127.0.0.1:8470"
  bool serving{false};
  bool from_systemd{false};
  std::string bound_path;  // a Unix socket file bessd bound: removed when the listener goes
  std::optional<std::string> fault;
  std::optional<WallTime> fault_since;
  std::uint64_t failures{0};
  asio::steady_timer retry;
};

struct ApiListeners::Opened {
  ListenerFd fd;
  bool from_systemd{false};
  std::string bound_path;
  std::string systemd_name;
};

class ApiListeners::Prepared {
 public:
  ~Prepared() {
    // Never committed (the reload was refused): what bessd bound for it goes again.
    if (unix_opened && !unix_opened->bound_path.empty()) ::unlink(unix_opened->bound_path.c_str());
  }
  ListenerPlan plan;
  std::optional<Opened> unix_opened;
  std::optional<Opened> tcp_opened;
  bool unix_close{false};
  bool tcp_close{false};
};

namespace {

std::string where_of(ApiListeners::Kind kind, const ListenerPlan& plan) {
  if (kind == ApiListeners::Kind::unix_socket) return "unix:" + plan.unix_socket.path;
  BoundAddress b;
  b.kind = BoundAddress::Kind::tcp;
  b.address = plan.tcp_address;
  b.port = plan.tcp_port;
  return b.describe();
}

bool wanted_in(ApiListeners::Kind kind, const ListenerPlan& plan) {
  return kind == ApiListeners::Kind::unix_socket ? plan.unix_enabled : plan.tcp_enabled;
}

bool matches(const InheritedSocket& s, ApiListeners::Kind kind, const ListenerPlan& plan) {
  if (kind == ApiListeners::Kind::unix_socket)
    return s.bound.kind == BoundAddress::Kind::unix_stream && s.bound.path == plan.unix_socket.path;
  return api::http::same_tcp_address(s.bound, plan.tcp_address, plan.tcp_port);
}

constexpr ApiListeners::Kind kKinds[] = {ApiListeners::Kind::unix_socket, ApiListeners::Kind::tcp};

}  // namespace

ListenerPlan ListenerPlan::from_config(const config::ApiConfig& api,
                                       std::optional<gid_t> unix_gid) {
  ListenerPlan p;
  p.unix_enabled = api.unix_socket.enabled;
  p.unix_socket.path = api.unix_socket.path;
  p.unix_socket.mode = static_cast<unsigned>(api.unix_socket.mode);
  p.unix_socket.group = unix_gid;
  p.unix_socket.group_name = api.unix_socket.group;
  p.tcp_enabled = api.tcp.enabled;
  p.tcp_address = api.tcp.address;
  p.tcp_port = static_cast<std::uint16_t>(api.tcp.port);
  return p;
}

ApiListeners::ApiListeners(asio::io_context& io, api::http::HttpServer& server, const Clock& clock,
                           std::vector<InheritedSocket> inherited,
                           std::shared_ptr<spdlog::logger> logger,
                           std::chrono::milliseconds retry_interval)
    : server_(server),
      clock_(clock),
      inherited_(std::move(inherited)),
      log_(std::move(logger)),
      retry_interval_(retry_interval),
      unix_(std::make_unique<Slot>(io, Kind::unix_socket, "api_unix", "API-UNIX")),
      tcp_(std::make_unique<Slot>(io, Kind::tcp, "api_tcp", "API-TCP")) {}

ApiListeners::~ApiListeners() {
  try {
    stop();
  } catch (...) {  // NOLINT(bugprone-empty-catch): a timer's cancel() failing changes nothing here
  }
}

ApiListeners::Slot& ApiListeners::slot(Kind kind) {
  return kind == Kind::unix_socket ? *unix_ : *tcp_;
}
const ApiListeners::Slot& ApiListeners::slot(Kind kind) const {
  return kind == Kind::unix_socket ? *unix_ : *tcp_;
}

Result<ApiListeners::Opened> ApiListeners::acquire(Kind kind, const ListenerPlan& plan) {
  for (const auto& s : inherited_) {
    if (!matches(s, kind, plan)) continue;
    // A duplicate: the passed descriptor stays here, so a later reload can adopt it again.
    ListenerFd dup = s.fd.duplicate();
    if (!dup.valid())
      return fail(ErrorCode::io_error,
                  where_of(kind, plan) + ": duplicating the socket systemd passed failed");
    return Opened{std::move(dup), true, {}, s.name};
  }
  if (kind == Kind::unix_socket) {
    auto fd = api::http::open_unix_listener(plan.unix_socket);
    if (!fd) return Failure{fd.error()};
    return Opened{std::move(*fd), false, plan.unix_socket.path, {}};
  }
  auto fd = api::http::open_tcp_listener(plan.tcp_address, plan.tcp_port);
  if (!fd) return Failure{fd.error()};
  return Opened{std::move(*fd), false, {}, {}};
}

void ApiListeners::start(const ListenerPlan& plan) {
  plan_ = plan;
  for (auto kind : kKinds) {
    auto& s = slot(kind);
    s.wanted = wanted_in(kind, plan);
    s.where = where_of(kind, plan);
    if (s.wanted) open_or_retry(kind);
  }
  for (const auto& in : inherited_) {
    bool used = false;
    for (auto kind : kKinds) used = used || (wanted_in(kind, plan) && matches(in, kind, plan));
    if (!used)
      log_->warn(
          "systemd passed the socket \"{}\" ({}), which the configuration's api section does "
          "not use: it stays unused (make bessd.socket and the api section agree)",
          in.name, in.bound.describe());
  }
  publish();
}

void ApiListeners::open_or_retry(Kind kind) {
  auto& s = slot(kind);
  auto opened = acquire(kind, plan_);
  if (opened) {
    if (s.failures > 0) log_->info("{} is open after {} failed attempt(s)", s.where, s.failures);
    serve(s, std::move(*opened));
    publish();
    return;
  }
  const auto& message = opened.error().message;
  if (!s.fault || *s.fault != message) {
    // On the edge (and when the reason changes), never once per retry.
    log_->error("{}; the controller runs on without this listener, retrying every {} s", message,
                retry_interval_.count() / 1000.0);
  }
  if (!s.fault_since) s.fault_since = clock_.wall_now();
  s.fault = message;
  ++s.failures;
  publish();
  s.retry.expires_after(retry_interval_);
  s.retry.async_wait([this, kind](const boost::system::error_code& ec) {
    auto& again = slot(kind);
    if (!ec && again.wanted && !again.serving) open_or_retry(kind);
  });
}

void ApiListeners::serve(Slot& s, Opened opened) {
  const std::string previous_path = s.bound_path;
  auto served = s.kind == Kind::unix_socket ? server_.serve_unix(std::move(opened.fd))
                                            : server_.serve_tcp(std::move(opened.fd));
  if (!served) {
    log_->error("{}: {}", s.where, served.error().message);
    s.fault = served.error().message;
    if (!s.fault_since) s.fault_since = clock_.wall_now();
    return;
  }
  if (!previous_path.empty() && previous_path != opened.bound_path) ::unlink(previous_path.c_str());
  s.serving = true;
  s.from_systemd = opened.from_systemd;
  s.bound_path = opened.bound_path;
  s.fault.reset();
  s.fault_since.reset();
  s.failures = 0;
  s.retry.cancel();
  if (opened.from_systemd)
    log_->info("API listening on {} (socket \"{}\" passed by systemd)", s.where,
               opened.systemd_name);
  else if (!inherited_.empty())
    log_->info(
        "API listening on {}, bound by bessd: systemd passed no socket for it, so it is "
        "not held across restarts (add it to bessd.socket)",
        s.where);
  else
    log_->info("API listening on {}", s.where);
}

void ApiListeners::close(Slot& s) {
  if (s.kind == Kind::unix_socket)
    server_.close_unix();
  else
    server_.close_tcp();
  if (!s.bound_path.empty()) ::unlink(s.bound_path.c_str());
  if (s.serving) log_->info("API no longer listening on {}", s.where);
  s.bound_path.clear();
  s.serving = false;
  s.from_systemd = false;
  s.fault.reset();
  s.fault_since.reset();
  s.failures = 0;
  s.retry.cancel();
}

Result<std::shared_ptr<ApiListeners::Prepared>> ApiListeners::prepare(const ListenerPlan& plan) {
  auto p = std::make_shared<Prepared>();
  p->plan = plan;
  for (auto kind : kKinds) {
    const auto& s = slot(kind);
    const bool want = wanted_in(kind, plan);
    if (!want) {
      (kind == Kind::unix_socket ? p->unix_close : p->tcp_close) = s.wanted;
      continue;
    }
    // Unchanged: it keeps serving, or keeps being retried.
    if (s.wanted && s.where == where_of(kind, plan)) continue;
    auto opened = acquire(kind, plan);
    if (!opened) return Failure{opened.error()};
    (kind == Kind::unix_socket ? p->unix_opened : p->tcp_opened) = std::move(*opened);
  }
  // Same Unix socket, new mode or group: applied to the file now (the last step, so a refusal
  // above leaves it as it was).
  const auto& u = plan.unix_socket;
  const auto& old = plan_.unix_socket;
  if (plan.unix_enabled && !p->unix_opened && unix_->serving &&
      (u.mode != old.mode || u.group != old.group)) {
    if (unix_->from_systemd) {
      log_->warn(
          "api.unix_socket mode/group changed, but the socket comes from systemd: "
          "SocketMode= and SocketGroup= of bessd.socket decide them");
    } else if (auto st = api::http::set_socket_file_access(u.path, u.mode, u.group, u.group_name);
               !st) {
      return Failure{st.error()};
    }
  }
  return p;
}

void ApiListeners::commit(const std::shared_ptr<Prepared>& p) {
  for (auto kind : kKinds) {
    auto& s = slot(kind);
    auto& opened = kind == Kind::unix_socket ? p->unix_opened : p->tcp_opened;
    const bool close_it = kind == Kind::unix_socket ? p->unix_close : p->tcp_close;
    if (close_it) close(s);
    if (opened) {
      s.where = where_of(kind, p->plan);
      Opened o = std::move(*opened);
      opened.reset();
      serve(s, std::move(o));
    }
    s.wanted = wanted_in(kind, p->plan);
    s.where = where_of(kind, p->plan);
  }
  plan_ = p->plan;
  publish();
}

void ApiListeners::stop_accepting() {
  server_.close_unix();
  server_.close_tcp();
  for (auto kind : kKinds) {
    auto& s = slot(kind);
    s.retry.cancel();
    s.wanted = false;
    s.serving = false;
  }
  publish();
}

void ApiListeners::stop() {
  for (auto kind : kKinds) {
    auto& s = slot(kind);
    s.retry.cancel();
    s.wanted = false;
    if (!s.bound_path.empty()) ::unlink(s.bound_path.c_str());
    s.bound_path.clear();
  }
  publish();
}

std::vector<api::LinkStatus> ApiListeners::compute_links() const {
  std::vector<api::LinkStatus> out;
  for (auto kind : kKinds) {
    const auto& s = slot(kind);
    api::LinkStatus l;
    l.name = s.name;
    l.error_count = s.failures;
    if (!s.wanted) {
      l.state = api::LinkState::disabled;
      l.detail = "disabled in the configuration";
    } else if (s.serving) {
      l.state = api::LinkState::up;
      l.detail = s.where + (s.from_systemd ? " (from systemd)" : "");
    } else {
      l.state = api::LinkState::down;
      l.detail = s.fault.value_or(s.where + ": not open");
    }
    out.push_back(std::move(l));
  }
  return out;
}

std::vector<api::ActiveFault> ApiListeners::compute_faults() const {
  std::vector<api::ActiveFault> out;
  for (auto kind : kKinds) {
    const auto& s = slot(kind);
    if (!s.wanted || s.serving) continue;
    api::ActiveFault f;
    f.code = s.code;
    f.severity = core::Severity::error;
    f.message = "API listener " + s.where + " is not open (" + s.fault.value_or("not tried yet") +
                "); retrying every " + std::to_string(retry_interval_.count() / 1000) + " s";
    f.since = s.fault_since;
    out.push_back(std::move(f));
  }
  return out;
}

void ApiListeners::publish() {
  auto links = compute_links();
  auto faults = compute_faults();
  std::lock_guard lock(published_mutex_);
  published_links_ = std::move(links);
  published_faults_ = std::move(faults);
}

std::vector<api::LinkStatus> ApiListeners::links() const {
  std::lock_guard lock(published_mutex_);
  return published_links_;
}

std::vector<api::ActiveFault> ApiListeners::faults() const {
  std::lock_guard lock(published_mutex_);
  return published_faults_;
}

bool ApiListeners::serving(Kind kind) const {
  return slot(kind).serving;
}

}  // namespace bessd::app
