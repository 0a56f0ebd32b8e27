#pragma once
// PointValues: the registers last read from the device, per profile point, and what they mean:
// scaled values (SunSpec scale factors and "not implemented" sentinels applied), strings, and
// the flows in bessd's sign convention (docs/protocols.md, "Sign conventions"). The driver stores
// what it reads; planning and supervision ask.
//
// Pure: no I/O, no clock. Not thread-safe.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <bessd/common/result.hpp>
#include <bessd/inverter/profile.hpp>

namespace bessd::inverter {

using RegisterWords = std::vector<std::uint16_t>;

class PointValues {
 public:
  /// `profile` must outlive this object.
  explicit PointValues(const Profile& profile) : profile_(profile) {}

  void store(const std::string& point, RegisterWords words) {
    raw_[point] = std::move(words);
    failed_.erase(point);
  }
  /// The point's read failed: no value, and a sum it is part of has none either.
  void forget(const std::string& point) {
    raw_.erase(point);
    failed_.insert(point);
  }

  /// The SunSpec scale factor of `p` (0 without one); nothing while it is unknown or "not
  /// implemented".
  std::optional<int> scale_factor_of(const PointSpec& p) const;
  /// Physical value (scale and scale factor applied); nothing when unread, not numeric or a
  /// sentinel.
  std::optional<double> value_of(const std::string& point) const;
  /// The register value without scaling (enumerations, preconditions).
  std::optional<double> raw_value_of(const std::string& point) const;
  /// A non-empty string point.
  std::optional<std::string> string_of(const std::string& point) const;
  /// A reading's flow in bessd's convention: battery + = charging, grid + = import, ac + =
  /// export. Points of unknown sign are left out (a battery power of unknown sign is unknown).
  std::optional<double> flow(ReadingRole role, bool invert_battery_power) const;

  /// The register step of `p` (scale × 10^sf); 0 when its scale factor is unknown.
  double step_of(const PointSpec& p) const;
  /// `value` on `point`'s register grid, rounded toward zero (docs/profiles.md "Control").
  double toward_zero_on(const std::string& point, double value) const;
  /// Encodes a physical value for `p` (scale and scale factor applied).
  Result<RegisterWords> encode(const PointSpec& p, double value) const;

 private:
  /// The words of a numeric point that holds a value (not a SunSpec "not implemented").
  const RegisterWords* number_words(const std::string& point, const PointSpec*& spec) const;

  const Profile& profile_;
  std::map<std::string, RegisterWords> raw_;
  std::set<std::string> failed_;  // points whose last read failed
};

/// `value` on a grid of `step`, rounded toward zero: a limit or a target written to the device
/// never exceeds the envelope, not even by half a step.
double toward_zero(double value, double step);

}  // namespace bessd::inverter
