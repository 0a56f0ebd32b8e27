// SIGTERM: bessd commands the inverter to its safe state before it exits.

#include <signal.h>

#include <gtest/gtest.h>

#include "site.hpp"

namespace bessd::systest {
namespace sigterm_safe_state_test {

using namespace std::chrono_literals;

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
