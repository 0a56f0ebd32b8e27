#pragma once
// Failed authentications per peer (TCP: the client's address without the port): the throttle
// and the rate limit of their log lines (docs/api.md "Failed authentications").
//
// A peer with `max_failures` failures within `window` is refused (429) for `block` after the
// last of them; its log lines come at the first failure, when the block starts, and otherwise at
// most once per `log_interval`, each carrying the number of failures since the previous line.
// All peers together get at most `max_log_lines` lines per `log_interval` (addresses are free on
// loopback: 127.0.0.0/8): failures beyond that are counted, and the next line that is written
// carries their number, so the journal's own rate limit never drops bessd's other lines. Times
// come in as arguments: no clock of its own, so the logic is tested without waiting.
//
// Threading: not thread-safe; the HTTP server uses it on its io_context thread.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

namespace bessd::api::http {

struct AuthThrottleSettings {
  std::uint32_t max_failures{10};
  std::chrono::milliseconds window{60'000};
  std::chrono::milliseconds block{60'000};
  std::chrono::milliseconds log_interval{60'000};
  std::size_t max_peers{4096};      // peers tracked at once (bounded memory under a spread attack)
  std::uint32_t max_log_lines{20};  // per log_interval, all peers together
};

class AuthFailureTracker {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit AuthFailureTracker(AuthThrottleSettings settings = {}) : settings_(settings) {}

  /// What a log line about `peer` says.
  struct LogLine {
    std::uint64_t failures;                 // since the previous line about this peer
    bool blocked;                           // the peer is now refused
    std::uint64_t not_logged_elsewhere{0};  // failures of any peer whose lines were suppressed
  };

  /// Records one failure of `peer` at `now`; returns the log line to write when one is due.
  std::optional<LogLine> record_failure(const std::string& peer, TimePoint now);
  /// How long `peer` is still refused at `now`; zero when it may try.
  std::chrono::milliseconds blocked_for(const std::string& peer, TimePoint now) const;
  /// Peers tracked now.
  std::size_t size() const { return peers_.size(); }

 private:
  struct Peer {
    TimePoint window_start;
    std::uint32_t in_window{0};
    TimePoint blocked_until;
    std::optional<TimePoint> last_log;
    std::uint64_t unlogged{0};
  };
  void prune(TimePoint now);

  bool take_global_line(TimePoint now);

  AuthThrottleSettings settings_;
  std::unordered_map<std::string, Peer> peers_;
  TimePoint lines_window_start_{};
  std::uint32_t lines_in_window_{0};
  std::uint64_t suppressed_{0};
};

}  // namespace bessd::api::http
