#include <bessd/api/write_rate_limiter.hpp>

#include <algorithm>
#include <cmath>
#include <utility>

namespace bessd::api {

WriteRateSettings write_rate_settings(const config::WriteRateConfig& config) {
  WriteRateSettings s;
  s.per_second = config.per_second;
  s.burst = static_cast<std::uint32_t>(config.burst);
  return s;
}

std::string write_client_key(const Requester& who) {
  switch (who.transport) {
    case Transport::internal:
      return {};
    case Transport::unix_socket:
      return who.uid ? "uid " + std::to_string(*who.uid) : "unix peer without credentials";
    case Transport::tcp:
      break;
    case Transport::mqtt:
      // A command names its client itself: every MQTT command shares one bucket, so that a
      // client cannot earn more by naming itself anew.
      return "mqtt " + who.peer;
  }
  if (!who.credential.empty()) return "token " + who.credential;
  return "tcp " + who.peer.substr(0, who.peer.rfind(':'));
}

WriteRateLimiter::WriteRateLimiter(WriteRateSettings settings) : settings_(settings) {}

void WriteRateLimiter::refill(Bucket& b, TimePoint now) const {
  if (now <= b.updated) return;
  const double earned =
      std::chrono::duration<double>(now - b.updated).count() * settings_.per_second;
  b.tokens = std::min(static_cast<double>(settings_.burst), b.tokens + earned);
  b.updated = now;
}

WriteRateLimiter::Admission WriteRateLimiter::admit(const std::string& client, TimePoint now) {
  if (client.empty()) return {};
  auto it = buckets_.find(client);
  if (it == buckets_.end()) {
    if (buckets_.size() >= settings_.max_clients) prune(now);
    it = buckets_.emplace(client, Bucket{static_cast<double>(settings_.burst), now}).first;
  }
  Bucket& b = it->second;
  refill(b, now);
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return {};
  }
  const double wait_s = settings_.per_second > 0 ? (1.0 - b.tokens) / settings_.per_second : 3600;
  return {false, std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(wait_s * 1000)))};
}

std::optional<std::uint64_t> WriteRateLimiter::count_refusal(const std::string& client,
                                                             const std::string& reason,
                                                             TimePoint now,
                                                             RefusalContext context) {
  const std::string key = reason + " " + client;
  if (refusals_.size() >= settings_.max_clients && !refusals_.contains(key)) prune(now);
  Refusals& r = refusals_[key];
  r.client = client;
  r.reason = reason;
  r.context = std::move(context);
  ++r.unaudited;
  if (r.last_audit && now - *r.last_audit < settings_.audit_interval) return std::nullopt;
  r.last_audit = now;
  return std::exchange(r.unaudited, 0);
}

std::vector<RefusalCount> WriteRateLimiter::due_refusals(TimePoint now) {
  std::vector<RefusalCount> out;
  for (auto& [key, r] : refusals_) {
    if (r.unaudited == 0 || (r.last_audit && now - *r.last_audit < settings_.audit_interval))
      continue;
    // The next record of this client counts from here: one record per interval stays the rule.
    r.last_audit = now;
    out.push_back({r.client, r.reason, r.context, std::exchange(r.unaudited, 0)});
  }
  return out;
}

std::vector<RefusalCount> WriteRateLimiter::take_refusals() {
  std::vector<RefusalCount> out;
  for (auto& [key, r] : refusals_)
    if (r.unaudited > 0)
      out.push_back({r.client, r.reason, r.context, std::exchange(r.unaudited, 0)});
  return out;
}

void WriteRateLimiter::update(WriteRateSettings settings) {
  settings_ = settings;
  for (auto& [client, b] : buckets_) b.tokens = std::min(b.tokens, double(settings_.burst));
}

void WriteRateLimiter::prune(TimePoint now) {
  // A full bucket says nothing the next write would not say again; a refusal count whose audit
  // interval has passed has been reported, except for what came since (lost only under a spread
  // attack of more than max_clients clients, when forgetting beats growing without bound).
  for (auto& [client, b] : buckets_) refill(b, now);
  std::erase_if(buckets_, [&](const auto& item) { return item.second.tokens >= settings_.burst; });
  std::erase_if(refusals_, [&](const auto& item) {
    return item.second.unaudited == 0 && item.second.last_audit &&
           now - *item.second.last_audit >= settings_.audit_interval;
  });
  if (buckets_.size() >= settings_.max_clients) buckets_.clear();
  if (refusals_.size() >= settings_.max_clients) refusals_.clear();
}

}  // namespace bessd::api
