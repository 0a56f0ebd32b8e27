// The fleet uplink's messages (docs/fleet.md "Messages").
#include <bessd/app/fleet_batch.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace bessd::app {
namespace {

using namespace std::chrono_literals;

const WallTime kT0{std::chrono::seconds{1'764'000'000}};

TEST(TelemetryThinning, KeepsOneRowPerPeriodAndStartsAgainWhenTheClockStepsBack) {
  TelemetryThinning every10(10s);
  std::vector<int> kept;
  for (int s = 0; s < 35; ++s)
    if (every10.keep(kT0 + std::chrono::seconds{s})) kept.push_back(s);
  EXPECT_EQ(kept, (std::vector<int>{0, 10, 20, 30}));
  // An hour back: kept at once, and counted from there.
  EXPECT_TRUE(every10.keep(kT0 - 1h));
  EXPECT_FALSE(every10.keep(kT0 - 1h + 5s));
  EXPECT_TRUE(every10.keep(kT0 - 1h + 10s));

  TelemetryThinning all(Duration{});
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(all.keep(kT0)) << "every row, duplicates in time too";
}

storage::SequencedSample row(std::int64_t seq, int second, std::optional<double> soc) {
  storage::SequencedSample r;
  r.seq = seq;
  r.run = seq < 14 ? 77 : 78;
  r.sample.at = kT0 + std::chrono::seconds{second};
  r.sample.soc_pct = soc;
  r.sample.pack_voltage_v = 52.3;  // stored as 5230 x 0.01 V
  r.sample.controller_state = "running";
  r.sample.controller_mode = "self_consumption";
  return r;
}

TEST(FleetBatch, TelemetryGoesColumnByColumnWithTheRangeItCovers) {
  const std::vector<storage::SequencedSample> rows{row(11, 0, 41.2), row(12, 10, std::nullopt),
                                                   row(14, 20, 41.4)};
  const auto text = telemetry_batch_json("home", {10, 15, 1}, rows, kT0 + 30s);
  const auto j = nlohmann::json::parse(text);
  EXPECT_EQ(text, j.dump()) << "keys in order, numbers as dump() writes them";
  EXPECT_EQ(j.at("site_id"), "home");
  // The run that wrote each row: with seq, the key that survives a log put back from a backup.
  EXPECT_EQ(j.at("run"), nlohmann::json({77, 77, 78}));
  EXPECT_EQ(j.at("stream"), "telemetry");
  EXPECT_EQ(j.at("v"), 1);
  EXPECT_EQ(j.at("from_seq"), 10);
  EXPECT_EQ(j.at("to_seq"), 15);
  EXPECT_EQ(j.at("missing"), 1);
  EXPECT_EQ(j.at("seq"), nlohmann::json({11, 12, 14}));
  const auto t0 = std::int64_t{1'764'000'000'000};
  EXPECT_EQ(j.at("t"), nlohmann::json({t0, t0 + 10'000, t0 + 20'000}));
  EXPECT_EQ(j.at("sent_at"), t0 + 30'000);
  EXPECT_EQ(j.at("fields").at("soc_pct"), nlohmann::json({41.2, nullptr, 41.4}));
  // Values at the resolution the log keeps, written short.
  EXPECT_NE(text.find("[52.3,52.3,52.3]"), std::string::npos) << text;
  EXPECT_FALSE(j.at("fields").contains("grid_power_w")) << "no row knows it";
  EXPECT_EQ(j.at("state"), nlohmann::json({"running", "running", "running"}));
  EXPECT_EQ(j.at("mode").size(), 3u);
}

TEST(FleetBatch, AnEmptyRangeIsStillAValidMessage) {
  const auto j = nlohmann::json::parse(telemetry_batch_json("home", {7, 9, 2}, {}, kT0));
  EXPECT_TRUE(j.at("fields").empty());
  EXPECT_TRUE(j.at("seq").empty());
  EXPECT_EQ(j.at("missing"), 2);
}

TEST(FleetBatch, EventsCarryTheirIdAsSequenceNumber) {
  storage::StoredEvent e;
  e.id = 42;
  e.run = 77;
  e.at = kT0;
  e.event.severity = core::Severity::warning;
  e.event.edge = core::EventEdge::raised;
  e.event.source = "bms";
  e.event.code = "bms.lost";
  e.event.message = "no \"frames\"\nfor 5 s";
  e.event.fields = {{"timeout_ms", "5000"}, {"bus", "can0"}};
  const std::vector<storage::StoredEvent> rows{e};
  const auto text = events_batch_json("home", {41, 42, 0}, rows, kT0);
  const auto j = nlohmann::json::parse(text);
  EXPECT_EQ(text, j.dump());
  EXPECT_EQ(text.find('\n'), std::string::npos) << "one line per message";
  EXPECT_EQ(j.at("stream"), "events");
  ASSERT_EQ(j.at("rows").size(), 1u);
  const auto& r = j.at("rows")[0];
  EXPECT_EQ(r.at("seq"), 42);
  EXPECT_EQ(r.at("run"), 77);
  EXPECT_EQ(r.at("code"), "bms.lost");
  EXPECT_EQ(r.at("severity"), "warning");
  EXPECT_EQ(r.at("edge"), "raised");
  EXPECT_EQ(r.at("message"), e.event.message);
  EXPECT_EQ(r.at("fields").at("bus"), "can0");
}

}  // namespace
}  // namespace bessd::app
