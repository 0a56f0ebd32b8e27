// A SolaX X1/X3-Hybrid Gen4 (and Gen5) inverter as SolaX's own Modbus map presents it, with the
// "remote control" (VPP) block at 0x7C taken as "Mode 1: active power control". Unit 1, 32-bit
// values low word first ("little endian" in SolaX's words), SolaX's signs on the wire: battery
// + = charge, feed-in + = export, inverter AC power + = output. Written from the public sources
// below, independently of bessd's own SolaX profile (a wrong register in either shows when the
// two meet).
//
// Sources (as fetched in December 2026):
//   [V21] SolaX "Hybrid X1&X3-G4 ModbusTCP&RTU V3.21" (2022-06, public version), the PDF that
//         wills106/homeassistant-solax-modbus kept in docs/ (commit 19bd265): the FC03 read map,
//         the FC04 input map with the remote-control read-back at 0x0100..0x0120, the FC06 write
//         map (0x0000 UnlockPassword, 0x001F SolarChargerUseMode, 0x0020 Manual mode), slave id
//         "Inverter default 0x01", "32bit data use little endian format", the EEPROM notice
//         ("some registers will be written in EEPROM ... marked with ★"; the public version
//         prints no ★ marks). It does not list the FC16 block at 0x7C (its history: VPP
//         registers added in V3.04, removed again in V3.05).
//   [V34] a Markdown transcription of SolaX "Hybrid X1.X3-G4 ModbusTCP.RTU V3.34" (2024-03)
//         found in the public code index (its repository was not identified): the FC16 block
//         0x7C..0x8A as V3.33 revised it, the "EE" column with ★ per FC06 register, the read-back
//         of SolarChargerUseMode at FC03 0x008B (0..5), the FC06 map where 0x7C..0x8B are
//         power-factor settings (★), the example serial "H47522ZHENGWEN".
//   [KB]  SolaX knowledge base, "SolaX_VPP function Definition of ESS" (kb.solaxpower.com
//         solution 2c9fa4148ecd09eb018edf67a87b01d2; only its first part was readable): unlock
//         with FC06 0x0000 = 2014 before any parameter write, unlocked "unless an invalid
//         password is written again or the system is rebooted", lock state at FC04 0x0054; the
//         block 0x7C..0x8A is written with FC16, "for mode 1-7 ... it is necessary to fill values
//         for all registers in this mode" (0x7C..0x88 for modes 1-3, 0x7C..0x8A for 4-7), "the
//         feature to fill only the required registers is not supported yet"; 0x7E (LSB) / 0x7F
//         (MSB) active power "Positive means charge; Negative means discharge (for mode 1:
//         active power control)"; mode 1 "controls the active and reactive power at the AC port".
//   [P]   wills106/homeassistant-solax-modbus: custom_components/solax_modbus/plugin_solax.py
//         (input map, order32 "little", the 13-word mode-1 payload of
//         autorepeat_function_remotecontrol_recompute, lock_state 0/2014/6868, serial prefixes
//         such as "H450" = Gen4 X1 5 kW), the plugin's pages solax-mode1-modbus-power-control
//         (the meaning of active power, the duration, "not stored in EEPROM"), solax-direct-vpp
//         ("complete FC16 commands for modes 1-7") and solax-mode8-modbus-power-control
//         (RemoteCtrlTimeOut: "unclear how to use this"),
//         issues #2322 (partial FC16 writes to the VPP blocks answered 0x90 exception 03 on an
//         X3-Hybrid G4), #2302 (a one-register FC16 write at 0x7C answered exception 04 on an
//         X1-G4), #1429 (mode 1 "exits after 20 sec or so": the default duration running out).
//   [E]   evcc-io/evcc templates/definition/meter/solax.yaml: 0x0046 int32s (low word first)
//         with scale -1, 0x004A uint32s, 0x000A/0x000B PV, 0x0016 int16 with scale -1, 0x001C
//         SOC, 0x001F and 0x0020 written with FC06 (and no unlock).
//   [T]   tobiasfaust/SolaxModbusGateway issue #4: writes answered "abnormal code 4" until the
//         inverter was unlocked.
//
// FC04 input registers (read-only)        type  words     sign on the wire       scale   sources
// 0x0000 grid (AC port) voltage, X1       U16   1         -                      0.1 V   V21 P
// 0x0001 AC port current, X1              S16   1         + = output             0.1 A   V21
// 0x0002 inverter power ("GridPower"), X1 S16   1         + = AC output          1 W     V21 P
// 0x0003/0x0004 PV1/PV2 voltage           U16   1         -                      0.1 V   V21 P
// 0x0005/0x0006 PV1/PV2 current           U16   1         -                      0.1 A   V21 P
// 0x0009 run mode                         U16   1         2 = normal             -       V21 V34
// 0x000A/0x000B PV1/PV2 power             U16   1         -                      1 W     V21 P E
// 0x0014 battery voltage                  S16   1         -                      0.1 V   V21 P
// 0x0015 battery current                  S16   1         + = charge             0.1 A   V21 P
// 0x0016 battery power                    S16   1         + = charge             1 W     V21 P E
// 0x0019 BDC status                       U16   1         0 disch., 1 ch., 2 stop -      V21
// 0x001C battery SOC                      U16   1         -                      1 %     V21 P E
// 0x001D/0x0021 battery out/in energy     U32   2 lo-hi   -                      0.1 kWh V21
// 0x0024/0x0025 BMS charge/disch. max     U16   1         -                      0.1 A   V21
// 0x0046 feed-in power (meter)            S32   2 lo-hi   + = export             1 W     V21 P E
// 0x0048/0x004A feed-in/consumed energy   U32   2 lo-hi   -                      0.01kWh V21 E(4A)
// 0x0052 AC port energy out               U32   2 lo-hi   -                      0.1 kWh V21
// 0x0054 lock state                       U16   1         0 locked, 1 unlocked   -       V21 KB P
// 0x0094 PV energy total                  U32   2 lo-hi   -                      0.1 kWh V21 E
// 0x00B8 meter 1 communication            U16   1         1 = normal             -       V21
// 0x00BE/0x00BF BMS user SOC/SOH          U16   1         -                      1 %     V21
// 0x0100 ModbusPowerControl (read-back)   U16   1         mode in force, 0 = off -       V21 P
// 0x0101 TargetFinishFlag                 U16   1         0 running, 1 finished  -       V21 (1)
// 0x0102 active power target              S32   2 lo-hi   + = charge             1 W     V21 P
// 0x0104 reactive power target            S32   2 lo-hi   + = inductive          1 var   V21
// 0x0106 active power real                S32   2 lo-hi   + = into the AC port   1 W     V21 P (1)
// 0x010A/0x010C active power upper/lower  S32   2 lo-hi   ± rated                1 W     V21 P
// 0x011A Time_of_Duration (as written)    U16   1         -                      1 s     V21 (1)
// 0x011E RemoteCtrlTimeOut (as written)   U16   1         -                      1 s     V21 (1)
// FC03 holding registers (the read map)
// 0x0000 serial number (14 chars)         STR   7         high byte first        -       V21 V34 P
// 0x007D..0x0084 firmware versions        U16   1 each    -                      -       V21 P
// 0x008B SolarChargerUseMode (read-back)  U16   1         0..5                   -       V21 V34 P
// 0x008C manual mode (read-back)          U16   1         0 stop,1 ch.,2 disch.  -       V21 V34
// 0x00AF Modbus RTU address               U16   1         -                      -       V21 (1)
// FC06 writes
// 0x0000 UnlockPassword                   U16   1         2014 (6868 advanced)   -       V21 KB P
// 0x001F SolarChargerUseMode  ★ EEPROM    U16   1         0 self use, 1 feed-in, 2 backup,
//                                                         3 manual, 4 peak shaving, 5 TOU
//                                                                                        V21 V34 E
// 0x0020 manual mode (no ★ in V34)        U16   1         0 stop,1 ch.,2 disch.  -       V21 V34 E
// 0x0042 export control user limit ★      U16   1         -                      1 W     V34 P
// FC16 remote control block (written whole, see below)
// 0x007C ModbusPowerControl               U16   1         0 off, 1 power control, 2..7   KB V34 P
// 0x007D TargetSetType                    U16   1         1 set, 2 update        -       KB V34 P
// 0x007E active power                     S32   2 lo-hi   + = charge             1 W     KB V34 P
// 0x0080 reactive power                   S32   2 lo-hi   + = inductive          1 var   KB V34 P
// 0x0082 Time_of_Duration                 U16   1         -                      1 s     KB V34 P
// 0x0083 target SOC (mode 3)              U16   1         -                      1 %     V34 P
// 0x0084 target energy (mode 2)           U32   2 lo-hi   -                      1 Wh    V34 P
// 0x0086 charge/discharge power (2/3)     S32   2 lo-hi   + = charge             1 W     V34 P
// 0x0088 RemoteCtrlTimeOut                U16   1         -                      1 s     V34 P
// 0x0089 push mode power (modes 4-7)      S32   2 lo-hi   + = discharge (!)      1 W     V34 P
// (1) one source only. Word order: [V21] and [V34] state it for the whole map, [KB] and [V34] per
// register for the block (0x7E LSB, 0x7F MSB), [P] decodes everything with order32 "little" and
// [E] with "int32s" (swapped words); negative values sign-extend into the high (second) word.
// Scale notes: the X3's per-phase registers (0x006A..) and the second battery are not served
// (this is an X1, one battery); the PV is split 60/40 over two strings at a fixed 360 V.
//
// Mode 1 (active power control), as [KB] and [P] describe it: the active power P is the power at
// the inverter's AC port, + = into the inverter (charging sense), so the battery gets PV + P
// ([P]: "Activepower = battery(_charge) - PV" = "grid(_import) - house_load"; "when the target is
// set to zero, in the presence of PV, the PV will go to the battery, the house load will come from
// the grid"). P is clamped at the rating (the read-back's upper/lower bounds), the battery at the
// rating and the BMS's limits (the world does the latter). The grid takes the rest. The reactive
// power is stored and read back, not simulated. Modes 2..7 are accepted as the block rule says
// but not simulated: the inverter keeps its own work mode and status counts them
// ("unmodelled_mode_writes"). Mode 0 ends remote control at once.
//
// Duration: each accepted mode-1 block (Set or Update: [P] "Only Set has been tested and seems
// to work for updates also"; no source says how Update differs for mode 1) runs for
// Time_of_Duration seconds from its arrival on the device's clock; when it runs out without a
// new block the inverter returns to its own work mode ([P]: "When the duration has expired ...
// the system will use the normal use mode and disregard the remotecontrol settings"; #1429's 20
// s exit) and the read-back 0x0100 shows 0. A duration of 0 ends it at the next step.
// RemoteCtrlTimeOut is stored and read back only: no source says what it does ([P]: "unclear
// how to use this").
//
// The block write: SolaX's FC16 map and FC06 map differ. The block is taken only as one FC16
// write from 0x7C covering the mode's registers (13 words for modes 1-3, 15 for 4-7) [KB]. A
// shorter FC16 write, or one starting inside the block, is refused with exception 03 (ILLEGAL
// DATA VALUE) and has no effect: [KB] says filling only some registers "is not supported yet",
// and #2322 shows exception 03 for partial FC16 writes to the VPP blocks (#2302 saw exception 04
// for a one-word write at 0x7C on another firmware, and its reporter says the change was made
// anyway: the sources contradict, the refusal is modelled). One exception: a write of mode 0
// (disable) is taken at any length, since [KB]'s rule names modes 1-7 only and [P]'s own
// autorepeat ends with a one-word FC16 "Disabled" write. TargetSetType other than 1 or 2 and
// modes above 7 are refused with 03 as well (no source: chosen so that a zeroed or shifted field
// shows). An FC06 write into 0x7C..0x8A is not remote control at all: in the FC06 map [V34] these
// addresses are power-factor settings marked ★ (EEPROM); this device acknowledges it, does not
// model the power-factor settings, starts or stops nothing, and counts it both as
// "fc06_block_writes" and as an EEPROM write.
//
// Reading back: the FC03 read map is not the write map either ([V21], [V34]): reading holding
// 0x7C..0x8A returns firmware and clock words, holding 0x1F a grid-protection value. After every
// write this device puts its read image back over the written range, so a controller that
// checks its write by reading the same address sees the difference; the read-backs of the
// remote control are the FC04 registers 0x0100.. and of the work mode FC03 0x8B/0x8C.
//
// Unlock [KB][T]: every write other than FC06 0x0000 is refused with exception 04 (SERVER DEVICE
// FAILURE, [T]'s "abnormal code 4") until 2014 (or 6868, [P]'s "Unlocked - Advanced") is written
// to 0x0000; any other value there locks again, and so does a restart [KB]. [E] writes 0x001F
// and 0x0020 without unlocking: the sources disagree; the lock is modelled because [KB], the
// vendor's own text, requires it.
//
// Persistence: the remote-control block is volatile ([P]: "not stored in EEPROM"): a restart
// ends it. SolarChargerUseMode (0x1F) is ★ EEPROM [V34] ([P]: "Normal power controls are
// written to EEPROM"): it survives a restart, and every write is counted in
// status "eeprom_writes" (also 0x0042 and FC06 0x7C..0x8A, both ★ in [V34]). The manual mode
// (0x20) has no ★ in [V34]: a restart clears it to 0 (stop). SolarChargerUseMode values above 5
// are refused with exception 03 ([V34]'s range).
//
// The inverter's own work modes, as the world can run them: self use (0), feed-in priority (1),
// back up (2), peak shaving (4) and TOU (5) all run the world's self-use regulation (the world
// has no export limit, no reserve and no schedules: a simplification); manual (3) follows 0x20:
// stop holds the battery at 0 W, force charge charges and force discharge discharges at the
// rating (the real device's rate depends on its battery current settings; not modelled).

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
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
namespace solax {  // a namespace of its own: unity builds merge the devices' anonymous ones

// Write map (FC06 / FC16).
constexpr std::uint16_t kUnlock = 0x0000;
constexpr std::uint16_t kUseMode = 0x001F;
constexpr std::uint16_t kManualMode = 0x0020;
constexpr std::uint16_t kExportLimit = 0x0042;
constexpr std::uint16_t kBlock = 0x007C;
constexpr std::uint16_t kBlockEnd = 0x008A;   // last word of the longest (mode 4-7) block
constexpr std::uint16_t kWordsModes13 = 13;   // 0x7C..0x88
constexpr std::uint16_t kWordsModes47 = 15;   // 0x7C..0x8A
constexpr std::uint16_t kPassword = 2014;     // [KB] default
constexpr std::uint16_t kPasswordAdv = 6868;  // [P] "Unlocked - Advanced"
// Read map (FC03) and input registers (FC04).
constexpr std::uint16_t kReadImageWords = 0x0100;  // FC03 0x0000..0x00FF kept as a read image
constexpr std::uint16_t kUseModeReadBack = 0x008B;
constexpr std::uint16_t kManualReadBack = 0x008C;
constexpr std::uint16_t kLockState = 0x0054;
constexpr std::uint16_t kRemoteReadBack = 0x0100;

constexpr std::uint8_t kIllegalDataValue = 0x03;
constexpr std::uint8_t kServerDeviceFailure = 0x04;

constexpr double kPvStringV = 360.0;
constexpr double kGridV = 230.0;
constexpr double kIdleW = 5.0;  // below this BDC status reads "stop"

const char* remote_mode_name(std::uint16_t m) {
  switch (m) {
    case 0:
      return "disabled";
    case 1:
      return "power_control";
    case 2:
      return "electric_quantity_target";
    case 3:
      return "soc_target";
    case 4:
      return "push_power_positive_negative";
    case 5:
      return "push_power_zero";
    case 6:
      return "self_consume_charge_discharge";
    case 7:
      return "self_consume_charge_only";
    default:
      return "?";
  }
}

const char* use_mode_name(std::uint16_t m) {
  switch (m) {
    case 0:
      return "self_use";
    case 1:
      return "feedin_priority";
    case 2:
      return "back_up";
    case 3:
      return "manual";
    case 4:
      return "peak_shaving";
    case 5:
      return "tou";
    default:
      return "?";
  }
}

const char* lock_name(int level) {
  return level == 0 ? "locked" : (level == 1 ? "unlocked" : "unlocked_advanced");
}

/// A run of registers from `base`, filled by address; 32-bit values low word first.
// 32-bit values low word first ("little endian" in SolaX's words).
struct Block : RegisterImage {
  Block(std::uint16_t first, std::size_t n) : RegisterImage(first, n, WordOrder::low_first) {}
};

/// 14 characters, the prefix the integrations read the model from ([P]: "H43" X1 3/3.7 kW,
/// "H450" X1 5 kW, "H460" 6 kW, "H475" 7.5 kW), then a simulator's number.
std::string serial_number(double rated_w) {
  const long w = std::lround(rated_w);
  const char* prefix = w <= 3700 ? "H437" : (w <= 5000 ? "H450" : (w <= 6000 ? "H460" : "H475"));
  return std::string(prefix) + "2SIM000001";
}

class SolaxDevice final : public InverterDevice {
 public:
  SolaxDevice(std::uint8_t unit, const SimWorld& world, std::function<std::int64_t()> now_ms)
      : InverterDevice(unit),
        rated_w_(world.inverter().params().rated_power_w),
        now_ms_(now_ms ? std::move(now_ms) : std::function<std::int64_t()>(steady_ms)) {}

  void initialise() override {
    Block image(0, kReadImageWords);
    image.ascii(0x0000, serial_number(rated_w_), 7);
    image.ascii(0x0007, "SolaX Power   ", 7);
    image.ascii(0x000E, "bess-sim X1G4 ", 7);
    image.u16(0x0017, 60);    // reconnection time, s
    image.u16(0x0018, 60);    // checking time, s
    image.u16(0x001F, 2530);  // Grid10MinAvgProtect, 253.0 V: what FC03 0x1F really reads
    image.u16(0x0025, 100);   // power limit, %
    image.u16(0x007D, 57);    // DSP 1.57, hardware 1, ARM 1.56, bootloader 15
    image.u16(0x007E, 1);
    image.u16(0x007F, 1);
    image.u16(0x0080, 1);
    image.u16(0x0082, 56);
    image.u16(0x0083, 56);
    image.u16(0x0084, 15);
    image.u16(0x0085, 0);  // RTC: 2026-12-01 12:00:00
    image.u16(0x0087, 12);
    image.u16(0x0088, 1);
    image.u16(0x0089, 12);
    image.u16(0x008A, 26);
    image.u16(0x00AF, unit_);
    image.u16(0x00BA, rated_w_);  // inverter power type ([V34])
    read_image_ = image.regs();
    put_work_mode_read_back();
    set(0, read_image_);
    for (auto* s : servers_) {
      s->set_input(unit_, 0, std::vector<std::uint16_t>(0x0130, 0));
    }
    for (auto* s : servers_) s->save_power_on_image();
  }

  void refresh(const SimWorld& w) override {
    const auto rd = w.readings();
    const auto& pack = w.pack();
    const auto report = w.bms_report();
    const auto& e = w.energy();
    last_pv_w_ = rd.pv_w;
    // SolaX's signs: the battery port + = charge (the inverter's own port: a DC load elsewhere
    // on the bus is not in it), feed-in + = export, the AC port + = output.
    const double bat_w = rd.battery_power_w;
    const double v = pack.voltage_v();
    const double bat_a = v > 1.0 ? bat_w / v : 0.0;
    const double feed_in_w = -rd.grid_power_w;
    const double pv_w[2] = {0.6 * rd.pv_w, 0.4 * rd.pv_w};

    Block in(0, 0x00C0);
    in.u16(0x0000, kGridV * 10);
    in.s16(0x0001, rd.ac_power_w / kGridV * 10);
    in.s16(0x0002, rd.ac_power_w);
    for (int k = 0; k < 2; ++k) {
      const double vs = pv_w[k] > 1.0 ? kPvStringV : 0.0;
      in.u16(static_cast<std::uint16_t>(0x0003 + k), vs * 10);
      in.u16(static_cast<std::uint16_t>(0x0005 + k), vs > 0 ? pv_w[k] / vs * 10 : 0.0);
      in.u16(static_cast<std::uint16_t>(0x000A + k), pv_w[k]);
    }
    in.u16(0x0007, 5000);  // 50.00 Hz
    in.s16(0x0008, 35);    // radiator, °C
    in.u16(0x0009, 2);     // run mode: normal
    in.s16(0x0014, v * 10);
    in.s16(0x0015, bat_a * 10);
    in.s16(0x0016, bat_w);
    in.u16(0x0017, 1);  // BMS connected
    in.s16(0x0018, pack.temperature_c());
    in.u16(0x0019, bat_w > kIdleW ? 1 : (bat_w < -kIdleW ? 0 : 2));
    in.u16(0x001A, 0);  // on grid
    in.u16(0x001B, 2);  // MPPT count
    in.u16(0x001C, pack.soc_pct());
    in.u32(0x001D, e.battery_discharged_kwh * 10);
    in.u32(0x0021, e.battery_charged_kwh * 10);
    in.u16(0x0024, report.limits.charge_current_limit_a.value_or(0.0) * 10);
    in.u16(0x0025, report.limits.discharge_current_limit_a.value_or(0.0) * 10);
    in.s32(0x0046, feed_in_w);
    in.u32(0x0048, e.grid_export_kwh * 100);
    in.u32(0x004A, e.grid_import_kwh * 100);
    in.u32(0x0052, e.pv_kwh * 10);  // AC port energy out: the PV's, near enough
    in.u16(kLockState, lock_level_.load());
    in.u32(0x0094, e.pv_kwh * 10);
    in.u16(0x00B8, 1);  // meter 1 communicating
    in.u16(0x00BE, pack.soc_pct());
    in.u16(0x00BF, pack.soh_pct());
    for (auto* s : servers_) s->set_input(unit_, in.base(), in.regs());

    const bool on = remote_on();
    Block rc(kRemoteReadBack, 0x21);
    rc.u16(0x0100, on ? remote_.mode : 0);
    rc.u16(0x0101, on ? 0 : 1);
    rc.s32(0x0102, remote_.active_w);
    rc.s32(0x0104, remote_.reactive_var);
    rc.s32(0x0106, -rd.ac_power_w);  // + = into the AC port, the active power's own sense
    rc.s32(0x010A, rated_w_);
    rc.s32(0x010C, -rated_w_);
    rc.s32(0x010E, 0.6 * rated_w_);  // no source gives the reactive range: ±60 % of the rating
    rc.s32(0x0110, -0.6 * rated_w_);
    rc.u16(0x011A, remote_.duration_s);
    rc.u16(0x011E, remote_.timeout_s);
    for (auto* s : servers_) s->set_input(unit_, rc.base(), rc.regs());
  }

  void apply(SimWorld& w) override {
    const std::int64_t now = now_ms_();
    if (remote_.running && now >= remote_.end_ms) {
      remote_.running = false;  // the duration ran out: back to the work mode
      ++expiries_;
    }
    if (remote_on() && remote_.mode == 1) {
      const double p = std::clamp(static_cast<double>(remote_.active_w), -rated_w_, rated_w_);
      w.command_battery_power(std::clamp(w.readings().pv_w + p, -rated_w_, rated_w_));
      return;
    }
    if (use_mode_ == 3) {  // manual
      w.command_battery_power(manual_mode_ == 1 ? rated_w_ : (manual_mode_ == 2 ? -rated_w_ : 0.0));
      return;
    }
    w.inverter().release();
  }

  void restart(SimWorld& w) override {
    for (auto* s : servers_) s->restart();
    remote_ = {};          // volatile ([P])
    lock_level_.store(0);  // "or the system is rebooted" ([KB])
    manual_mode_ = 0;      // no ★ in [V34]
    put_work_mode_read_back();
    set(0, read_image_);  // the stored work mode comes back with the power
    w.inverter().restart();
    ++restarts_;
  }

  nlohmann::json status() const override {
    const bool on = remote_on();
    const std::int64_t left_ms = on ? std::max<std::int64_t>(0, remote_.end_ms - now_ms_()) : 0;
    auto eeprom = nlohmann::json::object();
    for (const auto& [name, n] : eeprom_writes_) eeprom[name] = n;
    return {{"profile", "solax_gen4"},
            {"remote_mode", on ? remote_.mode : 0},
            {"remote_mode_name", remote_mode_name(on ? remote_.mode : 0)},
            {"active_power_w", on ? remote_.active_w : 0},
            {"reactive_power_var", on ? remote_.reactive_var : 0},
            {"target_set_type", remote_.set_type},
            {"duration_s", remote_.duration_s},
            {"duration_left_s", static_cast<double>(left_ms) / 1000.0},
            {"timeout_s", remote_.timeout_s},
            {"work_mode", use_mode_},
            {"work_mode_name", use_mode_name(use_mode_)},
            {"manual_mode", manual_mode_},
            {"lock", lock_name(lock_level_.load())},
            {"writes", writes_},
            {"block_writes", block_writes_},
            {"disable_writes", disable_writes_},
            {"refused_partial_writes", refused_partial_.load()},
            {"refused_locked_writes", refused_locked_.load()},
            {"refused_values", refused_values_.load()},
            {"unmodelled_mode_writes", unmodelled_modes_},
            {"fc06_block_writes", fc06_block_writes_},
            {"expiries", expiries_},
            {"eeprom_writes", eeprom},
            {"restarts", restarts_},
            {"last_write_ms", last_write_ms_}};
  }

 protected:
  void on_write(std::uint16_t address, std::uint16_t count) override {
    const auto touches = [&](std::uint16_t a) { return address <= a && a < address + count; };
    const auto end = static_cast<std::uint32_t>(address) + count;
    last_write_ms_ = now_ms_();
    const auto written = get(address, count);
    bool changed = false;
    if (address == kUnlock) {  // the filter has (un)locked already: show it at once
      const auto level = static_cast<std::uint16_t>(lock_level_.load());
      for (auto* s : servers_) s->set_input(unit_, kLockState, {level});
    }
    if (address <= kBlockEnd && end > kBlock) {
      // FC16 writes that reach here start at 0x7C and are whole, or disable (the filter refused
      // the rest); a one-word write that is not a disable, or a disable the filter saw as FC06,
      // came through FC06 into the power-factor settings.
      const bool one_word = count == 1;
      const bool fc06 = one_word && (address != kBlock || written[0] != 0 || take_fc06_disable());
      if (fc06) {
        ++fc06_block_writes_;
        ++eeprom_writes_["0x007C-0x008A"];
      } else {
        changed = take_block(written) || changed;
      }
    }
    if (touches(kUseMode)) {
      use_mode_ = written[kUseMode - address];
      ++eeprom_writes_["0x001F"];
      changed = true;
    }
    if (touches(kManualMode)) {
      manual_mode_ = written[kManualMode - address];
      changed = true;
    }
    if (touches(kExportLimit)) ++eeprom_writes_["0x0042"];
    // The write map is not the read map: what FC03 reads at these addresses comes back.
    put_work_mode_read_back();
    if (address < kReadImageWords) {
      const auto n = std::min<std::uint32_t>(end, kReadImageWords) - address;
      set(address, {read_image_.begin() + address, read_image_.begin() + address + n});
    }
    if (touches(kUseModeReadBack) || touches(kManualReadBack) || touches(kUseMode) ||
        touches(kManualMode))
      set(kUseModeReadBack, {read_image_[kUseModeReadBack], read_image_[kManualReadBack]});
    if (changed) {
      const auto [lo, hi] = window_w();
      record({last_write_ms_, lo, hi, address});
    }
  }

 private:
  struct Remote {
    bool running{false};
    std::uint16_t mode{0};
    std::uint16_t set_type{0};
    std::int32_t active_w{0};
    std::int32_t reactive_var{0};
    std::uint16_t duration_s{0};
    std::uint16_t timeout_s{0};
    std::int64_t end_ms{0};
  };

  bool remote_on() const { return remote_.running && remote_.mode != 0; }

  /// A whole block (or a disable) as the filter let it through: true if it changed the control.
  bool take_block(const std::vector<std::uint16_t>& r) {
    const std::uint16_t mode = r[0];
    if (mode == 0) {
      ++disable_writes_;
      remote_.running = false;
      remote_.mode = 0;
      return true;
    }
    ++block_writes_;
    if (mode != 1) {
      ++unmodelled_modes_;  // accepted by the device, not simulated: the work mode runs on
      remote_.running = false;
      return true;
    }
    remote_.mode = mode;
    remote_.set_type = r[1];
    remote_.active_w = words::s32_of_lo_hi(r[2], r[3]);
    remote_.reactive_var = words::s32_of_lo_hi(r[4], r[5]);
    remote_.duration_s = r[6];
    remote_.timeout_s = r[12];
    remote_.end_ms = last_write_ms_ + std::int64_t{1000} * remote_.duration_s;
    remote_.running = true;
    return true;
  }

  /// Refusals that a real device answers with an exception (see the top of this file). Runs on a
  /// server's thread: touches only atomics.
  // The unlock and the block's rules, decided before a write is stored (the base class asks
  // only for this unit's writes).
  std::uint8_t refuse_write(std::uint8_t function, std::uint16_t address,
                            const std::vector<std::uint16_t>& v) const override {
    if (v.empty()) return 0;
    if (function == 6 && address == kUnlock) {
      lock_level_.store(v[0] == kPassword ? 1 : (v[0] == kPasswordAdv ? 2 : 0));
      return 0;
    }
    if (lock_level_.load() == 0) {
      ++refused_locked_;
      return kServerDeviceFailure;
    }
    const auto end = static_cast<std::uint32_t>(address) + v.size();
    const bool in_block = address <= kBlockEnd && end > kBlock;
    if (function == 6) {
      if (address == kUseMode && v[0] > 5) {
        ++refused_values_;
        return kIllegalDataValue;
      }
      if (address == kBlock && v[0] == 0) ++fc06_disables_;  // on_write must not disable
      return 0;
    }
    if (address <= kUseMode && end > kUseMode && v[kUseMode - address] > 5) {
      ++refused_values_;
      return kIllegalDataValue;
    }
    if (!in_block) return 0;
    if (address == kBlock && v[0] == 0) return 0;  // disable: any length
    if (address != kBlock) {
      ++refused_partial_;
      return kIllegalDataValue;
    }
    const std::uint16_t mode = v[0];
    if (mode > 7 || v.size() < 2 || (v[1] != 1 && v[1] != 2)) {
      // Check the length first where the set type is missing: a one-word write is partial.
      if (v.size() < kWordsModes13) {
        ++refused_partial_;
      } else {
        ++refused_values_;
      }
      return kIllegalDataValue;
    }
    if (v.size() < (mode <= 3 ? kWordsModes13 : kWordsModes47)) {
      ++refused_partial_;
      return kIllegalDataValue;
    }
    return 0;
  }

  bool take_fc06_disable() {
    int n = fc06_disables_.load();
    while (n > 0)
      if (fc06_disables_.compare_exchange_weak(n, n - 1)) return true;
    return false;
  }

  void put_work_mode_read_back() {
    read_image_[kUseModeReadBack] = use_mode_;
    read_image_[kManualReadBack] = manual_mode_;
  }

  /// The battery powers (+ = charge) the device now allows, for the write history.
  std::pair<double, double> window_w() const {
    if (remote_on() && remote_.mode == 1) {
      const double p = std::clamp(static_cast<double>(remote_.active_w), -rated_w_, rated_w_);
      const double b = std::clamp(last_pv_w_ + p, -rated_w_, rated_w_);
      return {b, b};
    }
    if (use_mode_ == 3) {
      const double b = manual_mode_ == 1 ? rated_w_ : (manual_mode_ == 2 ? -rated_w_ : 0.0);
      return {b, b};
    }
    return {-rated_w_, rated_w_};
  }

  double rated_w_;
  std::function<std::int64_t()> now_ms_;
  std::vector<std::uint16_t> read_image_;
  Remote remote_;
  std::uint16_t use_mode_{0};  // self use
  std::uint16_t manual_mode_{0};
  double last_pv_w_{0.0};
  // Changed by refuse_write() on a server's thread, as the request arrives.
  mutable std::atomic<int> lock_level_{0};  // 0 locked, 1 unlocked, 2 unlocked (advanced)
  mutable std::atomic<int> fc06_disables_{0};
  mutable std::atomic<std::size_t> refused_partial_{0};
  mutable std::atomic<std::size_t> refused_locked_{0};
  mutable std::atomic<std::size_t> refused_values_{0};
  std::size_t block_writes_{0};
  std::size_t disable_writes_{0};
  std::size_t unmodelled_modes_{0};
  std::size_t fc06_block_writes_{0};
  std::size_t expiries_{0};
  std::size_t restarts_{0};
  std::map<std::string, std::size_t> eeprom_writes_;
  std::int64_t last_write_ms_{0};
};

}  // namespace solax
}  // namespace

std::unique_ptr<InverterDevice> make_solax_device(std::uint8_t unit, const SimWorld& world,
                                                  std::function<std::int64_t()> now_ms) {
  return std::make_unique<solax::SolaxDevice>(unit, world, std::move(now_ms));
}

}  // namespace bessd::sim
