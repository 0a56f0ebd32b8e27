#pragma once
// The pure request handler: Request -> Response over the Facade. No sockets, no clock of its
// own (relative times in queries are resolved with the Clock passed in). Validates every query
// parameter and body strictly and says exactly what is wrong.
//
// Threading: handle() is called on the HTTP server's thread (it calls the facade there). The
// `done` callback runs either inside handle() or later on whatever thread the facade completes
// on; request counters are thread-safe.

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <bessd/api/facade.hpp>
#include <bessd/api/http_message.hpp>
#include <bessd/api/write_rate_limiter.hpp>
#include <bessd/common/clock.hpp>

namespace bessd::api {

struct RouteInfo {
  Method method;
  std::string path;
  bool write;  // needs the control scope (every route needs read)
  std::string summary;
};

class Router {
 public:
  using Reply = std::function<void(Response)>;

  /// `facade` and `clock` must outlive the router. `clock` gives "now" for relative query times
  /// ("-1h") and defaults ("since" = 24 h ago).
  Router(Facade& facade, const Clock& clock, WriteRateSettings write_rate = {});

  /// New write-rate settings (a reload); call on the io_context thread.
  void set_write_rate(WriteRateSettings settings) { write_limiter_.update(settings); }

  /// Handles one request; calls `reply` exactly once.
  void handle(const Request& request, Reply reply);

  /// Every route, for documentation checks and the 405 Allow header.
  const std::vector<RouteInfo>& routes() const { return routes_; }

  /// Counts a response that never reached the router (413, 401, 503 from the server), so that
  /// /metrics shows them.
  void count_transport_error(unsigned status);

  /// Records the refused writes still counted but not yet in the audit whose minute has ended
  /// (docs/api.md "Write rate limit"); the server's thread calls it from a timer.
  void audit_due_refusals();
  /// Records every refused write still counted (a clean stop): none goes uncounted.
  void audit_pending_refusals();

 private:
  void count(const std::string& route, Method method, unsigned status);

  Response get_status();
  Response get_limits();
  Response get_compliance();
  Response get_health();
  Response get_config();
  Response get_metrics();
  void get_events(const Request& req, Reply reply);
  void get_history(const Request& req, Reply reply);
  void get_audit(const Request& req, Reply reply);
  void get_energy(const Request& req, Reply reply);
  void put_mode(const Request& req, Reply reply);
  void put_settings(const Request& req, Reply reply);
  void post_ack(const Request& req, Reply reply);
  void post_self_test(const Request& req, Reply reply);
  std::optional<Response> refuse_write(const Request& req, const RouteInfo& route,
                                       const std::string& path, std::optional<Response> denied);
  void audit_refusals(const std::vector<RefusalCount>& counts);

  Facade& facade_;
  const Clock& clock_;
  std::vector<RouteInfo> routes_;
  WriteRateLimiter write_limiter_;
  mutable std::mutex counts_mutex_;
  std::map<std::tuple<std::string, std::string, unsigned>, std::uint64_t> counts_;
};

}  // namespace bessd::api
