#include <gtest/gtest.h>

#include <bessd/control/sign_check.hpp>

namespace bessd::control {
namespace {

using std::chrono::seconds;

struct Row {
  const char* name;
  double command_w;
  double current_a;
  double voltage_slope_v_per_s;
  SignVerdict expected;
};

TEST(SignCheck, VerdictTable) {
  const Row rows[] = {
      {"agrees-charging", 2000, 38, 0.002, SignVerdict::agrees},
      {"agrees-discharging", -2000, -38, -0.002, SignVerdict::agrees},
      {"current-inverted", 2000, -38, 0.002, SignVerdict::disagrees},
      {"voltage-disagrees", 2000, 38, -0.002, SignVerdict::disagrees},
      {"no-current-evidence", 2000, 0.5, 0.002, SignVerdict::inconclusive},
      {"small-command", 100, -5, 0.0, SignVerdict::inconclusive},
      // A DC load takes more than the charge: current and voltage agree, the signs are right.
      {"load-takes-the-charge", 2000, -38, -0.002, SignVerdict::inconclusive},
  };
  for (const Row& r : rows) {
    SignCheck check;  // 60 s window
    core::InverterCommand cmd{core::CommandKind::set_power, r.command_w, 5000, 5000, "t"};
    core::PackState p;
    p.soc_pct = 50.0;
    SignVerdict last = SignVerdict::inconclusive;
    TimePoint t{};
    for (int i = 0; i <= 61; ++i) {
      p.voltage_v = 52.0 + r.voltage_slope_v_per_s * i;
      p.current_a = r.current_a;
      const auto res = check.update(cmd, p, t + seconds{i});
      if (res.verdict != SignVerdict::inconclusive) last = res.verdict;
      if (res.verdict == SignVerdict::disagrees) {
        EXPECT_NE(res.detail.find("COM-03"), std::string::npos);
      }
    }
    EXPECT_EQ(last, r.expected) << r.name;
  }
}

// Red team 26d L2: a fridge switching off during a discharge lowers the current and the
// voltage rises with the smaller IR drop. That is no evidence against the current's sign.
TEST(SignCheck, AVoltageRiseAfterALoadStepIsNoEvidence) {
  SignCheck check;
  core::PackState p;
  p.voltage_v = 52.0;
  const core::InverterCommand cmd{core::CommandKind::set_power, -1000, 5000, 5000, "t"};
  TimePoint t{};
  for (int i = 0; i <= 130; ++i) {
    const bool fridge = (i / 20) % 2 == 0;
    p.current_a = fridge ? -48.0 : -20.0;
    p.voltage_v = fridge ? 51.6 : 52.0;
    const auto res = check.update(cmd, p, t + seconds{i});
    EXPECT_NE(res.verdict, SignVerdict::disagrees) << i << " " << res.detail;
  }
}

// Red team 26e P7: a fridge that starts and stops under a 1 kW charge (mostly on), with no
// usable voltage or SOC trend: the current is against the command, but it did not hold, so it
// is no evidence of a sign error.
TEST(SignCheck, ALoadCyclingUnderAChargeIsNoSignError) {
  SignCheck check;
  core::PackState p;
  p.voltage_v = 52.0;
  p.soc_pct = 40.0;
  const core::InverterCommand cmd{core::CommandKind::set_power, 1000, 5000, 5000, "t"};
  TimePoint t{};
  for (int i = 0; i <= 200; ++i) {
    p.current_a = (i % 40) < 30 ? -19.0 : 10.0;
    const auto res = check.update(cmd, p, t + seconds{i});
    EXPECT_NE(res.verdict, SignVerdict::disagrees) << i << " " << res.detail;
  }
}

TEST(SignCheck, ChangingCommandRestartsTheWindow) {
  SignCheck check;
  core::PackState p;
  p.current_a = -38;
  p.voltage_v = 52;
  TimePoint t{};
  for (int i = 0; i < 100; ++i) {
    const double w = (i / 30) % 2 ? 2000 : -2000;  // flips every 30 s
    const auto res = check.update({core::CommandKind::set_power, w, 0, 0, ""}, p, t + seconds{i});
    EXPECT_EQ(res.verdict, SignVerdict::inconclusive) << i;
  }
}

}  // namespace
}  // namespace bessd::control
