#pragma once
// Writes per client (docs/api.md "Write rate limit"): a token bucket per client, so that a
// script or a stuck dashboard cannot turn the control loop, the database and the audit log into
// its echo chamber. A client holds `burst` writes and earns `per_second` more each second; a
// write over that is refused with 429 and costs nothing further.
//
// Refusals of one client (429 over the limit, 403 without the control scope) are recorded in the
// audit log at the first one and then at most once per `audit_interval`, each record counting the
// refusals since the previous one: the audit says that somebody kept trying without a flood of
// rows filling the database. Counts still pending when their interval ends are taken by
// due_refusals() (the caller's timer), and all of them by take_refusals() at a stop, so that
// every refusal ends up counted in a record.
//
// Times come in as arguments: no clock of its own. Not thread-safe: the router calls it on the
// io_context thread.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <bessd/api/requester.hpp>
#include <bessd/common/clock.hpp>
#include <bessd/config/api_config.hpp>

namespace bessd::api {

struct WriteRateSettings {
  double per_second{2.0};
  std::uint32_t burst{10};
  std::chrono::milliseconds audit_interval{60'000};
  std::size_t max_clients{1024};  // clients tracked at once (bounded memory)
};

WriteRateSettings write_rate_settings(const config::WriteRateConfig& config);

/// Who was refused and what they asked for, kept with a pending count for its audit record.
struct RefusalContext {
  Requester who;
  std::string what;  // "POST /v1/faults/ack": the latest refused request of the client
};

/// Refusals of one client for one reason, due for an audit record.
struct RefusalCount {
  std::string client;
  std::string reason;
  RefusalContext context;
  std::uint64_t count{0};
};

/// Who a write is counted against: the Unix peer's uid, the TCP token's name (or, without one,
/// the address). Empty for internal callers, which are never limited.
std::string write_client_key(const Requester& who);

class WriteRateLimiter {
 public:
  explicit WriteRateLimiter(WriteRateSettings settings = {});

  struct Admission {
    bool allowed{true};
    std::chrono::milliseconds retry_after{0};  // when refused: until one write is earned
  };
  /// Takes one write from `client`'s bucket at `now`, or refuses it.
  Admission admit(const std::string& client, TimePoint now);

  /// Counts one refusal of `client` for `reason` ("429", "403"); returns the number of such
  /// refusals since the last audit record when one is due now.
  std::optional<std::uint64_t> count_refusal(const std::string& client, const std::string& reason,
                                             TimePoint now, RefusalContext context = {});
  /// The pending counts whose audit interval has ended at `now` (then counted as recorded).
  std::vector<RefusalCount> due_refusals(TimePoint now);
  /// Every pending count, whatever its interval (a stop).
  std::vector<RefusalCount> take_refusals();

  const WriteRateSettings& settings() const { return settings_; }
  /// Takes new settings; buckets keep what they hold, capped at the new burst.
  void update(WriteRateSettings settings);
  std::size_t clients() const { return buckets_.size() + refusals_.size(); }

 private:
  struct Bucket {
    double tokens;
    TimePoint updated;
  };
  struct Refusals {
    std::string client;
    std::string reason;
    RefusalContext context;
    std::optional<TimePoint> last_audit;
    std::uint64_t unaudited{0};
  };
  void refill(Bucket& b, TimePoint now) const;
  void prune(TimePoint now);

  WriteRateSettings settings_;
  std::unordered_map<std::string, Bucket> buckets_;
  std::unordered_map<std::string, Refusals> refusals_;
};

}  // namespace bessd::api
