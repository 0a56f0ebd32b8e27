// A Fox ESS H1 hybrid inverter (first generation: model strings "H1-5.0" / "H1-5.0-E", not the
// "-G2"; one battery, single phase) as its RS485 port presents it, directly or through an
// RS485-to-TCP adapter: the readings in INPUT registers (FC04) from 11000, the settings and the
// remote control in 41000.. and 44000.. written with FC06 (and readable with FC04 and FC03), the
// model name in holding registers from 30000; unit 247; Fox's signs on the wire: battery + =
// discharging, grid CT + = exporting, inverter output + = AC out. Written from the public
// sources below, independently of bessd's own Fox ESS profile.
//
// The variant: foxess_modbus's "H1 / AUX" profile (Inv.H1_G1, RegisterType.INPUT, every manager
// version it knows) and evcc's fox-ess-h1 with "rs485". Not modelled: the same H1 on its LAN port
// (holding registers 31000.. with the same layout, no work mode, nothing above 44003; [F] H1_LAN,
// evcc "tcpip"), the H1-G2/AC1-G2/KH (holding 31000../39000..), the H3 (holding 31000.. with its
// battery at 31034..31038 and the active power an S32 at 44002..44003, high word first: [F],
// [E] fox-ess-h3.yaml) and the H3-Pro/H3-Smart (46001.. remote control, 49203 work mode).
//
// Sources (HEAD of each repository as fetched in 2026):
//   [F] nathanmarlor/foxess_modbus: inverter_profiles.py (H1 over RS485 = input registers; the
//       invalid read range 11096..39999; unit 247 in flow/adapter_flow_segment.py),
//       entities/entity_descriptions.py (addresses, scales; battery power + = discharge from its
//       "Battery Discharge"/"Battery Charge" split, grid CT + = export from "Feed-in", inverter
//       power "Negative = charging batteries"; work mode 0/1/2; min SoC 10..100),
//       entities/remote_control_description.py (44000 enable, 44001 timeout, 44002 active power,
//       41000 work mode, 41010 max SoC, 44012 battery charge power limit, all read as input
//       registers on the H1), remote_control_manager.py (44001 and 44000 written with FC06 only:
//       "We can't do multi-register writes to these registers"; the timeout written once, 44002
//       rewritten every poll; active power + = discharge/export, - = import; "The inverter
//       doesn't respect Max Soc"; force discharge "respect[s] Min SoC and the Max Discharge
//       Current"; the work mode set as the fallback for when the watchdog fires),
//       client/modbus_client.py (one register: FC06, more: FC16),
//       services/update_charge_period_service.py (41001..41006 written as one FC16),
//       model detection at holding 30000 (one ASCII character a register on the H1), issues #95
//       (the maintainer's FC06 write to 41001 answered with exception 02, function 0x86; the
//       model is not stated, the integration then served the H1, AC1 and H3), #661 (an H1 owner's
//       tests: "Timeout (44001) - when this timeout expires it will terminate the action",
//       "Active Power (44002) - AC output power in watts (covers load first, remainder
//       export)"), #588/#591 (Fox's own schedules drive the same remote-control registers),
//       #862 (back-up = no discharge).
//   [E] evcc-io/evcc templates/definition/meter/fox-ess-h1.yaml (id 247; rs485: input 11002,
//       11005, 11008 int16 with no scale, i.e. + = discharge, 11036 SOC) and fox-ess-h3.yaml
//       (the same remote control on the H3: 41000 fallback work mode, 44001 timeout 60 s, 44000
//       enable, 44002 active power "negative power means charging"; 41009/41010 min/max SoC;
//       every single register "writesingle"; grid CT scale -1, i.e. + = export on the wire).
//   [T] TonyM1958/HA-FoxESS-Modbus modbusH1_RS485.yaml (the H1 RS485 map read with FC04 from
//       11000 to 11092 and 41000 to 41016: scales, 11008 "Battery Discharge Power", serial
//       number at input 10008, versions at holding 30016..30018 in 0.01, energies U32 x0.1 kWh
//       high word first with "today" U16 after each) and its wiki "Inverter Work Modes" [W]
//       (self use, feed-in first, back-up).
//   [K] a transcription of Fox's "KH Series Modbus" PDF (holding 31000.. on the KH; 44000..44003
//       with 44003 reactive power; work mode 0..4): used only where the H1 sources are silent,
//       and its sign notes ("positive = charging" for battery power and 44002, meter "positive =
//       import") disagree with [F], [E] and [T]; they are not followed.
//   [S] solakon-de/solakon-one-homeassistant#270 (an OEM Fox of the newer family: after the
//       watchdog its remote-control enable reads 0 again while the power keeps its value).
//
// Register (input = FC04, hold = FC03)   type  scale     sign (on the wire)       sources
// hold 30000..30015 model "H1-5.0-E"   STR   1 char/reg -                        F (T: string)
// hold 30016..30018 master/slave/mgr   U16   0.01      -                         T F
// input 10008..10015 serial number     STR   2 char/reg -                        T (one source)
// input 10016..10018 versions          U16   0.01      -                         F (one source)
// input 11000/11003 PV1/PV2 voltage    S16   0.1 V     -                         F T
// input 11001/11004 PV1/PV2 current    S16   0.1 A     -                         F T
// input 11002/11005 PV1/PV2 power      S16   1 W       -                         F T E
// input 11006 battery voltage (inv.)   S16   0.1 V     -                         F T
// input 11007 battery current (inv.)   S16   0.1 A     + = discharge (as 11008)  F T (sign: none)
// input 11008 battery power            S16   1 W       + = discharge             F T E
// input 11009 grid voltage             U16   0.1 V     -                         F T
// input 11010 inverter current         S16   0.1 A     magnitude                 F T
// input 11011 inverter power           S16   1 W       + = AC out                F T
// input 11012/11013 inverter Q / S     S16   1 var/VA  -                         F T
// input 11014 grid frequency           U16   0.01 Hz   -                         F T
// input 11015..11020 EPS V, I, P, Q, S, f  as 11009..  0 (on grid, no EPS load)  F T
// input 11021 grid CT power            S16   1 W       + = export                F T (sign: F)
// input 11022 CT2 power                S16   1 W       0 (none)                  F T
// input 11023 load power               S16   1 W       + = consumption           F T
// input 11024/11025 inverter/inner temp S16  0.1 °C    -                         F T
// input 11034 BMS battery voltage      S16   0.1 V     -                         F T
// input 11035 BMS battery current      S16   0.1 A     + = discharge (as 11008)  F T (sign: none)
// input 11036 SOC                      U16   1 %       -                         F T E
// input 11037 BMS kWh remaining        U16   0.01 kWh  -                         F T
// input 11038 BMS temperature          S16   0.1 °C    -                         F T
// input 11041/11042 BMS max chg/dis A  U16   0.1 A     -                         F T
// input 11056 inverter state           U16   -         2 = on grid               F T
// input 11058 BMS connect state        U16   -         1 = OK                    F T
// input 11069..11092 energy total+today U32+U16 0.1 kWh  high word first         T F
//   (PV, charge, discharge, feed-in, grid consumption, output, input, load)
// 41000 work mode                      U16   -         0 self use, 1 feed-in     F T E
//                                                      first, 2 back-up
// 41001..41006 two charge periods      U16   -         stored, no effect         F T
// 41007/41008 max charge/disch. current U16  0.1 A     -                         F T K
// 41009 min SoC (off grid)             U16   1 %       10..100                   F T E
// 41010 max SoC                        U16   1 %       10..100                   F T E
// 41011 min SoC on grid                U16   1 %       10..100                   F T
// 41012 export limit                   U16   1 W       stored, no effect         T K
// 44000 remote control enable          U16   -         bit 0 = enabled           F E
// 44001 remote control timeout         U16   1 s       0 = none (see below)      F E
// 44002 remote active power            S16   1 W       + = AC out (discharge),   F E
//                                                      - = AC in (charge)
// 44003 remote reactive power          S16   1 var     stored, no effect         K (one source)
// 44012 battery charge power limit     S16   1 W       - = charging limit        F (one source)
// 41000.. and 44000.. are served in both banks (input for [F] and [T] on the H1, holding as
// [E] and [F] read them on the other models); every reading above is input only. [F] and [T]
// are separate projects whose H1 maps agree register for register; [E]'s H1 registers agree
// with both.
//
// Work modes when remote control is off (battery + = charge, the simulator's sign): 0 self use
// = the inverter's own regulation, PV - load [W]; 1 feed-in first = house first, then export up
// to the rating, the rest of the PV into the battery; the battery covers the house when PV falls
// short [W]; 2 back-up = PV surplus into the battery, no discharge on grid ([F]#862). In all
// three the battery stops charging at the max SoC (41010) and discharging at the min SoC on
// grid (41011), and its current stays within 41007/41008.
//
// Remote control, and what this device does where the sources stop:
// - 44002 is the power at the inverter's AC port ([F]#661: "AC output power ... covers load
//   first, remainder export"; [F]'s force charge: the import "will first displace PV"), + = out
//   of the inverter. The battery follows: battery_ac = PV - P, the DC side after the world's
//   conversion losses, within the rating, 41007/41008, the BMS and the min SoC on grid (force
//   discharge respects it, [F]); the max SoC is not respected in remote control ([F]). P is
//   clamped at +-rating. The world cannot curtail PV: where the real inverter would give up PV
//   to hold P (a full battery at noon, or P = -rating with sun), the surplus PV still leaves the
//   AC side here and the AC port reads more than P.
// - Remote control is on while bit 0 of 44000 is set (every source writes 1 and 0; Fox's
//   support told an owner to write 7, relayed in nathanmarlor/foxess_modbus_charge_period_card#4:
//   other bits are stored and ignored).
// - The watchdog: 44001 seconds after the last "feed" the remote control ends by itself ([F]#661,
//   the fallback work modes of [F] and [E]): 44000 reads 0 again, 44002 keeps its value ([S],
//   a related model: one source), and the inverter runs its work mode (41000). What feeds it,
//   no source says: [F] writes 44001 once and 44002 every poll, so a 44002 write must; here only
//   an accepted write of 44002 while enabled and a write of 44000 with bit 0 set do (reads,
//   44001 and 41000 do not: the narrowest reading, the worst case for a controller that
//   refreshes other registers). A 44001 write sets the length of the next countdown. 0 = no
//   watchdog: remote control holds until disabled (no source says; the worst case).
// - FC06 is the write ([F], [E] for every single register). FC16 is taken only as one write of
//   the charge-period block 41001..41006 ([F] writes it so); FC06 into that block is refused with
//   exception 02 ([F]#95). Any other FC16 is refused with exception 02 (ILLEGAL DATA
//   ADDRESS): [F] says multi-register writes to 44000/44001 "can't" be done without the code;
//   02 is this device's choice, after the code #95 saw for the wrong function on a register
//   (an H3-Smart in ioBroker/ioBroker.modbus#811 did not answer at all; not modelled). Writes
//   anywhere else (the readings, unknown addresses) get exception 02.
// - Values: a work mode above 2, a SoC setting outside 10..100 get exception 03 (ILLEGAL DATA
//   VALUE; no source gives the code, [F]'s ranges are its own); the other registers take any
//   value.
// - Power cycle: 41000..41016 are stored settings and survive; so do 44000, 44002 and 44003 (no
//   source says: a forced power comes back with no controller); 44001 is lost, 0 after a
//   restart (no source says; with 0 = no watchdog, the worst case: the remote control holds).
//   Every accepted write is counted per register (status "register_writes"), and the rewrites of
//   the value in effect ("unchanged_writes").
// - Not modelled: reads are not refused ([F] finds 11096..39999 invalid on the H1's input
//   registers; this server answers every read, unmapped registers read 0); the export limit
//   (41012) and the charge periods (41001..41006) are stored without effect.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <bessd/sim/devices/inverter_device.hpp>
#include <bessd/sim/devices/register_image.hpp>
#include <bessd/sim/devices/register_words.hpp>
#include <bessd/sim/devices/slcan_bms_port.hpp>

namespace bessd::sim {
namespace {
namespace foxess {  // a namespace of its own: unity builds merge the devices' anonymous ones

constexpr std::uint16_t kModel = 30000;
constexpr std::uint16_t kSettings = 41000;  // 41000..41016
constexpr std::uint16_t kSettingWords = 17;
constexpr std::uint16_t kWorkMode = 41000;
constexpr std::uint16_t kPeriods = 41001;  // 41001..41006, FC16 only
constexpr std::uint16_t kPeriodWords = 6;
constexpr std::uint16_t kMaxChargeA = 41007;
constexpr std::uint16_t kMaxDischargeA = 41008;
constexpr std::uint16_t kMinSoc = 41009;
constexpr std::uint16_t kMaxSoc = 41010;
constexpr std::uint16_t kMinSocOnGrid = 41011;
constexpr std::uint16_t kExportLimit = 41012;  // and from here to 41016: stored only
constexpr std::uint16_t kRemote = 44000;       // enable, timeout, active, reactive
constexpr std::uint16_t kRemoteWords = 4;
constexpr std::uint16_t kEnable = 44000;
constexpr std::uint16_t kTimeout = 44001;
constexpr std::uint16_t kActive = 44002;
constexpr std::uint16_t kReactive = 44003;
constexpr std::uint16_t kBatLimitUp = 44012;

constexpr std::uint8_t kIllegalAddress = 0x02;
constexpr std::uint8_t kIllegalValue = 0x03;

constexpr std::uint16_t kSelfUse = 0;
constexpr std::uint16_t kFeedInFirst = 1;
constexpr std::uint16_t kBackUp = 2;

constexpr double kPvStringV = 360.0;  // a fixed MPP voltage for both strings
constexpr double kGridV = 230.0;

const char* mode_name(std::uint16_t mode) {
  switch (mode) {
    case kSelfUse:
      return "self_use";
    case kFeedInFirst:
      return "feed_in_first";
    case kBackUp:
      return "back_up";
    default:
      return "?";
  }
}

bool is_soc_setting(std::uint16_t a) {
  return a == kMinSoc || a == kMaxSoc || a == kMinSocOnGrid;
}

/// The FC06-writable settings: the work mode and 41007..41016 (not the charge periods).
bool single_setting(std::uint16_t a) {
  return a == kWorkMode || (a >= kMaxChargeA && a < kSettings + kSettingWords);
}

/// A run of registers from `base`, filled by address.
using Block = RegisterImage;  // 32-bit values high word first

/// "H1-5.0-E" (3680 W reads "H1-3.7-E", as [F] maps it back), one character a register (the
/// low byte), padded with spaces to 16.
std::vector<std::uint16_t> model_words(double rated_w) {
  char s[32];
  std::snprintf(s, sizeof s, "H1-%.1f-E", std::clamp(rated_w / 1000.0, 0.1, 99.9));
  std::vector<std::uint16_t> out(16, 0x20);
  for (std::size_t i = 0; i < out.size() && s[i] != '\0'; ++i)
    out[i] = static_cast<unsigned char>(s[i]);
  return out;
}

/// 16 characters, two a register, high byte first: a simulator's serial number.
std::vector<std::uint16_t> serial_words() {
  const char* s = "60SIMFOXH1000001";
  std::vector<std::uint16_t> out;
  for (std::size_t i = 0; i < 16; i += 2)
    out.push_back(static_cast<std::uint16_t>((static_cast<unsigned char>(s[i]) << 8) |
                                             static_cast<unsigned char>(s[i + 1])));
  return out;
}

class FoxEssDevice final : public InverterDevice {
 public:
  FoxEssDevice(std::uint8_t unit, const SimWorld& world, std::function<std::int64_t()> now_ms)
      : InverterDevice(unit),
        rated_w_(world.inverter().params().rated_power_w),
        efficiency_(world.inverter().params().efficiency),
        now_ms_(now_ms ? std::move(now_ms) : std::function<std::int64_t()>(steady_ms)) {
    // 41007/41008 at power-on: 50.0 A ([F]'s range ends there), or what the rating needs at the
    // pack's voltage if that is more (the world's pack is low-voltage, an H1's is not): the
    // BMS's limits are the binding ones until a controller writes these.
    const double v = std::max(world.pack().voltage_v(), 1.0);
    const double amps = std::max(50.0, std::ceil(rated_w_ / v));
    settings_[kMaxChargeA - kSettings] = words::u16(amps * 10);
    settings_[kMaxDischargeA - kSettings] = words::u16(amps * 10);
    settings_[kMinSoc - kSettings] = 10;
    settings_[kMaxSoc - kSettings] = 100;
    settings_[kMinSocOnGrid - kSettings] = 10;
    settings_[kExportLimit - kSettings] = words::u16(rated_w_);  // export limit: the rating
    settings_[41013 - kSettings] = 1;                            // system on
  }

  void initialise() override {
    set(kModel, model_words(rated_w_));
    set(30016, {180, 102, 180});  // master 1.80, slave 1.02, manager 1.80
    put_input(10008, serial_words());
    put_input(10016, {180, 102, 180});
    publish_controls();
    for (auto* s : servers_) s->save_power_on_image();
    last_feed_ms_ = now_ms_();
  }

  void refresh(const SimWorld& w) override {
    const auto rd = w.readings();
    const auto& pack = w.pack();
    const auto report = w.bms_report();
    const auto& e = w.energy();
    pv_w_ = rd.pv_w;
    load_w_ = rd.load_w;
    soc_pct_ = pack.soc_pct();
    pack_v_ = pack.voltage_v();
    // Fox's signs: the battery port as the inverter measures it (a DC load elsewhere on the bus
    // is not in it), + = discharging; the grid CT + = exporting; the inverter + = AC out.
    const double bat_w = -rd.battery_power_w;
    const double v = pack.voltage_v();
    const double bat_a = v > 1.0 ? bat_w / v : 0.0;
    const double out_w = rd.ac_power_w;
    const double ct_w = -rd.grid_power_w;

    Block run(11000, 11096 - 11000);
    const double string_w[2] = {0.6 * rd.pv_w, 0.4 * rd.pv_w};
    for (int k = 0; k < 2; ++k) {
      const auto a = static_cast<std::uint16_t>(11000 + 3 * k);
      const double vs = string_w[k] > 1.0 ? kPvStringV : 0.0;
      run.s16(a, vs * 10);
      run.s16(static_cast<std::uint16_t>(a + 1), vs > 0 ? string_w[k] / vs * 10 : 0.0);
      run.s16(static_cast<std::uint16_t>(a + 2), string_w[k]);
    }
    run.s16(11006, v * 10);
    run.s16(11007, bat_a * 10);
    run.s16(11008, bat_w);
    run.u16(11009, kGridV * 10);
    run.s16(11010, std::fabs(out_w) / kGridV * 10);
    run.s16(11011, out_w);
    run.s16(11013, std::fabs(out_w));
    run.u16(11014, 5000);  // 50.00 Hz
    run.s16(11021, ct_w);
    run.s16(11023, rd.load_w);
    run.s16(11024, 350);  // inverter 35.0 °C
    run.s16(11025, 300);  // inner 30.0 °C
    run.s16(11034, v * 10);
    run.s16(11035, bat_a * 10);
    run.u16(11036, pack.soc_pct());
    run.u16(11037, pack.capacity_ah() * v * pack.soc_pct() / 100.0 / 1000.0 * 100);
    run.s16(11038, pack.temperature_c() * 10);
    run.u16(11041, report.limits.charge_current_limit_a.value_or(0.0) * 10);
    run.u16(11042, report.limits.discharge_current_limit_a.value_or(0.0) * 10);
    run.u16(11056, 2);  // on grid
    run.u16(11057, 1);
    run.u16(11058, 1);  // BMS connected
    run.u16(11059, 1);  // meter 1 connected
    // Total and today in one: the simulator's day starts when it does.
    const double kwh[8] = {e.pv_kwh,
                           e.battery_charged_kwh,
                           e.battery_discharged_kwh,
                           e.grid_export_kwh,
                           e.grid_import_kwh,
                           output_kwh_,
                           input_kwh_,
                           e.load_kwh};
    for (int k = 0; k < 8; ++k) {
      const auto a = static_cast<std::uint16_t>(11069 + 3 * k);
      run.u32(a, kwh[k] * 10);
      run.u16(static_cast<std::uint16_t>(a + 2), kwh[k] * 10);
    }
    put_input(run.base(), run.regs());

    // The battery's charge power limit, as [F] reads it: negative.
    const double bms_w = report.limits.charge_current_limit_a.value_or(0.0) * v;
    const std::vector<std::uint16_t> limit{words::s16(-std::min(rated_w_, bms_w))};
    put_input(kBatLimitUp, limit);
    set(kBatLimitUp, limit);

    // The inverter's own output and input energy (AC out and AC in), in simulated time.
    const double now_s = w.sim_seconds();
    if (now_s > last_refresh_s_) {
      const double h = (now_s - last_refresh_s_) / 3600.0 / 1000.0;
      (out_w >= 0 ? output_kwh_ : input_kwh_) += std::fabs(out_w) * h;
    }
    last_refresh_s_ = now_s;
  }

  void apply(SimWorld& w) override {
    const std::int64_t now = now_ms_();
    if (remote_on() && timeout_s_ > 0 && now - last_feed_ms_ >= std::int64_t{timeout_s_} * 1000) {
      ++timeouts_;
      last_timeout_ms_ = now;
      rc_[kEnable - kRemote] = 0;  // [S]: the enable reads 0, the power keeps its value
      publish_controls();
    }
    const auto rd = w.readings();
    pv_w_ = rd.pv_w;
    load_w_ = rd.load_w;
    soc_pct_ = w.pack().soc_pct();
    pack_v_ = w.pack().voltage_v();
    w.command_battery_power(target_w());
  }

  void restart(SimWorld& w) override {
    for (auto* s : servers_) s->restart();  // the power-on image
    // Stored: the settings, the enable and the powers; the timeout is lost (top of this file).
    timeout_s_ = 0;
    rc_[kTimeout - kRemote] = 0;
    publish_controls();
    last_feed_ms_ = now_ms_();
    w.inverter().restart();
    ++restarts_;
  }

  nlohmann::json status() const override {
    const auto [lo, hi] = window_w();
    nlohmann::json writes_by_reg = nlohmann::json::object();
    for (const auto& [a, n] : register_writes_) writes_by_reg[std::to_string(a)] = n;
    nlohmann::json unchanged = nlohmann::json::object();
    for (const auto& [a, n] : unchanged_writes_) unchanged[std::to_string(a)] = n;
    return {
        {"profile", "foxess_h1"},
        {"work_mode", work_mode()},
        {"work_mode_name", mode_name(work_mode())},
        {"remote_control",
         {{"enabled", remote_on()},
          {"enable_register", rc_[0]},
          {"timeout_s", timeout_s_},
          {"active_power_w", active_w()},
          {"reactive_power_var", static_cast<std::int16_t>(rc_[3])},
          {"last_feed_ms", last_feed_ms_}}},
        {"battery_window_w", {lo, hi}},
        {"min_soc_pct", settings_[kMinSoc - kSettings]},
        {"max_soc_pct", settings_[kMaxSoc - kSettings]},
        {"min_soc_on_grid_pct", settings_[kMinSocOnGrid - kSettings]},
        {"max_charge_current_a", settings_[kMaxChargeA - kSettings] / 10.0},
        {"max_discharge_current_a", settings_[kMaxDischargeA - kSettings] / 10.0},
        {"timeouts_fired", timeouts_},
        {"last_timeout_ms", last_timeout_ms_},
        {"register_writes", writes_by_reg},
        {"unchanged_writes", unchanged},
        {"rejected_writes", rejected_},
        {"rejections_by_code",
         {{"02", rejected_by_code_[kIllegalAddress]}, {"03", rejected_by_code_[kIllegalValue]}}},
        {"last_rejection", last_rejection_},
        {"writes", writes_},
        {"restarts", restarts_},
        {"last_write_ms", last_write_ms_}};
  }

 protected:
  std::uint8_t refuse_write(std::uint8_t function, std::uint16_t address,
                            const std::vector<std::uint16_t>& values) const override {
    if (function == 0x10) {
      // Only the charge-period block, whole ([F]); every other FC16 (top of this file).
      return address == kPeriods && values.size() == kPeriodWords ? 0 : kIllegalAddress;
    }
    if (function != 0x06 || values.size() != 1) return kIllegalAddress;
    const std::uint16_t v = values[0];
    if (address >= kRemote && address < kRemote + kRemoteWords) return 0;
    if (!single_setting(address)) return kIllegalAddress;  // the periods ([F]#95), the rest
    if (address == kWorkMode && v > kBackUp) return kIllegalValue;
    if (is_soc_setting(address) && (v < 10 || v > 100)) return kIllegalValue;
    return 0;
  }

  void on_refused(std::uint8_t function, std::uint16_t address, std::uint16_t count,
                  std::uint8_t code) override {
    ++rejected_;
    if (code < rejected_by_code_.size()) ++rejected_by_code_[code];
    last_rejection_ = {{"function", function},
                       {"address", address},
                       {"count", count},
                       {"exception", code},
                       {"at_ms", now_ms_()}};
  }

  void on_write(std::uint16_t address, std::uint16_t count) override {
    // Only what refuse_write() let through arrives here: FC06 to one setting or remote register,
    // or the charge periods by FC16.
    const std::int64_t now = now_ms_();
    last_write_ms_ = now;
    const auto r = get(address, count);
    const std::uint16_t key = address == kPeriods ? kPeriods : address;
    ++register_writes_[key];
    std::uint16_t* slot = nullptr;
    if (address >= kSettings && address < kSettings + kSettingWords)
      slot = &settings_[address - kSettings];
    else if (address >= kRemote && address < kRemote + kRemoteWords)
      slot = &rc_[address - kRemote];
    if (slot == nullptr) return;
    bool same = true;
    for (std::uint16_t i = 0; i < count; ++i) {
      same = same && slot[i] == r[i];
      slot[i] = r[i];
    }
    if (same) ++unchanged_writes_[key];
    if (address == kTimeout) timeout_s_ = r[0];
    const bool feeds =
        (address == kEnable && (r[0] & 1U) != 0) || (address == kActive && remote_on());
    if (feeds) last_feed_ms_ = now;
    publish_controls();  // the other bank reads the same
    if (address == kPeriods || address == kReactive ||
        (address >= kExportLimit && address < kSettings + kSettingWords))
      return;  // stored, no effect on the battery
    const auto [lo, hi] = window_w();
    record({now, lo, hi, address});
  }

 private:
  bool remote_on() const { return (rc_[kEnable - kRemote] & 1U) != 0; }
  std::uint16_t work_mode() const { return settings_[kWorkMode - kSettings]; }
  /// 44002 as the inverter takes it: + = AC out, within the rating.
  double active_w() const {
    return std::clamp(static_cast<double>(static_cast<std::int16_t>(rc_[kActive - kRemote])),
                      -rated_w_, rated_w_);
  }

  /// The battery power (+ = charge) the inverter aims at now, before the world's own rating and
  /// BMS clamps: remote control from the AC power, or the work mode; then the SoC settings and
  /// the current limits of 41007/41008.
  double target_w() const {
    double t = 0.0;
    if (remote_on()) {
      const double ac = pv_w_ - active_w();  // into the battery, AC side
      t = ac > 0 ? ac * efficiency_ : ac / efficiency_;
    } else if (work_mode() == kFeedInFirst) {
      // The house first, then export up to the rating; the PV beyond that into the battery.
      t = pv_w_ >= load_w_ ? std::max(0.0, pv_w_ - rated_w_) : pv_w_ - load_w_;
    } else if (work_mode() == kBackUp) {
      t = std::max(0.0, pv_w_ - load_w_);
    } else {
      t = pv_w_ - load_w_;
    }
    if (t < 0 && soc_pct_ <= settings_[kMinSocOnGrid - kSettings]) t = 0.0;
    if (t > 0 && !remote_on() && soc_pct_ >= settings_[kMaxSoc - kSettings]) t = 0.0;
    const double v = std::max(pack_v_, 1.0);
    return std::clamp(t, -settings_[kMaxDischargeA - kSettings] / 10.0 * v,
                      settings_[kMaxChargeA - kSettings] / 10.0 * v);
  }

  /// What the battery may do after a write (+ = charge): in remote control the one power that
  /// follows from 44002 and the PV now; in a work mode its range.
  std::pair<double, double> window_w() const {
    if (remote_on()) {
      const double t = std::clamp(target_w(), -rated_w_, rated_w_);
      return {t, t};
    }
    if (work_mode() == kBackUp) return {0.0, rated_w_};
    return {-rated_w_, rated_w_};
  }

  void put_input(std::uint16_t address, const std::vector<std::uint16_t>& v) {
    for (auto* s : servers_) s->set_input(unit_, address, v);
  }
  /// The settings and the remote-control registers, in both banks.
  void publish_controls() {
    const std::vector<std::uint16_t> st(settings_.begin(), settings_.end());
    const std::vector<std::uint16_t> rc(rc_.begin(), rc_.end());
    set(kSettings, st);
    put_input(kSettings, st);
    set(kRemote, rc);
    put_input(kRemote, rc);
  }

  double rated_w_;
  double efficiency_;
  std::function<std::int64_t()> now_ms_;
  std::array<std::uint16_t, kSettingWords> settings_{};
  std::array<std::uint16_t, kRemoteWords> rc_{};
  std::uint16_t timeout_s_{0};
  std::int64_t last_feed_ms_{0};
  double pv_w_{0.0};
  double load_w_{0.0};
  double soc_pct_{50.0};
  double pack_v_{50.0};
  double output_kwh_{0.0};
  double input_kwh_{0.0};
  double last_refresh_s_{0.0};
  std::size_t timeouts_{0};
  std::int64_t last_timeout_ms_{0};
  std::map<std::uint16_t, std::size_t> register_writes_;
  std::map<std::uint16_t, std::size_t> unchanged_writes_;
  std::size_t rejected_{0};
  std::array<std::size_t, 4> rejected_by_code_{};
  nlohmann::json last_rejection_;
  std::size_t restarts_{0};
  std::int64_t last_write_ms_{0};
};

}  // namespace foxess
}  // namespace

std::unique_ptr<InverterDevice> make_foxess_device(std::uint8_t unit, const SimWorld& world,
                                                   std::function<std::int64_t()> now_ms) {
  return std::make_unique<foxess::FoxEssDevice>(unit, world, std::move(now_ms));
}

}  // namespace bessd::sim
