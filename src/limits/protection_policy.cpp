#include <algorithm>
#include <array>

#include <bessd/limits/protection_policy.hpp>

namespace bessd::limits {
namespace {

constexpr Action A = Action::allowed;
constexpr Action D = Action::derate;
constexpr Action B = Action::block;

// Keep in step with the table in docs/protection.md (a unit test compares them).
constexpr std::array kPolicy{
    // Cell voltage and the BMS's charge voltage limit.
    PolicyRow{"OP-V-01", B, A, false,
              "highest cell below the cell maximum minus the recovery margin (50 mV); charging "
              "returns through OP-HYST-01"},
    PolicyRow{"OP-V-02", D, A, false, "follows the highest cell voltage"},
    PolicyRow{"OP-V-03", A, B, false,
              "lowest cell above the cell minimum plus the recovery margin (50 mV)"},
    PolicyRow{"OP-V-04", A, D, false, "follows the lowest cell voltage"},
    PolicyRow{"OP-V-05", B, A, false,
              "pack voltage below the BMS charge voltage limit; charging tapers to zero on the "
              "way up to it"},
    // Temperature.
    PolicyRow{"OP-T-01", B, A, false, "coldest cell at or above 0 °C plus the hysteresis (2 °C)"},
    PolicyRow{"OP-T-02", D, D, false, "follows the cell temperatures"},
    PolicyRow{"OP-T-03", B, A, false, "back inside the charge window by the hysteresis (2 °C)"},
    PolicyRow{"OP-T-04", A, B, false, "back inside the discharge window by the hysteresis (2 °C)"},
    // State of charge.
    PolicyRow{"OP-SOC-01", A, B, false,
              "SOC above the floor plus the hysteresis; at or below the floor minus the margin "
              "the recovery charge runs"},
    PolicyRow{"OP-SOC-02", B, A, false, "SOC below the configured maximum"},
    PolicyRow{"OP-REC-01", A, B, false,
              "recovery charge until no force-charge request and SOC is the hysteresis above the "
              "floor and above where it started"},
    PolicyRow{"OP-DV-01", D, A, false, "cell spread below the warning level"},
    // The inverter follows the commands.
    PolicyRow{"OP-I-01", B, A, true,
              "the charge block runs at once; latched only if the inverter still charges after "
              "the block; operator acknowledges"},
    PolicyRow{"OP-I-02", A, B, true,
              "the discharge block runs at once; latched only if the inverter still discharges "
              "after the block; operator acknowledges"},
    // DC loads on the battery bus, whoever draws (docs/protection.md "DC loads", "Discharge
    // current guard").
    PolicyRow{"DC-LOAD", A, D, false, "follows the largest load measured in the last 30 minutes"},
    PolicyRow{"DCL-GUARD", A, D, false,
              "given back after 3 s within what the cells may give; a charge that covers the "
              "load is taken back at once when the pack starts to charge"},
    // BMS enable bits (Pylontech 0x35C).
    PolicyRow{"REQ:charge_enable", B, A, false, "the BMS sets the charge-enable bit again"},
    PolicyRow{"REQ:discharge_enable", A, B, false, "the BMS sets the discharge-enable bit again"},
    PolicyRow{"REQ:force_charge", A, B, false,
              "recovery charge until the BMS drops the request and SOC is above the floor plus "
              "the hysteresis"},
    // BMS protection items (0x359 protection bytes, 0x35A alarm bytes).
    PolicyRow{"FLAG:general", B, B, false, "the BMS clears the alarm"},
    PolicyRow{"FLAG:cell_over_voltage", B, A, false, "the BMS clears the alarm"},
    PolicyRow{"FLAG:cell_under_voltage", A, B, false, "the BMS clears the alarm"},
    PolicyRow{"FLAG:over_temperature", B, B, true,
              "the BMS clears the alarm and an operator acknowledges (BMS-OT)"},
    PolicyRow{"FLAG:under_temperature", B, A, false, "the BMS clears the alarm"},
    PolicyRow{"FLAG:charge_over_temperature", B, A, false, "the BMS clears the alarm"},
    PolicyRow{"FLAG:charge_under_temperature", B, A, false, "the BMS clears the alarm"},
    PolicyRow{"FLAG:discharge_under_temperature", A, B, false, "the BMS clears the alarm"},
    PolicyRow{"FLAG:discharge_over_current", A, B, false, "the BMS clears the alarm"},
    PolicyRow{"FLAG:charge_over_current", B, A, false, "the BMS clears the alarm"},
    PolicyRow{"FLAG:contactor", B, B, false, "the BMS clears the alarm"},
    PolicyRow{"FLAG:short_circuit", B, B, false, "the BMS clears the alarm"},
    PolicyRow{"FLAG:bms_internal", B, B, false, "the BMS clears the alarm"},
    PolicyRow{"FLAG:cell_imbalance", D, A, false, "the BMS clears the alarm"},
    PolicyRow{"FLAG:unknown", B, B, false, "the BMS clears the bit"},
    // Links, inputs and faults that hold both directions.
    PolicyRow{"COM-01", B, B, false,
              "fresh BMS data; before the first data after start it is "
              "\"waiting\", not a fault"},
    PolicyRow{"COM-02", B, B, false,
              "the inverter answers; the first command is the safe setpoint"},
    PolicyRow{"COM-03", B, B, true, "the sign configuration is fixed and an operator acknowledges"},
    PolicyRow{"COMPLIANCE", B, B, false,
              "the site configuration is fixed (checked on reload and "
              "daily)"},
    PolicyRow{"ALM-01", B, B, true, "the input is back to normal and an operator acknowledges"},
    PolicyRow{"BMS-OT", B, B, true,
              "the BMS clears the over-temperature protection and an "
              "operator acknowledges"},
    PolicyRow{"OP-REPEAT-CHARGE", B, A, true,
              "an operator acknowledges (a charge-blocking protection tripped 3 times in 1 h)"},
    PolicyRow{"OP-REPEAT-DISCHARGE", A, B, true,
              "an operator acknowledges (a discharge-blocking protection tripped 3 times in 1 h)"},
    PolicyRow{"INV-CMD", B, B, true,
              "the inverter accepts and reads back bessd's commands again and an operator "
              "acknowledges"},
    PolicyRow{"FAULT-STORE", B, B, true, "an operator has checked the faults and acknowledges"},
};

constexpr std::array<std::string_view, core::kBmsConditionCount> kFlagRows{
    "FLAG:general",
    "FLAG:cell_over_voltage",
    "FLAG:cell_under_voltage",
    "FLAG:over_temperature",
    "FLAG:under_temperature",
    "FLAG:charge_over_temperature",
    "FLAG:charge_under_temperature",
    "FLAG:discharge_under_temperature",
    "FLAG:discharge_over_current",
    "FLAG:charge_over_current",
    "FLAG:contactor",
    "FLAG:short_circuit",
    "FLAG:bms_internal",
    "FLAG:cell_imbalance",
    "FLAG:unknown",
};

}  // namespace

std::string_view to_string(Action a) noexcept {
  return enum_name(kActionNames, a);
}

std::span<const PolicyRow> protection_policy() noexcept {
  return kPolicy;
}

const PolicyRow* find_policy(std::string_view id) noexcept {
  const auto it =
      std::find_if(kPolicy.begin(), kPolicy.end(), [&](const PolicyRow& r) { return r.id == id; });
  return it == kPolicy.end() ? nullptr : &*it;
}

const PolicyRow& policy_of(core::BmsCondition c) noexcept {
  static constexpr PolicyRow kFailSafe{"FLAG:unknown", B, B, false, "the BMS clears the bit"};
  const auto i = static_cast<std::size_t>(c);
  if (i >= kFlagRows.size()) return kFailSafe;
  const PolicyRow* row = find_policy(kFlagRows[i]);
  return row ? *row : kFailSafe;
}

}  // namespace bessd::limits
