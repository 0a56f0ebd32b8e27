#pragma once
// At or below its reserve the pack gives nothing to the inverter (OP-SOC-01), but a DC load on
// the battery bus still draws from it when the inverter does not carry the load: on a Victron GX
// without a DC meter the Multi is kept within the BMS's charge limit, and a cold pack's limit is
// below the load. Nothing else says that the reserve is being drained (docs/protection.md
// "Recovery charge"). Judged on the mean over a window, so a load that cycles (a fridge) counts
// by its share. Pure: fed values, time as an argument.

#include <optional>

#include <bessd/common/clock.hpp>

namespace bessd::control {

class ReserveDrainCheck {
 public:
  /// `standby_tolerance_w`: what one reading may be off by (standby draw, a sensor offset). A
  /// mean over a minute is steadier than one reading: half of it is the drain said.
  explicit ReserveDrainCheck(double standby_tolerance_w)
      : tolerance_w_(0.5 * standby_tolerance_w) {}

  /// `at_reserve`: SOC at or below the reserve while bessd commands no discharge. `pack_w`: the
  /// BMS's voltage x current (+ = charge), when fresh. Returns true on the edges.
  bool update(bool at_reserve, std::optional<double> pack_w, TimePoint now);
  bool draining() const { return draining_; }
  /// The mean discharge of the window that changed the verdict, W (>= 0).
  double drain_w() const { return drain_w_; }

  static constexpr Duration kWindow = std::chrono::seconds{60};

 private:
  double tolerance_w_;
  bool draining_{false};
  double drain_w_{0.0};
  std::optional<TimePoint> window_from_;
  double sum_w_{0.0};
  int samples_{0};
};

}  // namespace bessd::control
