// A SunSpec inverter (model 124) has no grid meter: with a meter configured, self-consumption
// follows the house from the meter's figure, and status says where each figure comes from
// (docs/protocols.md "Meters"): the grid from the meter, PV from the inverter's model 160. A meter
// that stops answering leaves no grid figure at all.
#include <cmath>
#include <ostream>
#include <string>

#include <gtest/gtest.h>

#include "site.hpp"

namespace bessd::systest {
namespace site_meter_test {

using namespace std::chrono_literals;

nlohmann::json link_named(const nlohmann::json& status, const std::string& name) {
  for (const auto& l : status.at("links"))
    if (l.at("name") == name) return l;
  return nullptr;
}

// The meter bess-sim serves, and the profile bessd reads it with.
struct MeterCase {
  const char* device;
  const char* profile;
};
void PrintTo(const MeterCase& c, std::ostream* os) {
  *os << c.device;
}

class SiteMeter : public ::testing::TestWithParam<MeterCase> {};

TEST_P(SiteMeter, SelfConsumptionFollowsTheMeterOnAnInverterWithoutOne) {
  SiteOptions o = evening_self_consumption("sunspec");
  o.meter = GetParam().device;
  o.meter_profile = GetParam().profile;
  Site site(o);
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();

  // The battery covers the house: the grid, as the simulator knows it, comes near 0 W.
  nlohmann::json truth;
  ASSERT_TRUE(wait_battery_covers_house(site, truth, 300, 250, 20s)) << truth.dump() << "\n"
                                                                     << site.bessd_output();

  // The meter's figure agrees with the simulator's grid. Both move while the battery ramps and
  // the figure is up to a poll old, so agreement is awaited, not taken from one sample.
  nlohmann::json status;
  nlohmann::json sim;
  const auto agrees = [&](const char* key, double within) {
    const auto& v = status.at("power_flow").at(key);
    return v.is_number() && std::abs(v.get<double>() - sim.at(key).get<double>()) < within;
  };
  ASSERT_TRUE(wait_until(
      [&] {
        status = status_of(site);
        sim = site.sim_status();
        // PV from the inverter's model 160: its PV inputs, not the battery's modules beside
        // them (the battery discharges here).
        return agrees("grid_w", 250) && agrees("pv_w", 50);
      },
      10s))
      << status.at("power_flow").dump() << "\n"
      << sim.dump();
  const auto& flow = status.at("power_flow");
  EXPECT_EQ(flow.at("grid_source"), "meter") << flow.dump();
  EXPECT_EQ(flow.at("pv_source"), "inverter") << flow.dump();
  EXPECT_TRUE(flow.at("house_w").is_number()) << flow.dump();
  const auto meter = link_named(status, "meter");
  ASSERT_FALSE(meter.is_null()) << status.at("links").dump();
  EXPECT_EQ(meter.at("state"), "up") << meter.dump();
  EXPECT_NE(meter.at("detail").get<std::string>().find(GetParam().profile), std::string::npos);

  // The meter stops answering: no grid figure, the link is down, and the battery is not
  // steered by a stale one.
  ASSERT_EQ(site.sim("meter-silent on").rfind("ok", 0), 0u);
  ASSERT_TRUE(wait_until(
      [&] {
        status = status_of(site);
        return status.at("power_flow").at("grid_w").is_null() &&
               link_named(status, "meter").at("state") == "down" &&
               status.at("operating_reason").at("code") == "no_grid_reading";
      },
      15s))
      << status.dump();
  EXPECT_NE(status.at("operating_reason").at("text").get<std::string>().find("meter"),
            std::string::npos)
      << status.at("operating_reason").dump();
  // Back: self-consumption resumes from the meter.
  ASSERT_EQ(site.sim("meter-silent off").rfind("ok", 0), 0u);
  ASSERT_TRUE(wait_until(
      [&] {
        status = status_of(site);
        return status.at("power_flow").at("grid_source") == "meter" &&
               link_named(status, "meter").at("state") == "up";
      },
      15s))
      << status.dump();
}

INSTANTIATE_TEST_SUITE_P(Profiles, SiteMeter,
                         ::testing::Values(MeterCase{"sdm630", "sdm630"},
                                           MeterCase{"sunspec_meter", "sunspec_meter"},
                                           MeterCase{"sunspec_meter_float", "sunspec_meter"}),
                         [](const auto& each) { return std::string(each.param.device); });

}  // namespace site_meter_test
}  // namespace bessd::systest
