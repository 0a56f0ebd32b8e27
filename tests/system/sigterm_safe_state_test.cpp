// SIGTERM: bessd commands the inverter to its safe state before it exits.

#include <signal.h>

#include <gtest/gtest.h>

#include "site.hpp"

namespace bessd::systest {
namespace sigterm_safe_state_test {

using namespace std::chrono_literals;

// Sends SIGTERM at `term` and checks the safe state reached the wire before bessd exited.
void expect_safe_state_before_exit(Site& site) {
  const std::int64_t term = Site::now_us();
  site.bessd()->signal(SIGTERM);
  auto exited = site.bessd()->wait(5s);
  ASSERT_TRUE(exited) << site.bessd_output();
  const std::int64_t gone = Site::now_us();
  EXPECT_TRUE(exited->exited);
  EXPECT_EQ(exited->code, 0) << site.bessd_output();
  const auto safe = first_write_after(site.sim_writes(), term, holds_zero);
  ASSERT_TRUE(safe) << site.sim("writes") << "\n" << site.bessd_output();
  EXPECT_LE(*safe, gone);
  // The device took it: the SunSpec storage mode limits both directions to 0 %.
  const auto dev = site.sim_status().at("inverter").at("device");
  EXPECT_EQ(dev.at("storctl_mod"), 3);
  EXPECT_EQ(dev.at("in_wrte_pct"), 0.0);
  EXPECT_EQ(dev.at("out_wrte_pct"), 0.0);
}

TEST(Sigterm, SafeStateWrittenBeforeExit) {
  Site site;
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  ASSERT_TRUE(wait_for_write(site, 0, discharging, 10s)) << site.bessd_output();
  ASSERT_TRUE(
      wait_until([&] { return site.sim_status().at("battery_w").get<double>() < -1400; }, 10s));
  expect_safe_state_before_exit(site);
}

// Regression: a SIGTERM that lands while the driver still writes a setpoint must still put the
// safe state on the wire (the driver once compared the new command with the target before the
// in-flight write, found it equal to the earlier safe state, and wrote nothing).
TEST(Sigterm, SafeStateWrittenWhenTheSignalLandsDuringAWrite) {
  for (int attempt = 0; attempt < 10; ++attempt) {
    Site site;
    ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
    ASSERT_TRUE(wait_for_write(site, 0, discharging, 10s)) << site.bessd_output();
    expect_safe_state_before_exit(site);
    if (HasFailure()) return;
  }
}

}  // namespace sigterm_safe_state_test
}  // namespace bessd::systest
