// The directly written status and limits text is byte for byte the Json tree's dump(): for the
// sample data, for empty documents, for awkward strings and numbers, and for random documents.

#include <bit>
#include <cmath>
#include <limits>
#include <random>

#include <gtest/gtest.h>

#include <bessd/api/json.hpp>
#include <bessd/api/json_text.hpp>
#include <bessd/api/json_writer.hpp>
#include <bessd/api/testing/fake_facade.hpp>

namespace bessd::api::test {
namespace {

std::string reference(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

void expect_same_as_tree(const StatusDto& s) {
  EXPECT_EQ(to_json_text(s), reference(to_json(s)));
}
void expect_same_as_tree(const LimitsDto& l) {
  EXPECT_EQ(to_json_text(l), reference(to_json(l)));
}

/// Strings the escaping and the UTF-8 check must get right, valid and invalid.
const std::vector<std::string>& awkward_strings() {
  static const std::vector<std::string> strings = [] {
    std::vector<std::string> out = {
        "",
        "plain",
        "quote \" backslash \\ slash /",
        "tab\tnewline\ncr\rbackspace\bformfeed\f",
        std::string("nul\0byte", 8),
        "\x01\x1f\x7f",
        "cold (7.5 \xC2\xB0"
        "C)",                                      // U+00B0, 2 bytes
        "\xE2\x82\xAC \xED\x9F\xBF \xEF\xBF\xBD",  // 3-byte sequences at the edges
        "\xF0\x9F\x94\x8B \xF4\x8F\xBF\xBF",       // 4-byte sequences, U+10FFFF
        "\x80 lone continuation",
        "\xC0\x80 overlong",
        "\xE0\x80\xAF overlong",
        "\xED\xA0\x80 surrogate",
        "\xF4\x90\x80\x80 above U+10FFFF",
        "\xF5\x80\x80\x80",
        "truncated \xE2\x82",
        "truncated at the end \xF0\x9F\x94",
        "\xC3",
    };
    for (int c = 0; c < 0x20; ++c) out.push_back(std::string(1, static_cast<char>(c)) + "x");
    return out;
  }();
  return strings;
}

const std::vector<double>& awkward_numbers() {
  static const std::vector<double> numbers = {
      0.0,
      -0.0,
      1.0,
      -12.0,
      0.1,
      1.0 / 3.0,
      52.4 * 22.9,
      1e15,
      1e16,
      1e17,
      1e20,
      1e-4,
      1e-5,
      1.5e-7,
      123456789012345680.0,
      5e-324,
      std::numeric_limits<double>::max(),
      std::numeric_limits<double>::lowest(),
      std::numeric_limits<double>::min(),
      std::numeric_limits<double>::quiet_NaN(),
      std::numeric_limits<double>::infinity(),
      -std::numeric_limits<double>::infinity(),
  };
  return numbers;
}

StatusDto sample_status() {
  ManualClock clock{WallTime{std::chrono::seconds{1'795'000'000}}};
  testing::FakeFacade facade{clock};
  return facade.status();
}

LimitsDto sample_limits() {
  ManualClock clock{WallTime{std::chrono::seconds{1'795'000'000}}};
  testing::FakeFacade facade{clock};
  return facade.limits();
}

TEST(JsonText, SampleStatusAndLimitsAreTheTreesText) {
  auto s = sample_status();
  s.controller.active_faults.push_back({"ALM-01", core::Severity::critical, "fire alarm",
                                        WallTime{std::chrono::milliseconds{1'795'000'000'123}},
                                        true, false});
  s.controller.active_faults.push_back(
      {"COM-01", core::Severity::error, "BMS silent", std::nullopt, false, false});
  s.service_faults.push_back({"API-TCP", core::Severity::error, "tcp:127.0.0.1:8470 in use",
                              WallTime{std::chrono::milliseconds{1'795'000'000'456}}, false,
                              false});
  s.compliance.blocking_rules = {"PAS-LOC-01", "PAS-LBL-01"};
  s.pack.protections.set(core::BmsCondition::cell_over_voltage, core::FlagState::active);
  s.pack.warnings.set(core::BmsCondition::unknown, core::FlagState::active);
  s.pack.modules.total = 4;
  s.pack.modules.offline = 0;
  expect_same_as_tree(s);
  expect_same_as_tree(sample_limits());
}

TEST(JsonText, EmptyDocumentsAreTheTreesText) {
  expect_same_as_tree(StatusDto{});
  expect_same_as_tree(LimitsDto{});
}

TEST(JsonText, AwkwardStringsAreEscapedLikeDump) {
  for (const auto& text : awkward_strings()) {
    auto s = sample_status();
    s.controller.state = text;
    s.controller.command_reason = text;
    s.envelope.charge_power_max_w.cause.rule_id = text;
    s.envelope.discharge_power_max_w.cause.sentence = text;
    s.pack.manufacturer = text;
    s.inverter.serial = text;
    s.links[0].detail = text;
    s.compliance.blocking_rules = {text};
    s.protection.charge_blocked_by = {text};
    s.protection.recovery_charge = text;
    SCOPED_TRACE(::testing::PrintToString(text));
    expect_same_as_tree(s);
    auto l = sample_limits();
    l.constraints[0].bound = text;
    l.constraints[1].cause.sentence = text;
    expect_same_as_tree(l);
  }
}

TEST(JsonText, AwkwardNumbersAreFormattedLikeDump) {
  for (const double x : awkward_numbers()) {
    auto s = sample_status();
    s.pack.voltage_v = x;
    s.pack.cell_voltage_max_v = x;
    s.pack_age_s = x;
    s.inverter.grid_power_w = x;
    s.envelope.charge_power_max_w.value = x;
    s.links[2].age_s = x;
    SCOPED_TRACE(x);
    expect_same_as_tree(s);
    auto l = sample_limits();
    l.constraints[0].value = x;
    l.envelope.charge_voltage_max_v.value = x;
    expect_same_as_tree(l);
  }
  auto s = sample_status();
  s.links[0].error_count = std::numeric_limits<std::uint64_t>::max();
  s.compliance.warnings = std::numeric_limits<std::uint32_t>::max();
  s.pack.modules.online = std::numeric_limits<std::uint16_t>::max();
  expect_same_as_tree(s);
}

/// Random documents: every optional present or absent, numbers from random bit patterns and
/// from plausible readings, strings from the awkward ones.
class RandomDocuments {
 public:
  explicit RandomDocuments(unsigned seed) : rng_(seed) {}

  StatusDto status() {
    StatusDto s;
    s.time = time();
    s.controller.state = text();
    s.controller.mode = static_cast<Mode>(pick(3));
    s.controller.manual_setpoint_w = maybe();
    if (pick(2) == 0) {
      s.controller.mode_source = "operator";
      s.controller.mode_set_by = text();
      s.controller.mode_set_at = time();
      if (pick(2) == 0) s.controller.mode_expires_at = time();
    }
    s.controller.commanded_power_w = maybe();
    s.controller.command_reason = text();
    auto& pr = s.protection;
    for (auto n = pick(3); n > 0; --n) pr.charge_blocked_by.push_back(text());
    for (auto n = pick(3); n > 0; --n) pr.discharge_blocked_by.push_back(text());
    if (pick(2) == 0) pr.recovery_charge = text();
    pr.waiting_for_bms = pick(2) == 0;
    pr.cell_data = text();
    pr.estimated_cell_voltage_v = maybe();
    pr.uncommanded_discharge_w = maybe().value_or(0.0);
    for (auto n = pick(3); n > 0; --n)
      s.inverter_held_limits.push_back(
          {text(), maybe().value_or(0.0), maybe().value_or(1.0), maybe()});
    for (auto n = pick(4); n > 0; --n) {
      ActiveFault f;
      f.code = text();
      f.severity = static_cast<core::Severity>(pick(5));
      f.message = text();
      if (pick(2) == 0) f.since = time();
      f.latched = pick(2) == 0;
      f.cause_cleared = pick(2) == 0;
      s.controller.active_faults.push_back(f);
      if (pick(2) == 0) s.service_faults.push_back(f);
    }
    auto& p = s.pack;
    for (auto* v : {&p.voltage_v, &p.current_a, &p.temperature_c, &p.soc_pct, &p.soh_pct,
                    &p.cell_voltage_min_v, &p.cell_voltage_max_v, &p.cell_temperature_min_c,
                    &p.cell_temperature_max_c, &p.capacity_ah, &p.available_capacity_ah,
                    &p.energy_charged_kwh, &p.energy_discharged_kwh,
                    &p.limits.charge_voltage_limit_v, &p.limits.charge_current_limit_a,
                    &p.limits.discharge_current_limit_a, &p.limits.discharge_voltage_limit_v})
      *v = maybe();
    for (auto* b : {&p.requests.charge_enable, &p.requests.discharge_enable,
                    &p.requests.force_charge, &p.requests.full_charge})
      if (pick(3) != 0) *b = pick(2) == 0;
    for (auto* m : {&p.modules.total, &p.modules.online, &p.modules.blocking_charge,
                    &p.modules.blocking_discharge, &p.modules.offline})
      if (pick(2) == 0) *m = static_cast<std::uint16_t>(pick(65536));
    for (auto& item : p.protections.items) item = static_cast<core::FlagState>(pick(3));
    for (auto& item : p.warnings.items) item = static_cast<core::FlagState>(pick(3));
    p.manufacturer = text();
    p.bms_name = text();
    p.firmware = text();
    s.pack_age_s = maybe();
    auto& i = s.inverter;
    i.online = pick(2) == 0;
    i.operating = static_cast<core::InverterOperating>(pick(5));
    for (auto* v : {&i.battery_power_w, &i.battery_voltage_v, &i.battery_current_a, &i.grid_power_w,
                    &i.pv_power_w, &i.ac_power_w, &i.rated_power_w, &i.setpoint_readback_w})
      *v = maybe();
    i.model = text();
    i.serial = text();
    s.inverter_age_s = maybe();
    s.envelope = envelope();
    s.compliance.verdict = static_cast<Verdict>(pick(4));
    for (auto n = pick(3); n > 0; --n) s.compliance.blocking_rules.push_back(text());
    s.compliance.warnings = static_cast<std::uint32_t>(rng_());
    s.compliance.derates = static_cast<std::uint32_t>(pick(5));
    for (auto n = pick(4); n > 0; --n)
      s.links.push_back({text(), static_cast<LinkState>(pick(5)), maybe(),
                         std::uniform_int_distribution<std::uint64_t>{}(rng_), text()});
    auto& t = s.energy.totals;
    for (double* v : {&t.battery_charged_kwh, &t.battery_discharged_kwh, &t.grid_import_kwh,
                      &t.grid_export_kwh, &t.pv_kwh, &t.house_kwh, &t.measured_s, &t.unmeasured_s})
      *v = number();
    if (pick(2) == 0) s.energy.since = time();
    if (pick(2) == 0) s.energy.as_of = time();
    if (pick(2) == 0) {
      energy::EnergyTotals d;
      for (double* v : {&d.battery_charged_kwh, &d.battery_discharged_kwh, &d.grid_import_kwh,
                        &d.grid_export_kwh, &d.pv_kwh, &d.house_kwh, &d.measured_s,
                        &d.grid_measured_s, &d.pv_measured_s, &d.house_measured_s})
        if (pick(2) == 0) *v = number();
      s.energy.today =
          energy::DayEnergy{Date{std::chrono::year{static_cast<int>(1990 + pick(80))},
                                 std::chrono::month{static_cast<unsigned>(1 + pick(12))},
                                 std::chrono::day{static_cast<unsigned>(1 + pick(28))}},
                            d};
    }
    if (pick(2) == 0)
      s.energy.prices = energy::FlatPrices{text(), maybe().value_or(0.0), maybe().value_or(0.0)};
    return s;
  }

  LimitsDto limits() {
    LimitsDto l;
    l.time = time();
    l.envelope = envelope();
    for (auto n = pick(6); n > 0; --n)
      l.constraints.push_back(
          {text(), static_cast<Direction>(pick(3)), number(), cause(), pick(2) == 0});
    return l;
  }

 private:
  std::size_t pick(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>{0, n - 1}(rng_);
  }

  double number() {
    switch (pick(3)) {
      case 0:  // any bit pattern: subnormals, huge, NaN, infinities
        return std::bit_cast<double>(std::uniform_int_distribution<std::uint64_t>{}(rng_));
      case 1:  // a plausible reading with a few decimals
        return std::round(std::uniform_real_distribution<double>{-10000.0, 10000.0}(rng_)*1000) /
               1000;
      default:
        return std::uniform_real_distribution<double>{-1e6, 1e6}(rng_);
    }
  }
  std::optional<double> maybe() { return pick(4) == 0 ? std::nullopt : std::optional(number()); }
  std::string text() {
    const auto& all = awkward_strings();
    std::string out;
    for (auto n = pick(3); n > 0; --n) out += all[pick(all.size())];
    return out;
  }
  WallTime time() {
    return WallTime{std::chrono::milliseconds{
        std::uniform_int_distribution<std::int64_t>{0, 4'102'444'800'000}(rng_)}};
  }
  core::Cause cause() { return {static_cast<core::CauseKind>(pick(17)), text(), text()}; }
  core::Envelope envelope() {
    return {{number(), cause()},
            {number(), cause()},
            {number(), cause()},
            {number(), cause()},
            {number(), cause()}};
  }

  std::mt19937_64 rng_;
};

TEST(JsonText, RandomDocumentsAreTheTreesText) {
  RandomDocuments random(20261124);
  for (int n = 0; n < 2000; ++n) {
    SCOPED_TRACE(n);
    expect_same_as_tree(random.status());
    expect_same_as_tree(random.limits());
    if (HasFailure()) return;  // one document's diff is enough to read
  }
}

TEST(JsonWriter, WritesNestedContainersWithCommas) {
  JsonWriter w(4);  // grows as it goes
  w.begin_object();
  w.key("a");
  w.begin_array();
  w.value(1);
  w.begin_object();
  w.end_object();
  w.begin_array();
  w.end_array();
  w.null();
  w.end_array();
  w.member("b", true);
  w.member("c", "x");
  w.end_object();
  EXPECT_EQ(w.take(), R"({"a":[1,{},[],null],"b":true,"c":"x"})");
  EXPECT_EQ(w.take(), "");
}

}  // namespace
}  // namespace bessd::api::test
