#pragma once
// The API's listening sockets as the daemon manages them (docs/operations.md "API listeners"):
// each configured listener (the Unix socket, the optional TCP one) is taken from the sockets
// systemd passed when one matches its address, and bound by bessd otherwise. A listener that
// cannot be opened never stops the controller: it is a service fault in /v1/status (and the
// journal) and is retried every `retry_interval` until it opens. A socket systemd passed that
// the configuration does not ask for is logged and left unused.
//
// On SIGHUP the daemon first prepare()s the new plan (opens every listener it adds or moves;
// nothing changes when one fails, and the reload is refused), then commit()s it.
//
// Threading: everything on the API thread (the io_context given), except links() and faults(),
// which any thread may call. No user or group look-up happens here: the plan carries the gid,
// resolved by the caller.

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <spdlog/logger.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <bessd/api/http/http_server.hpp>
#include <bessd/api/http/listener_socket.hpp>
#include <bessd/api/status_dto.hpp>
#include <bessd/app/inherited_sockets.hpp>
#include <bessd/common/clock.hpp>
#include <bessd/common/result.hpp>
#include <bessd/config/api_config.hpp>

namespace bessd::app {

/// The listeners the configuration asks for.
struct ListenerPlan {
  bool unix_enabled{false};
  api::http::UnixListenerSpec unix_socket;
  bool tcp_enabled{false};
  std::string tcp_address;
  std::uint16_t tcp_port{0};

  /// From the api section; `unix_gid` is the gid of api.unix_socket.group (nullopt: none).
  static ListenerPlan from_config(const config::ApiConfig& api, std::optional<gid_t> unix_gid);
};

class ApiListeners {
 public:
  enum class Kind : std::uint8_t { unix_socket, tcp };

  /// What prepare() opened; commit() hands it to the server. Destroying it unused closes (and,
  /// for a Unix socket bessd bound, removes) what it opened.
  class Prepared;

  ApiListeners(boost::asio::io_context& io, api::http::HttpServer& server, const Clock& clock,
               std::vector<InheritedSocket> inherited, std::shared_ptr<spdlog::logger> logger,
               std::chrono::milliseconds retry_interval = std::chrono::seconds(5));
  ~ApiListeners();
  ApiListeners(const ApiListeners&) = delete;
  ApiListeners& operator=(const ApiListeners&) = delete;

  /// Opens every listener of `plan`; failures become faults and are retried. Logs the passed
  /// sockets the plan does not use.
  void start(const ListenerPlan& plan);

  /// Opens what `plan` adds or moves and applies a changed Unix socket mode or group. A
  /// failure changes nothing and names the listener and the reason.
  Result<std::shared_ptr<Prepared>> prepare(const ListenerPlan& plan);
  /// Serves the prepared listeners, closes the ones the plan drops.
  void commit(const std::shared_ptr<Prepared>& prepared);

  /// Stops accepting on every listener and the retries (the daemon is stopping); connections
  /// already open are served on.
  void stop_accepting();
  /// Stops the retries; removes the Unix socket file when bessd bound it (a passed one stays:
  /// systemd owns it).
  void stop();

  /// One entry per listener ("api_unix", "api_tcp"): up, down (with the reason) or disabled.
  /// Thread-safe (the control thread builds /v1/status from it): a copy of what the last
  /// change on the API thread published.
  std::vector<api::LinkStatus> links() const;
  /// The listeners that should be open and are not ("API-UNIX", "API-TCP"). Thread-safe.
  std::vector<api::ActiveFault> faults() const;
  /// Whether that listener accepts connections now. API thread only.
  bool serving(Kind kind) const;

  struct Slot;

 private:
  struct Opened;
  Result<Opened> acquire(Kind kind, const ListenerPlan& plan);
  void open_or_retry(Kind kind);
  void serve(Slot& slot, Opened opened);
  void close(Slot& slot);
  Slot& slot(Kind kind);
  const Slot& slot(Kind kind) const;
  // Every change ends here: the copy links() and faults() hand to other threads.
  void publish();
  std::vector<api::LinkStatus> compute_links() const;
  std::vector<api::ActiveFault> compute_faults() const;

  api::http::HttpServer& server_;
  const Clock& clock_;
  std::vector<InheritedSocket> inherited_;
  std::shared_ptr<spdlog::logger> log_;
  std::chrono::milliseconds retry_interval_;
  ListenerPlan plan_;
  std::unique_ptr<Slot> unix_;
  std::unique_ptr<Slot> tcp_;
  mutable std::mutex published_mutex_;
  std::vector<api::LinkStatus> published_links_;
  std::vector<api::ActiveFault> published_faults_;
};

}  // namespace bessd::app
