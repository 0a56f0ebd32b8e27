// A Sofar HYD G3 hybrid inverter (HYD 5-20KTL-3PH; the HYD 3-6K-EP reads the same registers
// with L2/L3 at 0) as its own Modbus map presents it: every register a holding register (FC03),
// unit 1, 32-bit values high word first, Sofar's signs on the wire: battery + = charging, grid
// at the PCC + = exporting, inverter output + = AC out. Written from the public sources below,
// independently of bessd's own Sofar profile.
//
// Sources (HEAD of each repository as fetched in December 2026):
//   [P] wills106/homeassistant-solax-modbus custom_components/solax_modbus/plugin_sofar.py
//       (register map, types and scales; the 0x1110 and 0x1184/0x1185 option lists; the passive
//       block written by one "write multiple" button of three S32; every single register also
//       written with FC16, WRITE_MULTISINGLE_MODBUS); 0xFFFF read back from 0x1184/0x1185 on
//       devices where they were never written.
//   [D] the same repository's Sofar pages in its docs folder: "Sofar Energy Storage Mode"
//       (passive-mode semantics and signs, "did not receive any communication" timeout, default
//       disabled, Force Standby / Return to Previous Mode), "Sofar FAQ" (registers that must be
//       written in a batch; the LSE-3 logger's malformed write responses) and "Description of
//       Sofar Entities" (most writable parameters go to EEPROM, about 100000 cycles). Same
//       authors as [P]: [P] and [D] count as one source.
//   [E] evcc-io/evcc templates/definition/meter/sofarsolar-g3.yaml and its history: 0x0488 and
//       0x0606 int16 with scale -10 (from 2023, #8010: "finally fix battery power scale"), 0x0667
//       -100, 0x05C4 uint16 x100, PV powers x10, SOC 0x0608/0x0668, energy U32 x0.1 (0x0686,
//       0x068E, 0x069A), 0x1110 with "writemultiple", the passive block as one 12-byte
//       "writemultiple" (the first version wrote three separate int32s), and the LSE-3 error
//       "response data size '18' does not match count '4'" it ignores. Some 2025 changes are by
//       an author of [D]; the signs predate them.
//   [S] davidrapan/ha-solarman custom_components/solarman/inverter_definitions/sofar_g3.yaml,
//       after Sofar's "SOFAR_Modbus_Protocol_English_G3_V1.22.only.3PH.xlsx": 0x0606 and 0x0488
//       scale -10 ("inverse value"), its "Power losses" = PV - 0x0606 - 0x0485 (battery + =
//       charge, output + = AC out), 0x0445 serial in 8 words, 32-bit values listed [low, high]
//       with the high word at the lower address, the passive block written back as 0x1187 count
//       6 (pull request #870: "all 3 passive mode related fields need to be written at the same
//       time", after the xlsx); a "0x05C4 IllegalDataAddressError" comment concerns a TLX-G3
//       (PV only), not a hybrid.
//   [J] StephanJoubert/home_assistant_solarman#571: 0x1110 (4368) = 3 and 0x1187 (4487) = six
//       words 0xFFFF 0xFC18 (-1000 W, high word first) written with FC16 on a HYD, "it works".
//   [H] leonw-04/ESPHome-SofarSolar-Component sofarsolar_inverter.h/.cpp (its G3 register table:
//       types and scales, no signs; every write an FC16, the passive block one 6-register
//       write, bytes high first).
//   [I] Other threads: wills106/homeassistant-solax-modbus#228 (single-register writes failed
//       on a HYD 10KTL-3PH until every write used FC16), jmccrohan/pysolarmanv5#101 (a
//       2-register FC16 into the 16-register TOU block at 0x1120 of a HYD 10KTL-3PH answered
//       with exception 02), wills106/homeassistant-solax-modbus#2294 (FC16 at 0x9020 answered
//       with exception 03).
//
// Register                          type  scale     sign (on the wire)        sources
// 0x0404 system state               U16   -         2 = grid-connected        P S
// 0x0445 serial number (16 chars)   STR   8 words   -                         P(7 words) S
// 0x0484 grid frequency             U16   0.01 Hz   -                         P S
// 0x0485 output active power total  S16   0.01 kW   + = AC output             P S H
// 0x0486/0x0487 output Q / S total  S16   0.01 kVA  -                         P (one source)
// 0x0488 PCC active power total     S16   0.01 kW   + = export                P E S (sign: E S)
// 0x0489/0x048A PCC Q / S total     S16   0.01 kVA  -                         P (one source)
// 0x048D/0x0498/0x04A3 phase volt.  U16   0.1 V     -                         P S
// 0x048E/0x0499/0x04A4 output curr. U16   0.01 A    -                         P S
// 0x048F/0x049A/0x04A5 output power S16   0.01 kW   + = AC output             P (one source)
// 0x0492/0x049D/0x04A8 PCC current  U16   0.01 A    -                         P E
// 0x0493/0x049E/0x04A9 PCC power    S16   0.01 kW   + = export                P E
// 0x04AE external PV power          U16   0.01 kW   0 (none)                  P E
// 0x04AF load power                 U16   0.01 kW   + = consumption           P S
// 0x0584/0x0587 PV1/PV2 voltage     U16   0.1 V     -                         P S
// 0x0585/0x0588 PV1/PV2 current     U16   0.01 A    -                         P S
// 0x0586/0x0589 PV1/PV2 power       U16   0.01 kW   -                         P E S
// 0x058A..0x058C PV3 V, I, P        U16   as PV1    0: two strings            P (E: 0x058C)
// 0x058D..0x058F PV4 V, I, P        U16   as PV1    0: two strings            P (E reads 0x058E)
// 0x05C4 PV power total             U16   0.1 kW    -                         P E H
// 0x0604 battery 1 voltage          U16   0.1 V     -                         P S H
// 0x0605 battery 1 current          S16   0.01 A    + = charge (as 0x0606)    P S H (sign: none)
// 0x0606 battery 1 power            S16   0.01 kW   + = charge                P E S H (sign: E S)
// 0x0607 battery 1 temperature      S16   1 °C      -                         P S
// 0x0608 battery 1 SOC              U16   1 %       -                         P E S H
// 0x0609 battery 1 SOH              U16   1 %       -                         P S
// 0x0667 battery power total        S16   0.1 kW    + = charge                P E H (sign: E)
// 0x0668 battery SOC (average)      U16   1 %       -                         P E H
// 0x0669 battery SOH (average)      U16   1 %       -                         P (one source)
// 0x0684..0x069A energy, today/total U32  0.01/0.1 kWh -                      P S H (E: 0x0686,
//   (PV, load, import, export,            high word first                      0x068E, 0x069A)
//   battery in, battery out)
// 0x1110 energy storage mode        U16   -         0 self use .. 7           P E S J H
// 0x1184 passive timeout            U16   1 s       0 = disabled              P (one source)
// 0x1185 passive timeout action     U16   -         0 standby, 1 previous     P (one source)
// 0x1187 passive desired grid power S32   1 W       + = import                P E S J H
// 0x1189 passive battery minimum    S32   1 W       + = charge                P E S J H
// 0x118B passive battery maximum    S32   1 W       + = charge                P E S J H
// "(one source)": only [P] (with [D], the same repository) gives it. Signs: 0x0488 and 0x0606
// from [E] and [S] (their inversions to import- and discharge-positive), 0x0485 from [S]'s
// losses formula, the passive block from [D] (used so by [J]'s -1000 W discharge and [E]'s
// 0x7FFFFFFF charge); 0x0605 has none and follows 0x0606.
// Sources disagree on PV4's power: [P] has PV4 voltage, current, power at 0x058D..0x058F (three
// registers a string, as PV1..PV3), [E] sums 0x058E as "Power_PV4". With two strings both read 0.
//
// Energy storage modes (0x1110) [P][S]: 0 self use, 1 time of use, 2 timing, 3 passive, 4 peak
// cut, 5 off-grid, 6 generator, 7 feed-in priority. Passive mode [D]: the battery power is the
// one that brings the PCC power closest to the desired grid power, within [minimum, maximum]
// (and the rating, and what the BMS allows). Self use is the world's own regulation (PV minus
// load); every other mode runs as self use here (their schedules are empty; off-grid has no relay
// to open in the world).
//
// Writes, and what this device does where the sources stop:
// - FC16 only: every FC06 is answered with exception 01 (ILLEGAL FUNCTION). [I]#228 and every
//   integration write with FC16, also single registers; nothing records the code a real device
//   gives, 01 is this device's choice.
// - 0x1110, the timeout pair 0x1184..0x1185 and the passive block 0x1187..0x118C are taken only
//   as one FC16 each covering exactly that block ([D], [E]'s history, [S] #870); any other write
//   touching one of them is answered with exception 02 (ILLEGAL DATA ADDRESS), as [I]#101 saw for
//   a partial write of another block, and nothing changes.
// - Values: a minimum above the maximum ([D]: "must be less than or equal"), a mode above 7 or a
//   timeout action above 1 get exception 03 (ILLEGAL DATA VALUE; nothing documents the code,
//   [I]#2294 saw 03 for a refused value elsewhere). Powers beyond the rating are accepted and
//   clamped ([E] writes 0x7FFFFFFF for "as much as possible").
// - Passive timeout [D]: in passive mode, after no communication for 0x1184 seconds: Force
//   Standby (battery 0 W) or Return to Previous Mode (0x1110 back to the mode in effect before
//   passive). "Communication" is any request this device receives, reads included: [D] says "did
//   not receive any communication", no source says that only writes count. The standby holds,
//   with 0x1110 still reading 3 and the block its old values, until the next accepted write to
//   0x1110 or to the block (no source says how a standby ends; this is the worst case for a
//   controller that rewrites only changed values).
// - EEPROM [D]: 0x1110 survives a power cycle; the passive block does too here (no source says;
//   the worst case: a forced charge or discharge comes back with no controller); the timeout pair
//   is lost (no source says; [D]'s "most writable parameters" would keep it, losing it is the
//   worst case: the watchdog a controller set is gone after a restart). Every accepted write to
//   these registers is counted, and those that rewrote the value in effect.
// - Not modelled: the LSE-3 logger's malformed FC16 answer ([D], [E]) would break every client;
//   docs/simulator.md describes it.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <bessd/sim/devices/inverter_device.hpp>
#include <bessd/sim/devices/register_image.hpp>
#include <bessd/sim/devices/register_words.hpp>
#include <bessd/sim/devices/slcan_bms_port.hpp>

namespace bessd::sim {
namespace {
namespace sofar {  // a namespace of its own: unity builds merge the devices' anonymous ones

constexpr std::uint16_t kState = 0x0404;
constexpr std::uint16_t kSerial = 0x0445;
constexpr std::uint16_t kMode = 0x1110;
constexpr std::uint16_t kTimeout = 0x1184;  // and 0x1185, the action
constexpr std::uint16_t kPassive = 0x1187;  // three S32: grid, battery minimum, maximum
constexpr std::uint16_t kPassiveWords = 6;

constexpr std::uint8_t kIllegalFunction = 0x01;
constexpr std::uint8_t kIllegalAddress = 0x02;
constexpr std::uint8_t kIllegalValue = 0x03;

constexpr std::uint16_t kSelfUse = 0;
constexpr std::uint16_t kPassiveMode = 3;
constexpr std::uint16_t kLastMode = 7;
constexpr std::uint16_t kForceStandby = 0;
constexpr std::uint16_t kReturnToPrevious = 1;

constexpr double kPvStringV = 360.0;  // a fixed MPP voltage for both strings
constexpr double kGridV = 230.0;

/// The registers taken only whole, by one FC16 each.
struct WholeBlock {
  std::uint16_t first;
  std::uint16_t words;
};
constexpr WholeBlock kBlocks[] = {{kMode, 1}, {kTimeout, 2}, {kPassive, kPassiveWords}};

constexpr const char* kModeNames[] = {"self_use", "time_of_use", "timing",    "passive",
                                      "peak_cut", "off_grid",    "generator", "feed_in_priority"};

const char* mode_name(std::uint16_t mode) {
  return mode <= kLastMode ? kModeNames[mode] : "?";
}

std::int32_t s32_of(std::uint16_t hi, std::uint16_t lo) {
  return static_cast<std::int32_t>((static_cast<std::uint32_t>(hi) << 16) | lo);
}

std::vector<std::uint16_t> words_of(std::int32_t grid, std::int32_t lo, std::int32_t hi) {
  std::vector<std::uint16_t> out;
  for (const std::int32_t v : {grid, lo, hi}) {
    const auto w = words::s32_hi_lo(v);
    out.insert(out.end(), w.begin(), w.end());
  }
  return out;
}

/// A run of registers from `base`, filled by address.
using Block = RegisterImage;  // 32-bit values high word first

/// 16 characters, two to a register, high byte first: "SP1ES1" (the HYD three-phase prefix
/// [P] recognises), the rating in kW, then a simulator's number.
std::vector<std::uint16_t> serial_words(double rated_w) {
  char s[32];
  std::snprintf(s, sizeof s, "SP1ES1%02ldN6SIM001",
                std::clamp(std::lround(rated_w / 1000.0), 1L, 99L));
  std::vector<std::uint16_t> out;
  for (std::size_t i = 0; i < 16; i += 2)
    out.push_back(static_cast<std::uint16_t>((static_cast<unsigned char>(s[i]) << 8) |
                                             static_cast<unsigned char>(s[i + 1])));
  return out;
}

class SofarDevice final : public InverterDevice {
 public:
  SofarDevice(std::uint8_t unit, const SimWorld& world, std::function<std::int64_t()> now_ms)
      : InverterDevice(unit),
        rated_w_(world.inverter().params().rated_power_w),
        efficiency_(world.inverter().params().efficiency),
        now_ms_(now_ms ? std::move(now_ms) : std::function<std::int64_t()>(steady_ms)) {}

  void initialise() override {
    set(kState, {2});  // grid-connected
    set(kSerial, serial_words(rated_w_));
    set(kMode, {kSelfUse});
    set(kTimeout, {0, kForceStandby});
    set(kPassive, words_of(0, 0, 0));
    for (auto* s : servers_) s->save_power_on_image();
    last_comm_ms_ = now_ms_();
    seen_requests_ = requests();
  }

  void refresh(const SimWorld& w) override {
    const auto rd = w.readings();
    const auto& pack = w.pack();
    const auto& e = w.energy();
    // Sofar's signs: the battery port as the inverter measures it (a DC load elsewhere on the bus
    // is not in it), + = charging; the PCC + = exporting; the inverter's output + = AC out.
    const double bat_w = rd.battery_power_w;
    const double v = pack.voltage_v();
    const double bat_a = v > 1.0 ? bat_w / v : 0.0;
    const double pcc_w = -rd.grid_power_w;
    const double out_w = rd.ac_power_w;

    Block grid(0x0484, 0x04B0 - 0x0484);
    grid.u16(0x0484, 5000);  // 50.00 Hz
    grid.s16(0x0485, out_w / 10);
    grid.s16(0x0487, std::fabs(out_w) / 10);
    grid.s16(0x0488, pcc_w / 10);
    grid.s16(0x048A, std::fabs(pcc_w) / 10);
    for (int ph = 0; ph < 3; ++ph) {
      const auto a = static_cast<std::uint16_t>(0x048D + 11 * ph);
      const auto at = [a](int k) { return static_cast<std::uint16_t>(a + k); };
      grid.u16(at(0), kGridV * 10);
      grid.u16(at(1), std::fabs(out_w) / 3 / kGridV * 100);
      grid.s16(at(2), out_w / 3 / 10);
      grid.s16(at(4), 1000);  // power factor 1.000
      grid.u16(at(5), std::fabs(pcc_w) / 3 / kGridV * 100);
      grid.s16(at(6), pcc_w / 3 / 10);
      grid.s16(at(8), 1000);
    }
    grid.u16(0x04AE, 0);  // no PV inverter beside it
    grid.u16(0x04AF, rd.load_w / 10);
    set(grid.base(), grid.regs());

    Block pv(0x0584, 12);  // PV1..PV4: voltage, current, power; the world has two strings
    const double string_w[2] = {0.6 * rd.pv_w, 0.4 * rd.pv_w};
    for (int k = 0; k < 2; ++k) {
      const auto a = static_cast<std::uint16_t>(0x0584 + 3 * k);
      const double vs = string_w[k] > 1.0 ? kPvStringV : 0.0;
      pv.u16(a, vs * 10);
      pv.u16(static_cast<std::uint16_t>(a + 1), vs > 0 ? string_w[k] / vs * 100 : 0.0);
      pv.u16(static_cast<std::uint16_t>(a + 2), string_w[k] / 10);
    }
    set(pv.base(), pv.regs());
    set(0x05C4, {words::u16(rd.pv_w / 100)});

    Block bat(0x0604, 7);
    bat.u16(0x0604, v * 10);
    bat.s16(0x0605, bat_a * 100);
    bat.s16(0x0606, bat_w / 10);
    bat.s16(0x0607, pack.temperature_c());
    bat.u16(0x0608, pack.soc_pct());
    bat.u16(0x0609, pack.soh_pct());
    set(bat.base(), bat.regs());
    Block total(0x0667, 3);
    total.s16(0x0667, bat_w / 100);
    total.u16(0x0668, pack.soc_pct());
    total.u16(0x0669, pack.soh_pct());
    set(total.base(), total.regs());

    // Today and total in one: the simulator's day starts when it does.
    Block energy(0x0684, 0x069C - 0x0684);
    const double kwh[6] = {e.pv_kwh,
                           e.load_kwh,
                           e.grid_import_kwh,
                           e.grid_export_kwh,
                           e.battery_charged_kwh,
                           e.battery_discharged_kwh};
    for (int k = 0; k < 6; ++k) {
      const auto a = static_cast<std::uint16_t>(0x0684 + 4 * k);
      energy.u32(a, kwh[k] * 100);
      energy.u32(static_cast<std::uint16_t>(a + 2), kwh[k] * 10);
    }
    set(energy.base(), energy.regs());
  }

  void apply(SimWorld& w) override {
    const std::int64_t now = now_ms_();
    const std::size_t seen = requests();
    if (seen != seen_requests_) {  // any request since the last step: communication
      seen_requests_ = seen;
      last_comm_ms_ = std::max(last_comm_ms_, now);
    }
    if (mode_ == kPassiveMode && timeout_s_ > 0 && !standby_ &&
        now - last_comm_ms_ >= std::int64_t{timeout_s_} * 1000) {
      ++timeouts_;
      last_timeout_ms_ = now;
      if (action_ == kReturnToPrevious) {
        mode_ = previous_mode_;
        set(kMode, {mode_});
      } else {
        standby_ = true;
      }
    }
    if (standby_) {
      w.command_battery_power(0.0);
      return;
    }
    if (mode_ != kPassiveMode) {
      w.inverter().release();  // self use, the inverter's own regulation
      return;
    }
    // The battery power that brings the PCC to the desired grid power: the AC side balances
    // load = grid + PV - battery_ac, and the battery's DC power differs by the losses.
    const auto rd = w.readings();
    const double ac = grid_w_ - rd.load_w + rd.pv_w;
    const double dc = ac > 0 ? ac * efficiency_ : ac / efficiency_;
    const auto [lo, hi] = window_w();
    w.command_battery_power(std::clamp(dc, lo, hi));
  }

  void restart(SimWorld& w) override {
    for (auto* s : servers_) s->restart();  // the power-on image: the timeout pair is 0 again
    // Stored: the mode and the passive block (see the top of this file); the standby is not.
    set(kMode, {mode_});
    set(kPassive, words_of(grid_w_, min_w_, max_w_));
    timeout_s_ = 0;
    action_ = kForceStandby;
    standby_ = false;
    last_comm_ms_ = now_ms_();
    seen_requests_ = requests();
    w.inverter().restart();
    ++restarts_;
  }

  nlohmann::json status() const override {
    const auto [lo, hi] = window_w();
    return {{"profile", "sofar_hyd_g3"},
            {"energy_storage_mode", mode_},
            {"energy_storage_mode_name", mode_name(mode_)},
            {"previous_mode", previous_mode_},
            {"passive",
             {{"grid_w", grid_w_},
              {"battery_min_w", min_w_},
              {"battery_max_w", max_w_},
              {"window_w", {lo, hi}}}},
            {"passive_timeout_s", timeout_s_},
            {"passive_timeout_action",
             action_ == kReturnToPrevious ? "return_to_previous_mode" : "force_standby"},
            {"standby", standby_},
            {"timeouts_fired", timeouts_},
            {"last_timeout_ms", last_timeout_ms_},
            {"last_communication_ms", last_comm_ms_},
            {"register_writes",
             {{"0x1110", mode_writes_}, {"0x1184", timeout_writes_}, {"0x1187", block_writes_}}},
            {"unchanged_writes",
             {{"0x1110", mode_unchanged_},
              {"0x1184", timeout_unchanged_},
              {"0x1187", block_unchanged_}}},
            {"rejected_writes", rejected_},
            {"rejections_by_code",
             {{"01", rejected_by_code_[1]},
              {"02", rejected_by_code_[2]},
              {"03", rejected_by_code_[3]}}},
            {"last_rejection", last_rejection_},
            {"writes", writes_},
            {"restarts", restarts_},
            {"last_write_ms", last_write_ms_}};
  }

 protected:
  std::uint8_t refuse_write(std::uint8_t function, std::uint16_t address,
                            const std::vector<std::uint16_t>& values) const override {
    if (function != 0x10) return kIllegalFunction;
    const auto end = static_cast<std::uint32_t>(address) + values.size();
    for (const auto& b : kBlocks) {
      if (address >= b.first + b.words || end <= b.first) continue;
      if (address != b.first || values.size() != b.words) return kIllegalAddress;
      if (b.first == kMode && values[0] > kLastMode) return kIllegalValue;
      if (b.first == kTimeout && values[1] > kReturnToPrevious) return kIllegalValue;
      if (b.first == kPassive && s32_of(values[2], values[3]) > s32_of(values[4], values[5]))
        return kIllegalValue;
    }
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
    // Only what refuse_write() let through arrives here: FC16, each block exactly.
    last_comm_ms_ = std::max(last_comm_ms_, now_ms_());
    if (address == kMode && count == 1) {
      const std::uint16_t m = get(kMode, 1)[0];
      ++mode_writes_;
      if (m == mode_) ++mode_unchanged_;
      if (m == kPassiveMode && mode_ != kPassiveMode) previous_mode_ = mode_;
      mode_ = m;
    } else if (address == kTimeout && count == 2) {
      const auto r = get(kTimeout, 2);
      ++timeout_writes_;
      if (r[0] == timeout_s_ && r[1] == action_) ++timeout_unchanged_;
      timeout_s_ = r[0];
      action_ = r[1];
      last_write_ms_ = now_ms_();
      return;  // no battery command in it: a standby holds
    } else if (address == kPassive && count == kPassiveWords) {
      const auto r = get(kPassive, kPassiveWords);
      const std::int32_t g = s32_of(r[0], r[1]);
      const std::int32_t lo = s32_of(r[2], r[3]);
      const std::int32_t hi = s32_of(r[4], r[5]);
      ++block_writes_;
      if (g == grid_w_ && lo == min_w_ && hi == max_w_) ++block_unchanged_;
      grid_w_ = g;
      min_w_ = lo;
      max_w_ = hi;
    } else {
      return;  // other settings: stored, no effect here
    }
    standby_ = false;  // a new command ends a timeout's standby
    last_write_ms_ = now_ms_();
    const auto [lo, hi] =
        mode_ == kPassiveMode ? window_w() : std::pair<double, double>{-rated_w_, rated_w_};
    record({last_write_ms_, lo, hi, address});
  }

 private:
  /// The passive window of battery powers (+ = charge), within the rating.
  std::pair<double, double> window_w() const {
    return {std::clamp(static_cast<double>(min_w_), -rated_w_, rated_w_),
            std::clamp(static_cast<double>(max_w_), -rated_w_, rated_w_)};
  }

  std::size_t requests() const {
    std::size_t n = 0;
    for (const auto* s : servers_) n += s->requests();
    return n;
  }

  double rated_w_;
  double efficiency_;
  std::function<std::int64_t()> now_ms_;
  std::uint16_t mode_{kSelfUse};
  std::uint16_t previous_mode_{kSelfUse};
  std::int32_t grid_w_{0};
  std::int32_t min_w_{0};
  std::int32_t max_w_{0};
  std::uint16_t timeout_s_{0};
  std::uint16_t action_{kForceStandby};
  bool standby_{false};
  std::int64_t last_comm_ms_{0};
  std::size_t seen_requests_{0};
  std::size_t timeouts_{0};
  std::int64_t last_timeout_ms_{0};
  std::size_t mode_writes_{0};
  std::size_t mode_unchanged_{0};
  std::size_t timeout_writes_{0};
  std::size_t timeout_unchanged_{0};
  std::size_t block_writes_{0};
  std::size_t block_unchanged_{0};
  std::size_t rejected_{0};
  std::array<std::size_t, 4> rejected_by_code_{};
  nlohmann::json last_rejection_;
  std::size_t restarts_{0};
  std::int64_t last_write_ms_{0};
};

}  // namespace sofar
}  // namespace

std::unique_ptr<InverterDevice> make_sofar_device(std::uint8_t unit, const SimWorld& world,
                                                  std::function<std::int64_t()> now_ms) {
  return std::make_unique<sofar::SofarDevice>(unit, world, std::move(now_ms));
}

}  // namespace bessd::sim
