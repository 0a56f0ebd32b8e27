// The site meter (docs/protocols.md "Meters"): its profile is checked like a configuration, and
// its readings replace the inverter's, or leave none when the meter is silent.
#include <gtest/gtest.h>

#include <bessd/app/site_meter.hpp>
#include <bessd/config/config_error.hpp>

namespace bessd::app {
namespace {

config::Config with_meter(const std::string& profile) {
  config::Config c;
  c.inverter.profile_dir = BESSD_SOURCE_DIR "/config/profiles";
  c.meter = config::MeterConfig{};
  c.meter->profile = profile;
  return c;
}

std::string error_of(const config::Config& c) {
  try {
    (void)load_meter_profile(c, "/etc/bessd/bessd.json");
  } catch (const config::ConfigError& e) {
    std::string out;
    for (const auto& i : e.issues()) out += i.to_string() + "\n";
    return out;
  }
  return {};
}

TEST(SiteMeterProfile, TheShippedMetersLoadAndAnInverterProfileIsRefused) {
  for (const char* name : {"sdm630", "sunspec_meter"}) {
    const auto p = load_meter_profile(with_meter(name), "/etc/bessd/bessd.json");
    EXPECT_TRUE(p.readings.count(inverter::ReadingRole::grid_power)) << name;
    EXPECT_EQ(p.control.style, inverter::ControlStyle::none) << name;
  }
  const std::string commanded = error_of(with_meter("victron_ess"));
  EXPECT_NE(commanded.find("/meter/profile"), std::string::npos) << commanded;
  EXPECT_NE(commanded.find("control"), std::string::npos) << commanded;
  const std::string missing = error_of(with_meter("sdm6300"));
  EXPECT_NE(missing.find("/meter/profile"), std::string::npos) << missing;
  EXPECT_NE(missing.find("does not exist"), std::string::npos) << missing;
}

TEST(SiteMeterReadings, TheMetersFiguresReplaceTheInvertersOrNoneWhenSilent) {
  core::InverterState inv;
  inv.grid_power_w = 999.0;
  inv.pv_power_w = 1200.0;
  inv.battery_power_w = -500.0;
  core::InverterState meter;
  meter.grid_power_w = -150.0;
  meter.pv_power_w = 800.0;

  auto s = with_meter_readings(inv, meter, /*meter_has_pv=*/false, /*meter_fresh=*/true);
  EXPECT_EQ(s.grid_power_w, -150.0);
  EXPECT_TRUE(s.grid_power_from_meter);
  EXPECT_EQ(s.pv_power_w, 1200.0) << "a meter without PV leaves the inverter's";
  EXPECT_FALSE(s.pv_power_from_meter);
  EXPECT_EQ(s.battery_power_w, -500.0);

  s = with_meter_readings(inv, meter, /*meter_has_pv=*/true, /*meter_fresh=*/true);
  EXPECT_EQ(s.pv_power_w, 800.0);
  EXPECT_TRUE(s.pv_power_from_meter);

  s = with_meter_readings(inv, meter, /*meter_has_pv=*/true, /*meter_fresh=*/false);
  EXPECT_FALSE(s.grid_power_w) << "a silent meter: no grid figure, not the inverter's";
  EXPECT_FALSE(s.pv_power_w);
  s = with_meter_readings(inv, std::nullopt, false, false);
  EXPECT_FALSE(s.grid_power_w);
}

}  // namespace
}  // namespace bessd::app
