#pragma once
// COM-03 sign sanity check: under a known, steady battery power command, the sign of the
// measured current must agree with the command and with the trend of the pack voltage / SOC.
// A disagreement means a device reports the other sign convention (docs/protocols.md): a warning,
// or a latched fault that blocks while commissioning (the controller decides). Pure.

#include <optional>
#include <string>

#include <bessd/common/clock.hpp>
#include <bessd/core/inverter_command.hpp>
#include <bessd/core/pack_state.hpp>

namespace bessd::control {

struct SignCheckSettings {
  double min_command_w{300.0};  // smaller commands are not "known" enough to judge
  double min_current_a{2.0};
  Duration window{std::chrono::seconds{60}};
  double min_voltage_change_v{0.05};  // pack voltage trend must move this much to count
  double min_soc_change_pct{1.0};
};

enum class SignVerdict : std::uint8_t { inconclusive, agrees, disagrees };

struct SignCheckResult {
  SignVerdict verdict{SignVerdict::inconclusive};
  std::string detail;  // for people, when disagrees
};

class SignCheck {
 public:
  explicit SignCheck(SignCheckSettings settings = {}) : settings_(settings) {}

  /// `command` is the command in force (written in the previous step). A verdict other than
  /// inconclusive is returned once per completed window.
  SignCheckResult update(const core::InverterCommand& command, const core::PackState& pack,
                         TimePoint now);

 private:
  struct Window {
    TimePoint start;
    double command_sign;
    std::optional<double> start_voltage_v;
    std::optional<double> start_soc_pct;
    std::optional<double> current_min_a;  // the current's range over the window
    std::optional<double> current_max_a;
    int current_positive{0};
    int current_negative{0};
  };
  static Window open_window(TimePoint now, double sign, const core::PackState& pack);
  SignCheckSettings settings_;
  std::optional<Window> window_;
};

}  // namespace bessd::control
