// A GoodWe ET/EH/BT hybrid inverter (ARM platform 205/745) as its own Modbus map presents it:
// every register a holding register (FC03), unit 247 (0xF7), 32-bit values high word first,
// GoodWe's signs on the wire: battery + = discharging, meter + = exporting, inverter + = AC out.
// Written from the public sources below, independently of bessd's own GoodWe profile.
//
// Sources (HEAD of each repository as fetched in December 2026):
//   [O] OpenEMS/openems io.openems.edge.goodwe: common/AbstractGoodWe.java (register map),
//       common/enums/EmsPowerMode.java (the vendor's table 8-16 "EMS Power Mode", with OpenEMS's
//       reading of it), common/ApplyPowerHandler.java (how a controller drives the modes),
//       gridmeter/GoodWeGridMeterImpl.java (meter block), charger/AbstractGoodWeEtCharger.java
//       (PV strings), GoodWeConstants.java (unit 0xF7).
//   [G] marcelblijleven/goodwe: goodwe/et.py (register map, device info block, 47511/47512 as
//       "ems_mode"/"ems_power_limit", comm address 0xF7), goodwe/inverter.py (EMSMode enum: its
//       comments are copied from [O]'s EmsPowerMode, so [G] does not count as a second source for
//       the mode semantics), goodwe/const.py (battery, grid and work mode codes), and the captured
//       replies in tests/sample/et/ (GW10K-ET, GW20K-ET: word order and signs on real devices).
//   [E] evcc-io/evcc templates/definition/meter/goodwe-hybrid.yaml (id 247, 36025 int32 with
//       scale -1, 35182 int32, 37007, 35105.. uint32, 47511 written with FC06 and 47512 with FC16,
//       "EMSPowerSet [0-10000]"), its history (#31087: the battery-mode watchdog removed) and pull
//       request #30965 (users: "set it once ... no continuous writing", no spontaneous changes).
//
// Register                          type  words  sign (on the wire)        scale   sources
// 35001 rated power                 U16   1      -                         1 W     O G
// 35003 serial number (16 chars)    STR   8      -                         -       O G
// 35011 model name (10 chars)       STR   5      -                         -       O(meter) G
// 35103/35107 PV1/PV2 voltage       U16   1      -                         0.1 V   O G
// 35104/35108 PV1/PV2 current       U16   1      -                         0.1 A   O G
// 35105/35109 PV1/PV2 power         U32   2 hi-lo -                        1 W     O G E
// 35113/35117 PV3/PV4 power         U32   2 hi-lo 0: a two-string model     1 W     O G E
// 35124/29/34 on-grid power/phase   S32   2 hi-lo + = AC out               1 W     G(low) O(L3)
// 35136 grid mode                   U16   1      1 = on grid               -       O G
// 35137 total inverter power        S32   2 hi-lo + = AC out (captures)    1 W     O G(low word)
// 35139 AC active power (= meter)   S32   2 hi-lo + = export               1 W     O G(low word)
// 35163/35165/35167 load per phase  S32   2 hi-lo + = consumption          1 W     O G(low word)
// 35171 total load                  S32   2 hi-lo + = consumption          1 W     O G(low word)
// 35180 battery voltage             U16   1      -                         0.1 V   O G
// 35181 battery current             S16   1      + = discharge (captures)  0.1 A   O G
// 35182 battery power               S32   2 hi-lo + = discharge            1 W     O G E
// 35184 battery mode                U16   1      1 idle, 2 disch., 3 ch.   -       O G
// 35187 work mode                   U16   1      0 wait, 1 on grid         -       O G
// 35191/35200/35203 PV, import,
//   load energy                     U32   2 hi-lo -                        0.1 kWh O G (E: 35191)
// 35195 export energy               U32   2 hi-lo -                        0.1 kWh G (one source)
// 35206/35209 battery ch./disch.    U32   2 hi-lo -                        0.1 kWh O G (E: 35209)
// 36003/36004 meter connect/comm    U16   1      1 = correct / OK          -       O G
// 36005..36007 meter phase power    S16   1      + = export                1 W     O G
// 36008 meter total power           S16   1      + = export                1 W     G (one source)
// 36019/36021/36023 meter phases    S32   2 hi-lo + = export                1 W     O G E
// 36025 meter total power           S32   2 hi-lo + = export                1 W     G E
// 37004/37005 BMS charge/disch. max U16   1      -                         1 A     O G
// 37007 battery SOC                 U16   1      -                         1 %     O G E
// 37008 battery SOH                 U16   1      -                         1 %     O G
// 47511 EMS power mode              U16   1      codes below               -       O G E
// 47512 EMS power set               U16   1      magnitude, unsigned       1 W     O G E
// Copies: [G]'s EMSMode text is [O]'s; [E] reads the map independently (its own register names).
// hi-lo: high word first, negative values sign-extended, as the ET captures in [G] show
// (GW10K-ET charging at 2512 W: 35182 = 0xFFFF 0xF630). A GW6000-EH capture there leaves the
// high word of 35139 at 0 for a negative power: 32-bit readers would misread that model.
//
// EMS power modes (47511), after table 8-16 as [O] quotes it; the magnitude X is 47512, clamped
// at the rated power; battery powers below are + = charge (the simulator's sign):
//   0xFF STOPPED        stop, wait mode: battery 0 W ([O] today; an older [O] enum had 0 here,
//                       which this device rejects as unknown)
//   1    AUTO           self-use, battery = PV - load (the inverter's own regulation)
//   2    CHARGE_PV      battery charges with PV + X from the grid (X = 0: PV only) [O], [E]
//   3    DISCHARGE_PV   battery discharges at X (Xmax), PV goes to the AC side [O]
//   4    IMPORT_AC      battery charges with X from the grid + PV [O]
//   5    EXPORT_AC      AC export of X, PV first, the battery makes up the rest [O] (its formula
//                       "PBattery = Xset" and its text disagree; the text is modelled)
//   6    CONSERVE       battery charges from PV only, never discharges on grid [O]
//   7    OFF_GRID       self-use; the world has no grid relay to open [O]
//   8    BATTERY_STANDBY battery 0 W [O], [E] history
//   9    BUY_POWER      grid import held at X, battery = PV - load + X [O]
//   10   SELL_POWER     grid export held at X, battery = PV - load - X [O]
//   11   CHARGE_BAT     battery charges at X [O]
//   12   DISCHARGE_BAT  battery discharges at X [O]
// PV cannot be curtailed in the simulated world: where a mode limits the MPPT, surplus PV still
// reaches the AC side.
//
// Quirks that matter for a controller's safety:
// - No inverter-side watchdog: a forced mode holds until the next write, however long the
//   controller is gone ([E] #30965, #31087; [O] and [G] write the mode without any keep-alive).
// - 47511/47512 survive a power cycle. No source says what a restart does to them (the nearest,
//   [O]'s 47038 "StopModeSaveEnable: after restart the inverter, setting saved", concerns the stop
//   mode only); the worst case for safety is chosen: a forced charge or discharge comes back after
//   a restart with no controller present.
// - An unknown mode code: other GoodWe settings answer out-of-range values with exception 03
//   (ILLEGAL DATA VALUE; home-assistant/core#160033, mletenay/home-assistant-goodwe-inverter#326,
//   #448); nothing says so for 47511. This server cannot refuse by value, so it acknowledges the
//   write, puts the previous mode and magnitude back (a read-back shows the refusal), keeps their
//   behaviour and counts the write as rejected.
// - Every write to 47511 and 47512 is counted (status "register_writes"), and those that rewrote
//   the value already in effect ("unchanged_writes"): settings that survive a power cycle are
//   kept in non-volatile memory, which wears with writes (no source gives GoodWe's endurance;
//   [O] sets both registers on every cycle, evcc's users write them once per change).

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <bessd/sim/devices/inverter_device.hpp>
#include <bessd/sim/devices/register_image.hpp>
#include <bessd/sim/devices/register_words.hpp>
#include <bessd/sim/devices/slcan_bms_port.hpp>

namespace bessd::sim {
namespace {
namespace goodwe {  // a namespace of its own: unity builds merge the devices' anonymous ones

constexpr std::uint16_t kEmsPowerMode = 47511;
constexpr std::uint16_t kEmsPowerSet = 47512;
constexpr double kPvStringV = 360.0;  // a fixed MPP voltage for both strings
constexpr double kGridV = 230.0;
constexpr double kIdleW = 5.0;  // below this the battery mode reads "standby"

enum class EmsMode : std::uint16_t {
  automatic = 1,
  charge_pv = 2,
  discharge_pv = 3,
  import_ac = 4,
  export_ac = 5,
  conserve = 6,
  off_grid = 7,
  battery_standby = 8,
  buy_power = 9,
  sell_power = 10,
  charge_bat = 11,
  discharge_bat = 12,
  stopped = 0xFF,
};

std::uint16_t code_of(EmsMode m) {
  return static_cast<std::uint16_t>(m);
}

struct ModeName {
  EmsMode mode;
  const char* name;
};
constexpr ModeName kModes[] = {
    {EmsMode::automatic, "AUTO"},
    {EmsMode::charge_pv, "CHARGE_PV"},
    {EmsMode::discharge_pv, "DISCHARGE_PV"},
    {EmsMode::import_ac, "IMPORT_AC"},
    {EmsMode::export_ac, "EXPORT_AC"},
    {EmsMode::conserve, "CONSERVE"},
    {EmsMode::off_grid, "OFF_GRID"},
    {EmsMode::battery_standby, "BATTERY_STANDBY"},
    {EmsMode::buy_power, "BUY_POWER"},
    {EmsMode::sell_power, "SELL_POWER"},
    {EmsMode::charge_bat, "CHARGE_BAT"},
    {EmsMode::discharge_bat, "DISCHARGE_BAT"},
    {EmsMode::stopped, "STOPPED"},
};

std::optional<EmsMode> ems_mode_of(std::uint16_t code) {
  for (const auto& m : kModes)
    if (code_of(m.mode) == code) return m.mode;
  return std::nullopt;
}

const char* name_of(EmsMode mode) {
  for (const auto& m : kModes)
    if (m.mode == mode) return m.name;
  return "?";
}

/// The battery power (+ = charge) a mode asks for with magnitude `x_w`; nullopt: the inverter's
/// own self-use regulation (the world's inverter runs it).
std::optional<double> battery_target_w(EmsMode m, double x_w, double pv_w, double load_w) {
  switch (m) {
    case EmsMode::automatic:
    case EmsMode::off_grid:
      return std::nullopt;
    case EmsMode::charge_pv:
    case EmsMode::import_ac:
      return pv_w + x_w;
    case EmsMode::discharge_pv:
    case EmsMode::discharge_bat:
      return -x_w;
    case EmsMode::export_ac:
      return std::min(0.0, pv_w - x_w);
    case EmsMode::conserve:
      return pv_w;
    case EmsMode::battery_standby:
    case EmsMode::stopped:
      return 0.0;
    case EmsMode::buy_power:
      return pv_w - load_w + x_w;
    case EmsMode::sell_power:
      return pv_w - load_w - x_w;
    case EmsMode::charge_bat:
      return x_w;
  }
  return 0.0;
}

/// The window of battery powers (+ = charge) a mode allows, for the write history.
std::pair<double, double> window_w(EmsMode m, double x_w, double rated_w) {
  switch (m) {
    case EmsMode::charge_pv:
    case EmsMode::import_ac:
      return {x_w, rated_w};
    case EmsMode::discharge_pv:
    case EmsMode::discharge_bat:
      return {-x_w, -x_w};
    case EmsMode::export_ac:
      return {-x_w, 0.0};
    case EmsMode::conserve:
      return {0.0, rated_w};
    case EmsMode::battery_standby:
    case EmsMode::stopped:
      return {0.0, 0.0};
    case EmsMode::charge_bat:
      return {x_w, x_w};
    case EmsMode::automatic:
    case EmsMode::off_grid:
    case EmsMode::buy_power:
    case EmsMode::sell_power:
      break;
  }
  return {-rated_w, rated_w};
}

/// A run of registers from `base`, filled by address.
using Block = RegisterImage;  // 32-bit values high word first

/// "GW5K-ET" for 5 kW, "GW6000-ET" for 6 kW and a bit (GoodWe names both ways).
std::string model_name(double rated_w) {
  const long w = std::lround(rated_w);
  return w % 1000 == 0 ? "GW" + std::to_string(w / 1000) + "K-ET"
                       : "GW" + std::to_string(w) + "-ET";
}

/// 16 characters as on the captured ones ("9010KETU000W0000"): the rating, then "ETU", the tag
/// readers take for the ET family (goodwe/model.py), then a simulator's number.
std::string serial_number(double rated_w) {
  const long w = std::lround(rated_w);
  char rating[24];
  if (w < 10000)
    std::snprintf(rating, sizeof rating, "%04ld", std::max(0L, w));
  else
    std::snprintf(rating, sizeof rating, "%03ldK", std::min(999L, w / 1000));
  return std::string("9") + rating + "ETUSIM00001";
}

class GoodWeDevice final : public InverterDevice {
 public:
  GoodWeDevice(std::uint8_t unit, const SimWorld& world, std::function<std::int64_t()> now_ms)
      : InverterDevice(unit),
        rated_w_(world.inverter().params().rated_power_w),
        now_ms_(now_ms ? std::move(now_ms) : std::function<std::int64_t()>(steady_ms)) {}

  void initialise() override {
    Block info(35000, 33);
    info.u16(35000, 2);  // Modbus protocol version, as a GW10K-ET capture
    info.u16(35001, rated_w_);
    info.u16(35002, 1);  // three-phase, four wire
    info.ascii(35003, serial_number(rated_w_), 8);
    info.ascii(35011, model_name(rated_w_), 5);
    info.u16(35016, 10);  // DSP1: [O] reads extended meter values from DSP version 9 on
    info.u16(35017, 10);
    info.u16(35019, 23);  // ARM
    info.ascii(35021, "04029-10-SIM", 6);
    info.ascii(35027, "02041-23-SIM", 6);
    set(info.base(), info.regs());
    set(36003, {1, 1});  // meter connected correctly, communication OK
    set(kEmsPowerMode, {code_of(mode_), set_w_});
    for (auto* s : servers_) s->save_power_on_image();
  }

  void refresh(const SimWorld& w) override {
    const auto rd = w.readings();
    const auto& pack = w.pack();
    const auto report = w.bms_report();
    const auto& e = w.energy();
    // GoodWe's signs: the inverter measures its own battery port (a DC load elsewhere on the bus
    // is not in it), + = discharging; the meter + = exporting.
    const double bat_w = -rd.battery_power_w;
    const double v = pack.voltage_v();
    const double bat_a = v > 1.0 ? bat_w / v : 0.0;
    const double meter_w = -rd.grid_power_w;
    const double pv_w[2] = {0.6 * rd.pv_w, 0.4 * rd.pv_w};

    Block run(35103, 35212 - 35103);
    for (int k = 0; k < 2; ++k) {
      const auto a = static_cast<std::uint16_t>(35103 + 4 * k);
      const double vs = pv_w[k] > 1.0 ? kPvStringV : 0.0;
      run.u16(a, vs * 10);
      run.u16(static_cast<std::uint16_t>(a + 1), vs > 0 ? pv_w[k] / vs * 10 : 0.0);
      run.u32(static_cast<std::uint16_t>(a + 2), pv_w[k]);
    }
    // 35111..35118: no third and fourth string (0 rather than 0xFFFF: readers sum them).
    for (int ph = 0; ph < 3; ++ph) {
      const auto a = static_cast<std::uint16_t>(35121 + 5 * ph);
      run.u16(a, kGridV * 10);
      run.u16(static_cast<std::uint16_t>(a + 1), std::fabs(rd.ac_power_w) / 3 / kGridV * 10);
      run.u16(static_cast<std::uint16_t>(a + 2), 5000);  // 50.00 Hz
      // S16 at +4 for [G]; [O] reads +3..+4 as S32: the "reserved" word carries the sign.
      run.s32(static_cast<std::uint16_t>(a + 3), rd.ac_power_w / 3);
    }
    run.u16(35136, 1);
    run.s32(35137, rd.ac_power_w);
    run.s32(35139, meter_w);  // "meter power if the meter communicates" [O]
    for (int ph = 0; ph < 3; ++ph)
      run.s32(static_cast<std::uint16_t>(35163 + 2 * ph), rd.load_w / 3);
    run.s32(35171, rd.load_w);
    run.u16(35174, 300);  // air, module, radiator: 30.0, 30.0, 35.0 °C
    run.u16(35175, 300);
    run.u16(35176, 350);
    run.u16(35180, v * 10);
    run.s16(35181, bat_a * 10);
    run.s32(35182, bat_w);
    run.u16(35184, bat_w > kIdleW ? 2 : (bat_w < -kIdleW ? 3 : 1));
    run.u16(35187, mode_ == EmsMode::stopped ? 0 : 1);  // wait mode while stopped
    run.u32(35191, e.pv_kwh * 10);
    run.u32(35195, e.grid_export_kwh * 10);
    run.u32(35200, e.grid_import_kwh * 10);
    run.u32(35203, e.load_kwh * 10);
    run.u32(35206, e.battery_charged_kwh * 10);
    run.u32(35209, e.battery_discharged_kwh * 10);
    set(run.base(), run.regs());

    Block meter(36005, 36058 - 36005);
    for (int ph = 0; ph < 3; ++ph) {
      meter.s16(static_cast<std::uint16_t>(36005 + ph), meter_w / 3);
      meter.s32(static_cast<std::uint16_t>(36019 + 2 * ph), meter_w / 3);
      meter.u16(static_cast<std::uint16_t>(36052 + ph), kGridV * 10);
      meter.u16(static_cast<std::uint16_t>(36055 + ph), std::fabs(meter_w) / 3 / kGridV * 10);
    }
    meter.s16(36008, meter_w);
    meter.u16(36014, 5000);
    meter.u16(36043, 2);  // meter type: three-phase four wire
    meter.s32(36025, meter_w);
    set(meter.base(), meter.regs());

    Block bms(37003, 7);
    bms.u16(37003, pack.temperature_c() * 10);
    bms.u16(37004, report.limits.charge_current_limit_a.value_or(0.0));
    bms.u16(37005, report.limits.discharge_current_limit_a.value_or(0.0));
    bms.u16(37007, pack.soc_pct());
    bms.u16(37008, pack.soh_pct());
    bms.u16(37009, 1);
    set(bms.base(), bms.regs());
  }

  void apply(SimWorld& w) override {
    // No timer: whatever was written last holds (the vendor's missing watchdog).
    const auto rd = w.readings();
    const auto target = battery_target_w(mode_, magnitude_w(), rd.pv_w, rd.load_w);
    if (!target) {
      w.inverter().release();
      return;
    }
    w.command_battery_power(std::clamp(*target, -rated_w_, rated_w_));
  }

  void restart(SimWorld& w) override {
    for (auto* s : servers_) s->restart();
    // The EMS settings are stored: they come back with the power (see the top of this file).
    set(kEmsPowerMode, {code_of(mode_), set_w_});
    w.inverter().restart();
    ++restarts_;
  }

  nlohmann::json status() const override {
    return {{"profile", "goodwe_et"},
            {"ems_mode", code_of(mode_)},
            {"ems_mode_name", name_of(mode_)},
            {"ems_power_set_w", set_w_},
            {"magnitude_w", magnitude_w()},
            {"register_writes", {{"47511", mode_writes_}, {"47512", set_writes_}}},
            {"unchanged_writes", {{"47511", mode_unchanged_}, {"47512", set_unchanged_}}},
            {"rejected_modes", rejected_},
            {"last_rejected_mode", last_rejected_},
            {"writes", writes_},
            {"restarts", restarts_},
            {"last_write_ms", last_write_ms_}};
  }

 protected:
  void on_write(std::uint16_t address, std::uint16_t count) override {
    const auto touches = [&](std::uint16_t a) { return address <= a && a < address + count; };
    const bool mode_written = touches(kEmsPowerMode);
    const bool set_written = touches(kEmsPowerSet);
    if (!mode_written && !set_written) return;  // other settings: stored, no effect here
    const auto r = get(kEmsPowerMode, 2);
    if (mode_written) ++mode_writes_;
    if (set_written) ++set_writes_;
    last_write_ms_ = now_ms_();
    if (mode_written && !ems_mode_of(r[0])) {
      // The whole request is refused, as an exception answer would refuse it.
      ++rejected_;
      last_rejected_ = r[0];
      set(kEmsPowerMode, {code_of(mode_), set_w_});
      return;
    }
    if (mode_written) {
      const auto m = *ems_mode_of(r[0]);
      if (m == mode_) ++mode_unchanged_;
      mode_ = m;
    }
    if (set_written) {
      if (r[1] == set_w_) ++set_unchanged_;
      set_w_ = r[1];
    }
    const auto [lo, hi] = window_w(mode_, magnitude_w(), rated_w_);
    record({last_write_ms_, lo, hi, address});
  }

 private:
  double magnitude_w() const { return std::min(static_cast<double>(set_w_), rated_w_); }

  double rated_w_;
  std::function<std::int64_t()> now_ms_;
  EmsMode mode_{EmsMode::automatic};
  std::uint16_t set_w_{0};
  std::size_t mode_writes_{0};
  std::size_t set_writes_{0};
  std::size_t mode_unchanged_{0};
  std::size_t set_unchanged_{0};
  std::size_t rejected_{0};
  std::uint16_t last_rejected_{0};
  std::size_t restarts_{0};
  std::int64_t last_write_ms_{0};
};

}  // namespace goodwe
}  // namespace

std::unique_ptr<InverterDevice> make_goodwe_device(std::uint8_t unit, const SimWorld& world,
                                                   std::function<std::int64_t()> now_ms) {
  return std::make_unique<goodwe::GoodWeDevice>(unit, world, std::move(now_ms));
}

}  // namespace bessd::sim
