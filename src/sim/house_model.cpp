#include <bessd/sim/house_model.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace bessd::sim {

namespace {

double bump(double hours, double centre_h, double width_h) {
  const double x = (hours - centre_h) / width_h;
  return std::exp(-x * x);
}

// Deterministic noise from the minute number: the same second always gives the same load, so
// runs are reproducible and tests can predict values.
double noise(double seconds, std::uint32_t seed) {
  const auto minute = static_cast<std::uint32_t>(seconds / 60.0);
  std::uint32_t h = (minute + 0x9E3779B9U) * 2654435761U ^ seed;
  h ^= h >> 15;
  h *= 2246822519U;
  h ^= h >> 13;
  return (static_cast<double>(h % 2001U) / 1000.0) - 1.0;  // [-1, 1]
}

}  // namespace

double HouseModel::load_w(double seconds_of_day) const {
  const double h = std::fmod(seconds_of_day, 86400.0) / 3600.0;
  const double w = params_.base_load_w + params_.morning_peak_w * bump(h, 7.5, 0.8) +
                   params_.evening_peak_w * bump(h, 18.5, 1.5) +
                   params_.noise_w * noise(seconds_of_day, params_.seed);
  return std::max(0.0, w);
}

double HouseModel::pv_w(double seconds_of_day) const {
  const double h = std::fmod(seconds_of_day, 86400.0) / 3600.0;
  if (h <= params_.sunrise_h || h >= params_.sunset_h) return 0.0;
  const double phase = (h - params_.sunrise_h) / (params_.sunset_h - params_.sunrise_h);
  return params_.pv_peak_w * std::pow(std::sin(std::numbers::pi * phase), 1.5);
}

}  // namespace bessd::sim
