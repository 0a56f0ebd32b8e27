// A Sungrow SH hybrid inverter (SH5.0RT/SH6.0RT/SH8.0RT/SH10RT three-phase, or SH3.0RS..SH6.0RS
// single-phase; one battery) as Sungrow's "Communication Protocol of Residential Hybrid Inverter"
// presents it: measurements in input registers (FC04), settings in holding registers (FC03, FC06
// and FC16), unit 1, 32-bit values low word first, Sungrow's signs on the wire: battery + =
// discharging (5214, and 13022 on current firmware), export power + = export (13010), meter power
// + = import (5601). Written from the public sources below, independently of bessd's own Sungrow
// profile (a wrong register in either shows when the two meet).
//
// Numbering. Every number in this file is the register number as Sungrow's documents print it;
// the address on the wire is that number - 1 ([V]: "Visit all registers by subtracting 1 from the
// register address. Example: if the register is 5000-5001, visit it using address 4999-5000";
// its example request for 5000 is "01 04 13 87", 0x1387 = 4999). The sources differ in which
// they write: [V], [SG], [TF] and mbpoll's -r in [I]#377 use the register number; [M] writes
// the wire address in `address:` and the number in a "# reg N" comment; [E] uses the wire
// address only (its "13049 # EMS mode" is register 13050). So EMS mode selection is 13050 and
// is written at address 13049; the charge/discharge command is 13051, the power 13052.
//
// Sources (HEAD of each repository as fetched in December 2026):
//   [V]  Sungrow "Communication Protocol of Residential Hybrid Inverter", the PDFs kept in
//        bohdan-s/Sungrow-Inverter "Modbus Information/": V1.0.20 (2020), TI_20211231 V1.0.23,
//        TI_20231019 V1.1.2, V1.1.4, TI_20240924 V1.1.5 and TI_20250620 V1.1.9 (the newest read;
//        [M] cites a V1.1.11 of 2025-11 that was not found). Register map, types and units,
//        FC04 for read-only and FC03/06/10 for read-write registers, "U32 ... little-endian for
//        double-word data ... 0x01020304 is 03, 04, 01, 02", unavailable registers read 0xFFFF
//        (U16) / 0x7FFF (S16) / 0x7FFFFFFF (S32), slave 1 by default, the EMS modes (Appendix 6),
//        the running states (Appendix 2) and the power flow bits (Appendix 3), the external EMS
//        heartbeat 13080, the device type codes (Appendix 1). One vendor, several versions: they
//        count as one source, and where versions differ this says which.
//   [M]  mkaiser/Sungrow-SHx-Inverter-Modbus-Home-Assistant modbus_sungrow.yaml (2026-04-27) and
//        its history and issues: every register read or written with its wire address, `swap:
//        word` for 32-bit values, 5214 "negative: Battery charging, positive: Battery
//        discharging", 13022 "old firmware (before october 2024): always positive battery
//        power" (issue #406: signed since the update, "negative for charging and positive for
//        discharging"; #474), 13050..13052 and 33047/33048 written with one FC06 each
//        (modbus.write_register with a single value), EMS modes 0/2/3/4 and commands
//        0xAA/0xBB/0xCC as select options, the device type codes, the running state codes.
//   [E]  evcc-io/evcc templates/definition/meter/sungrow-hybrid.yaml and its history: 13009
//        "int32s" with scale -1 (export positive on the wire), 5016/13002/13036 "uint32s", the
//        battery power 13021 (wire) made signed from the power flow bit 1 of 13000 (wire) or a
//        negative current 13020 (wire) ("handling old and new firmware", #17618, #18473), every
//        control write an FC06 ("writesingle") to 13049/13050/13051 (wire), 33047 (wire) = 1
//        "0.01kW, min allowed value for register" to hold the battery; issues #25756 and #26337
//        (FC06 of a too high maximum discharge power answered with exception 04, "server device
//        failure"), #25615 ("30kW will probably not be accepted for this field").
//   [SG] bohdan-s/SunGather SunGather/registers-sungrow.yaml (register numbers; "scan: these
//        have to be 1 less than the first register"): 13022 battery power "S16" (pull request
//        #58, an SH5.0RS: "When the battery is charging the battery_power is negative"; an
//        SH10RT owner there: positive while charging), 13050..13052 (with 0 self-consumption, 2
//        compulsory, 3 external EMS), 33047/33048 in 10 W; issue #153 (external EMS mode 3 with
//        heartbeat 20 s, 0xAA, 2000 W: the SH10RT charged, unsteadily).
//   [TF] Tinkerforge/esp32-firmware software/src/modules/meters_modbus_tcp/sungrow.py and
//        batteries_modbus_tcp/sungrow.py (register numbers, "start_address_offset": 1):
//        "U32LE"/"S32LE", 13010 and 13034 read with scale -1 into import-positive values, 13022
//        "U16 ... sign depends on running state", 13050..13052 and 33047/33048 written with FC16
//        ("WriteMultipleRegisters"), 33047/33048 "the actual limit cannot be read back from this
//        register, it seems to always report the absolute maximum limit", "Sungrow has no
//        watchdog" (it repeats its writes every 60 s only "for robustness").
//   [I]  Other threads: mkaiser #377 (mbpoll: 13050 = 3, 13080 = 30; 13080 reads 27, 24, 13, 5,
//        3, 1, then 13050 and 13080 both read 0), mkaiser #721 (external EMS reverts to
//        self-consumption "after approximately 20-30 seconds"), evcc #18270/#18284 (13001 not
//        updated on some firmware), bolagnaise/PowerSync #55 (5214 "gives the desired signed
//        sensor", after [M]).
//
// FC04 input registers (read-only)         type   scale     sign on the wire          sources
// 4990-4999 serial number (UTF-8)          STR    10 words  high byte first, 0x00 pad V M SG
// 5000 device type code                    U16    -         0xE00.. RT, 0xD0D.. RS    V M SG TF
// 5001 nominal output power                U16    0.1 kW    -                         V M SG TF
// 5002 output type                         U16    -         0 single, 1 3P4L          V SG TF
// 5003 daily output energy                 U16    0.1 kWh   -                         V M
// 5004-5005 total output energy            U32    0.1 kWh   lo-hi                     V M TF
// 5008 inside temperature                  S16    0.1 °C    -                         V M TF
// 5011..5016 MPPT1..3 voltage, current     U16    0.1 V/A   MPPT3 0xFFFF (2 MPPTs)    V M TF
// 5017-5018 total DC power (PV)            U32    1 W       lo-hi                     V M E SG TF
// 5019..5021 phase A..C voltage            U16    0.1 V     RS: B, C 0xFFFF           V M SG TF
// 5033-5034 reactive power                 S32    1 var     lo-hi                     V M TF
// 5035 power factor                        S16    0.001     -                         V M TF
// 5036 grid frequency                      U16    0.1 Hz    -                         V TF
// 5115/5116 MPPT4 voltage, current         U16    0.1 V/A   0xFFFF (no MPPT4)         V M
// 5214-5215 battery power                  S32    1 W       lo-hi, + = discharge      V M (sign: M)
// 5242 grid frequency                      U16    0.01 Hz   -                         V M
// 5601-5602 meter active power             S32    1 W       lo-hi, + = import         V M
// 5603..5608 meter phase A..C power        S32    1 W       + = import; RS: invalid   V M E
// 5622/5623 min/max feed-in limit          U16    0.01 kW   -                         V M
// 5628 BDC rated power                     U16    0.1 kW    -                         V M E
// 5631 battery current                     S16    0.1 A     + = discharge           V M (sign: M E)
// 5635/5636 BMS max charge/disch. current  U16    1 A       -                         V M
// 13000 running state                      U16    -         Appendix 2 codes          V M SG
// 13001 power flow status                  U16    bits      b0 PV, b1 charging,       V M E SG TF
//                                                           b2 discharging, b3 load,
//                                                           b4 export, b5 import
// 13002 daily PV generation                U16    0.1 kWh   -                         V M SG
// 13003-13004 total PV generation          U32    0.1 kWh   lo-hi                     V M E SG TF
// 13008-13009 load power                   S32    1 W       lo-hi, + = consumption    V M SG TF
// 13010-13011 export power                 S32    1 W       lo-hi, + = export         V M E SG TF
// 13020 battery voltage                    U16    0.1 V     -                         V M SG TF
// 13021 battery current                    U16/S16 0.1 A    see "battery sign" below  V SG E
// 13022 battery power                      U16/S16 1 W      see "battery sign" below  V SG E TF
// 13023 battery SOC                        U16    0.1 %     -                         V M E SG TF
// 13024 battery SOH                        U16    0.1 %     -                         V M SG TF
// 13025 battery temperature                S16    0.1 °C    -                         V M SG TF
// 13026 / 13027-13028 battery discharge    U16/U32 0.1 kWh  lo-hi                     V M E SG TF
// 13031..13033 phase A..C current          S16    0.1 A     + = AC output (no source  V M SG TF
//                                                           gives a sign); RS: B, C 0x7FFF
// 13034-13035 total active power           S32    1 W       lo-hi, + = AC output      V M SG TF
// 13036 / 13037-13038 import energy        U16/U32 0.1 kWh  lo-hi                     V M E SG TF
// 13040 / 13041-13042 battery charge       U16/U32 0.1 kWh  lo-hi                     V M SG TF
// 13045 / 13046-13047 export energy        U16/U32 0.1 kWh  lo-hi                     V M SG TF
// FC03/FC06/FC16 holding registers (read-write; a refused value: exception 04, see below)
// 13000 start/stop                         U16    -         0xCF start, 0xCE stop     V M SG
// 13050 EMS mode selection                 U16    -         0 self-consumption,       V M E SG TF
//                                                           2 compulsory (forced),
//                                                           3 external EMS, 4 VPP
// 13051 charge/discharge command           U16    -         0xAA charge, 0xBB         V M E SG TF
//                                                           discharge, 0xCC stop
// 13052 charge/discharge power             U16    1 W       0..BDC rated power        V M E SG TF
// 13058 max SOC                            U16    0.1 %     500..1000                 V M
// 13059 min SOC                            U16    0.1 %     0..500                    V M
// 13074 feed-in limitation value           U16    1 W       stored, not modelled      V M
// 13080 external EMS heartbeat             U16    1 s       0..1000, default 20       V I (#377)
// 13087 feed-in limitation                 U16    -         0xAA on, 0x55 off; stored V M SG
// 13100 reserved SOC for backup            U16    1 %       0..100; stored            V M E SG
// 33047 max charging power                 U16    0.01 kW   1..BDC rated              V M E SG TF
// 33048 max discharging power              U16    0.01 kW   1..BDC rated              V M E SG TF
// 33148 charging/discharging power, wide   U16    0.01 kW   the same power as 13052   V (one src)
// "(one src)": only [V] gives it; "(sign: X)": only X gives the sign. Word order: [V] states it
// for every U32/S32; [M] ("swap: word"), [E] ("int32s"), [TF] ("S32LE") decode it so; negative
// values sign-extend into the second (high) word.
//
// Battery sign, where the sources disagree:
// - 5214-5215 (S32, [V] since V1.1.0, "recommended instead of 13022") and 5631 (S16): [V] gives
//   no sign; [M] reads 5214 as + = discharge, - = charge ([I] PowerSync #55 follows [M]). This
//   device uses that sign for both (5631's sign from [E]'s "bc < 0" = charging).
// - 13021/13022: [V] prints U16 for both ("The data type for SH3.0-6.0RS and SH8.0-10RS is
//   S16"). On SH-RT firmware before late 2024 they were magnitudes, the direction only in the
//   power flow bits of 13001 ([M]'s comment, [E] until #18473, [TF] "sign depends on running
//   state"); from the SH-RT firmware of November 2024 on (and on SH-RS units, [SG] #58) 13022 is
//   signed, - = charging ([M] #406, #474; [E]'s script negates a positive value only when the
//   bit or the current says charging). [M]'s own yaml comment says the opposite ("new firmware:
//   positive if charging"), contradicted by its issues and its 5214 sign. Both are modelled:
//   `SungrowOptions::legacy_battery_sign` (bess-sim --sungrow-variant rt_legacy) serves
//   magnitudes on an SH-RT, the default serves the signed firmware; an SH-RS is always signed.
// - The power flow bits are always kept true ([E] #18284 reports a firmware that stopped
//   updating them; not modelled).
//
// EMS modes (13050, [V] Appendix 6; 1 and 5..7 are not listed and are refused):
// - 0 self-consumption: the inverter's own regulation (battery = PV - load), within 33047/33048
//   and the SOC window; 13051/13052 are stored and ignored.
// - 2 compulsory ("forced" in older [V] and in [M], [E]): 0xAA charges, 0xBB discharges at
//   13052 W, 0xCC holds the battery at 0 W ([V] 3.2.1 "The battery does not output power and
//   is in the stopped state"; [M]'s "Battery Bypass Mode" scene). The power is capped by the
//   rating, 33047/33048 ([V] 3.2.2) and the BMS (the world); charging stops at max SOC 13058,
//   discharging at min SOC 13059 ([V] 3.2.2 note 1). No timeout: [V] documents none for this
//   mode, [TF] "Sungrow has no watchdog", [E] writes it once per change. It holds until the next
//   write, however long the controller is gone.
// - 3 external EMS, 4 VPP ("The same as External EMS mode", [V] V1.1.9): 13051/13052 as in mode
//   2 ([SG] #153 charged so in mode 3), with the heartbeat: 13080 counts down once a second
//   while the mode is 3 or 4 (its read-back shows the seconds left, [I] #377); a write to 13080
//   restarts it from the value written ([V]: "set the value to 20 every 10 seconds"); at 0
//   13050 becomes 0 (self-consumption) and 13080 reads 0 ([I] #377, [I] #721, [V] V1.1.9:
//   "the inverter returns to self-consumption mode"). [V] V1.0.23 says instead "If no heartbeat
//   update when timeout, PCS will stop running"; the later text and the observations are
//   modelled. Only a write to 13080 is a heartbeat here (no source says that other writes or
//   reads count: the worst case for a controller that only rewrites its command). Entering mode
//   3 or 4 starts the countdown from what 13080 holds (20 s at power-on; 0 after an expiry, so a
//   controller that rewrites 13050 = 3 without a heartbeat falls back at the next step). 13051
//   and 13052 keep their values after an expiry (no source; [E]'s iHM pull request #33575 saw
//   the iHM, a different device, set 0xCC): the worst case, a later 13050 = 2 brings the old
//   command back.
//
// Writes, and what this device does where the sources stop:
// - FC06 and FC16 both work ([V] lists 0x03/0x06/0x10 and shows both in its examples; [M] and
//   [E] write with FC06, [TF] with FC16), also FC16 across 13050..13052.
// - A value outside a register's range (the lists and ranges above) is answered with exception
//   04 (SERVER DEVICE FAILURE) and nothing of that request is stored: [E] #25756/#26337 saw 04
//   for a too high 33048; no source gives the code for the other registers, 04 is this
//   device's choice for all of them. 33047/33048 take 1..BDC rated (in 0.01 kW; 0 refused as
//   [E]'s and [TF]'s "minimum 1" suggest), 13052 0..BDC rated in W ([V] "0-100% of BDC rated
//   power", W on the SH-RT: [M], [SG] #153), 13080 0..1000 ([V] V1.1.9; older versions 1..1000).
// - Persistence: no source says what a power cycle keeps. Every holding register here is kept
//   (the worst case: a forced charge or discharge comes back with no controller); the heartbeat
//   countdown goes on from what it had left.
// - Every accepted write to a control register is counted (status "register_writes"), and those
//   that rewrote the value in effect ("unchanged_writes"): no source gives the endurance of the
//   memory these settings live in.
// - Not modelled: the WiNet-S dongle ([V]: RW registers "do not support frequent periodic
//   reading and setting" through it; [E]/[M]: some registers missing or slower there; this is
//   the inverter's own LAN port), the feed-in limitation's effect (13074/13087 stored only; the
//   world has no export limit), the forced-charging schedule 33208.., the RS485 minimum request
//   period of 1 s, [TF]'s 33047/33048 read-back quirk (they read back what was written here).

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
namespace sungrow {  // a namespace of its own: unity builds merge the devices' anonymous ones

/// The wire address of Sungrow's register number `n`.
constexpr std::uint16_t reg(int n) {
  return static_cast<std::uint16_t>(n - 1);
}

// Holding registers, by Sungrow's numbers.
constexpr int kStartStop = 13000;
constexpr int kEmsMode = 13050;
constexpr int kCommand = 13051;
constexpr int kPower = 13052;
constexpr int kMaxSoc = 13058;
constexpr int kMinSoc = 13059;
constexpr int kFeedInValue = 13074;
constexpr int kHeartbeat = 13080;
constexpr int kFeedInLimit = 13087;
constexpr int kBackupSoc = 13100;
constexpr int kMaxCharge = 33047;
constexpr int kMaxDischarge = 33048;
constexpr int kPowerWide = 33148;

constexpr std::uint16_t kStart = 0xCF;
constexpr std::uint16_t kStop = 0xCE;
constexpr std::uint16_t kSelfConsumption = 0;
constexpr std::uint16_t kCompulsory = 2;
constexpr std::uint16_t kExternalEms = 3;
constexpr std::uint16_t kVpp = 4;
constexpr std::uint16_t kCharge = 0xAA;
constexpr std::uint16_t kDischarge = 0xBB;
constexpr std::uint16_t kHold = 0xCC;
constexpr std::uint16_t kEnable = 0xAA;
constexpr std::uint16_t kDisable = 0x55;
constexpr std::uint16_t kDefaultHeartbeatS = 20;
constexpr std::uint16_t kMaxHeartbeatS = 1000;

constexpr std::uint8_t kServerDeviceFailure = 0x04;

constexpr double kPvStringV = 360.0;  // a fixed MPP voltage for both strings
constexpr double kGridV = 230.0;
constexpr std::uint16_t kUnavailable16 = 0xFFFF;  // [V]: an unavailable U16
constexpr std::uint16_t kUnavailableS16 = 0x7FFF;

// The control registers whose writes are counted, in status order.
constexpr int kCounted[] = {kStartStop, kEmsMode,   kCommand,   kPower,        kMaxSoc,
                            kMinSoc,    kHeartbeat, kMaxCharge, kMaxDischarge, kPowerWide};

const char* mode_name(std::uint16_t m) {
  switch (m) {
    case kSelfConsumption:
      return "self_consumption";
    case kCompulsory:
      return "compulsory";
    case kExternalEms:
      return "external_ems";
    case kVpp:
      return "vpp";
    default:
      return "?";
  }
}

const char* command_name(std::uint16_t c) {
  switch (c) {
    case kCharge:
      return "charge";
    case kDischarge:
      return "discharge";
    case kHold:
      return "stop";
    default:
      return "?";
  }
}

/// A run of registers numbered from `first` (Sungrow's numbers), 32-bit values low word first.
// Addressed by Sungrow's register numbers (reg() turns them into addresses); 32-bit values low
// word first, ASCII padded with NUL ([V] 4.7: the first character in the high byte).
class Block {
 public:
  Block(int first, int last)
      : image_(reg(first), static_cast<std::size_t>(last - first + 1),
               RegisterImage::WordOrder::low_first, '\0') {}
  void raw(int n, std::uint16_t v) { image_.raw(reg(n), v); }
  void u16(int n, double v) { image_.u16(reg(n), v); }
  void s16(int n, double v) { image_.s16(reg(n), v); }
  void u32(int n, double v) { image_.u32(reg(n), v); }
  void s32(int n, double v) { image_.s32(reg(n), v); }
  void ascii(int n, const std::string& s, int n_words) {
    image_.ascii(reg(n), s, static_cast<std::size_t>(n_words));
  }
  std::uint16_t base() const { return image_.base(); }
  const std::vector<std::uint16_t>& regs() const { return image_.regs(); }

 private:
  RegisterImage image_;
};

/// [V] Appendix 1, by the rating: SH5.0RT..SH10RT, or SH3.0RS..SH6.0RS.
std::pair<std::uint16_t, const char*> model_of(double rated_w, bool single_phase) {
  const long kw10 = std::lround(rated_w / 100.0);  // 0.1 kW
  if (single_phase) {
    if (kw10 <= 30) return {0xD17, "SH3.0RS"};
    if (kw10 <= 36) return {0xD0D, "SH3.6RS"};
    if (kw10 <= 40) return {0xD18, "SH4.0RS"};
    if (kw10 <= 50) return {0xD0F, "SH5.0RS"};
    return {0xD10, "SH6.0RS"};
  }
  if (kw10 <= 50) return {0xE00, "SH5.0RT"};
  if (kw10 <= 60) return {0xE01, "SH6.0RT"};
  if (kw10 <= 80) return {0xE02, "SH8.0RT"};
  return {0xE03, "SH10RT"};
}

class SungrowDevice final : public InverterDevice {
 public:
  SungrowDevice(std::uint8_t unit, const SimWorld& world, std::function<std::int64_t()> now_ms,
                SungrowOptions options)
      : InverterDevice(unit),
        rated_w_(world.inverter().params().rated_power_w),
        bdc_centi_kw_(
            static_cast<std::uint16_t>(std::clamp(std::lround(rated_w_ / 10.0), 1L, 65535L))),
        options_(options),
        now_ms_(now_ms ? std::move(now_ms) : std::function<std::int64_t()>(steady_ms)) {
    max_charge_ = bdc_centi_kw_;
    max_discharge_ = bdc_centi_kw_;
  }

  void initialise() override {
    put_settings();
    set(reg(kFeedInValue), {words::u16(rated_w_)});
    set(reg(kFeedInLimit), {kDisable});
    set(reg(kBackupSoc), {0});
    for (auto* s : servers_) s->save_power_on_image();
    hb_armed_ms_ = now_ms_();
  }

  void refresh(const SimWorld& w) override {
    const auto rd = w.readings();
    const auto& pack = w.pack();
    const auto report = w.bms_report();
    const auto& e = w.energy();
    const bool rs = options_.single_phase;
    const std::uint16_t type_code = model_of(rated_w_, rs).first;
    // Sungrow's signs: the battery port as the inverter measures it, + = discharging; export
    // power + = export; the meter + = import; the AC output + = out.
    const double bat_w = -rd.battery_power_w;
    const double v = pack.voltage_v();
    const double bat_a = v > 1.0 ? bat_w / v : 0.0;
    last_battery_w_ = rd.battery_power_w;
    const double pv_w[2] = {0.6 * rd.pv_w, 0.4 * rd.pv_w};

    Block info(4990, 5050);
    info.ascii(4990, serial_number(), 10);
    info.raw(5000, type_code);
    info.u16(5001, rated_w_ / 100);
    info.u16(5002, rs ? 0 : 1);
    info.u16(5003, (e.pv_kwh + e.battery_discharged_kwh) * 10);
    info.u32(5004, (e.pv_kwh + e.battery_discharged_kwh) * 10);
    info.s16(5008, 350);  // 35.0 °C inside
    for (int k = 0; k < 2; ++k) {
      const double vs = pv_w[k] > 1.0 ? kPvStringV : 0.0;
      info.u16(5011 + 2 * k, vs * 10);
      info.u16(5012 + 2 * k, vs > 0 ? pv_w[k] / vs * 10 : 0.0);
    }
    info.raw(5015, kUnavailable16);  // MPPT 3: two MPPTs on these models
    info.raw(5016, kUnavailable16);
    info.u32(5017, rd.pv_w);
    info.u16(5019, kGridV * 10);
    info.raw(5020, rs ? kUnavailable16 : words::u16(kGridV * 10));
    info.raw(5021, rs ? kUnavailable16 : words::u16(kGridV * 10));
    info.s32(5033, 0);
    info.s16(5035, 1000);
    info.u16(5036, 500);  // 50.0 Hz
    set_input(info);

    Block mppt4(5115, 5116);
    mppt4.raw(5115, kUnavailable16);
    mppt4.raw(5116, kUnavailable16);
    set_input(mppt4);

    Block bat(5214, 5242);
    bat.s32(5214, bat_w);
    bat.u16(5242, 5000);  // 50.00 Hz
    set_input(bat);

    Block meter(5601, 5640);
    meter.s32(5601, rd.grid_power_w);
    for (int ph = 0; ph < 3; ++ph) {
      if (rs && ph > 0) {
        meter.raw(5603 + 2 * ph, 0xFFFF);  // [V]: invalid for a single-phase meter: 0x7FFFFFFF
        meter.raw(5604 + 2 * ph, 0x7FFF);
      } else {
        meter.s32(5603 + 2 * ph, rs ? rd.grid_power_w : rd.grid_power_w / 3);
      }
    }
    meter.u16(5622, 0);
    meter.u16(5623, rated_w_ / 10);
    meter.u16(5628, rated_w_ / 100);
    meter.s16(5631, bat_a * 10);
    meter.u16(5635, report.limits.charge_current_limit_a.value_or(0.0));
    meter.u16(5636, report.limits.discharge_current_limit_a.value_or(0.0));
    set_input(meter);

    Block run(13000, 13047);
    run.raw(13000, running_state());
    run.raw(13001, power_flow(rd));
    run.u16(13002, e.pv_kwh * 10);
    run.u32(13003, e.pv_kwh * 10);
    run.s32(13008, rd.load_w);
    run.s32(13010, -rd.grid_power_w);
    run.u16(13020, v * 10);
    if (options_.legacy_battery_sign && !rs) {
      run.u16(13021, std::fabs(bat_a) * 10);  // magnitudes: the direction is in 13001
      run.u16(13022, std::fabs(bat_w));
    } else {
      run.s16(13021, bat_a * 10);
      run.s16(13022, bat_w);
    }
    run.u16(13023, pack.soc_pct() * 10);
    run.u16(13024, pack.soh_pct() * 10);
    run.s16(13025, pack.temperature_c() * 10);
    run.u16(13026, e.battery_discharged_kwh * 10);
    run.u32(13027, e.battery_discharged_kwh * 10);
    const double phase_a = rd.ac_power_w / (rs ? 1.0 : 3.0) / kGridV;
    run.s16(13031, phase_a * 10);
    run.raw(13032, rs ? kUnavailableS16 : words::s16(phase_a * 10));
    run.raw(13033, rs ? kUnavailableS16 : words::s16(phase_a * 10));
    run.s32(13034, rd.ac_power_w);
    run.u16(13036, e.grid_import_kwh * 10);
    run.u32(13037, e.grid_import_kwh * 10);
    run.u16(13040, e.battery_charged_kwh * 10);
    run.u32(13041, e.battery_charged_kwh * 10);
    run.u16(13045, e.grid_export_kwh * 10);
    run.u32(13046, e.grid_export_kwh * 10);
    set_input(run);
  }

  void apply(SimWorld& w) override {
    run_heartbeat();
    if (!running_) {
      w.command_battery_power(0.0);  // stopped: no battery power
      return;
    }
    const auto rd = w.readings();
    const double soc = w.pack().soc_pct();
    const auto gate = [&](double target) {
      if (target > 0 && soc * 10 >= max_soc_) return 0.0;  // [V] 3.2.2 note 1
      if (target < 0 && soc * 10 <= min_soc_) return 0.0;
      return target;
    };
    const double max_ch = max_charge_ * 10.0;
    const double max_dis = max_discharge_ * 10.0;
    if (mode_ == kSelfConsumption) {
      const double own = rd.pv_w - rd.load_w;
      const double target = gate(std::clamp(own, -max_dis, max_ch));
      if (target == own) {
        w.inverter().release();  // the inverter's own regulation, nothing binds
      } else {
        w.command_battery_power(target);
      }
      return;
    }
    w.command_battery_power(gate(std::clamp(commanded_w(), -rated_w_, rated_w_)));
  }

  void restart(SimWorld& w) override {
    for (auto* s : servers_) s->restart();  // the power-on image, then what is kept
    hb_value_s_ = heartbeat_left_s();
    hb_armed_ms_ = now_ms_();
    put_settings();
    w.inverter().restart();
    ++restarts_;
  }

  nlohmann::json status() const override {
    const auto [lo, hi] = window_w();
    auto writes = nlohmann::json::object();
    auto unchanged = nlohmann::json::object();
    for (const int n : kCounted) {
      const auto key = std::to_string(n);
      const auto it = writes_by_reg_.find(n);
      writes[key] = it == writes_by_reg_.end() ? 0 : it->second;
      const auto u = unchanged_by_reg_.find(n);
      unchanged[key] = u == unchanged_by_reg_.end() ? 0 : u->second;
    }
    return {{"profile", "sungrow_sh"},
            {"model", model_of(rated_w_, options_.single_phase).second},
            {"battery_sign",
             options_.legacy_battery_sign && !options_.single_phase ? "legacy_unsigned" : "signed"},
            {"running", running_},
            {"ems_mode", mode_},
            {"ems_mode_name", mode_name(mode_)},
            {"command", command_},
            {"command_name", command_name(command_)},
            {"power_w", power_w_},
            {"battery_w", last_battery_w_},
            {"window_w", {lo, hi}},
            {"max_charge_w", max_charge_ * 10},
            {"max_discharge_w", max_discharge_ * 10},
            {"max_soc_pct", max_soc_ / 10.0},
            {"min_soc_pct", min_soc_ / 10.0},
            {"heartbeat_s", heartbeat_left_s()},
            {"heartbeat_running", counting()},
            {"heartbeat_expiries", expiries_},
            {"last_expiry_ms", last_expiry_ms_},
            {"register_writes", writes},
            {"unchanged_writes", unchanged},
            {"rejected_writes", rejected_},
            {"rejections_by_code", {{"04", rejected_by_code_[4]}}},
            {"last_rejection", last_rejection_},
            {"writes", writes_},
            {"restarts", restarts_},
            {"last_write_ms", last_write_ms_}};
  }

 protected:
  std::uint8_t refuse_write(std::uint8_t /*function*/, std::uint16_t address,
                            const std::vector<std::uint16_t>& values) const override {
    for (std::size_t i = 0; i < values.size(); ++i) {
      const int n = address + 1 + static_cast<int>(i);
      if (!in_range(n, values[i])) return kServerDeviceFailure;
    }
    return 0;
  }

  void on_refused(std::uint8_t function, std::uint16_t address, std::uint16_t count,
                  std::uint8_t code) override {
    ++rejected_;
    if (code < rejected_by_code_.size()) ++rejected_by_code_[code];
    last_rejection_ = {{"function", function}, {"address", address}, {"register", address + 1},
                       {"count", count},       {"exception", code},  {"at_ms", now_ms_()}};
  }

  void on_write(std::uint16_t address, std::uint16_t count) override {
    // Only values refuse_write() let through arrive here.
    const auto values = get(address, count);
    const std::int64_t now = now_ms_();
    bool control = false;
    for (std::uint16_t i = 0; i < count; ++i) {
      const int n = address + 1 + i;
      const std::uint16_t x = values[i];
      const auto count_write = [&](bool unchanged) {
        ++writes_by_reg_[n];
        if (unchanged) ++unchanged_by_reg_[n];
      };
      switch (n) {
        case kStartStop:
          count_write((x == kStart) == running_);
          running_ = x == kStart;
          control = true;
          break;
        case kEmsMode: {
          count_write(x == mode_);
          const bool was = counting();
          if (was && !(x == kExternalEms || x == kVpp)) hb_value_s_ = heartbeat_left_s();
          mode_ = x;
          if (!was && counting()) hb_armed_ms_ = now;  // the countdown starts from 13080
          if (was && !counting()) set(reg(kHeartbeat), {hb_value_s_});  // and stops there
          control = true;
          break;
        }
        case kCommand:
          count_write(x == command_);
          command_ = x;
          control = true;
          break;
        case kPower:
          count_write(x == power_w_);
          power_w_ = x;
          set(reg(kPowerWide), {words::u16(power_w_ / 10.0)});
          control = true;
          break;
        case kPowerWide:
          count_write(x * 10U == power_w_);
          power_w_ = static_cast<std::uint16_t>(std::min(65535U, x * 10U));
          set(reg(kPower), {power_w_});
          control = true;
          break;
        case kMaxSoc:
          count_write(x == max_soc_);
          max_soc_ = x;
          control = true;
          break;
        case kMinSoc:
          count_write(x == min_soc_);
          min_soc_ = x;
          control = true;
          break;
        case kMaxCharge:
          count_write(x == max_charge_);
          max_charge_ = x;
          control = true;
          break;
        case kMaxDischarge:
          count_write(x == max_discharge_);
          max_discharge_ = x;
          control = true;
          break;
        case kHeartbeat:
          count_write(x == heartbeat_left_s());
          hb_value_s_ = x;  // a heartbeat: the countdown restarts from what was written
          hb_armed_ms_ = now;
          break;
        default:
          break;  // other settings: stored, no effect here
      }
    }
    last_write_ms_ = now;
    if (!control) return;
    const auto [lo, hi] = window_w();
    record({now, lo, hi, address});
  }

 private:
  /// The holding registers a power cycle keeps, from the device's state.
  void put_settings() {
    set(reg(kStartStop), {running_ ? kStart : kStop});
    set(reg(kEmsMode), {mode_, command_, power_w_});
    set(reg(kMaxSoc), {max_soc_, min_soc_});
    set(reg(kHeartbeat), {heartbeat_left_s()});
    set(reg(kMaxCharge), {max_charge_, max_discharge_});
    set(reg(kPowerWide), {words::u16(power_w_ / 10.0)});
  }

  /// A register's value range (see the top of this file); true for registers without one.
  bool in_range(int n, std::uint16_t x) const {
    switch (n) {
      case kStartStop:
        return x == kStart || x == kStop;
      case kEmsMode:
        return x == kSelfConsumption || x == kCompulsory || x == kExternalEms || x == kVpp;
      case kCommand:
        return x == kCharge || x == kDischarge || x == kHold;
      case kPower:
        return x <= bdc_centi_kw_ * 10L;
      case kPowerWide:
        return x <= bdc_centi_kw_;
      case kMaxSoc:
        return x >= 500 && x <= 1000;
      case kMinSoc:
        return x <= 500;
      case kHeartbeat:
        return x <= kMaxHeartbeatS;
      case kFeedInLimit:
        return x == kEnable || x == kDisable;
      case kBackupSoc:
        return x <= 100;
      case kMaxCharge:
      case kMaxDischarge:
        return x >= 1 && x <= bdc_centi_kw_;
      default:
        return true;
    }
  }

  bool counting() const { return mode_ == kExternalEms || mode_ == kVpp; }

  /// Whole seconds left on the heartbeat (what 13080 reads), or its value when not counting.
  std::uint16_t heartbeat_left_s() const {
    if (!counting()) return hb_value_s_;
    const std::int64_t left_ms = std::int64_t{hb_value_s_} * 1000 - (now_ms_() - hb_armed_ms_);
    return static_cast<std::uint16_t>(std::max<std::int64_t>(0, (left_ms + 999) / 1000));
  }

  void run_heartbeat() {
    if (!counting()) return;
    const std::uint16_t left = heartbeat_left_s();
    if (left > 0) {
      set(reg(kHeartbeat), {left});
      return;
    }
    // Expired: back to self-consumption, 13050 and 13080 read 0 ([I] #377).
    mode_ = kSelfConsumption;
    hb_value_s_ = 0;
    ++expiries_;
    last_expiry_ms_ = now_ms_();
    set(reg(kEmsMode), {mode_});
    set(reg(kHeartbeat), {0});
  }

  /// The battery power (+ = charge) that 13051/13052 ask for in modes 2..4, before the SOC
  /// window and the BMS.
  double commanded_w() const {
    const double p = std::min(static_cast<double>(power_w_), rated_w_);
    switch (command_) {
      case kCharge:
        return std::min(p, max_charge_ * 10.0);
      case kDischarge:
        return -std::min(p, max_discharge_ * 10.0);
      default:
        return 0.0;
    }
  }

  /// The battery powers (+ = charge) the device now allows, for the write history.
  std::pair<double, double> window_w() const {
    if (!running_) return {0.0, 0.0};
    if (mode_ == kSelfConsumption)
      return {-std::min(max_discharge_ * 10.0, rated_w_), std::min(max_charge_ * 10.0, rated_w_)};
    const double b = std::clamp(commanded_w(), -rated_w_, rated_w_);
    return {b, b};
  }

  std::uint16_t running_state() const {
    // [V] Appendix 2.
    if (!running_) return 0x8000;  // stop
    if (mode_ == kCompulsory) return 0x0800;
    if (counting()) return 0x4000;  // running in external EMS mode
    return 0x0040;                  // running
  }

  static std::uint16_t power_flow(const SiteReadings& rd) {
    // [V] Appendix 3; a bit is set when the power its register shows is not 0 W.
    std::uint16_t bits = 0;
    const auto on = [](double w) { return std::lround(w) >= 1; };
    if (on(rd.pv_w)) bits |= 1U << 0;
    if (on(rd.battery_power_w)) bits |= 1U << 1;
    if (on(-rd.battery_power_w)) bits |= 1U << 2;
    if (on(rd.load_w)) bits |= 1U << 3;
    if (on(-rd.grid_power_w)) bits |= 1U << 4;
    if (on(rd.grid_power_w)) bits |= 1U << 5;
    return bits;
  }

  void set_input(const Block& b) {
    for (auto* s : servers_) s->set_input(unit_, b.base(), b.regs());
  }

  /// Eleven characters as on the captured ones ("A2350415770"), then 0x00.
  static std::string serial_number() { return "A26SIM00001"; }

  double rated_w_;
  std::uint16_t bdc_centi_kw_;  // BDC rated power in 0.01 kW: the bound of 33047/33048
  SungrowOptions options_;
  std::function<std::int64_t()> now_ms_;
  bool running_{true};
  std::uint16_t mode_{kSelfConsumption};
  std::uint16_t command_{kHold};
  std::uint16_t power_w_{1000};  // [V] V1.0.23: "Default: 1000W" (the RS models)
  std::uint16_t max_soc_{1000};  // 100.0 %
  std::uint16_t min_soc_{50};    // 5.0 %
  std::uint16_t max_charge_{0};  // 0.01 kW
  std::uint16_t max_discharge_{0};
  std::uint16_t hb_value_s_{kDefaultHeartbeatS};
  std::int64_t hb_armed_ms_{0};
  std::size_t expiries_{0};
  std::int64_t last_expiry_ms_{0};
  double last_battery_w_{0.0};
  std::map<int, std::size_t> writes_by_reg_;
  std::map<int, std::size_t> unchanged_by_reg_;
  std::size_t rejected_{0};
  std::array<std::size_t, 5> rejected_by_code_{};
  nlohmann::json last_rejection_;
  std::size_t restarts_{0};
  std::int64_t last_write_ms_{0};
};

}  // namespace sungrow
}  // namespace

std::unique_ptr<InverterDevice> make_sungrow_device(std::uint8_t unit, const SimWorld& world,
                                                    std::function<std::int64_t()> now_ms,
                                                    SungrowOptions options) {
  return std::make_unique<sungrow::SungrowDevice>(unit, world, std::move(now_ms), options);
}

}  // namespace bessd::sim
