// The compliance report stays true on a long-running daemon: a new local day, a reload and the
// BMS nameplate each re-run the check, and each new report reaches the sink (the control loop).
#include <bessd/app/compliance_monitor.hpp>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <bessd/config/config_loader.hpp>

namespace bessd::app {
namespace {

using namespace std::chrono_literals;

class TimeZone {
 public:
  explicit TimeZone(const char* tz) {
    if (const char* old = std::getenv("TZ")) old_ = old;
    ::setenv("TZ", tz, 1);
    ::tzset();
  }
  ~TimeZone() {
    if (old_.empty())
      ::unsetenv("TZ");
    else
      ::setenv("TZ", old_.c_str(), 1);
    ::tzset();
  }
  TimeZone(const TimeZone&) = delete;
  TimeZone& operator=(const TimeZone&) = delete;

 private:
  std::string old_;
};

WallTime at(std::chrono::sys_days day, std::chrono::seconds time_of_day) {
  return WallTime{day} + time_of_day;
}

config::Config second_life_config(const std::string& expiry) {
  return config::parse_config(R"({"site": {"jurisdiction": "GB", "location": "outdoor_wall",
      "outdoor_practicable": true, "labels_fitted": true,
      "clearances_m": {"escape_route": 2, "door": 2, "window": 2, "ventilation_opening": 2}},
      "battery": {"chemistry": "LFP", "nominal_energy_kwh": 9.6, "nominal_voltage_v": 51.2,
        "second_life": {"enabled": true, "traceability_ref": "TR-1", "override_ref": "ERA-1",
          "grading_report_date": "2026-06-01", "soh_pct": 80,
          "oem_calendar_expiry": ")" +
                              expiry + R"("}}})");
}

struct MonitorHarness {
  explicit MonitorHarness(config::Config c, WallTime start)
      : clock(start),
        cfg(std::move(c)),
        monitor(
            io, clock, cfg, [this](const compliance::ComplianceReport& r) { reports.push_back(r); },
            ComplianceMonitorOptions{1ms}) {}

  /// Runs the io_context until `n` reports arrived (bounded; never a fixed sleep).
  bool run_until_reports(std::size_t n) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (reports.size() < n && std::chrono::steady_clock::now() < deadline) {
      io.restart();
      io.run_one_for(20ms);
    }
    return reports.size() >= n;
  }

  boost::asio::io_context io;
  ManualClock clock;
  config::Config cfg;
  std::vector<compliance::ComplianceReport> reports;
  ComplianceMonitor monitor;
};

core::PackState pack_with_capacity(double ah, double voltage_v = 52.0) {
  core::PackState p;
  p.capacity_ah = ah;
  p.voltage_v = voltage_v;
  return p;
}

TEST(LocalDate, FollowsTheLocalZoneNotUtc) {
  const auto day = std::chrono::sys_days{std::chrono::year{2026} / 7 / 1};
  {
    TimeZone tz("UTC0");
    EXPECT_EQ(local_date(at(day, 23h + 30min)), Date{std::chrono::year{2026} / 7 / 1});
  }
  {
    TimeZone tz("GMT0BST,M3.5.0/1,M10.5.0");  // Europe/London rules, without zone files
    EXPECT_EQ(local_date(at(day, 23h + 30min)), Date{std::chrono::year{2026} / 7 / 2});
    EXPECT_EQ(local_date(at(day, 22h + 59min)), Date{std::chrono::year{2026} / 7 / 1});
  }
}

TEST(ComplianceMonitor, CalendarExpiryTakesEffectAtLocalMidnightOnARunningDaemon) {
  TimeZone tz("UTC0");
  const auto today = std::chrono::sys_days{std::chrono::year{2031} / 12 / 31};
  MonitorHarness h(second_life_config("2032-01-01"), at(today, 23h + 59min));
  h.monitor.start();
  ASSERT_EQ(h.reports.size(), 1u);
  EXPECT_FALSE(h.reports.back().blocks());
  EXPECT_EQ(h.reports.back().find("SL-CAL-01")->verdict, compliance::Verdict::pass);

  // The timer fires many times within the same day: nothing re-runs.
  for (int i = 0; i < 5; ++i) {
    h.io.restart();
    h.io.run_one_for(20ms);
  }
  EXPECT_EQ(h.reports.size(), 1u);

  h.clock.advance(2min);  // 00:01 on the expiry day
  ASSERT_TRUE(h.run_until_reports(2));
  const auto& r = h.reports.back();
  EXPECT_EQ(r.evaluated_on, Date{std::chrono::year{2032} / 1 / 1});
  EXPECT_TRUE(r.blocks());
  EXPECT_EQ(r.find("SL-CAL-01")->verdict, compliance::Verdict::block);
  h.monitor.stop();
}

TEST(ComplianceMonitor, GradingReportGoesStaleOnTheDay) {
  TimeZone tz("UTC0");
  // Graded 2026-06-01: 365 days old on 2027-06-01 (pass), 366 on 2027-06-02 (warn).
  const auto day = std::chrono::sys_days{std::chrono::year{2027} / 6 / 1};
  MonitorHarness h(second_life_config("2032-01-01"), at(day, 12h));
  h.monitor.start();
  EXPECT_EQ(h.reports.back().find("SL-GRADE-01")->verdict, compliance::Verdict::pass);
  h.clock.advance(24h);
  ASSERT_TRUE(h.run_until_reports(2));
  EXPECT_EQ(h.reports.back().find("SL-GRADE-01")->verdict, compliance::Verdict::warn);
}

TEST(ComplianceMonitor, BmsNameplateFeedsEnergyCapAndCapacityCheckOnce) {
  TimeZone tz("UTC0");
  const auto day = std::chrono::sys_days{std::chrono::year{2026} / 11 / 24};
  auto cfg = second_life_config("2032-01-01");
  cfg.battery.second_life = {};
  MonitorHarness h(std::move(cfg), at(day, 12h));
  h.monitor.start();
  ASSERT_EQ(h.reports.size(), 1u);
  EXPECT_EQ(h.reports.back().find("BAT-CAP-01")->verdict, compliance::Verdict::not_applicable);
  EXPECT_FALSE(h.reports.back().blocks());

  // No capacity yet: nothing to do.
  h.monitor.on_pack(pack_with_capacity(0.0));
  EXPECT_EQ(h.reports.size(), 1u);

  // 200 Ah × 51.2 V = 10.24 kWh: within 10 % of 9.6 kWh, used once stable for 10 s.
  h.monitor.on_pack(pack_with_capacity(200.0));
  EXPECT_EQ(h.reports.size(), 1u);
  h.clock.advance(10s);
  h.monitor.on_pack(pack_with_capacity(200.0));
  ASSERT_EQ(h.reports.size(), 2u);
  EXPECT_EQ(h.reports.back().find("BAT-CAP-01")->verdict, compliance::Verdict::pass);
  ASSERT_TRUE(h.monitor.nameplate().has_value());
  EXPECT_NEAR(*h.monitor.nameplate()->energy_kwh, 10.24, 1e-9);
  ASSERT_TRUE(h.reports.back().bms_nameplate.has_value());
  EXPECT_EQ(*h.reports.back().bms_nameplate, *h.monitor.nameplate());
  // The same nameplate again, and a new measured voltage: no new check.
  h.monitor.on_pack(pack_with_capacity(200.0, 54.0));
  EXPECT_EQ(h.reports.size(), 2u);

  // The BMS now says 2000 Ah (102.4 kWh), steadily: PAS-ENE-01 counts the larger value and
  // blocks.
  h.monitor.on_pack(pack_with_capacity(2000.0));
  h.clock.advance(10s);
  h.monitor.on_pack(pack_with_capacity(2000.0));
  ASSERT_EQ(h.reports.size(), 3u);
  const auto& r = h.reports.back();
  EXPECT_EQ(r.find("PAS-ENE-01")->verdict, compliance::Verdict::block);
  EXPECT_EQ(r.find("BAT-CAP-01")->verdict, compliance::Verdict::warn);
  EXPECT_TRUE(r.blocks());

  // A reload keeps the nameplate.
  h.monitor.reevaluate("test reload");
  ASSERT_EQ(h.reports.size(), 4u);
  EXPECT_EQ(h.reports.back().find("PAS-ENE-01")->verdict, compliance::Verdict::block);
}

// F7: one 0x379 frame of garbage (65000 Ah = 3328 kWh) locked the whole site out at once. It must
// not reach the energy cap unless it stays for the debounce time.
TEST(ComplianceMonitor, OneGarbageCapacityFrameNeverBlocks) {
  TimeZone tz("UTC0");
  const auto day = std::chrono::sys_days{std::chrono::year{2026} / 11 / 24};
  auto cfg = second_life_config("2032-01-01");
  cfg.battery.second_life = {};
  MonitorHarness h(std::move(cfg), at(day, 12h));
  h.monitor.start();
  for (int s = 0; s <= 10; ++s) {
    h.monitor.on_pack(pack_with_capacity(188.0));
    if (s < 10) h.clock.advance(1s);
  }
  ASSERT_EQ(h.reports.size(), 2u);
  EXPECT_FALSE(h.reports.back().blocks());

  h.clock.advance(1s);
  h.monitor.on_pack(pack_with_capacity(65000.0));
  h.clock.advance(1s);
  h.monitor.on_pack(pack_with_capacity(188.0));
  h.clock.advance(20s);
  h.monitor.on_pack(pack_with_capacity(188.0));
  EXPECT_EQ(h.reports.size(), 2u);
  EXPECT_FALSE(h.reports.back().blocks());
  EXPECT_DOUBLE_EQ(h.monitor.nameplate()->capacity_ah, 188.0);
}

// F2: with no nominal voltage configured, the nameplate does not follow the measured voltage:
// charging from 52.6 V to 54.2 V must not re-check (nor flip PAS-ENE-01 at 40 kWh).
TEST(ComplianceMonitor, StateOfChargeDoesNotMoveTheNameplate) {
  TimeZone tz("UTC0");
  const auto day = std::chrono::sys_days{std::chrono::year{2026} / 11 / 24};
  auto cfg = second_life_config("2032-01-01");
  cfg.battery.second_life = {};
  cfg.battery.nominal_voltage_v.reset();
  cfg.battery.series_cells.reset();
  cfg.battery.nominal_energy_kwh = 38.4;
  cfg.site.location = config::SiteLocation::utility_room;
  MonitorHarness h(std::move(cfg), at(day, 12h));
  h.monitor.start();
  auto pack = pack_with_capacity(750.0, 52.6);
  pack.limits.charge_voltage_limit_v = 53.2;  // 750 Ah × 53.2 V = 39.9 kWh
  h.monitor.on_pack(pack);
  h.clock.advance(10s);
  h.monitor.on_pack(pack);
  ASSERT_EQ(h.reports.size(), 2u);
  const auto before = h.reports.back().find("PAS-ENE-01")->verdict;
  for (double v : {53.4, 54.2, 56.0, 52.8, 54.2}) {
    pack.voltage_v = v;
    h.clock.advance(10s);
    h.monitor.on_pack(pack);
    h.clock.advance(10s);
    h.monitor.on_pack(pack);
  }
  EXPECT_EQ(h.reports.size(), 2u);
  EXPECT_EQ(h.reports.back().find("PAS-ENE-01")->verdict, before);
  EXPECT_NEAR(*h.monitor.nameplate()->energy_kwh, 39.9, 1e-9);
}

TEST(ComplianceMonitor, ReloadSeesTheNewConfiguration) {
  TimeZone tz("UTC0");
  const auto day = std::chrono::sys_days{std::chrono::year{2026} / 11 / 24};
  auto cfg = second_life_config("2032-01-01");
  MonitorHarness h(std::move(cfg), at(day, 12h));
  h.monitor.start();
  EXPECT_FALSE(h.reports.back().blocks());
  h.cfg.site.location = config::SiteLocation::bedroom;
  h.monitor.reevaluate("reload");
  EXPECT_TRUE(h.reports.back().blocks());
  EXPECT_EQ(h.reports.back().find("PAS-LOC-01")->verdict, compliance::Verdict::block);
}

}  // namespace
}  // namespace bessd::app
