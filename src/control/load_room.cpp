#include <bessd/control/load_room.hpp>

namespace bessd::control {

void LoadRoom::record(double load_w, TimePoint now) {
  while (!drawn_.empty() && now - drawn_.front().at >= kHold) drawn_.pop_front();
  while (!drawn_.empty() && drawn_.back().load_w <= load_w) drawn_.pop_back();
  if (load_w <= 0.0) return;
  // Within the resolution of the newest: the same load drawn again (keeping the larger figure).
  if (!drawn_.empty() && drawn_.back().load_w <= load_w + resolution_w_) {
    drawn_.back().at = now;
    return;
  }
  drawn_.push_back(Drawn{now, load_w});
}

const LoadRoom::Drawn* LoadRoom::peak(TimePoint now) const {
  for (const auto& d : drawn_)
    if (now - d.at < kHold) return &d;
  return nullptr;
}

double LoadRoom::room_w(TimePoint now) const {
  const Drawn* d = peak(now);
  return d ? d->load_w : 0.0;
}

std::optional<TimePoint> LoadRoom::lowers_at(TimePoint now) const {
  const Drawn* d = peak(now);
  if (!d) return std::nullopt;
  return d->at + kHold;
}

std::optional<LoadRoom::Peak> LoadRoom::peak_drawn(TimePoint now) const {
  const Drawn* d = peak(now);
  if (!d) return std::nullopt;
  return Peak{d->load_w, d->at};
}

}  // namespace bessd::control
