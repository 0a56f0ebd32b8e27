// A Fronius Symo/Primo GEN24 Plus with a battery, as its Modbus TCP server presents it with the
// inverter's "SunSpec Model Type" set to "int + SF": the SunSpec device's Fronius variant
// (bess-sim --profile sunspec --sunspec-variant fronius_gen24). Written from the public sources
// below, independently of bessd's own Fronius profile (a wrong register or behaviour in either
// shows when the two meet). It models where the GEN24 deviates from the SunSpec standard and from
// the generic device (sunspec_device.cpp); everything else follows that device.
//
// Sources:
//   [F] Fronius International's register map "Gen24_Primo_Symo_Inverter_Register_Map_Int&SF_
//       storage_ROW" (with the one without storage beside it), the Excel workbook as kept (saved
//       as XML) in Benjamin7785/Fronius-symo-gen24-modbus-simulator data/: every address, length,
//       R/RW, range, fixed or "auto-scaled" scale factor and "not supported" point below, and its
//       notes: WChaMax is the "reference value for maximum charge and discharge" that InWRte and
//       OutWRte are percentages of, and "The inverter is not fully capable of transferring power
//       as reported by this reference value"; InWRte/OutWRte "valid range -100.00% - +100.00%
//       ... in raw values ... from -10000 to 10000", and "setting an invalid power window will
//       result in a modbus exception 3 (ILLEGAL DATA VALUE). Invalid power windows are all windows
//       where condition: ((StorCtl_Mod == 3) AND ((-1) * InWRtg > OutWRtg)) evaluates to true";
//       InOutWRte_RvrtTms "0 - 28800"; model 160 modules 3 "StCha 3" and 4 "StDisCha 4" (the
//       charge input reads 0 while the battery discharges and the other way round; DCV is the
//       battery port's voltage either way and DCWH counts regardless since software 1.31).
//   [M] Fronius "Fronius GEN24 Modbus TCP & RTU" operating instructions (42,0410,2649), seen
//       through its table of contents and excerpts (manuals.fronius.com, manualspro.net, and the
//       transcription on star.ke.st): function codes 03, 06 and 16 only; default unit id 1 for
//       the inverter and 200 for the energy meter; "If an attempt is made to write to read-only
//       or unsupported registers, the inverter does not return an exception code and the values
//       are ignored without an error message"; WChaMax "If there is a storage connected ... the
//       base value for OutWRte and InWRte. WChaMax := max(MaxChaRte, MaxDisChaRte)" (quoted with
//       the manual's anchor in a public battery script).
//   [D] A register dump of a real Symo GEN24 10.0, software 1.38.6-1, with a BYD battery and a
//       Smart Meter TS 65A-3: Varitras/fronius_modbus tests/fixtures/symo_gen24_fw1386.json. The
//       model chain and lengths as [F]; power-on values StorCtl_Mod 0, MinRsvPct 500, OutWRte and
//       InWRte 10000, InOutWRte_RvrtTms 0, ChaGriSet 1; WChaMax = MaxChaRte = MaxDisChaRte = WHRtg
//       = 10240 beside WRtg 10000 (SF 1); the scale factors it chose (W_SF -1 at 3075.1 W, A_SF -3,
//       DCA_SF -4, DCV_SF -2, DCW_SF -1, DCWH_SF -2, the meter's W_SF -1); the meter at unit 200
//       (model 1 of 65 registers, then 203 of 105 at 40069, then the end marker at 40176).
//   [V] Varitras/fronius_modbus (the fork of callifo/fronius_modbus, itself of
//       redpomodoro/fronius_modbus): fronius_modbus_api/storage.py, on a real GEN24: "with both
//       rates at or below zero for an instant the firmware refuses the second write (exception 3,
//       seen on Charge from Grid -> Block Charging, upstream #126)"; CHANGELOG: "A device that
//       refuses a read past the end of its register map", MinRsvPct "only applied under Modbus
//       storage control", "The device refuses a read for a moment right after a write (real GEN24,
//       fw 1.38.6-1: exception 4 on the block read that follows)".
//   [C] callifo/fronius_modbus froniusmodbusclient_const.py (124's data at 40345, StorCtl_Mod
//       40348, MinRsvPct 40350, OutWRte 40355, InWRte 40356; the meter at unit 200 by default);
//       redpomodoro/fronius_modbus#105 ("Illegal Data Address" reading at a guessed address).
//   [E] evcc-io/evcc: templates/definition/meter/fronius-gen24.yaml and its history (#16241 wrote
//       InOutWRte_RvrtTms = 0 with every hold and charge, #18386 stopped writing it and
//       ChaGriSet, #27906 hold charge = StorCtl_Mod 1 with InWRte 0; forced charge = StorCtl_Mod 2
//       with a negative OutWRte); issue #33037: InOutWRte_RvrtTms has a factory default of 0 on
//       three owners' GEN24s, a value of 3600 written by hand in April "persisted" into August and
//       ended a hold written once after 60 min; PR #33041 (the revert time used as a watchdog).
//   [O] OpenEMS io.openems.edge.fronius gen24 ApplyPowerHandler: writes StorCtl_Mod every cycle
//       "so Fronius knows the mode immediately after restart or connection loss"; its claim of an
//       8 h default revert time is contradicted by [D] and [E] #33037 and not followed.
//
// Deviations modelled (each also in docs/simulator.md), "(one src)" where a single source says so:
// - The model chain [F][D][C]: 1 with L = 65 (no Pad register; Mn "Fronius", Md "Symo GEN24 5.0"
//   by the rating, DA = the unit), 103 (int+SF), 120 (DERTyp 82 PV_STOR, WRtg with SF 1), 121,
//   122, 123, 160 with four modules (L = 88), 124 at 40343 after 160, the end marker at 40369.
//   No model 802: the battery's power is only in 160's modules 3 and 4, its SoC only in 124.
// - Reads or writes touching a register outside 40000..40370 get exception 02 [V][C]; FC04 gets
//   exception 01 (the functions are 03, 06, 16 [M]; the code is the standard's for an unknown
//   function, no source shows the GEN24's answer).
// - Scale factors marked "auto-scaled" in [F] follow the value: the smallest exponent at which
//   every value sharing the factor fits its register, from -4 for currents and -2 for the rest
//   ([D] fits this rule; the floors are this device's choice, no source gives Fronius's rule).
//   So W_SF is -1 below 3276.75 W and 0 above: a client must read a value and its factor together.
// - Model 124 [F][D]: WChaMax is the battery's rating (here the pack's nominal energy as watts,
//   1C, as the dump's 10240 W for a 10.24 kWh battery; one src for the value) and not the
//   inverter's, read-only; InWRte and OutWRte are percentages of it; ChaState and MinRsvPct with
//   SF -2; VAChaMax, StorAval, InBatV, InOutWRte_WinTms and _RmpTms not supported (0xFFFF, their
//   factors 0x8000); power-on StorCtl_Mod 0, rates 100 %, MinRsvPct 5 %, RvrtTms 0, ChaGriSet 1.
// - An invalid power window (StorCtl_Mod 3 with -InWRte > OutWRte after the write) gets exception
//   03 and nothing of the request is stored [F][V]: the order of a controller's single writes
//   matters (raise the rate that rises first, or write both rates in one FC16).
// - Writes to read-only or unsupported registers are acknowledged and ignored [M] (one src): they
//   read back their value again (after this device's thread handled the write), e.g. a WChaMax
//   written to set one's own reference changes nothing. Counted in "ignored_writes".
// - InOutWRte_RvrtTms survives a restart [E] #33037 (one src: "the register persisted"; it says
//   nothing of a power cycle, kept here as the worst case: a revert time set by someone else
//   ends a hold that the controller wrote once, long after).
// - MinRsvPct stops discharging (forced too) at or below it, only while StorCtl_Mod != 0 [V]
//   (one src); with StorCtl_Mod 0 the inverter's own minimum SoC applies (not modelled).
// - The Smart Meter answers at unit 200 on the same server [M][D][C][E] (model 203, W + = import
//   as evcc and callifo read it, W_SF auto-scaled over W and the phases).
//
// Where the sources stop, this device's choices:
// - Values outside [F]'s ranges (StorCtl_Mod > 3, a rate beyond ±10000, RvrtTms > 28800,
//   ChaGriSet > 1, MinRsvPct > 10000) get exception 03 like the invalid window ([M] has a section
//   "Entering invalid values" that could not be read here). A refused FC16 stores nothing, also
//   of its valid registers.
// - The revert timer restarts with every accepted write of StorCtl_Mod, InWRte, OutWRte or
//   InOutWRte_RvrtTms (the registers the SunSpec "timeout period for charge/discharge rate" is
//   about), not with MinRsvPct, ChaGriSet, model 123, reads, refused or ignored writes. When it
//   runs out StorCtl_Mod reads 0 and both rates 100 %, the standard's defaults ([E] #33037 saw the
//   battery back to normal operation; no source shows the registers then). 0 = never.
// - A restart keeps MinRsvPct and ChaGriSet too (settings, like the revert time; no source) and
//   loses StorCtl_Mod and the rates (no source; [O] re-asserts the mode for that reason).
// - Model 123 writes are stored without effect (the world cannot curtail PV).
//
// Not modelled: the float map (SunSpec Model Type "float": models 111-113 and 211-213, 124 then at
// 40353); ChaGriSet's effect (grid charging is allowed by the web interface's "battery charging
// from ... public grid" setting, which the sources say Modbus cannot change; how ChaGriSet relates
// to it is not settled; this device always lets the grid charge); the read refused right after a
// write ([V], one src; the test server has no read hook); the Energy Cost Assistant (evcc's docs:
// must be off for Modbus control); calibration charges (ChaSt 7 TESTING); the limit of two
// parallel requests.

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <initializer_list>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include <bessd/sim/devices/inverter_device.hpp>
#include <bessd/sim/devices/register_words.hpp>
#include <bessd/sim/devices/slcan_bms_port.hpp>
#include <bessd/sim/pack_model.hpp>

namespace bessd::sim {
namespace {
namespace fronius {  // a namespace of its own: unity builds merge the devices' anonymous ones

// The inverter's map [F]: wire addresses (Fronius's register numbers are one more).
constexpr std::uint16_t kBase = 40000;
constexpr std::uint16_t kCommonLength = 65;  // no Pad register
constexpr std::uint16_t kM1 = kBase + 2;
constexpr std::uint16_t kM103 = kM1 + 2 + kCommonLength;
constexpr std::uint16_t kM120 = kM103 + 2 + 50;
constexpr std::uint16_t kM121 = kM120 + 2 + 26;
constexpr std::uint16_t kM122 = kM121 + 2 + 30;
constexpr std::uint16_t kM123 = kM122 + 2 + 44;
constexpr std::uint16_t kM160 = kM123 + 2 + 24;
constexpr std::uint16_t kModules = 4;
constexpr std::uint16_t kM160Length = 8 + 20 * kModules;
constexpr std::uint16_t kM124 = kM160 + 2 + kM160Length;
constexpr std::uint16_t kEnd = kM124 + 2 + 24;
constexpr std::uint16_t kLast = kEnd + 1;
static_assert(kM103 == 40069 && kM120 == 40121 && kM160 == 40253 && kM124 == 40343 &&
              kEnd == 40369);

// The Smart Meter behind the inverter [M][D]: its own unit, model 1 then 203.
constexpr std::uint8_t kMeterUnit = 200;
constexpr std::uint16_t kM203 = kM103;
constexpr std::uint16_t kMeterLength = 105;
constexpr std::uint16_t kMeterEnd = kM203 + 2 + kMeterLength;
constexpr std::uint16_t kMeterLast = kMeterEnd + 1;
static_assert(kMeterEnd == 40176);

// Model 124, offsets from its ID register [F].
constexpr std::uint16_t kWChaMax = 2;
constexpr std::uint16_t kStorCtlMod = 5;
constexpr std::uint16_t kVAChaMax = 6;
constexpr std::uint16_t kMinRsvPct = 7;
constexpr std::uint16_t kChaState = 8;
constexpr std::uint16_t kChaSt = 11;
constexpr std::uint16_t kOutWRte = 12;
constexpr std::uint16_t kInWRte = 13;
constexpr std::uint16_t kRvrtTms = 15;
constexpr std::uint16_t kChaGriSet = 17;
// clang-format off
constexpr std::array<const char*, 26> k124Names{
    "ID", "L", "WChaMax", "WChaGra", "WDisChaGra", "StorCtl_Mod", "VAChaMax", "MinRsvPct",
    "ChaState", "StorAval", "InBatV", "ChaSt", "OutWRte", "InWRte", "InOutWRte_WinTms",
    "InOutWRte_RvrtTms", "InOutWRte_RmpTms", "ChaGriSet", "WChaMax_SF", "WChaDisChaGra_SF",
    "VAChaMax_SF", "MinRsvPct_SF", "ChaState_SF", "StorAval_SF", "InBatV_SF", "InOutWRte_SF"};
// Model 123 [F], for the write counters.
constexpr std::array<const char*, 26> k123Names{
    "ID", "L", "Conn_WinTms", "Conn_RvrtTms", "Conn", "WMaxLimPct", "WMaxLimPct_WinTms",
    "WMaxLimPct_RvrtTms", "WMaxLimPct_RmpTms", "WMaxLim_Ena", "OutPFSet", "OutPFSet_WinTms",
    "OutPFSet_RvrtTms", "OutPFSet_RmpTms", "OutPFSet_Ena", "VArWMaxPct", "VArMaxPct",
    "VArAvalPct", "VArPct_WinTms", "VArPct_RvrtTms", "VArPct_RmpTms", "VArPct_Mod", "VArPct_Ena",
    "WMaxLimPct_SF", "OutPFSet_SF", "VArPct_SF"};
// clang-format on

// [F]'s ranges of the writable model 124 registers.
constexpr std::uint16_t kMaxStorCtlMod = 3;
constexpr int kMaxRate = 10000;  // ±100.00 % at InOutWRte_SF -2
constexpr std::uint16_t kMaxRvrtTms = 28800;
constexpr std::uint16_t kMaxMinRsvPct = 10000;
constexpr std::uint16_t kFullRate = 10000;
constexpr std::uint16_t kPowerOnMinRsvPct = 500;  // 5.00 % [D]
constexpr std::uint16_t kPowerOnChaGriSet = 1;    // [D]

constexpr std::uint16_t kNotSupported = 0xFFFF;  // an unsupported uint16 / acc / bitfield
constexpr std::uint16_t kNotSupportedS16 = 0x8000;
constexpr std::uint16_t kNotSupportedSf = 0x8000;
constexpr std::uint8_t kIllegalDataValue = 0x03;

constexpr double kGridV = 230.0;
constexpr double kLineV = 400.0;
constexpr double kPv1V = 400.0;  // fixed MPP voltages while the strings produce
constexpr double kPv2V = 390.0;
constexpr double kTmsEpoch = 800'000'000.0;  // [F] Tms: seconds since 2000 (a 2025 date)

enum ChaSt : std::uint16_t { empty = 2, discharging = 3, charging = 4, full = 5, holding = 6 };

double ten_to(int e) {
  return std::pow(10.0, e);
}

/// [F]'s "auto-scaled" factors: the smallest exponent from `floor` at which every value sharing
/// the factor fits `limit` (32767 for int16, 65534 for uint16 keeping 0xFFFF free).
int auto_sf(std::initializer_list<double> values, int floor, double limit) {
  double m = 0.0;
  for (const double v : values) m = std::max(m, std::fabs(v));
  int sf = floor;
  while (sf < 9 && std::round(m / ten_to(sf)) > limit) ++sf;
  return sf;
}
constexpr int kCurrentFloor = -4;  // [D] DCA_SF -4 at 5.9 A
constexpr int kFloor = -2;
constexpr double kS16 = 32767.0;
constexpr double kU16 = 65534.0;
constexpr double kAcc32 = 4294967295.0;

std::uint16_t u16_at(double v, int sf) {
  return words::sunspec_u16(v / ten_to(sf));
}
std::uint16_t s16_at(double v, int sf) {
  return words::s16(v / ten_to(sf));
}

std::string model_name(double rated_w) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "Symo GEN24 %.1f", rated_w / 1000.0);
  return buf;
}

/// One image of a unit's registers from 40000, with the ASCII layout SunSpec uses (NUL padded).
class Image {
 public:
  explicit Image(std::uint16_t last) : regs_(static_cast<std::size_t>(last - kBase + 1), 0) {}
  std::uint16_t& at(std::uint16_t a) { return regs_.at(static_cast<std::size_t>(a - kBase)); }
  std::uint16_t at(std::uint16_t a) const { return regs_.at(static_cast<std::size_t>(a - kBase)); }
  void fill(std::uint16_t first, std::uint16_t last, std::uint16_t v) {
    for (std::uint32_t a = first; a <= last; ++a) at(static_cast<std::uint16_t>(a)) = v;
  }
  void u32(std::uint16_t a, double v) {
    const auto w = words::u32_hi_lo(v);
    at(a) = w[0];
    at(static_cast<std::uint16_t>(a + 1)) = w[1];
  }
  void ascii(std::uint16_t a, const std::string& s, std::size_t n_words) {
    for (std::size_t i = 0; i < n_words; ++i) {
      const auto c = [&](std::size_t k) {
        return k < s.size() ? static_cast<unsigned char>(s[k]) : 0U;
      };
      at(static_cast<std::uint16_t>(a + i)) =
          static_cast<std::uint16_t>((c(2 * i) << 8) | c(2 * i + 1));
    }
  }
  std::vector<std::uint16_t> slice(std::uint16_t first, std::uint16_t last) const {
    return {regs_.begin() + (first - kBase), regs_.begin() + (last - kBase + 1)};
  }

 private:
  std::vector<std::uint16_t> regs_;
};

/// What refresh() reads from the world, zero at power-on.
struct Flows {
  double ac_w{0.0};  // + = out of the inverter
  double pv_w{0.0};
  double bat_w{0.0};   // + = charging
  double grid_w{0.0};  // + = import
  double pack_v{0.0};
  double soc_pct{0.0};
  double pv_wh{0.0};
  double charged_wh{0.0};
  double discharged_wh{0.0};
  double import_wh{0.0};
  double export_wh{0.0};
  double sim_s{0.0};
};

/// StorCtl_Mod, OutWRte and InWRte packed in one word, as the last accepted write left them:
/// refuse_write() judges a window on a server's thread, before anything is stored.
std::uint64_t pack_window(std::uint16_t mod, std::uint16_t out, std::uint16_t in) {
  return (std::uint64_t{mod} << 32) | (std::uint64_t{out} << 16) | in;
}

class FroniusGen24Device final : public InverterDevice {
 public:
  FroniusGen24Device(std::uint8_t unit, const SimWorld& world, std::function<std::int64_t()> now_ms,
                     bool window_per_register)
      : InverterDevice(unit),
        window_per_register_(window_per_register),
        rated_w_(world.inverter().params().rated_power_w),
        now_ms_(now_ms ? std::move(now_ms) : std::function<std::int64_t()>(steady_ms)),
        image_(kLast),
        power_on_(kLast),
        meter_(kMeterLast) {
    // [M]: WChaMax := max(MaxChaRte, MaxDisChaRte), the battery's; [D]: 10240 W for a 10.24 kWh
    // battery. The pack's nominal energy (capacity × cells × the OCV at half charge) as watts.
    const auto& p = world.pack().params();
    battery_wh_ = p.capacity_ah * p.series_cells * open_circuit_voltage_v(p.chemistry, 50.0);
    wcha_w_ = std::round(std::min(battery_wh_, 65534.0));
  }

  void initialise() override {
    build_inverter();
    build_meter();
    fill(Flows{});
    power_on_ = image_;
    set(kBase, image_.slice(kBase, kLast));
    for (auto* s : servers_) {
      s->set_holding(kMeterUnit, kBase, meter_.slice(kBase, kMeterLast));
      s->set_register_map(unit_, kBase, kLast);
      s->set_register_map(kMeterUnit, kBase, kMeterLast);
      s->save_power_on_image();
    }
    window_state_.store(pack_window(0, kFullRate, kFullRate));
    update_window();
  }

  void refresh(const SimWorld& w) override {
    const auto rd = w.readings();
    const auto& e = w.energy();
    Flows f;
    f.ac_w = rd.ac_power_w;
    f.pv_w = rd.pv_w;
    f.bat_w = rd.battery_power_w;
    f.grid_w = rd.grid_power_w;
    f.pack_v = w.pack().voltage_v();
    f.soc_pct = w.pack().soc_pct();
    f.pv_wh = e.pv_kwh * 1000.0;
    f.charged_wh = e.battery_charged_kwh * 1000.0;
    f.discharged_wh = e.battery_discharged_kwh * 1000.0;
    f.import_wh = e.grid_import_kwh * 1000.0;
    f.export_wh = e.grid_export_kwh * 1000.0;
    f.sim_s = w.sim_seconds();
    soc_pct_ = f.soc_pct;
    fill(f);
    // Only read-only runs: a write of a setting may be stored and not yet handled here.
    publish(kM103 + 2, kM103 + 51);
    publish(kM122 + 5, kM122 + 8);
    publish(kM122 + 41, kM122 + 42);
    publish(kM160 + 2, kM160 + 1 + kM160Length);
    publish(kM124 + kChaState, kM124 + kChaSt);
    for (auto* s : servers_)
      s->set_holding(kMeterUnit, kM203 + 2, meter_.slice(kM203 + 2, kMeterEnd - 1));
  }

  void apply(SimWorld& w) override {
    const auto now = now_ms_();
    if (remote_ && rvrt_s_ > 0 && now - last_feed_ms_ > std::int64_t{rvrt_s_} * 1000)
      revert(w, now);
    if (!remote_) {
      if (w.inverter().mode() == InverterMode::remote) w.inverter().release();
      return;
    }
    double lo = lo_;
    double hi = hi_;
    // [V]: the Modbus reserve holds under Modbus storage control, forced discharging included.
    reserve_reached_ = soc_pct_ <= min_rsv_ / 100.0;
    if (reserve_reached_) {
      lo = std::max(lo, 0.0);
      hi = std::max(hi, lo);
    }
    const auto rd = w.readings();
    w.command_battery_power(std::clamp(rd.pv_w - rd.load_w, lo, hi));
  }

  void restart(SimWorld& w) override {
    // Kept: the revert time ([E] #33037), the reserve and the grid-charging flag (no source).
    const std::uint16_t rvrt = image_.at(kM124 + kRvrtTms);
    const std::uint16_t rsv = image_.at(kM124 + kMinRsvPct);
    const std::uint16_t gri = image_.at(kM124 + kChaGriSet);
    for (auto* s : servers_) s->restart();
    image_ = power_on_;
    image_.at(kM124 + kRvrtTms) = rvrt;
    image_.at(kM124 + kMinRsvPct) = rsv;
    image_.at(kM124 + kChaGriSet) = gri;
    publish(kM124 + kStorCtlMod, kM124 + kChaGriSet);
    window_state_.store(pack_window(0, kFullRate, kFullRate));
    read_settings();
    remote_ = false;
    w.inverter().restart();
    ++restarts_;
  }

  nlohmann::json status() const override {
    auto by_code = nlohmann::json::object();
    for (std::size_t c = 1; c < refused_by_code_.size(); ++c)
      if (refused_by_code_[c] != 0)
        by_code[c < 10 ? "0" + std::to_string(c) : std::to_string(c)] = refused_by_code_[c];
    return {{"profile", "sunspec"},
            {"variant", "fronius_gen24"},
            {"model", model_name(rated_w_)},
            {"storctl_mod", mod_},
            {"in_wrte_pct", in_pct_},
            {"out_wrte_pct", out_pct_},
            {"rvrt_s", rvrt_s_},
            {"min_rsv_pct", min_rsv_ / 100.0},
            {"cha_gri_set", cha_gri_},
            {"wchamax_w", wcha_w_},
            {"remote", remote_},
            {"window_w", {lo_, hi_}},
            {"reserve_reached", remote_ && reserve_reached_},
            {"writes", writes_},
            {"register_writes", register_writes_},
            {"ignored_writes", ignored_writes_},
            {"refused_writes", refused_},
            {"refusals_by_code", by_code},
            {"refused_by_register", refused_by_register_},
            {"refused_windows", refused_windows_.load()},
            {"window_check", window_per_register_ ? "per_register" : "whole_request"},
            {"refused_values", refused_values_.load()},
            {"last_refusal", last_refusal_},
            {"reverts", reverts_},
            {"revert_expired", expired_},
            {"last_revert_ms", last_revert_ms_},
            {"restarts", restarts_},
            {"last_write_ms", last_write_ms_}};
  }

 protected:
  /// [F]: exception 03 for an invalid power window; this device's choice: also for values out of
  /// [F]'s ranges. Runs on a server's thread: reads the request and window_state_ only.
  std::uint8_t refuse_write(std::uint8_t function, std::uint16_t address,
                            const std::vector<std::uint16_t>& v) const override {
    if ((function != 6 && function != 16) || v.empty()) return 0;
    const std::uint32_t end = std::uint32_t{address} + static_cast<std::uint32_t>(v.size());
    const auto touches = [&](std::uint16_t off) {
      const std::uint32_t a = kM124 + off;
      return a >= address && a < end;
    };
    const auto value = [&](std::uint16_t off) { return v[kM124 + off - address]; };
    const auto bad_value = [&] {
      ++refused_values_;
      last_reason_.store(2);
      return kIllegalDataValue;
    };
    if (touches(kStorCtlMod) && value(kStorCtlMod) > kMaxStorCtlMod) return bad_value();
    for (const auto off : {kOutWRte, kInWRte})
      if (touches(off) && std::abs(int{static_cast<std::int16_t>(value(off))}) > kMaxRate)
        return bad_value();
    if (touches(kRvrtTms) && value(kRvrtTms) > kMaxRvrtTms) return bad_value();
    if (touches(kChaGriSet) && value(kChaGriSet) > 1) return bad_value();
    if (touches(kMinRsvPct) && value(kMinRsvPct) > kMaxMinRsvPct) return bad_value();
    if (!touches(kStorCtlMod) && !touches(kOutWRte) && !touches(kInWRte)) return 0;
    const auto closed = [](std::uint16_t mod, std::uint16_t out, std::uint16_t in) {
      return mod == 3 && -int{static_cast<std::int16_t>(in)} > int{static_cast<std::int16_t>(out)};
    };
    auto current = window_state_.load();
    for (;;) {
      auto mod = static_cast<std::uint16_t>(current >> 32);
      auto out = static_cast<std::uint16_t>(current >> 16);
      auto in = static_cast<std::uint16_t>(current);
      // The registers in address order (StorCtl_Mod, OutWRte, InWRte); judged after each one
      // with window_per_register, else after the whole request.
      bool refused = false;
      for (const auto off : {kStorCtlMod, kOutWRte, kInWRte}) {
        if (!touches(off)) continue;
        (off == kStorCtlMod ? mod : off == kOutWRte ? out : in) = value(off);
        refused = refused || (window_per_register_ && closed(mod, out, in));
      }
      if (refused || closed(mod, out, in)) {
        ++refused_windows_;
        last_reason_.store(1);
        return kIllegalDataValue;
      }
      if (window_state_.compare_exchange_weak(current, pack_window(mod, out, in))) return 0;
    }
  }

  void on_refused(std::uint8_t function, std::uint16_t address, std::uint16_t count,
                  std::uint8_t code) override {
    ++refused_;
    if (code < refused_by_code_.size()) ++refused_by_code_[code];
    for (std::uint32_t a = address; a < std::uint32_t{address} + count; ++a)
      if (a >= kM124 && a <= kM124 + 25) ++refused_by_register_[k124Names[a - kM124]];
    const int reason = last_reason_.exchange(0);
    last_refusal_ = {{"function", function},
                     {"address", address},
                     {"count", count},
                     {"exception", code},
                     {"reason", reason == 1 ? "invalid_window" : "out_of_range"},
                     {"at_ms", now_ms_()}};
  }

  void on_write(std::uint16_t address, std::uint16_t count) override {
    const auto values = get(address, count);
    const auto now = now_ms_();
    bool control = false;  // a model 124 setting changed
    bool feeds = false;    // a write that restarts the revert timer
    for (std::uint16_t i = 0; i < count; ++i) {
      const auto a = static_cast<std::uint16_t>(address + i);
      if (a < kBase || a > kLast) continue;  // the register map answered 02 already
      const std::string name = register_name(a);
      if (!writable(a)) {
        // [M]: acknowledged, ignored: the register reads its own value again.
        ++ignored_writes_[name];
        set(a, {image_.at(a)});
        continue;
      }
      image_.at(a) = values[i];
      ++register_writes_[name];
      if (a >= kM124) {
        control = true;
        const auto off = a - kM124;
        feeds = feeds || off == kStorCtlMod || off == kOutWRte || off == kInWRte || off == kRvrtTms;
      }
    }
    last_write_ms_ = now;
    if (!control) return;
    read_settings();
    if (feeds) {
      last_feed_ms_ = now;
      expired_ = false;
    }
    remote_ = mod_ != 0;
    record({now, remote_ ? lo_ : -rated_w_, remote_ ? hi_ : rated_w_, address});
  }

 private:
  static bool writable(std::uint16_t a) {
    if (a >= kM124 && a <= kM124 + 25) {
      const auto off = a - kM124;
      return off == kStorCtlMod || off == kMinRsvPct || off == kOutWRte || off == kInWRte ||
             off == kRvrtTms || off == kChaGriSet;
    }
    if (a >= kM123 && a <= kM123 + 25) {
      const auto off = a - kM123;  // [F]: RW except the read-only points and factors
      return (off >= 2 && off <= 14) || off == 16 || (off >= 18 && off <= 20) || off == 22;
    }
    return false;
  }
  static std::string register_name(std::uint16_t a) {
    if (a >= kM124 && a <= kM124 + 25) return k124Names[a - kM124];
    if (a >= kM123 && a <= kM123 + 25) return k123Names[a - kM123];
    return std::to_string(a);
  }

  void publish(std::uint32_t first, std::uint32_t last) {
    set(static_cast<std::uint16_t>(first),
        image_.slice(static_cast<std::uint16_t>(first), static_cast<std::uint16_t>(last)));
  }

  /// The settings as stored, and the battery window they allow (+ = charge).
  void read_settings() {
    mod_ = image_.at(kM124 + kStorCtlMod);
    out_pct_ = static_cast<std::int16_t>(image_.at(kM124 + kOutWRte)) / 100.0;
    in_pct_ = static_cast<std::int16_t>(image_.at(kM124 + kInWRte)) / 100.0;
    rvrt_s_ = image_.at(kM124 + kRvrtTms);
    min_rsv_ = image_.at(kM124 + kMinRsvPct);
    cha_gri_ = image_.at(kM124 + kChaGriSet);
    update_window();
  }
  void update_window() {
    // [F]: percentages of WChaMax; bit 0 applies InWRte, bit 1 OutWRte; negative = forcing.
    double hi = (mod_ & 1U) != 0 ? in_pct_ / 100.0 * wcha_w_ : rated_w_;
    double lo = (mod_ & 2U) != 0 ? -out_pct_ / 100.0 * wcha_w_ : -rated_w_;
    hi = std::clamp(hi, -rated_w_, rated_w_);
    lo = std::clamp(lo, -rated_w_, rated_w_);
    lo_ = lo;
    hi_ = std::max(lo, hi);
  }

  void revert(SimWorld& w, std::int64_t now) {
    image_.at(kM124 + kStorCtlMod) = 0;
    image_.at(kM124 + kOutWRte) = kFullRate;
    image_.at(kM124 + kInWRte) = kFullRate;
    publish(kM124 + kStorCtlMod, kM124 + kStorCtlMod);
    publish(kM124 + kOutWRte, kM124 + kInWRte);
    window_state_.store(pack_window(0, kFullRate, kFullRate));
    read_settings();
    remote_ = false;
    expired_ = true;
    ++reverts_;
    last_revert_ms_ = now;
    w.inverter().release();
  }

  void build_inverter() {
    auto& m = image_;
    m.at(kBase) = 0x5375;  // "SunS"
    m.at(kBase + 1) = 0x6E53;
    // Model 1 [F][D]: 65 registers, no Pad.
    m.at(kM1) = 1;
    m.at(kM1 + 1) = kCommonLength;
    m.ascii(kM1 + 2, "Fronius", 16);
    m.ascii(kM1 + 18, model_name(rated_w_), 16);
    m.ascii(kM1 + 34, "", 8);
    m.ascii(kM1 + 42, "1.38.6-1", 8);
    m.ascii(kM1 + 50, "SIM0001", 16);
    m.at(kM1 + 66) = unit_;
    // Model 103 (int+SF); its values come with fill().
    m.at(kM103) = 103;
    m.at(kM103 + 1) = 50;
    // Model 120 [F][D]: DERTyp 82 PV_STOR, ratings with SF 1, the battery's rates with SF 0.
    const double rated10 = rated_w_ / 10.0;
    const double var10 = 0.714 * rated10;  // [D]: 714 at 10 kW
    m.at(kM120) = 120;
    m.at(kM120 + 1) = 26;
    m.at(kM120 + 2) = 82;
    m.at(kM120 + 3) = words::sunspec_u16(rated10);
    m.at(kM120 + 4) = words::sunssf(1);
    m.at(kM120 + 5) = words::sunspec_u16(rated10);
    m.at(kM120 + 6) = words::sunssf(1);
    m.at(kM120 + 7) = words::s16(var10);
    m.at(kM120 + 8) = words::s16(var10);
    m.at(kM120 + 9) = words::s16(-var10);
    m.at(kM120 + 10) = words::s16(-var10);
    m.at(kM120 + 11) = words::sunssf(1);
    m.at(kM120 + 12) = words::sunspec_u16(rated_w_ / (3 * kGridV) * 100.0);  // ARtg
    m.at(kM120 + 13) = words::sunssf(-2);
    m.at(kM120 + 14) = words::s16(-700);  // PFRtgQ1..Q4 [D]
    m.at(kM120 + 15) = words::s16(700);
    m.at(kM120 + 16) = words::s16(-700);
    m.at(kM120 + 17) = words::s16(700);
    m.at(kM120 + 18) = words::sunssf(-3);
    m.at(kM120 + 19) = words::sunspec_u16(battery_wh_);  // WHRtg
    m.at(kM120 + 20) = words::sunssf(0);
    m.at(kM120 + 21) = kNotSupported;  // AhrRtg
    m.at(kM120 + 22) = kNotSupportedSf;
    m.at(kM120 + 23) = words::sunspec_u16(wcha_w_);  // MaxChaRte
    m.at(kM120 + 24) = words::sunssf(0);
    m.at(kM120 + 25) = words::sunspec_u16(wcha_w_);  // MaxDisChaRte
    m.at(kM120 + 26) = words::sunssf(0);
    m.at(kM120 + 27) = kNotSupportedS16;  // Pad
    // Model 121 [F][D]: settings, read-only here.
    m.at(kM121) = 121;
    m.at(kM121 + 1) = 30;
    m.at(kM121 + 2) = words::sunspec_u16(rated10);  // WMax
    m.at(kM121 + 3) = 231;                          // VRef
    m.at(kM121 + 4) = 0;                            // VRefOfs
    m.at(kM121 + 5) = kNotSupported;
    m.at(kM121 + 6) = kNotSupported;
    m.at(kM121 + 7) = words::sunspec_u16(rated10);  // VAMax
    m.at(kM121 + 8) = words::s16(var10);
    m.at(kM121 + 9) = words::s16(var10);
    m.at(kM121 + 10) = words::s16(-var10);
    m.at(kM121 + 11) = words::s16(-var10);
    m.at(kM121 + 12) = kNotSupported;  // WGra
    m.at(kM121 + 13) = words::s16(-700);
    m.at(kM121 + 14) = words::s16(700);
    m.at(kM121 + 15) = words::s16(-700);
    m.at(kM121 + 16) = words::s16(700);
    m.fill(kM121 + 17, kM121 + 21, kNotSupported);
    m.at(kM121 + 22) = words::sunssf(1);
    m.at(kM121 + 23) = words::sunssf(0);
    m.at(kM121 + 24) = words::sunssf(0);
    m.at(kM121 + 25) = kNotSupportedSf;
    m.at(kM121 + 26) = words::sunssf(1);
    m.at(kM121 + 27) = words::sunssf(1);
    m.at(kM121 + 28) = kNotSupportedSf;
    m.at(kM121 + 29) = words::sunssf(-3);
    m.at(kM121 + 30) = kNotSupportedSf;
    m.at(kM121 + 31) = kNotSupportedSf;
    // Model 122 [F][D]: connected, available, operating; ActWh and Tms come with fill().
    m.at(kM122) = 122;
    m.at(kM122 + 1) = 44;
    m.at(kM122 + 2) = 7;
    m.at(kM122 + 3) = 7;
    m.at(kM122 + 4) = 1;
    m.at(kM122 + 29) = kNotSupportedS16;
    m.at(kM122 + 30) = kNotSupportedSf;
    m.at(kM122 + 31) = kNotSupported;
    m.at(kM122 + 32) = kNotSupportedSf;
    m.fill(kM122 + 33, kM122 + 34, kNotSupported);
    m.ascii(kM122 + 37, "RTC", 4);
    m.at(kM122 + 43) = kNotSupported;
    m.at(kM122 + 44) = 1000;  // Ris 1 MOhm
    m.at(kM122 + 45) = words::sunssf(3);
    // Model 123 [F][D]: connected, no limit active.
    m.at(kM123) = 123;
    m.at(kM123 + 1) = 24;
    m.at(kM123 + 4) = 1;      // Conn
    m.at(kM123 + 5) = 10000;  // WMaxLimPct 100.00 %
    m.at(kM123 + 10) = 1000;  // OutPFSet 1.000
    m.at(kM123 + 15) = kNotSupportedS16;
    m.at(kM123 + 16) = 100;  // VArMaxPct
    m.at(kM123 + 17) = kNotSupportedS16;
    m.at(kM123 + 21) = 2;  // VArPct_Mod
    m.at(kM123 + 23) = words::sunssf(-2);
    m.at(kM123 + 24) = words::sunssf(-3);
    m.at(kM123 + 25) = words::sunssf(0);
    // Model 160 [F][D]: two PV inputs, then the battery's charge and discharge.
    m.at(kM160) = 160;
    m.at(kM160 + 1) = kM160Length;
    m.fill(kM160 + 6, kM160 + 7, kNotSupported);  // Evt
    m.at(kM160 + 8) = kModules;
    m.at(kM160 + 9) = kNotSupported;  // TmsPer
    const std::array<const char*, kModules> names{"MPPT 1", "MPPT 2", "StCha 3", "StDisCha 4"};
    for (std::uint16_t k = 0; k < kModules; ++k) {
      const auto b = static_cast<std::uint16_t>(kM160 + 10 + 20 * k);
      m.at(b) = k + 1;
      m.ascii(b + 1, names[k], 8);
      m.at(b + 16) = kNotSupportedS16;  // Tmp
      m.at(b + 17) = kNotSupported;     // DCSt
      m.fill(b + 18, b + 19, kNotSupported);
    }
    // Model 124 [F][D].
    m.at(kM124) = 124;
    m.at(kM124 + 1) = 24;
    m.at(kM124 + kWChaMax) = words::sunspec_u16(wcha_w_);
    m.at(kM124 + 3) = 100;  // WChaGra
    m.at(kM124 + 4) = 100;  // WDisChaGra
    m.at(kM124 + kStorCtlMod) = 0;
    m.at(kM124 + kVAChaMax) = kNotSupported;
    m.at(kM124 + kMinRsvPct) = kPowerOnMinRsvPct;
    m.at(kM124 + 9) = kNotSupported;   // StorAval
    m.at(kM124 + 10) = kNotSupported;  // InBatV
    m.at(kM124 + kOutWRte) = kFullRate;
    m.at(kM124 + kInWRte) = kFullRate;
    m.at(kM124 + 14) = kNotSupported;  // InOutWRte_WinTms
    m.at(kM124 + kRvrtTms) = 0;
    m.at(kM124 + 16) = kNotSupported;  // InOutWRte_RmpTms
    m.at(kM124 + kChaGriSet) = kPowerOnChaGriSet;
    m.at(kM124 + 18) = words::sunssf(0);  // WChaMax_SF
    m.at(kM124 + 19) = words::sunssf(0);  // WChaDisChaGra_SF
    m.at(kM124 + 20) = kNotSupportedSf;
    m.at(kM124 + 21) = words::sunssf(-2);  // MinRsvPct_SF
    m.at(kM124 + 22) = words::sunssf(-2);  // ChaState_SF
    m.at(kM124 + 23) = kNotSupportedSf;
    m.at(kM124 + 24) = kNotSupportedSf;
    m.at(kM124 + 25) = words::sunssf(-2);  // InOutWRte_SF
    m.at(kEnd) = 0xFFFF;
    m.at(kEnd + 1) = 0;
    read_settings();
  }

  void build_meter() {
    auto& m = meter_;
    m.at(kBase) = 0x5375;
    m.at(kBase + 1) = 0x6E53;
    m.at(kM1) = 1;
    m.at(kM1 + 1) = kCommonLength;
    m.ascii(kM1 + 2, "Fronius", 16);
    m.ascii(kM1 + 18, "Smart Meter TS 65A-3", 16);
    m.ascii(kM1 + 34, "<primary>", 8);
    m.ascii(kM1 + 42, "1.5", 8);
    m.ascii(kM1 + 50, "SIM0002", 16);
    m.at(kM1 + 66) = kMeterUnit;
    m.at(kM203) = 203;
    m.at(kM203 + 1) = kMeterLength;
    m.at(kMeterEnd) = 0xFFFF;
    m.at(kMeterEnd + 1) = 0;
  }

  /// The measured values into the images, with their auto-scaled factors.
  void fill(const Flows& f) {
    auto& m = image_;
    // Model 103 [F]: three phases; W + = AC out.
    const double phase_a = std::fabs(f.ac_w) / (3 * kGridV);
    const int a_sf = auto_sf({3 * phase_a, phase_a}, kCurrentFloor, kU16);
    m.at(kM103 + 2) = u16_at(3 * phase_a, a_sf);
    for (std::uint16_t k = 3; k <= 5; ++k) m.at(kM103 + k) = u16_at(phase_a, a_sf);
    m.at(kM103 + 6) = words::sunssf(a_sf);
    for (std::uint16_t k = 7; k <= 9; ++k) m.at(kM103 + k) = u16_at(kLineV, -1);
    for (std::uint16_t k = 10; k <= 12; ++k) m.at(kM103 + k) = u16_at(kGridV, -1);
    m.at(kM103 + 13) = words::sunssf(-1);  // V_SF
    const int w_sf = auto_sf({f.ac_w}, kFloor, kS16);
    m.at(kM103 + 14) = s16_at(f.ac_w, w_sf);
    m.at(kM103 + 15) = words::sunssf(w_sf);
    m.at(kM103 + 16) = 5000;  // Hz
    m.at(kM103 + 17) = words::sunssf(-2);
    const int va_sf = auto_sf({f.ac_w}, kFloor, kS16);
    m.at(kM103 + 18) = s16_at(std::fabs(f.ac_w), va_sf);
    m.at(kM103 + 19) = words::sunssf(va_sf);
    m.at(kM103 + 20) = 0;  // VAr
    m.at(kM103 + 21) = words::sunssf(kFloor);
    m.at(kM103 + 22) = 1000;  // PF 100.0 %
    m.at(kM103 + 23) = words::sunssf(-1);
    const double ac_wh = std::max(0.0, f.pv_wh + f.discharged_wh - f.charged_wh);
    const int wh_sf = auto_sf({ac_wh}, 0, kAcc32);
    m.u32(kM103 + 24, ac_wh / ten_to(wh_sf));
    m.at(kM103 + 26) = words::sunssf(wh_sf);
    m.at(kM103 + 27) = kNotSupported;  // DCA, DCV: per input in model 160 [F]
    m.at(kM103 + 28) = kNotSupportedSf;
    m.at(kM103 + 29) = kNotSupported;
    m.at(kM103 + 30) = kNotSupportedSf;
    const double dc_w = f.pv_w - f.bat_w;
    const int dcw_sf = auto_sf({dc_w}, kFloor, kS16);
    m.at(kM103 + 31) = s16_at(dc_w, dcw_sf);
    m.at(kM103 + 32) = words::sunssf(dcw_sf);
    m.at(kM103 + 33) = 0;  // TmpCab, as [D] reads it
    m.fill(kM103 + 34, kM103 + 36, kNotSupportedS16);
    m.at(kM103 + 37) = words::sunssf(-1);
    const bool active = f.pv_w > 1 || std::fabs(f.bat_w) > 1;
    m.at(kM103 + 38) = active ? 4 : 8;  // MPPT or standby
    m.at(kM103 + 39) = m.at(kM103 + 38);
    m.fill(kM103 + 40, kM103 + 47, 0);
    m.fill(kM103 + 48, kM103 + 51, kNotSupported);
    // Model 122: the AC energy (acc64) and the time.
    const auto ac_wh64 = static_cast<std::uint64_t>(std::llround(ac_wh));
    for (std::uint16_t k = 0; k < 4; ++k)
      m.at(kM122 + 5 + k) = static_cast<std::uint16_t>(ac_wh64 >> (16 * (3 - k)));
    m.u32(kM122 + 41, kTmsEpoch + f.sim_s);
    // Model 160 [F]: the battery's charge input reads 0 while it discharges and the other way
    // round; both carry the battery port's voltage, the energy counters run regardless.
    struct Input {
      double a, v, w, wh;
    };
    const double pv1 = 0.6 * f.pv_w;
    const double pv2 = 0.4 * f.pv_w;
    const double cha = std::max(f.bat_w, 0.0);
    const double dis = std::max(-f.bat_w, 0.0);
    const double vb = f.pack_v;
    const double v1 = pv1 > 1 ? kPv1V : 0.0;
    const double v2 = pv2 > 1 ? kPv2V : 0.0;
    const std::array<Input, kModules> in{Input{v1 > 0 ? pv1 / v1 : 0.0, v1, pv1, 0.6 * f.pv_wh},
                                         Input{v2 > 0 ? pv2 / v2 : 0.0, v2, pv2, 0.4 * f.pv_wh},
                                         Input{vb > 0 ? cha / vb : 0.0, vb, cha, f.charged_wh},
                                         Input{vb > 0 ? dis / vb : 0.0, vb, dis, f.discharged_wh}};
    const int dca_sf = auto_sf({in[0].a, in[1].a, in[2].a, in[3].a}, kCurrentFloor, kU16);
    const int dcv_sf = auto_sf({in[0].v, in[1].v, in[2].v, in[3].v}, kFloor, kU16);
    const int mw_sf = auto_sf({in[0].w, in[1].w, in[2].w, in[3].w}, kFloor, kU16);
    const int mwh_sf = auto_sf({in[0].wh, in[1].wh, in[2].wh, in[3].wh}, kFloor, kAcc32);
    m.at(kM160 + 2) = words::sunssf(dca_sf);
    m.at(kM160 + 3) = words::sunssf(dcv_sf);
    m.at(kM160 + 4) = words::sunssf(mw_sf);
    m.at(kM160 + 5) = words::sunssf(mwh_sf);
    for (std::uint16_t k = 0; k < kModules; ++k) {
      const auto b = static_cast<std::uint16_t>(kM160 + 10 + 20 * k);
      m.at(b + 9) = u16_at(in[k].a, dca_sf);
      m.at(b + 10) = u16_at(in[k].v, dcv_sf);
      m.at(b + 11) = u16_at(in[k].w, mw_sf);
      m.u32(b + 12, in[k].wh / ten_to(mwh_sf));
      m.u32(b + 14, kTmsEpoch + f.sim_s);
    }
    // Model 124: ChaState with SF -2 [F][D]; ChaSt as the generic device decides it.
    m.at(kM124 + kChaState) = words::sunspec_u16(f.soc_pct * 100.0);
    std::uint16_t st = holding;
    if (f.bat_w > 5) st = charging;
    if (f.bat_w < -5) st = discharging;
    if (f.soc_pct >= 99.5) st = full;
    if (f.soc_pct <= 0.5) st = empty;
    m.at(kM124 + kChaSt) = st;
    // The meter's model 203 (W + = import, all on phase A; W_SF shared with the phases).
    auto& g = meter_;
    const double amps = std::fabs(f.grid_w) / kGridV;
    const int ga_sf = auto_sf({amps}, kCurrentFloor, kU16);
    g.at(kM203 + 2) = u16_at(amps, ga_sf);
    g.at(kM203 + 3) = u16_at(amps, ga_sf);
    g.at(kM203 + 6) = words::sunssf(ga_sf);
    for (std::uint16_t k = 7; k <= 10; ++k) g.at(kM203 + k) = u16_at(kGridV, -1);
    for (std::uint16_t k = 11; k <= 14; ++k) g.at(kM203 + k) = u16_at(kLineV, -1);
    g.at(kM203 + 15) = words::sunssf(-1);
    g.at(kM203 + 16) = 5000;
    g.at(kM203 + 17) = words::sunssf(-2);
    const int gw_sf = auto_sf({f.grid_w}, kFloor, kS16);
    g.at(kM203 + 18) = s16_at(f.grid_w, gw_sf);
    g.at(kM203 + 19) = s16_at(f.grid_w, gw_sf);
    g.at(kM203 + 22) = words::sunssf(gw_sf);
    g.at(kM203 + 23) = s16_at(std::fabs(f.grid_w), gw_sf);
    g.at(kM203 + 24) = s16_at(std::fabs(f.grid_w), gw_sf);
    g.at(kM203 + 27) = words::sunssf(gw_sf);
    g.at(kM203 + 32) = words::sunssf(0);  // VAR_SF
    g.at(kM203 + 33) = 1000;              // PF
    g.at(kM203 + 34) = 1000;
    g.at(kM203 + 37) = words::sunssf(-1);
    g.u32(kM203 + 38, f.export_wh);  // TotWhExp
    g.u32(kM203 + 40, f.export_wh);
    g.u32(kM203 + 46, f.import_wh);  // TotWhImp
    g.u32(kM203 + 48, f.import_wh);
    g.at(kM203 + 54) = words::sunssf(0);
  }

  bool window_per_register_;
  double rated_w_;
  double battery_wh_{0.0};
  double wcha_w_{0.0};
  std::function<std::int64_t()> now_ms_;
  Image image_;     // the inverter's registers as this device publishes them
  Image power_on_;  // ... at power-on
  Image meter_;     // unit 200's
  double soc_pct_{0.0};
  // The settings as stored (read_settings()).
  unsigned mod_{0};
  double out_pct_{100.0};
  double in_pct_{100.0};
  unsigned rvrt_s_{0};
  unsigned min_rsv_{kPowerOnMinRsvPct};
  unsigned cha_gri_{kPowerOnChaGriSet};
  double lo_{0.0};
  double hi_{0.0};
  bool remote_{false};
  bool reserve_reached_{false};
  std::int64_t last_feed_ms_{0};
  std::int64_t last_write_ms_{0};
  bool expired_{false};
  std::size_t reverts_{0};
  std::int64_t last_revert_ms_{0};
  std::size_t restarts_{0};
  std::map<std::string, std::size_t> register_writes_;
  std::map<std::string, std::size_t> ignored_writes_;
  std::map<std::string, std::size_t> refused_by_register_;
  std::size_t refused_{0};
  std::array<std::size_t, 12> refused_by_code_{};
  nlohmann::json last_refusal_ = nlohmann::json::object();
  // Changed by refuse_write() on a server's thread, as the request arrives.
  mutable std::atomic<std::uint64_t> window_state_{0};
  mutable std::atomic<std::size_t> refused_windows_{0};
  mutable std::atomic<std::size_t> refused_values_{0};
  mutable std::atomic<int> last_reason_{0};  // 1 invalid window, 2 value out of range
};

}  // namespace fronius
}  // namespace

std::unique_ptr<InverterDevice> make_fronius_gen24_device(std::uint8_t unit, const SimWorld& world,
                                                          std::function<std::int64_t()> now_ms,
                                                          bool window_per_register) {
  return std::make_unique<fronius::FroniusGen24Device>(unit, world, std::move(now_ms),
                                                       window_per_register);
}

}  // namespace bessd::sim
