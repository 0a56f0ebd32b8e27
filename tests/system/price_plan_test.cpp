// Planning by price on a running site (docs/schedules.md "Planning by price"): bessd reads the
// price file, charges in the cheap slot, shows the plan (GET /v1/plan, /v1/status), follows a
// new file after a reload, and keeps its prices when a file cannot be read.

#include <signal.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "site.hpp"

namespace bessd::systest {
namespace price_plan_test {

using namespace std::chrono;
using namespace std::chrono_literals;

std::string iso(system_clock::time_point t) {
  const auto s = floor<seconds>(t);
  const auto day = floor<days>(s);
  const year_month_day ymd{day};
  const hh_mm_ss hms{s - day};
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02ld:%02ld:%02ldZ", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), long(hms.hours().count()),
                long(hms.minutes().count()), long(hms.seconds().count()));
  return text;
}

// Half-hour slots from the minute 10 minutes ago (`first` for the slot holding now, `then` for
// the four after it), and the local time (UTC) 100 minutes ahead as the deadline.
struct PriceFile {
  system_clock::time_point start = floor<minutes>(system_clock::now()) - minutes{10};
  std::string ready_by() const {
    const auto t = start + minutes{110};
    const int m = static_cast<int>(floor<minutes>(t - floor<days>(t)).count()) % 1440;
    char text[16];
    std::snprintf(text, sizeof text, "%02d:%02d", m / 60, m % 60);
    return text;
  }
  void write(const std::string& path, double first, double then) const {
    nlohmann::json slots = nlohmann::json::array();
    for (int i = 0; i < 5; ++i)
      slots.push_back({{"start", iso(start + minutes{30 * i})},
                       {"end", iso(start + minutes{30 * (i + 1)})},
                       {"import", i == 0 ? first : then}});
    std::ofstream(path + ".tmp") << nlohmann::json{{"currency", "p"}, {"slots", slots}}.dump();
    std::rename((path + ".tmp").c_str(), path.c_str());
  }
};

bool charging_1500(double lo, double hi) {
  return lo > 1400.0 && hi < 1600.0;
}

TEST(PlanByPrice, ChargesInTheCheapSlotFollowsANewFileAndKeepsItsPricesOverABadOne) {
  PriceFile prices;
  TempDir prices_dir;
  const std::string file = prices_dir.path() + "/prices.json";
  prices.write(file, 5.0, 30.0);
  SiteOptions o;
  o.config_patch["control"]["mode"] = "schedule";
  o.config_patch["schedule"] = {{"time_zone", "UTC"},
                                {"outside", {{"action", "idle"}}},
                                {"by_price",
                                 {{"file", file},
                                  {"ready_by", prices.ready_by()},
                                  {"target_soc_pct", 60},
                                  {"charge_power_w", 1500},
                                  {"round_trip_efficiency_pct", 90}}}};
  Site site(o);
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();

  // 50 % to 60 % of 5.12 kWh does not fit in the 20 minutes left of the 5 p slot: it charges.
  ASSERT_TRUE(wait_for_write(site, 0, charging_1500, 15s)) << site.sim("writes") << "\n"
                                                           << site.bessd_output();
  auto plan = site.api("GET", "/v1/plan");
  ASSERT_EQ(plan.status, 200) << plan.body.dump();
  EXPECT_TRUE(plan.body.value("configured", false)) << plan.body.dump();
  EXPECT_TRUE(plan.body.value("in_force", false)) << plan.body.dump();
  EXPECT_EQ(plan.body.at("prices").value("slots", 0), 5) << plan.body.dump();
  ASSERT_FALSE(plan.body.at("slots").empty()) << plan.body.dump();
  EXPECT_EQ(plan.body.at("slots")[0].value("action", ""), "charge") << plan.body.dump();
  EXPECT_EQ(plan.body.value("target_soc_pct", 0.0), 60.0);
  EXPECT_NE(plan.body.value("summary", "").find("Charging"), std::string::npos) << plan.body.dump();
  auto status = status_of(site);
  ASSERT_TRUE(status.at("schedule").is_object()) << status.dump();
  EXPECT_NE(status.at("schedule").value("plan", "").find("Charging"), std::string::npos)
      << status.dump();
  EXPECT_EQ(status.at("operating_reason").value("code", ""), "schedule_charge") << status.dump();
  // bessctl plan: the words and the slot table.
  const auto shown = run({BESSCTL_BIN, "--socket", site.api_socket(), "plan"}, 20s);
  EXPECT_EQ(shown.code, 0) << shown.output;
  EXPECT_NE(shown.output.find("Plan:       Charging"), std::string::npos) << shown.output;
  EXPECT_NE(shown.output.find("charge     5.00"), std::string::npos) << shown.output;

  // The cheap hour moves later: after a reload the battery waits for it (idle outside the plan).
  prices.write(file, 30.0, 5.0);
  const std::int64_t moved = Site::now_us();
  site.bessd()->signal(SIGHUP);
  EXPECT_TRUE(wait_for_write(site, moved, holds_zero, 15s)) << site.sim("writes") << "\n"
                                                            << site.bessd_output();
  plan = site.api("GET", "/v1/plan");
  EXPECT_EQ(plan.body.at("slots")[0].value("action", ""), "none") << plan.body.dump();
  // The charge comes at the end of the cheap hour (of equal prices the latest).
  EXPECT_EQ(plan.body.at("slots").back().value("action", ""), "charge") << plan.body.dump();
  const auto slots = plan.body.at("slots");

  // A file that does not parse: named in a warning, the prices read before stay in use.
  std::ofstream(file) << "{\"slots\": [";
  site.bessd()->signal(SIGHUP);
  ASSERT_TRUE(wait_until(
      [&] {
        return status_of(site).at("warnings").dump().find("prices.unreadable") != std::string::npos;
      },
      15s))
      << status_of(site).dump() << "\n"
      << site.bessd_output();
  plan = site.api("GET", "/v1/plan");
  EXPECT_NE(plan.body.at("prices").value("error", "").find(file), std::string::npos)
      << plan.body.dump();
  EXPECT_EQ(plan.body.at("prices").value("slots", 0), 5) << plan.body.dump();
  EXPECT_EQ(plan.body.at("slots").back().value("action", ""), "charge") << plan.body.dump();
  EXPECT_TRUE(plan.body.value("in_force", false));
  // A reload plans again (its settings may have changed), on the same prices: the same slots.
  ASSERT_EQ(plan.body.at("slots").size(), slots.size()) << plan.body.dump();
  for (std::size_t i = 0; i < slots.size(); ++i)
    EXPECT_EQ(plan.body.at("slots")[i].value("action", ""), slots[i].value("action", "")) << i;
}

TEST(PlanByPrice, WithoutByPriceThePlanIsNotConfigured) {
  Site site;
  ASSERT_TRUE(site.start_bessd()) << site.bessd_output();
  const auto plan = site.api("GET", "/v1/plan");
  ASSERT_EQ(plan.status, 200) << plan.body.dump();
  EXPECT_FALSE(plan.body.value("configured", true));
  EXPECT_TRUE(plan.body.at("slots").empty());
}

}  // namespace price_plan_test
}  // namespace bessd::systest
