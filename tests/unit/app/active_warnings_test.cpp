// Active conditions for GET /v1/status "warnings": raised until cleared, the latest wording, the
// first time raised, and nothing for one-off notices or information.

#include <gtest/gtest.h>

#include <bessd/app/active_warnings.hpp>

namespace bessd::app {
namespace {

core::Event event(const std::string& code, core::Severity sev, core::EventEdge edge,
                  const std::string& message = "m") {
  core::Event e;
  e.code = code;
  e.severity = sev;
  e.edge = edge;
  e.message = message;
  return e;
}

TEST(ActiveWarnings, RaisedUntilClearedOldestFirst) {
  using core::EventEdge;
  using core::Severity;
  ActiveWarnings w;
  const WallTime t0{std::chrono::seconds{1000}};
  w.apply(event("inverter.precondition", Severity::error, EventEdge::raised), t0);
  w.apply(event("control.no_grid_reading", Severity::warning, EventEdge::raised, "first"),
          t0 - std::chrono::seconds{5});
  w.apply(event("control.no_grid_reading", Severity::warning, EventEdge::raised, "again"),
          t0 + std::chrono::seconds{5});
  w.apply(event("control.mode", Severity::info, EventEdge::once), t0);
  w.apply(event("OP-I-02", Severity::warning, EventEdge::once), t0);
  w.apply(event("control.setpoint_clamped", Severity::info, EventEdge::raised), t0);
  auto list = w.list();
  ASSERT_EQ(list.size(), 2U);
  EXPECT_EQ(list[0].code, "control.no_grid_reading");
  EXPECT_EQ(list[0].message, "again") << "the latest wording";
  EXPECT_EQ(list[0].since, t0 - std::chrono::seconds{5}) << "since it was first raised";
  EXPECT_EQ(list[1].code, "inverter.precondition");
  EXPECT_EQ(list[1].severity, Severity::error);
  w.apply(event("control.no_grid_reading", Severity::info, EventEdge::cleared), t0);
  list = w.list();
  ASSERT_EQ(list.size(), 1U);
  EXPECT_EQ(list[0].code, "inverter.precondition");
}

}  // namespace
}  // namespace bessd::app
