#include <bessd/inverter/planning/write_budget.hpp>

namespace bessd::inverter {

namespace {

// Safe-state writes beyond the budget are counted too, up to this many past it: the count
// stays bounded in memory whatever a faulty device makes the driver do.
constexpr std::size_t kCountedBeyondBudget = 1000;

}  // namespace

std::deque<TimePoint>* WriteBudget::writes_of(const std::string& point, TimePoint now) {
  const PointSpec* p = profile_.point(point);
  if (p == nullptr || !p->write_budget_per_day) return nullptr;
  auto& q = writes_[point];
  while (!q.empty() && now - q.front() >= kWindow) q.pop_front();
  return &q;
}

bool WriteBudget::allows(const std::string& point, TimePoint now) {
  const auto* q = writes_of(point, now);
  return q == nullptr || q->size() < *profile_.point(point)->write_budget_per_day;
}

void WriteBudget::record(const std::string& point, TimePoint now) {
  auto* q = writes_of(point, now);
  if (q == nullptr) return;
  q->push_back(now);
  if (q->size() > *profile_.point(point)->write_budget_per_day + kCountedBeyondBudget)
    q->pop_front();
}

std::size_t WriteBudget::used(const std::string& point, TimePoint now) {
  const auto* q = writes_of(point, now);
  return q == nullptr ? 0 : q->size();
}

std::optional<TimePoint> WriteBudget::room_again_at(const std::string& point, TimePoint now) {
  const auto* q = writes_of(point, now);
  if (q == nullptr) return std::nullopt;
  const std::size_t budget = *profile_.point(point)->write_budget_per_day;
  if (q->size() < budget) return std::nullopt;
  // Room for one more once all but budget - 1 of the writes have left the window.
  return (*q)[q->size() - budget] + kWindow;
}

}  // namespace bessd::inverter
