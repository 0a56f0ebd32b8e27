#include <bessd/inverter/planning/point_layout.hpp>

#include <algorithm>
#include <set>
#include <tuple>

namespace bessd::inverter {

namespace {

std::uint8_t unit_of(const PointSpec& p, const Profile& profile, std::uint8_t link_unit) {
  if (p.unit_id) return *p.unit_id;
  if (profile.unit_id) return *profile.unit_id;
  return link_unit;
}

// Readings, the control points read back or used as a reference, preconditions, and the scale
// factor of each: those located on this device. The storage rates too: the order in which they
// may be written depends on the device's current ones (docs/profiles.md "Control",
// sunspec_storage), which after bessd's restart are whatever was left there.
std::set<std::string> points_to_poll(const Profile& profile,
                                     const std::map<std::string, PointAddress>& located) {
  std::set<std::string> names;
  for (const auto& [role, r] : profile.readings)
    for (const auto& n : r.points) names.insert(n);
  for (const auto& [role, n] : profile.control.points)
    if (role == ControlRole::rate_reference_w || role == ControlRole::readback ||
        role == ControlRole::charge_rate_pct || role == ControlRole::discharge_rate_pct)
      names.insert(n);
  for (const auto& [role, n] : profile.control.points) {
    const PointSpec* p = profile.point(n);
    if (p != nullptr && p->scale_factor) names.insert(*p->scale_factor);
  }
  for (const auto& pc : profile.control.preconditions) names.insert(pc.point);
  std::set<std::string> with_sf = names;
  for (const auto& n : names) {
    const PointSpec* p = profile.point(n);
    if (p != nullptr && p->scale_factor) with_sf.insert(*p->scale_factor);
  }
  std::set<std::string> out;
  for (const auto& n : with_sf)
    if (located.count(n)) out.insert(n);
  return out;
}

}  // namespace

PointLayout::PointLayout(const Profile& profile, const registers::sunspec::ModelDirectory& models,
                         std::uint8_t link_unit) {
  for (const auto& [name, p] : profile.points) {
    const std::uint8_t unit = unit_of(p, profile, link_unit);
    if (p.address) {
      written_[name] = {unit, RegisterFunction::holding, *p.address};
      located_[name] = p.read_at ? PointAddress{unit, p.read_at->function, p.read_at->address}
                                 : PointAddress{unit, p.function, *p.address};
      continue;
    }
    for (auto m : p.models) {
      auto start = models.start_of(m);
      auto len = models.length_of(m);
      if (!start || !len) continue;
      if (std::size_t{p.offset} + p.register_count() > std::size_t{*len} + 2u) break;
      const auto address = static_cast<std::uint16_t>(*start + p.offset);
      located_[name] = {unit, p.function, address};
      written_[name] = {unit, RegisterFunction::holding, address};
      break;
    }
  }

  const auto polled = points_to_poll(profile, located_);
  poll_blocks_ = reads_for(profile, {polled.begin(), polled.end()});
}

std::vector<PollBlock> PointLayout::reads_for(const Profile& profile,
                                              const std::vector<std::string>& points) const {
  struct Item {
    PointAddress at;
    std::uint16_t count;
    std::string name;
  };
  std::vector<Item> items;
  for (const auto& n : points) {
    const PointSpec* p = profile.point(n);
    const auto it = located_.find(n);
    if (p == nullptr || !p->readable() || it == located_.end()) continue;
    items.push_back({it->second, static_cast<std::uint16_t>(p->register_count()), n});
  }
  std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    return std::tie(a.at.unit, a.at.function, a.at.address) <
           std::tie(b.at.unit, b.at.function, b.at.address);
  });
  constexpr std::uint32_t kMaxGap = 16;    // reading a few unused registers beats a round trip
  constexpr std::uint32_t kMaxRead = 125;  // Modbus FC03/FC04 limit
  std::vector<PollBlock> reads;
  bool last_alone = false;
  for (const auto& it : items) {
    const bool alone = profile.point(it.name)->read_alone;
    const bool merge = !reads.empty() && !alone && !last_alone;
    last_alone = alone;
    if (merge) {
      PollBlock& b = reads.back();
      const std::uint32_t end = std::uint32_t{b.address} + b.count;
      const std::uint32_t new_end = std::max(end, std::uint32_t{it.at.address} + it.count);
      if (b.unit == it.at.unit && b.function == it.at.function && it.at.address <= end + kMaxGap &&
          new_end - b.address <= kMaxRead) {
        b.count = static_cast<std::uint16_t>(new_end - b.address);
        b.points.push_back(it.name);
        continue;
      }
    }
    reads.push_back({it.at.unit, it.at.function, it.at.address, it.count, {it.name}});
  }
  return reads;
}

const PointAddress* PointLayout::find(const std::string& point) const {
  const auto it = located_.find(point);
  return it == located_.end() ? nullptr : &it->second;
}

const PointAddress* PointLayout::find_written(const std::string& point) const {
  const auto it = written_.find(point);
  return it == written_.end() ? nullptr : &it->second;
}

}  // namespace bessd::inverter
