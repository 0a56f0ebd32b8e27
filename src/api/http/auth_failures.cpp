#include <bessd/api/http/auth_failures.hpp>

#include <algorithm>
#include <utility>

namespace bessd::api::http {

std::optional<AuthFailureTracker::LogLine> AuthFailureTracker::record_failure(
    const std::string& peer, TimePoint now) {
  if (peers_.size() >= settings_.max_peers && peers_.find(peer) == peers_.end()) prune(now);
  Peer& p = peers_[peer];
  if (p.in_window == 0 || now - p.window_start >= settings_.window) {
    p.window_start = now;
    p.in_window = 0;
  }
  ++p.in_window;
  ++p.unlogged;
  const bool was_blocked = p.blocked_until > now;
  const bool blocked = p.in_window >= settings_.max_failures;
  if (blocked) p.blocked_until = now + settings_.block;
  // The first failure is logged at once, and so is the start of a block; other failures at most
  // once per interval, counted.
  const bool newly_blocked = blocked && !was_blocked;
  if (p.last_log && now - *p.last_log < settings_.log_interval && !newly_blocked)
    return std::nullopt;
  if (!take_global_line(now)) {
    suppressed_ += p.unlogged;
    p.unlogged = 0;
    return std::nullopt;
  }
  p.last_log = now;
  const LogLine line{p.unlogged, blocked, std::exchange(suppressed_, 0)};
  p.unlogged = 0;
  return line;
}

bool AuthFailureTracker::take_global_line(TimePoint now) {
  if (lines_in_window_ == 0 || now - lines_window_start_ >= settings_.log_interval) {
    lines_window_start_ = now;
    lines_in_window_ = 0;
  }
  if (lines_in_window_ >= settings_.max_log_lines) return false;
  ++lines_in_window_;
  return true;
}

std::chrono::milliseconds AuthFailureTracker::blocked_for(const std::string& peer,
                                                          TimePoint now) const {
  const auto it = peers_.find(peer);
  if (it == peers_.end() || it->second.blocked_until <= now) return std::chrono::milliseconds{0};
  return std::chrono::ceil<std::chrono::milliseconds>(it->second.blocked_until - now);
}

void AuthFailureTracker::prune(TimePoint now) {
  std::erase_if(peers_, [&](const auto& item) {
    const Peer& p = item.second;
    return now - p.window_start >= settings_.window && p.blocked_until <= now;
  });
  // Still full (many peers failing at once): forget everybody rather than grow without bound;
  // the Unix socket does not depend on this table.
  if (peers_.size() >= settings_.max_peers) peers_.clear();
}

}  // namespace bessd::api::http
