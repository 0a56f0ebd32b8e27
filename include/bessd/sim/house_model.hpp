#pragma once
// A house seen from the meter: a daily load profile (base load, morning and evening peaks, small
// deterministic noise) and a PV array (clear-sky bell curve between sunrise and sunset).
// Time is seconds since local midnight of the simulated day. Pure and deterministic.

#include <cstdint>

namespace bessd::sim {

struct HouseParams {
  double base_load_w{350.0};
  double morning_peak_w{1200.0};  // around 07:30
  double evening_peak_w{2200.0};  // around 18:30
  double pv_peak_w{4000.0};       // at solar noon
  double sunrise_h{6.5};
  double sunset_h{19.5};
  double noise_w{80.0};
  std::uint32_t seed{7};
};

class HouseModel {
 public:
  explicit HouseModel(const HouseParams& params) : params_(params) {}
  /// Household consumption (W, ≥ 0) at `seconds_of_day`.
  double load_w(double seconds_of_day) const;
  /// PV production (W, ≥ 0) at `seconds_of_day`.
  double pv_w(double seconds_of_day) const;
  const HouseParams& params() const { return params_; }
  void set_params(const HouseParams& p) { params_ = p; }

 private:
  HouseParams params_;
};

}  // namespace bessd::sim
