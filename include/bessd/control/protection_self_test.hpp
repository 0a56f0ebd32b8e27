#pragma once
// Protection self-test (IEC 62933-5-4 spirit): injects each protective condition (over-voltage,
// under-voltage, over-temperature, under-temperature, BMS over-temperature protection, BMS
// silence, BMS alarm flag, fire-alarm input) into a fresh copy of the decision logic (a Controller
// built from the same settings, with an in-memory latch store) and reports the expected against
// the actual protective action and event. The expected action of each case comes from the
// protection policy (docs/protection.md), direction by direction, so a wrong direction fails. It
// never touches the live controller or any device, so it can run on a live system; the API/CLI
// exposes it. Pure; never throws.

#include <string>
#include <vector>

#include <bessd/control/controller.hpp>

namespace bessd::control {

struct SelfTestCase {
  std::string condition;        // "over-voltage"
  std::string injected;         // what was injected ("highest cell 3.750 V")
  std::string expected_action;  // "charge blocked, discharge allowed" (from the policy)
  std::string actual_action;    // what the envelope/command allowed after the injection
  std::string expected_event;   // event code that must follow ("OP-V-01")
  bool event_seen{false};
  bool passed{false};
  std::string note;  // e.g. "fire alarm input not configured on this system"
};

struct SelfTestReport {
  std::vector<SelfTestCase> cases;
  bool all_passed{false};
};

SelfTestReport run_protection_self_test(const ControllerSettings& settings,
                                        const limits::LimitsSettings& limits);

}  // namespace bessd::control
