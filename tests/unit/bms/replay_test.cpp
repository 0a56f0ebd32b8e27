// Replay harness: a candump log from tests/data/can/ goes through the candump reader and the
// pylontech_lv decoder; the outcome of every frame and a PackState snapshot at the end of each
// 1 s cycle are compared with golden JSON. BESSD_UPDATE_GOLDEN=1 rewrites the golden file.
#include <bessd/bms/protocols/pylontech_lv.hpp>
#include <bessd/can/codec/candump.hpp>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace bessd::bms::pylontech {
namespace {

using nlohmann::json;

template <typename T>
json opt(const std::optional<T>& v) {
  if (!v) return nullptr;
  if constexpr (std::is_floating_point_v<T>) {
    return std::round(*v * 1e6) / 1e6;  // stable text across platforms
  } else {
    return *v;
  }
}

json flags_json(const core::BmsFlagSet& set) {
  json j = json::object();
  for (std::size_t i = 0; i < core::kBmsConditionCount; ++i) {
    if (set.items[i] == core::FlagState::not_reported) continue;
    j[std::string(core::to_string(static_cast<core::BmsCondition>(i)))] =
        std::string(core::to_string(set.items[i]));
  }
  return j;
}

json ms_since(const std::optional<TimePoint>& t) {
  if (!t) return nullptr;
  return std::chrono::duration_cast<std::chrono::milliseconds>(t->time_since_epoch()).count();
}

json to_json(const core::PackState& s) {
  return json{
      {"voltage_v", opt(s.voltage_v)},
      {"current_a", opt(s.current_a)},
      {"power_w", opt(s.power_w())},
      {"temperature_c", opt(s.temperature_c)},
      {"soc_pct", opt(s.soc_pct)},
      {"soh_pct", opt(s.soh_pct)},
      {"cell_voltage_min_v", opt(s.cell_voltage_min_v)},
      {"cell_voltage_max_v", opt(s.cell_voltage_max_v)},
      {"cell_temperature_min_c", opt(s.cell_temperature_min_c)},
      {"cell_temperature_max_c", opt(s.cell_temperature_max_c)},
      {"limits",
       {{"charge_voltage_limit_v", opt(s.limits.charge_voltage_limit_v)},
        {"charge_current_limit_a", opt(s.limits.charge_current_limit_a)},
        {"discharge_current_limit_a", opt(s.limits.discharge_current_limit_a)},
        {"discharge_voltage_limit_v", opt(s.limits.discharge_voltage_limit_v)}}},
      {"requests",
       {{"charge_enable", opt(s.requests.charge_enable)},
        {"discharge_enable", opt(s.requests.discharge_enable)},
        {"force_charge", opt(s.requests.force_charge)},
        {"full_charge", opt(s.requests.full_charge)}}},
      {"protections", flags_json(s.protections)},
      {"warnings", flags_json(s.warnings)},
      {"modules", {{"total", opt(s.modules.total)}, {"online", opt(s.modules.online)}}},
      {"manufacturer", s.manufacturer},
      {"bms_name", s.bms_name},
      {"firmware", s.firmware},
      {"capacity_ah", opt(s.capacity_ah)},
      {"available_capacity_ah", opt(s.available_capacity_ah)},
      {"measured_at_ms", ms_since(s.measured_at)},
      {"limits_at_ms", ms_since(s.limits_at)},
      {"charge_at_ms", ms_since(s.charge_at)},
      {"flags_at_ms", ms_since(s.flags_at)},
  };
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

json replay(const std::string& log_text) {
  PylontechLv proto;
  core::PackState state;
  json frames = json::array();
  json snapshots = json::array();
  std::optional<std::int64_t> first_us;
  std::optional<std::int64_t> cycle;
  for (const auto& line : can::candump::parse_log(log_text)) {
    if (!line.record) {
      frames.push_back({{"line", line.line_number},
                        {"outcome", "unreadable"},
                        {"reason", line.record.error().message}});
      continue;
    }
    const auto& rec = *line.record;
    if (!first_us) first_us = rec.timestamp_us;
    const std::int64_t rel_us = rec.timestamp_us - *first_us;
    const std::int64_t this_cycle = rel_us / 1'000'000;
    if (cycle && this_cycle != *cycle) snapshots.push_back(to_json(state));
    cycle = this_cycle;
    const TimePoint at{std::chrono::microseconds{rel_us}};
    const auto out = proto.apply(rec.frame, at, state);
    json j{{"line", line.line_number}, {"frame", can::to_string(rec.frame)}};
    switch (out.kind) {
      case DecodeOutcome::Kind::applied:
        j["outcome"] = "applied";
        j["part"] = std::string(to_string(out.part));
        break;
      case DecodeOutcome::Kind::ignored:
        j["outcome"] = "ignored";
        break;
      case DecodeOutcome::Kind::rejected:
        j["outcome"] = "rejected";
        j["reason"] = out.reason;
        break;
    }
    frames.push_back(j);
  }
  snapshots.push_back(to_json(state));
  return json{{"frames", frames}, {"snapshots", snapshots}};
}

TEST(ReplayPylontech, Us5000LogMatchesGolden) {
  const std::string dir = std::string(BESSD_SOURCE_DIR) + "/tests/data/can/";
  const std::string log = read_file(dir + "pylontech_us5000.log");
  ASSERT_FALSE(log.empty()) << "missing " << dir << "pylontech_us5000.log";
  const json got = replay(log);
  const std::string golden_path = dir + "pylontech_us5000.golden.json";
  if (std::getenv("BESSD_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(golden_path) << got.dump(2) << "\n";
    GTEST_SKIP() << "golden file rewritten: " << golden_path;
  }
  const std::string golden_text = read_file(golden_path);
  ASSERT_FALSE(golden_text.empty()) << "missing " << golden_path;
  const json want = json::parse(golden_text);
  ASSERT_EQ(got["snapshots"].size(), want["snapshots"].size());
  for (std::size_t i = 0; i < want["snapshots"].size(); ++i)
    EXPECT_EQ(got["snapshots"][i], want["snapshots"][i])
        << "cycle " << i << ": " << json::diff(want["snapshots"][i], got["snapshots"][i]).dump();
  EXPECT_EQ(got["frames"], want["frames"]) << json::diff(want["frames"], got["frames"]).dump();
}

// Independent checks of the replay, so that a wrong golden file cannot pass silently.
TEST(ReplayPylontech, Us5000LogKeyFacts) {
  const json got =
      replay(read_file(std::string(BESSD_SOURCE_DIR) + "/tests/data/can/pylontech_us5000.log"));
  const auto& snaps = got["snapshots"];
  ASSERT_EQ(snaps.size(), 5U);
  EXPECT_DOUBLE_EQ(snaps[0]["current_a"].get<double>(), -27.0);
  EXPECT_DOUBLE_EQ(snaps[1]["current_a"].get<double>(), 27.0);
  EXPECT_EQ(snaps[1]["protections"]["cell_over_voltage"], "ok");
  EXPECT_EQ(snaps[2]["protections"]["cell_over_voltage"], "active");
  EXPECT_EQ(snaps[2]["requests"]["charge_enable"], false);
  EXPECT_DOUBLE_EQ(snaps[3]["limits"]["charge_current_limit_a"].get<double>(), 370.0);
  EXPECT_DOUBLE_EQ(snaps[3]["soc_pct"].get<double>(), 84.0);
  EXPECT_EQ(snaps[3]["firmware"], "1.3");
  EXPECT_EQ(snaps[4]["protections"]["cell_over_voltage"], "active");
  int rejected = 0, ignored = 0;
  for (const auto& f : got["frames"]) {
    rejected += f["outcome"] == "rejected";
    ignored += f["outcome"] == "ignored";
  }
  EXPECT_EQ(rejected, 1);
  EXPECT_EQ(ignored, 6);  // five 0x305 keep-alives and one 0x360
}

}  // namespace
}  // namespace bessd::bms::pylontech
