#include <bessd/inverter/planning/point_values.hpp>

#include <algorithm>
#include <cmath>

#include <bessd/inverter/registers/register_codec.hpp>

namespace bessd::inverter {

using registers::RegisterType;

double toward_zero(double value, double step) {
  if (!(step > 0.0) || !std::isfinite(value)) return value;
  const double steps = value / step;
  // A value already on the grid (19.99 / 0.01 = 1998.9999…) stays on it.
  return std::trunc(steps + (steps >= 0 ? 1e-9 : -1e-9)) * step;
}

std::optional<int> PointValues::scale_factor_of(const PointSpec& p) const {
  if (!p.scale_factor) return 0;
  auto it = raw_.find(*p.scale_factor);
  if (it == raw_.end()) return std::nullopt;
  const PointSpec* sfp = profile_.point(*p.scale_factor);
  if (registers::is_sunspec_unimplemented(it->second, RegisterType::sunssf, sfp->word_order))
    return std::nullopt;
  return static_cast<std::int16_t>(it->second[0]);
}

const RegisterWords* PointValues::number_words(const std::string& point,
                                               const PointSpec*& spec) const {
  auto it = raw_.find(point);
  spec = profile_.point(point);
  if (it == raw_.end() || spec == nullptr || !registers::is_numeric(spec->type)) return nullptr;
  if (spec->sunspec_sentinels &&
      registers::is_sunspec_unimplemented(it->second, spec->type, spec->word_order))
    return nullptr;
  return &it->second;
}

std::optional<double> PointValues::value_of(const std::string& point) const {
  const PointSpec* p = nullptr;
  const RegisterWords* words = number_words(point, p);
  if (words == nullptr) return std::nullopt;
  auto sf = scale_factor_of(*p);
  if (!sf) return std::nullopt;
  auto v = registers::decode_scaled(*words, p->type, p->word_order, p->scale, *sf);
  if (!v) return std::nullopt;
  return *v;
}

std::optional<double> PointValues::raw_value_of(const std::string& point) const {
  const PointSpec* p = nullptr;
  const RegisterWords* words = number_words(point, p);
  if (words == nullptr) return std::nullopt;
  auto v = registers::decode_raw(*words, p->type, p->word_order);
  if (!v) return std::nullopt;
  return *v;
}

std::optional<std::string> PointValues::string_of(const std::string& point) const {
  auto it = raw_.find(point);
  if (it == raw_.end()) return std::nullopt;
  auto s = registers::decode_string(it->second);
  if (!s || s->empty()) return std::nullopt;
  return *s;
}

std::optional<double> PointValues::flow(ReadingRole role, bool invert_battery_power) const {
  auto rit = profile_.readings.find(role);
  if (rit == profile_.readings.end()) return std::nullopt;
  std::optional<double> total;
  const bool sum = rit->second.combine != Reading::Combine::first;
  for (const auto& n : rit->second.points) {
    auto v = value_of(n);
    // A part the device says it lacks ("not available") is left out; a part whose read failed
    // leaves the sum unknown: the rest is not the total.
    if (!v && sum && failed_.count(n) > 0) return std::nullopt;
    if (!v) continue;
    const SignConvention s = profile_.point(n)->sign;
    double x = *v;
    // A PV string without panels may read a little below 0: PV never draws power.
    if (role == ReadingRole::pv_power) x = std::max(x, 0.0);
    if (role == ReadingRole::battery_power || role == ReadingRole::battery_current) {
      if (s == SignConvention::unknown || s == SignConvention::none) continue;
      if (s == SignConvention::discharge_positive) x = -x;
      if (invert_battery_power) x = -x;
    } else if (role == ReadingRole::grid_power) {
      if (s == SignConvention::unknown) continue;
      if (s == SignConvention::export_positive) x = -x;
    } else if (role == ReadingRole::ac_power) {
      if (s == SignConvention::unknown) continue;
      if (s == SignConvention::import_positive) x = -x;
    }
    if (rit->second.combine == Reading::Combine::first) return x;
    total = total.value_or(0.0) + x;
  }
  return total;
}

double PointValues::step_of(const PointSpec& p) const {
  auto sf = scale_factor_of(p);
  return sf ? registers::resolution(p.scale, *sf) : 0.0;
}

double PointValues::toward_zero_on(const std::string& point, double value) const {
  const PointSpec* p = profile_.point(point);
  return p == nullptr ? value : toward_zero(value, step_of(*p));
}

Result<RegisterWords> PointValues::encode(const PointSpec& p, double value) const {
  auto sf = scale_factor_of(p);
  if (!sf)
    return fail(ErrorCode::unsupported, "point " + p.name + ": scale factor " +
                                            p.scale_factor.value_or("") + " not available");
  return registers::encode_scaled(value, p.type, p.word_order, p.scale, *sf);
}

}  // namespace bessd::inverter
