#include <bessd/limits/chemistry.hpp>

#include <bessd/compliance/chemistry_limits.hpp>

namespace bessd::limits {
namespace {

// docs/protection.md "Policy table" (OP-T-02): a room-temperature pack gets full power.
const config::Breakpoints kChargeTemperature{{0.0, 0.0},  {2.0, 0.1},  {5.0, 0.25}, {10.0, 0.5},
                                             {15.0, 1.0}, {40.0, 1.0}, {45.0, 0.4}, {50.0, 0.0}};
const config::Breakpoints kDischargeTemperature{{-20.0, 0.0}, {0.0, 0.2},  {5.0, 0.3}, {10.0, 0.4},
                                                {15.0, 1.0},  {45.0, 1.0}, {55.0, 0.0}};

// Sloped-curve chemistries (NMC, NCA, LiPo, LiHV): see the header for the reasoning.
const config::Breakpoints kSlopedChargeTaper{
    {-0.150, 1.0}, {-0.080, 0.5}, {-0.040, 0.05}, {-0.020, 0.0}};
const config::Breakpoints kSlopedDischargeTaper{
    {0.0, 0.0}, {0.100, 0.1}, {0.200, 0.5}, {0.400, 1.0}};

// Typical rest-voltage curves (cell V -> SOC %). LFP is flat between ~30 and ~90 %; the SOC
// estimator only corrects where the curve is steep enough to be trusted.
const config::Breakpoints kLfpOcv{{2.90, 0.0},  {3.20, 10.0}, {3.25, 20.0}, {3.28, 30.0},
                                  {3.30, 40.0}, {3.31, 50.0}, {3.32, 60.0}, {3.33, 70.0},
                                  {3.34, 80.0}, {3.36, 90.0}, {3.45, 100.0}};
const config::Breakpoints kNmcOcv{{3.00, 0.0},  {3.45, 5.0},  {3.55, 10.0}, {3.62, 20.0},
                                  {3.68, 30.0}, {3.74, 40.0}, {3.80, 50.0}, {3.87, 60.0},
                                  {3.94, 70.0}, {4.01, 80.0}, {4.08, 90.0}, {4.18, 100.0}};
const config::Breakpoints kLihvOcv{{3.00, 0.0},  {3.45, 5.0},  {3.55, 10.0}, {3.65, 20.0},
                                   {3.72, 30.0}, {3.79, 40.0}, {3.86, 50.0}, {3.94, 60.0},
                                   {4.02, 70.0}, {4.10, 80.0}, {4.20, 90.0}, {4.32, 100.0}};

// The chemistry row (cell window, temperature windows; docs/compliance.md BAT-CHEM-01) has one
// home: compliance::chemistry_limits, which BAT-CHEM-01 checks configured packs against. The tables
// below are what limits adds.
void apply_section_4_1(ChemistryDefaults& d, config::Chemistry c) {
  const auto& row = compliance::chemistry_limits(c);
  d.cell_voltage_max_v = row.cell_voltage_max_v;
  d.cell_voltage_min_v = row.cell_voltage_min_v;
  d.cell_voltage_practical_min_v = row.cell_voltage_min_practical_v;
  d.charge_temperature_min_c = row.charge_temperature_min_c;
  d.charge_temperature_max_c = row.charge_temperature_max_c;
  d.discharge_temperature_min_c = row.discharge_temperature_min_c;
  d.discharge_temperature_max_c = row.discharge_temperature_max_c;
}

ChemistryDefaults make_lfp() {
  ChemistryDefaults d;
  apply_section_4_1(d, config::Chemistry::LFP);
  // 3.42/3.48/3.53/3.56 V against 3.65 V: LFP cells sit at 3.33-3.42 V through most of a
  // normal charge, so the taper starts above that (a lower start derates a healthy pack all
  // day); 2.70/2.80/2.90/3.10 V against 2.50 V.
  d.charge_taper_rel_max = {{-0.23, 1.0}, {-0.17, 0.5}, {-0.12, 0.1}, {-0.09, 0.0}};
  d.discharge_taper_rel_min = {{0.20, 0.0}, {0.30, 0.1}, {0.40, 0.5}, {0.60, 1.0}};
  d.charge_temperature_c = kChargeTemperature;
  d.discharge_temperature_c = kDischargeTemperature;
  d.ocv_soc_pct = kLfpOcv;
  return d;
}

ChemistryDefaults make_sloped(config::Chemistry c, const config::Breakpoints& ocv) {
  ChemistryDefaults d;
  apply_section_4_1(d, c);
  d.charge_taper_rel_max = kSlopedChargeTaper;
  d.discharge_taper_rel_min = kSlopedDischargeTaper;
  d.charge_temperature_c = kChargeTemperature;
  d.discharge_temperature_c = kDischargeTemperature;
  d.ocv_soc_pct = ocv;
  return d;
}

}  // namespace

const ChemistryDefaults& chemistry_defaults(config::Chemistry c) noexcept {
  static const ChemistryDefaults lfp = make_lfp();
  static const ChemistryDefaults nmc = make_sloped(config::Chemistry::NMC, kNmcOcv);
  static const ChemistryDefaults lipo = make_sloped(config::Chemistry::LiPo, kNmcOcv);
  static const ChemistryDefaults lihv = make_sloped(config::Chemistry::LiHV, kLihvOcv);
  switch (c) {
    case config::Chemistry::LFP:
      return lfp;
    case config::Chemistry::NMC:
    case config::Chemistry::NCA:
      return nmc;
    case config::Chemistry::LiPo:
      return lipo;
    case config::Chemistry::LiHV:
      return lihv;
  }
  return lfp;
}

}  // namespace bessd::limits
