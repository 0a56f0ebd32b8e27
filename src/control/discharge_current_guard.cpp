#include <algorithm>
#include <cmath>

#include <bessd/common/printf_string.hpp>
#include <bessd/control/discharge_current_guard.hpp>

namespace bessd::control {

namespace {

// A BMS reports its current to 0.1 A and an inverter settles with some overshoot; a few per cent
// over the limit are within what the BMS's own over-current protection allows for.
double tolerance_a(double limit_a) {
  return std::max(1.0, 0.05 * limit_a);
}

Duration settle_time(double change_w, double ramp_w_per_s) {
  return std::chrono::duration_cast<Duration>(
             std::chrono::duration<double>(change_w / std::max(1.0, ramp_w_per_s))) +
         std::chrono::seconds{2};
}

}  // namespace

std::optional<CurrentGuardEdge> DischargeCurrentGuard::update(const PackCurrentSample& pack,
                                                              std::optional<double> limit_a,
                                                              double commanded_w, TimePoint now) {
  if (!pack.measured_at || pack.measured_at == last_sample_ || !pack.current_a || !pack.voltage_v ||
      *pack.voltage_v <= 0.0 || !limit_a)
    return std::nullopt;
  last_sample_ = pack.measured_at;
  if (now < hold_until_) return std::nullopt;  // the last correction has not reached the pack yet
  const double limit = std::max(0.0, *limit_a);
  const double draw_a = -*pack.current_a;
  const double over_a = draw_a - limit;
  const double tol = tolerance_a(limit);
  const double volts = *pack.voltage_v;
  if (over_a > tol) {
    // Lower the inverter's share by the whole excess: the load does not wait for a window.
    const double step_w = over_a * volts;
    const bool was_engaged = floor_w_.has_value();
    floor_w_ = std::max(floor_w_.value_or(commanded_w), commanded_w) + step_w;
    hold_until_ = now + settle_time(step_w, ramp_w_per_s_);
    reason_ = printf_string(
        "the pack gave %.1f A, above its %.1f A discharge limit, so something besides the "
        "inverter draws from it (a DC load larger than declared)",
        draw_a, limit);
    if (was_engaged) return std::nullopt;
    return CurrentGuardEdge{
        true, printf_string("The pack gave %.1f A, above its %.1f A discharge limit: bessd lowers "
                            "the inverter's share by %.0f W to keep the pack within it.",
                            draw_a, limit, step_w)};
  }
  if (floor_w_ && over_a < -2.0 * tol) {
    // Room again (the load has dropped): give it back, keeping one tolerance below the limit.
    const double give_w = (-over_a - tol) * volts;
    *floor_w_ -= give_w;
    hold_until_ = now + settle_time(give_w, ramp_w_per_s_);
    // Lower than one tolerance under the limit, the bound is the envelope's own again.
    if (*floor_w_ <= -(limit - tol) * volts + 1e-6) {
      floor_w_.reset();
      return CurrentGuardEdge{false,
                              "The pack is within its discharge limit again: the inverter's "
                              "share is no longer lowered."};
    }
  }
  return std::nullopt;
}

}  // namespace bessd::control
