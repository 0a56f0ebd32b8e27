// One row per rule id (docs/protection.md): inject the condition into a healthy snapshot and check
// the bound it sets, its cause kind, its rule id and the sentence people read.
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include <support/enum_round_trip.hpp>

#include <bessd/limits/limits_engine.hpp>
#include <bessd/limits/protection_policy.hpp>

#include "snapshot_fixture.hpp"

namespace bessd::limits {
namespace {

using core::CauseKind;
using testing::healthy_snapshot;
using testing::lfp_settings;

const TimePoint kNow = TimePoint{} + std::chrono::hours{1};

struct RuleRow {
  const char* name;
  std::function<void(LimitsInput&, LimitsSettings&)> inject;
  // Expected charge / discharge current bounds (A) and causes; nullopt = don't check.
  std::optional<double> charge_a;
  std::optional<CauseKind> charge_kind;
  const char* charge_rule;
  std::optional<double> discharge_a;
  std::optional<CauseKind> discharge_kind;
  const char* discharge_rule;
  const char* sentence_part;  // in the charge cause, else in the discharge cause
};

void PrintTo(const RuleRow& row, std::ostream* os) {
  *os << row.name;
}

class RuleTest : public ::testing::TestWithParam<RuleRow> {};

TEST_P(RuleTest, SetsBoundCauseAndSentence) {
  const RuleRow& row = GetParam();
  LimitsInput in = healthy_snapshot(kNow);
  LimitsSettings s = lfp_settings();
  row.inject(in, s);
  LimitsEngine engine(s);
  const LimitsResult r = engine.compute(in, kNow);
  const auto& env = r.envelope;
  if (row.charge_a) {
    EXPECT_NEAR(env.charge_current_max_a.value, *row.charge_a, 1e-6);
  }
  if (row.charge_kind) {
    EXPECT_EQ(env.charge_current_max_a.cause.kind, *row.charge_kind);
  }
  if (row.charge_rule) {
    EXPECT_EQ(env.charge_current_max_a.cause.rule_id, row.charge_rule);
  }
  if (row.discharge_a) {
    EXPECT_NEAR(env.discharge_current_max_a.value, *row.discharge_a, 1e-6);
  }
  if (row.discharge_kind) {
    EXPECT_EQ(env.discharge_current_max_a.cause.kind, *row.discharge_kind);
  }
  if (row.discharge_rule) {
    EXPECT_EQ(env.discharge_current_max_a.cause.rule_id, row.discharge_rule);
  }
  if (row.sentence_part) {
    const std::string both = env.charge_current_max_a.cause.sentence + " | " +
                             env.discharge_current_max_a.cause.sentence;
    EXPECT_NE(both.find(row.sentence_part), std::string::npos) << both;
  }
  // Power follows current × voltage unless a power bound is lower.
  const double volts = in.pack.voltage_v.value_or(52.0);
  EXPECT_LE(env.charge_power_max_w.value, env.charge_current_max_a.value * volts + 1e-6);
  EXPECT_LE(env.discharge_power_max_w.value, env.discharge_current_max_a.value * volts + 1e-6);
}

const RuleRow kRules[] = {
    {"Healthy", [](LimitsInput&, LimitsSettings&) {}, 100.0, CauseKind::bms_limit, "BMS", 100.0,
     CauseKind::bms_limit, "BMS", "battery's own management system"},
    {"OP_V_01_OverVoltageBlocksCharge",
     [](LimitsInput& in, LimitsSettings&) {
       in.pack.cell_voltage_max_v = 3.70;
       in.pack.cell_voltage_min_v = 3.66;
     },
     0.0, CauseKind::cell_voltage, "OP-V-01", 100.0, CauseKind::bms_limit, "BMS",
     "highest cell is at 3.700 V, above the 3.650 V limit; it resumes below 3.600 V. "
     "Discharging stays available (OP-V-01)"},
    {"OP_V_02_LfpMidChargeIsNotDerated",
     [](LimitsInput& in, LimitsSettings&) {
       in.pack.cell_voltage_max_v = 3.349;  // 63 % SOC while charging
       in.pack.cell_voltage_min_v = 3.34;
     },
     100.0, CauseKind::bms_limit, "BMS", 100.0, CauseKind::bms_limit, "BMS", nullptr},
    {"OP_V_02_TaperHalfAt348",
     [](LimitsInput& in, LimitsSettings&) {
       in.pack.cell_voltage_max_v = 3.48;
       in.pack.cell_voltage_min_v = 3.47;
     },
     50.0, CauseKind::cell_voltage, "OP-V-02", 100.0, std::nullopt, nullptr,
     "Charging is reduced to 50 % of the rated 100 A because the highest cell is at 3.480 V"},
    {"OP_V_02_TaperInterpolates",
     [](LimitsInput& in, LimitsSettings&) {
       in.pack.cell_voltage_max_v = 3.505;
       in.pack.cell_voltage_min_v = 3.50;
     },
     30.0, CauseKind::cell_voltage, "OP-V-02", std::nullopt, std::nullopt, nullptr, nullptr},
    {"OP_V_02_ZeroAt356",
     [](LimitsInput& in, LimitsSettings&) {
       in.pack.cell_voltage_max_v = 3.56;
       in.pack.cell_voltage_min_v = 3.55;
     },
     0.0, CauseKind::cell_voltage, "OP-V-02", std::nullopt, std::nullopt, nullptr, nullptr},
    {"OP_V_02_ConfiguredTableIsAbsolute",
     [](LimitsInput& in, LimitsSettings& s) {
       s.charge_taper_v = {{3.30, 1.0}, {3.40, 0.2}};
       in.pack.cell_voltage_max_v = 3.40;
       in.pack.cell_voltage_min_v = 3.39;
     },
     20.0, CauseKind::cell_voltage, "OP-V-02", std::nullopt, std::nullopt, nullptr, nullptr},
    {"OP_V_03_UnderVoltageBlocksDischarge",
     [](LimitsInput& in, LimitsSettings&) {
       in.pack.cell_voltage_min_v = 2.40;
       in.pack.cell_voltage_max_v = 2.45;
     },
     100.0, std::nullopt, nullptr, 0.0, CauseKind::cell_voltage, "OP-V-03",
     "lowest cell is at 2.400 V, below the 2.500 V limit; it resumes above 2.550 V. "
     "Charging stays available (OP-V-03)"},
    {"OP_V_04_TaperHalfAt290",
     [](LimitsInput& in, LimitsSettings&) {
       in.pack.cell_voltage_min_v = 2.90;
       in.pack.cell_voltage_max_v = 2.91;
     },
     100.0, std::nullopt, nullptr, 50.0, CauseKind::cell_voltage, "OP-V-04",
     "Discharging is reduced to 50 %"},
    {"OP_V_04_TaperInterpolates",
     [](LimitsInput& in, LimitsSettings&) {
       in.pack.cell_voltage_min_v = 2.85;
       in.pack.cell_voltage_max_v = 2.86;
     },
     std::nullopt, std::nullopt, nullptr, 30.0, CauseKind::cell_voltage, "OP-V-04", nullptr},
    {"OP_T_01_BelowZeroNeverCharges",
     [](LimitsInput& in, LimitsSettings& s) {
       s.charge_temperature_min_c = -10.0;  // even a (wrong) pack override cannot allow it
       s.charge_temperature_c = {{-10.0, 1.0}, {20.0, 1.0}};
       in.pack.cell_temperature_min_c = -1.0;
     },
     0.0, CauseKind::temperature, "OP-T-01", std::nullopt, std::nullopt, nullptr,
     "coldest cell is -1.0 °C; lithium cells must not be charged below 0 °C"},
    {"OP_T_02_ColdChargeTable",
     [](LimitsInput& in, LimitsSettings&) { in.pack.cell_temperature_min_c = 10.0; }, 50.0,
     CauseKind::temperature, "OP-T-02", 40.0, CauseKind::temperature, "OP-T-02",
     "Charging is reduced to 50 % of the rated 100 A because the coldest cell is 10.0 °C "
     "(OP-T-02)."},
    {"OP_T_02_RoomTemperatureIsNotDerated",
     [](LimitsInput& in, LimitsSettings&) { in.pack.cell_temperature_min_c = 19.0; }, 100.0,
     CauseKind::bms_limit, "BMS", 100.0, CauseKind::bms_limit, "BMS", nullptr},
    {"OP_T_02_LowerOfBmsAndFactorNotTheProduct",
     [](LimitsInput& in, LimitsSettings& s) {
       s.max_charge_current_a = 100.0;
       in.pack.limits.charge_current_limit_a = 50.0;  // the BMS derates for the cold itself
       in.pack.cell_temperature_min_c = 10.0;         // bessd's table: 0.5
     },
     50.0, std::nullopt, nullptr, std::nullopt, std::nullopt, nullptr, nullptr},
    {"OP_T_02_Interpolates",
     [](LimitsInput& in, LimitsSettings&) { in.pack.cell_temperature_min_c = 12.5; }, 75.0,
     CauseKind::temperature, "OP-T-02", 70.0, CauseKind::temperature, "OP-T-02", nullptr},
    {"OP_T_02_WarmChargeTable",
     [](LimitsInput& in, LimitsSettings&) { in.pack.cell_temperature_max_c = 42.5; }, 70.0,
     CauseKind::temperature, "OP-T-02", 100.0, CauseKind::bms_limit, "BMS",
     "because the warmest cell is 42.5 °C (OP-T-02)"},
    {"OP_T_03_AboveChargeWindow",
     [](LimitsInput& in, LimitsSettings&) { in.pack.cell_temperature_max_c = 46.0; }, 0.0,
     CauseKind::temperature, "OP-T-03", 90.0, CauseKind::temperature, "OP-T-02",
     "outside the charging range 0 to 45 °C. Discharging stays available (OP-T-03)"},
    {"OP_T_03_BelowConfiguredChargeMin",
     [](LimitsInput& in, LimitsSettings& s) {
       s.charge_temperature_min_c = 5.0;
       in.pack.cell_temperature_min_c = 4.0;
     },
     0.0, CauseKind::temperature, "OP-T-03", std::nullopt, std::nullopt, nullptr, nullptr},
    {"OP_T_04_AboveDischargeWindow",
     [](LimitsInput& in, LimitsSettings&) { in.pack.cell_temperature_max_c = 61.0; }, 0.0,
     CauseKind::temperature, "OP-T-03", 0.0, CauseKind::temperature, "OP-T-04",
     "outside the discharging range -20 to 60 °C (OP-T-04)"},
    {"OP_T_04_BelowDischargeWindow",
     [](LimitsInput& in, LimitsSettings&) { in.pack.cell_temperature_min_c = -21.0; }, 0.0,
     CauseKind::temperature, "OP-T-01", 0.0, CauseKind::temperature, "OP-T-04", nullptr},
    {"OP_FLAG_01_ChargeItemBlocksCharge",
     [](LimitsInput& in, LimitsSettings&) {
       in.pack.protections.set(core::BmsCondition::cell_over_voltage, core::FlagState::active);
     },
     0.0, CauseKind::protection_flag, "OP-FLAG-01", 100.0, CauseKind::bms_limit, "BMS",
     "protection alarm: cell over-voltage"},
    {"OP_FLAG_01_DischargeItemBlocksDischarge",
     [](LimitsInput& in, LimitsSettings&) {
       in.pack.protections.set(core::BmsCondition::cell_under_voltage, core::FlagState::active);
     },
     100.0, CauseKind::bms_limit, "BMS", 0.0, CauseKind::protection_flag, "OP-FLAG-01", nullptr},
    {"OP_FLAG_01_GeneralBlocksBoth",
     [](LimitsInput& in, LimitsSettings&) {
       in.pack.protections.set(core::BmsCondition::general, core::FlagState::active);
     },
     0.0, CauseKind::protection_flag, "OP-FLAG-01", 0.0, CauseKind::protection_flag, "OP-FLAG-01",
     nullptr},
    {"OP_FLAG_01_UnknownBitBlocksBoth",
     [](LimitsInput& in, LimitsSettings&) {
       in.pack.protections.set(core::BmsCondition::unknown, core::FlagState::active);
     },
     0.0, CauseKind::protection_flag, "OP-FLAG-01", 0.0, CauseKind::protection_flag, "OP-FLAG-01",
     nullptr},
    {"OP_FLAG_01_ChargeEnableFalse",
     [](LimitsInput& in, LimitsSettings&) { in.pack.requests.charge_enable = false; }, 0.0,
     CauseKind::protection_flag, "OP-FLAG-01", 100.0, CauseKind::bms_limit, "BMS",
     "does not allow charging"},
    {"OP_FLAG_01_DischargeEnableFalse",
     [](LimitsInput& in, LimitsSettings&) { in.pack.requests.discharge_enable = false; }, 100.0,
     CauseKind::bms_limit, "BMS", 0.0, CauseKind::protection_flag, "OP-FLAG-01", nullptr},
    {"OP_FLAG_01_WarningsDoNotBlock",
     [](LimitsInput& in, LimitsSettings&) {
       in.pack.warnings.set(core::BmsCondition::general, core::FlagState::active);
     },
     100.0, CauseKind::bms_limit, "BMS", 100.0, CauseKind::bms_limit, "BMS", nullptr},
    {"OP_DV_01_WarnOnly",
     [](LimitsInput& in, LimitsSettings&) {
       in.pack.cell_voltage_min_v = 3.20;
       in.pack.cell_voltage_max_v = 3.30;
     },
     100.0, CauseKind::bms_limit, "BMS", 100.0, CauseKind::bms_limit, "BMS", nullptr},
    {"OP_DV_01_DerateAbove150mV",
     [](LimitsInput& in, LimitsSettings&) {
       in.pack.cell_voltage_min_v = 3.10;
       in.pack.cell_voltage_max_v = 3.26;
     },
     50.0, CauseKind::cell_spread, "OP-DV-01", 100.0, CauseKind::bms_limit, "BMS",
     "the cells differ by 160 mV"},
    {"OP_SOC_01_ReserveStopsDischarge",
     [](LimitsInput& in, LimitsSettings&) { in.pack.soc_pct = 10.0; }, 100.0, CauseKind::bms_limit,
     "BMS", 0.0, CauseKind::soc_reserve, "OP-SOC-01",
     "has reached the 10 % reserve; it resumes from 12 % (OP-SOC-01)"},
    {"OP_SOC_01_SoftBandAboveReserve",
     [](LimitsInput& in, LimitsSettings&) { in.pack.soc_pct = 11.0; }, 100.0, std::nullopt, nullptr,
     50.0, CauseKind::soc_reserve, "OP-SOC-01", nullptr},
    {"OP_SOC_01_MaxSocStopsCharge",
     [](LimitsInput& in, LimitsSettings& s) {
       s.max_soc_pct = 90.0;
       in.pack.soc_pct = 90.0;
     },
     0.0, CauseKind::soc_reserve, "OP-SOC-02", 100.0, CauseKind::bms_limit, "BMS", nullptr},
    {"OP_SOC_01_OwnersReserveStopsDischargeAboveTheFloor",
     [](LimitsInput& in, LimitsSettings&) {
       in.owner.reserve_soc_pct = 40.0;
       in.pack.soc_pct = 40.0;
     },
     100.0, CauseKind::bms_limit, "BMS", 0.0, CauseKind::soc_reserve, "OP-SOC-01",
     "has reached the owner's 40 % reserve; it resumes from 42 % (OP-SOC-01)"},
    {"OP_SOC_01_OwnersReserveBelowTheFloorChangesNothing",
     [](LimitsInput& in, LimitsSettings&) {
       in.owner.reserve_soc_pct = 5.0;
       in.pack.soc_pct = 10.0;
     },
     100.0, CauseKind::bms_limit, "BMS", 0.0, CauseKind::soc_reserve, "OP-SOC-01",
     "has reached the 10 % reserve; it resumes from 12 % (OP-SOC-01)"},
    {"OP_SOC_02_OwnersTargetStopsCharge",
     [](LimitsInput& in, LimitsSettings&) {
       in.owner.target_soc_pct = 80.0;
       in.pack.soc_pct = 80.0;
     },
     0.0, CauseKind::soc_reserve, "OP-SOC-02", 100.0, CauseKind::bms_limit, "BMS",
     "has reached the owner's charge target of 80 % (OP-SOC-02)"},
    {"OP_SOC_02_OwnersTargetAboveTheMaximumChangesNothing",
     [](LimitsInput& in, LimitsSettings& s) {
       s.max_soc_pct = 90.0;
       in.owner.target_soc_pct = 95.0;
       in.pack.soc_pct = 90.0;
     },
     0.0, CauseKind::soc_reserve, "OP-SOC-02", 100.0, CauseKind::bms_limit, "BMS",
     "has reached the configured maximum of 90 % (OP-SOC-02)"},
    {"COM_01_MissingPartGivesZero",
     [](LimitsInput& in, LimitsSettings&) { in.pack.flags_at.reset(); }, 0.0, CauseKind::stale_data,
     "COM-01", 0.0, CauseKind::stale_data, "COM-01", "has not reported its alarm flags (COM-01)"},
    {"COM_01_CellFramesStoppingIsStale",
     [](LimitsInput& in, LimitsSettings&) { in.pack.cells_at = kNow - std::chrono::seconds{4}; },
     0.0, CauseKind::stale_data, "COM-01", 0.0, CauseKind::stale_data, "COM-01", nullptr},
    {"NoCellFramesRunsOnEstimates",
     [](LimitsInput& in, LimitsSettings&) {
       in.pack.cells_at.reset();  // a genuine Pylontech: no 0x373
       in.pack.cell_voltage_max_v.reset();
       in.pack.cell_voltage_min_v.reset();
       in.pack.cell_temperature_min_c.reset();
       in.pack.cell_temperature_max_c.reset();
     },
     100.0, CauseKind::bms_limit, "BMS", 100.0, CauseKind::bms_limit, "BMS", nullptr},
    {"NoCellFramesEstimatedOverVoltageBlocksCharge",
     [](LimitsInput& in, LimitsSettings&) {
       in.pack.cells_at.reset();
       in.pack.voltage_v = 16 * 3.66;
       in.pack.limits.charge_voltage_limit_v = 60.0;
     },
     0.0, CauseKind::cell_voltage, "OP-V-01", std::nullopt, std::nullopt, nullptr,
     "estimated cell voltage is at 3.660 V"},
    {"NoTemperatureAtAllBlocksChargeOnly",
     [](LimitsInput& in, LimitsSettings&) {
       in.pack.cells_at.reset();
       in.pack.cell_temperature_min_c.reset();
       in.pack.cell_temperature_max_c.reset();
       in.pack.temperature_c.reset();
     },
     0.0, CauseKind::temperature, "OP-T-01", 100.0, CauseKind::bms_limit, "BMS",
     "reports no temperature"},
    // A BMS with cell temperature extremes but no cell voltages (BYD HVS): the coldest cell, not
    // the pack sensor, decides.
    {"CellTemperaturesWithoutCellVoltagesStillBlockAColdCharge",
     [](LimitsInput& in, LimitsSettings&) {
       in.pack.cells_at.reset();
       in.pack.cell_voltage_min_v.reset();
       in.pack.cell_voltage_max_v.reset();
       in.pack.temperature_c = 12.0;
       in.pack.cell_temperature_min_c = -3.0;
       in.pack.cell_temperature_max_c = 12.0;
     },
     0.0, CauseKind::temperature, nullptr, std::nullopt, std::nullopt, nullptr, nullptr},
    {"OP_V_05_AtTheBmsCvlBlocksChargeOnly",
     [](LimitsInput& in, LimitsSettings&) { in.pack.voltage_v = 56.8; }, 0.0, CauseKind::bms_limit,
     "OP-V-05", 100.0, CauseKind::bms_limit, "BMS", "at the 56.80 V charge voltage limit"},
    {"OP_V_05_TapersApproachingTheCvl",
     [](LimitsInput& in, LimitsSettings&) { in.pack.voltage_v = 56.6; }, 50.0, CauseKind::bms_limit,
     "OP-V-05", 100.0, CauseKind::bms_limit, "BMS", nullptr},
    {"COM_01_StaleGivesZero",
     [](LimitsInput& in, LimitsSettings&) { in.pack.measured_at = kNow - std::chrono::seconds{4}; },
     0.0, CauseKind::stale_data, "COM-01", 0.0, CauseKind::stale_data, "COM-01",
     "voltage and current are 4.0 s old (COM-01)"},
    {"COM_01_MissingValueGivesZero",
     [](LimitsInput& in, LimitsSettings&) { in.pack.limits.charge_current_limit_a.reset(); }, 0.0,
     CauseKind::stale_data, "COM-01", 0.0, CauseKind::stale_data, "COM-01", nullptr},
    {"ALM_01_FireAlarmBlocksBoth",
     [](LimitsInput& in, LimitsSettings&) {
       in.fire_alarm_configured = true;
       in.fire_alarm_active = true;
     },
     0.0, CauseKind::fire_alarm, "ALM-01", 0.0, CauseKind::fire_alarm, "ALM-01",
     "fire alarm input has tripped (ALM-01)"},
    {"ALM_01_IgnoredWhenNotConfigured",
     [](LimitsInput& in, LimitsSettings&) { in.fire_alarm_active = true; }, 100.0,
     CauseKind::bms_limit, "BMS", 100.0, CauseKind::bms_limit, "BMS", nullptr},
    {"ComplianceBlockBlocksBoth",
     [](LimitsInput& in, LimitsSettings&) {
       in.compliance.blocked = true;
       in.compliance.reason = "PAS-LOC-01: the battery is in a bedroom.";
     },
     0.0, CauseKind::compliance_block, "COMPLIANCE", 0.0, CauseKind::compliance_block, "COMPLIANCE",
     "PAS-LOC-01: the battery is in a bedroom."},
    {"DirectionFaultBlocksOnlyItsDirection",
     [](LimitsInput& in, LimitsSettings&) {
       in.faults.push_back({"OP-I-01", "test", true, false});
     },
     0.0, CauseKind::fault, "OP-I-01", 100.0, CauseKind::bms_limit, "BMS", "Charging is stopped"},
    {"LatchedFaultBlocksBoth",
     [](LimitsInput& in, LimitsSettings&) {
       in.faults.push_back({"INV-OBEY", "test"});
     },
     0.0, CauseKind::fault, "INV-OBEY", 0.0, CauseKind::fault, "INV-OBEY", nullptr},
    {"SL_DER_01_FactorK", [](LimitsInput& in, LimitsSettings&) { in.second_life.factor_k = 0.8; },
     80.0, CauseKind::second_life, "SL-DER-01", 80.0, CauseKind::second_life, "SL-DER-01",
     "limited to 80 % of the rated 100 A because this is a second-life pack"},
    {"SL_DER_01_FactorClampedToHalf",
     [](LimitsInput& in, LimitsSettings&) { in.second_life.factor_k = 0.2; }, 50.0,
     CauseKind::second_life, "SL-DER-01", 50.0, CauseKind::second_life, "SL-DER-01", nullptr},
    {"SL_DER_01_NarrowedWindowMovesOverVoltage",
     [](LimitsInput& in, LimitsSettings&) {
       in.second_life.cell_voltage_max_v = 3.60;
       in.pack.cell_voltage_max_v = 3.62;
       in.pack.cell_voltage_min_v = 3.61;
     },
     0.0, CauseKind::cell_voltage, "OP-V-01", std::nullopt, std::nullopt, nullptr,
     "above the 3.600 V limit"},
    {"PackRatingBelowBms", [](LimitsInput&, LimitsSettings& s) { s.max_charge_current_a = 60.0; },
     60.0, CauseKind::pack_rating, "PACK", 100.0, CauseKind::bms_limit, "BMS", nullptr},
    {"BmsLimitBelowPackRating",
     [](LimitsInput& in, LimitsSettings& s) {
       s.max_discharge_current_a = 90.0;
       in.pack.limits.discharge_current_limit_a = 25.0;
     },
     100.0, CauseKind::bms_limit, "BMS", 25.0, CauseKind::bms_limit, "BMS", nullptr},
    {"LowestFactorWins",
     [](LimitsInput& in, LimitsSettings&) {
       in.pack.cell_temperature_min_c = 10.0;  // 0.5
       in.pack.cell_voltage_max_v = 3.45;      // 0.75
       in.pack.cell_voltage_min_v = 3.44;
       in.second_life.factor_k = 0.9;
     },
     50.0, CauseKind::temperature, "OP-T-02", std::nullopt, std::nullopt, nullptr, nullptr},
};

INSTANTIATE_TEST_SUITE_P(Rules, RuleTest, ::testing::ValuesIn(kRules),
                         [](const ::testing::TestParamInfo<RuleRow>& param_info) {
                           return std::string(param_info.param.name);
                         });

// ---- Power bounds --------------------------------------------------------------------------

struct PowerRow {
  const char* name;
  std::function<void(LimitsInput&, LimitsSettings&)> inject;
  double charge_w;
  CauseKind charge_kind;
  double discharge_w;
  CauseKind discharge_kind;
};

void PrintTo(const PowerRow& row, std::ostream* os) {
  *os << row.name;
}

class PowerTest : public ::testing::TestWithParam<PowerRow> {};

TEST_P(PowerTest, MinimumOfPowerBounds) {
  const PowerRow& row = GetParam();
  LimitsInput in = healthy_snapshot(kNow);
  LimitsSettings s = lfp_settings();
  row.inject(in, s);
  LimitsEngine engine(s);
  const auto env = engine.compute(in, kNow).envelope;
  EXPECT_NEAR(env.charge_power_max_w.value, row.charge_w, 1e-6);
  EXPECT_EQ(env.charge_power_max_w.cause.kind, row.charge_kind)
      << env.charge_power_max_w.cause.sentence;
  EXPECT_NEAR(env.discharge_power_max_w.value, row.discharge_w, 1e-6);
  EXPECT_EQ(env.discharge_power_max_w.cause.kind, row.discharge_kind);
}

const PowerRow kPowers[] = {
    {"CurrentTimesVoltage", [](LimitsInput&, LimitsSettings&) {}, 5200.0, CauseKind::bms_limit,
     5200.0, CauseKind::bms_limit},
    {"ConfiguredPackPower",
     [](LimitsInput&, LimitsSettings& s) {
       s.max_charge_power_w = 3000.0;
       s.max_discharge_power_w = 4000.0;
     },
     3000.0, CauseKind::pack_rating, 4000.0, CauseKind::pack_rating},
    {"ConfiguredInverterRating",
     [](LimitsInput&, LimitsSettings& s) { s.inverter_rated_power_w = 3600.0; }, 3600.0,
     CauseKind::inverter_rating, 3600.0, CauseKind::inverter_rating},
    {"ReportedInverterRating",
     [](LimitsInput& in, LimitsSettings&) { in.inverter.rated_power_w = 2500.0; }, 2500.0,
     CauseKind::inverter_rating, 2500.0, CauseKind::inverter_rating},
    {"ConfiguredRatingAboveTheReportedOne",
     [](LimitsInput& in, LimitsSettings& s) {
       s.inverter_rated_power_w = 10000.0;
       in.inverter.rated_power_w = 2500.0;
     },
     2500.0, CauseKind::inverter_rating, 2500.0, CauseKind::inverter_rating},
    {"ConfiguredRatingBelowTheReportedOne",
     [](LimitsInput& in, LimitsSettings& s) {
       s.inverter_rated_power_w = 2000.0;
       in.inverter.rated_power_w = 3000.0;
     },
     2000.0, CauseKind::inverter_rating, 2000.0, CauseKind::inverter_rating},
    {"SiteImportHeadroom",
     [](LimitsInput& in, LimitsSettings& s) {
       s.grid_import_limit_w = 4000.0;
       in.inverter.grid_power_w = 1500.0;  // house draws 1500 W, battery idle
     },
     2500.0, CauseKind::site_grid_limit, 5200.0, CauseKind::bms_limit},
    {"SiteExportHeadroom",
     [](LimitsInput& in, LimitsSettings& s) {
       s.grid_export_limit_w = 0.0;       // zero-export site
       in.inverter.grid_power_w = 800.0;  // house imports 800 W
     },
     5200.0, CauseKind::bms_limit, 800.0, CauseKind::site_grid_limit},
    {"SiteLimitWithoutGridReading",
     [](LimitsInput& in, LimitsSettings& s) {
       s.grid_import_limit_w = 3000.0;
       in.inverter.grid_power_w.reset();
     },
     3000.0, CauseKind::site_grid_limit, 5200.0, CauseKind::bms_limit},
    {"ImportHeadroomNeverNegative",
     [](LimitsInput& in, LimitsSettings& s) {
       s.grid_import_limit_w = 3000.0;
       in.inverter.grid_power_w = 5000.0;
     },
     0.0, CauseKind::site_grid_limit, 5200.0, CauseKind::bms_limit},
};

INSTANTIATE_TEST_SUITE_P(Powers, PowerTest, ::testing::ValuesIn(kPowers),
                         [](const ::testing::TestParamInfo<PowerRow>& param_info) {
                           return std::string(param_info.param.name);
                         });

// Red team 21a F4: the BMS asking for a charge outranks the owner's comfort limit, not the
// configured maximum.
TEST(OwnerSocWindow, AForceChargeRequestChargesBeyondTheOwnersTarget) {
  LimitsInput in = healthy_snapshot(kNow);
  LimitsSettings s = lfp_settings();
  in.owner.target_soc_pct = 15.0;
  in.pack.soc_pct = 20.0;
  in.pack.requests.force_charge = true;
  LimitsEngine engine(s);
  auto r = engine.compute(in, kNow);
  EXPECT_GT(r.envelope.charge_current_max_a.value, 0.0);
  EXPECT_NE(r.envelope.charge_current_max_a.cause.rule_id, "OP-SOC-02");
  s.max_soc_pct = 20.0;
  LimitsEngine capped(s);
  r = capped.compute(in, kNow);
  EXPECT_EQ(r.envelope.charge_current_max_a.value, 0.0);
  EXPECT_EQ(r.envelope.charge_current_max_a.cause.rule_id, "OP-SOC-02");
}

// Red team 21a F1: an owner's target the configured floor has overtaken is set aside.
TEST(OwnerSocWindow, AnOwnersValueOutsideTheConfiguredWindowIsSetAside) {
  LimitsInput in = healthy_snapshot(kNow);
  LimitsSettings s = lfp_settings();
  s.min_soc_pct = 40.0;
  in.owner.target_soc_pct = 30.0;
  in.pack.soc_pct = 30.0;
  LimitsEngine engine(s);
  const auto r = engine.compute(in, kNow);
  EXPECT_GT(r.envelope.charge_current_max_a.value, 0.0)
      << r.envelope.charge_current_max_a.cause.sentence;
  EXPECT_EQ(r.envelope.discharge_current_max_a.cause.rule_id, "OP-SOC-01");
  EXPECT_NE(r.envelope.discharge_current_max_a.cause.sentence.find("is below the 40 % reserve"),
            std::string::npos)
      << r.envelope.discharge_current_max_a.cause.sentence;
}

TEST(ChargeVoltage, MinimumOfBmsAndCellWindow) {
  LimitsInput in = healthy_snapshot(kNow);
  LimitsSettings s = lfp_settings();
  {
    LimitsEngine engine(s);
    const auto env = engine.compute(in, kNow).envelope;
    EXPECT_DOUBLE_EQ(env.charge_voltage_max_v.value, 56.8);
    EXPECT_EQ(env.charge_voltage_max_v.cause.kind, CauseKind::bms_limit);
  }
  in.second_life.cell_voltage_max_v = 3.50;
  LimitsEngine engine(s);
  const auto env = engine.compute(in, kNow).envelope;
  EXPECT_NEAR(env.charge_voltage_max_v.value, 56.0, 1e-9);
  EXPECT_EQ(env.charge_voltage_max_v.cause.kind, CauseKind::second_life);
}

// A pack that refuses charging may send no charge voltage limit (Pylontech HV's 0 V cut-off on
// a cold night): charging stops, the data is not stale and discharging stays available. Without
// the refusal a missing charge voltage limit is missing data.
TEST(ChargeVoltage, NoLimitFromAPackThatRefusesChargingKeepsDischargeAvailable) {
  LimitsInput in = healthy_snapshot(kNow);
  in.pack.limits.charge_voltage_limit_v.reset();
  in.pack.limits.charge_current_limit_a = 0.0;
  LimitsEngine engine(lfp_settings());
  const auto r = engine.compute(in, kNow);
  EXPECT_FALSE(r.findings.bms_stale);
  EXPECT_EQ(r.envelope.charge_power_max_w.value, 0.0);
  EXPECT_GT(r.envelope.discharge_power_max_w.value, 0.0)
      << r.envelope.discharge_power_max_w.cause.sentence;
  EXPECT_EQ(r.envelope.charge_voltage_max_v.cause.rule_id, "PACK");

  in.pack.limits.charge_current_limit_a = 50.0;
  LimitsEngine missing(lfp_settings());
  const auto stale = missing.compute(in, kNow);
  EXPECT_TRUE(stale.findings.bms_stale);
  EXPECT_EQ(stale.envelope.discharge_power_max_w.value, 0.0);
}

TEST(Findings, SafetyFindingsForTheController) {
  struct Row {
    const char* name;
    std::function<void(LimitsInput&)> inject;
    std::function<bool(const LimitsFindings&)> expect;
  };
  const Row rows[] = {
      {"lost", [](LimitsInput& in) { in.pack.flags_at = kNow - std::chrono::seconds{6}; },
       [](const LimitsFindings& f) { return f.bms_lost && f.bms_stale; }},
      {"stale-not-lost", [](LimitsInput& in) { in.pack.flags_at = kNow - std::chrono::seconds{4}; },
       [](const LimitsFindings& f) { return !f.bms_lost && f.bms_stale; }},
      {"flag",
       [](LimitsInput& in) {
         in.pack.protections.set(core::BmsCondition::short_circuit, core::FlagState::active);
       },
       [](const LimitsFindings& f) {
         return f.protection_flag && f.protection_detail.find("short") != std::string::npos;
       }},
      {"over-voltage", [](LimitsInput& in) { in.pack.cell_voltage_max_v = 3.8; },
       [](const LimitsFindings& f) {
         return f.blocks == std::vector<ActiveBlock>{{"OP-V-01", true, false}};
       }},
      {"cold-blocks-charge-only", [](LimitsInput& in) { in.pack.cell_temperature_min_c = -5; },
       [](const LimitsFindings& f) {
         return f.blocks ==
                std::vector<ActiveBlock>{{"OP-T-01", true, false}, {"OP-T-03", true, false}};
       }},
      {"hot", [](LimitsInput& in) { in.pack.cell_temperature_max_c = 65; },
       [](const LimitsFindings& f) {
         return f.blocks ==
                std::vector<ActiveBlock>{{"OP-T-03", true, false}, {"OP-T-04", false, true}};
       }},
      {"spread", [](LimitsInput& in) { in.pack.cell_voltage_max_v = 3.30; },
       [](const LimitsFindings& f) { return f.cell_spread_warning; }},
      {"healthy", [](LimitsInput&) {},
       [](const LimitsFindings& f) {
         LimitsFindings rest = f;
         rest.cells_discharge_current_max_a.reset();
         rest.load_cover_max_w.reset();
         return rest == LimitsFindings{} && f.load_cover_max_w &&
                f.cells_discharge_current_max_a ==
                    healthy_snapshot(kNow).pack.limits.discharge_current_limit_a;
       }},
      // What the cells may give is their own limits, not the SOC reserve (a DC load may still
      // take what they can give); a frozen pack gives nothing.
      {"reserve-is-not-the-cells-limit", [](LimitsInput& in) { in.pack.soc_pct = 5.0; },
       [](const LimitsFindings& f) {
         return f.cells_discharge_current_max_a ==
                healthy_snapshot(kNow).pack.limits.discharge_current_limit_a;
       }},
      {"frozen-cells-give-nothing", [](LimitsInput& in) { in.pack.cell_temperature_min_c = -30; },
       [](const LimitsFindings& f) {
         return f.cells_discharge_current_max_a == 0.0 && f.load_cover_max_w;
       }},
      // A fault that stops charging stops a cover too; a BMS that allows no charge does not.
      {"fault-allows-no-cover",
       [](LimitsInput& in) {
         in.faults.push_back(ActiveFault{"OP-I-01", "test", true, false});
       },
       [](const LimitsFindings& f) { return !f.load_cover_max_w; }},
      {"short-circuit-allows-no-cover",
       [](LimitsInput& in) {
         in.pack.protections.set(core::BmsCondition::short_circuit, core::FlagState::active);
       },
       [](const LimitsFindings& f) { return !f.load_cover_max_w; }},
      {"no-ccl-allows-a-cover",
       [](LimitsInput& in) { in.pack.limits.charge_current_limit_a = 0.0; },
       [](const LimitsFindings& f) { return f.load_cover_max_w.has_value(); }},
  };
  for (const Row& r : rows) {
    LimitsInput in = healthy_snapshot(kNow);
    r.inject(in);
    LimitsEngine engine(lfp_settings());
    EXPECT_TRUE(r.expect(engine.compute(in, kNow).findings)) << r.name;
  }
}

TEST(Chemistries, DerivedTaperForSlopedCells) {
  config::Config cfg;
  cfg.battery.chemistry = config::Chemistry::NMC;
  LimitsSettings s = LimitsSettings::from_config(cfg);
  LimitsInput in = healthy_snapshot(kNow);
  in.pack.cell_voltage_max_v = 4.12;  // max − 80 mV: 0.5
  in.pack.cell_voltage_min_v = 4.11;
  LimitsEngine engine(s);
  const auto env = engine.compute(in, kNow).envelope;
  EXPECT_NEAR(env.charge_current_max_a.value, 50.0, 1e-6);
  EXPECT_EQ(env.charge_current_max_a.cause.rule_id, "OP-V-02");
  in.pack.cell_voltage_min_v = 3.20;  // practical min 3.00 + 0.2: 0.5
  in.pack.cell_voltage_max_v = 3.21;
  LimitsEngine engine2(s);
  EXPECT_NEAR(engine2.compute(in, kNow).envelope.discharge_current_max_a.value, 50.0, 1e-6);
}

// A name once written (a log line, a message) must keep meaning its value: the words are pinned.
TEST(ProtectionAction, NamesRoundTrip) {
  EXPECT_EQ(test_support::round_tripped_names(kActionNames),
            (std::vector<std::string_view>{"allowed", "derate", "block"}));
  EXPECT_EQ(enum_from_name(kActionNames, "blocked"), std::nullopt);
  EXPECT_EQ(enum_from_name(kActionNames, "Block"), std::nullopt);
}

}  // namespace
}  // namespace bessd::limits
