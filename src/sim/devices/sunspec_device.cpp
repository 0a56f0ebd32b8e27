// A SunSpec hybrid inverter (models 1, 103, 120, 124, 802, 160 at 40000; the Fronius GEN24
// variant, with its deviations, is fronius_gen24_device.cpp). Model 124 semantics as a
// Fronius-style device applies them (docs/simulator.md): StorCtl_Mod bit 0 enables the charge
// limit InWRte (% of WChaMax), bit 1 the discharge limit OutWRte; a negative rate forces the
// opposite direction (OutWRte < 0 = forced charge, InWRte < 0 = forced discharge). Between the
// limits the inverter runs its own self-use. InOutWRte_RvrtTms > 0: the rates revert to 100 %
// and StorCtl_Mod to 0 when no control write came for that many seconds (device wall time).
// 802 A and W are discharge-positive (generator convention, as evcc assumes). Model 160 lists
// four modules as a Fronius GEN24 does: two PV inputs, then the battery's charge and discharge.

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include <boost/asio/post.hpp>

#include <bessd/sim/devices/inverter_device.hpp>
#include <bessd/sim/devices/register_words.hpp>
#include <bessd/sim/devices/slcan_bms_port.hpp>

namespace bessd::sim {
namespace {

constexpr std::uint16_t kBase = 40000;
constexpr std::uint16_t kModel1 = kBase + 2;
constexpr std::uint16_t kModel103 = kModel1 + 2 + 66;
constexpr std::uint16_t kModel120 = kModel103 + 2 + 50;
constexpr std::uint16_t kModel124 = kModel120 + 2 + 26;
constexpr std::uint16_t kModel802 = kModel124 + 2 + 24;
constexpr std::uint16_t kModel160 = kModel802 + 2 + 62;
constexpr std::uint16_t kMpptModules = 4;
constexpr std::uint16_t kModel160Length = 8 + 20 * kMpptModules;
constexpr std::uint16_t kEnd = kModel160 + 2 + kModel160Length;
constexpr int kRateSf = -2;  // InOutWRte_SF: 0.01 %

using words::s16;
using words::sunspec_u16;
double as_s16(std::uint16_t r) {
  return static_cast<std::int16_t>(r);
}

void put_string(std::vector<std::uint16_t>& regs, std::size_t at, const std::string& s,
                std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    const auto hi = 2 * i < s.size() ? static_cast<unsigned char>(s[2 * i]) : 0U;
    const auto lo = 2 * i + 1 < s.size() ? static_cast<unsigned char>(s[2 * i + 1]) : 0U;
    regs[at + i] = static_cast<std::uint16_t>((hi << 8) | lo);
  }
}

enum ChaSt : std::uint16_t {
  off = 1,
  empty = 2,
  discharging = 3,
  charging = 4,
  full = 5,
  holding = 6
};

class SunSpecDevice final : public InverterDevice {
 public:
  void set_clock(std::function<std::int64_t()> now_ms) { now_ms_ = std::move(now_ms); }
  SunSpecDevice(std::uint8_t unit, const SimWorld& world)
      : InverterDevice(unit), rated_w_(world.inverter().params().rated_power_w) {}

  void initialise() override {
    std::vector<std::uint16_t> r(kEnd + 2 - kBase, 0);
    auto at = [&](std::uint16_t a) -> std::uint16_t& { return r[a - kBase]; };
    at(kBase) = 0x5375;
    at(kBase + 1) = 0x6E53;
    // Model 1: common.
    at(kModel1) = 1;
    at(kModel1 + 1) = 66;
    put_string(r, kModel1 + 2 - kBase, "bessd-sim", 16);
    put_string(r, kModel1 + 18 - kBase, "SimHybrid 5000", 16);
    put_string(r, kModel1 + 42 - kBase, "1.0.0", 8);
    put_string(r, kModel1 + 50 - kBase, "SIM0001", 16);
    at(kModel1 + 66) = unit_;
    at(kModel1 + 67) = 0x8000;
    // Model 103: three-phase inverter; unimplemented points carry the sentinel.
    at(kModel103) = 103;
    at(kModel103 + 1) = 50;
    for (int off = 2; off < 52; ++off) at(static_cast<std::uint16_t>(kModel103 + off)) = 0x8000;
    at(kModel103 + 15) = words::sunssf(0);   // W_SF
    at(kModel103 + 30) = words::sunssf(-1);  // DCV_SF
    at(kModel103 + 17) = words::sunssf(-2);  // Hz_SF
    at(kModel103 + 16) = 5000;               // Hz 50.00
    for (int off = 40; off < 52; ++off) at(static_cast<std::uint16_t>(kModel103 + off)) = 0;
    // Model 120: nameplate.
    at(kModel120) = 120;
    at(kModel120 + 1) = 26;
    at(kModel120 + 2) = 4;  // DERTyp: PV + storage
    at(kModel120 + 3) = sunspec_u16(rated_w_);
    at(kModel120 + 4) = words::sunssf(0);
    // Model 124: storage.
    at(kModel124) = 124;
    at(kModel124 + 1) = 24;
    at(kModel124 + 2) = sunspec_u16(rated_w_);    // WChaMax
    at(kModel124 + 5) = 0;                        // StorCtl_Mod
    at(kModel124 + 12) = s16(10000);              // OutWRte 100.00 %
    at(kModel124 + 13) = s16(10000);              // InWRte 100.00 %
    at(kModel124 + 15) = 0;                       // InOutWRte_RvrtTms
    at(kModel124 + 17) = 0;                       // ChaGriSet PV only
    at(kModel124 + 18) = words::sunssf(0);        // WChaMax_SF
    at(kModel124 + 22) = words::sunssf(-1);       // ChaState_SF
    at(kModel124 + 24) = words::sunssf(-1);       // InBatV_SF
    at(kModel124 + 25) = words::sunssf(kRateSf);  // InOutWRte_SF
    // Model 802: battery base.
    at(kModel802) = 802;
    at(kModel802 + 1) = 62;
    at(kModel802 + 21) = 4;  // lithium-ion
    at(kModel802 + 56) = words::sunssf(-1);
    at(kModel802 + 58) = words::sunssf(0);
    at(kModel802 + 59) = words::sunssf(-1);
    at(kModel802 + 61) = words::sunssf(-1);
    at(kModel802 + 63) = words::sunssf(0);
    // Model 160: multiple MPPT, whole watts.
    at(kModel160) = 160;
    at(kModel160 + 1) = kModel160Length;
    at(kModel160 + 2) = words::sunssf(-2);  // DCA_SF
    at(kModel160 + 3) = words::sunssf(-1);  // DCV_SF
    at(kModel160 + 4) = words::sunssf(0);   // DCW_SF
    at(kModel160 + 5) = words::sunssf(0);   // DCWH_SF
    at(kModel160 + 8) = kMpptModules;
    const char* const names[kMpptModules] = {"MPPT 1", "MPPT 2", "StCha 3", "StDisCha 4"};
    for (std::uint16_t k = 0; k < kMpptModules; ++k) {
      const std::uint16_t m = kModel160 + 10 + 20 * k;
      at(m) = k + 1;
      put_string(r, m + 1 - kBase, names[k], 8);
    }
    at(kEnd) = 0xFFFF;
    at(kEnd + 1) = 0;
    set(kBase, r);
    for (auto* s : servers_) s->save_power_on_image();
  }

  void refresh(const SimWorld& w) override {
    const auto rd = w.readings();
    const auto& pack = w.pack();
    const double soc = pack.soc_pct();
    const double bat = rd.battery_power_w;
    set(kModel103 + 14, {s16(rd.ac_power_w)});
    set(kModel103 + 29, {sunspec_u16(pack.voltage_v() * 10)});
    set(kModel103 + 38, {rd.pv_w > 1 || std::fabs(bat) > 1 ? std::uint16_t{4} : std::uint16_t{8}});
    std::uint16_t st = holding;
    if (bat > 5) st = charging;
    if (bat < -5) st = discharging;
    if (soc >= 99.5) st = full;
    if (soc <= 0.5) st = empty;
    set(kModel124 + 8, {sunspec_u16(soc * 10), 0xFFFF, sunspec_u16(pack.voltage_v() * 10), st});
    ++heartbeat_;
    std::vector<std::uint16_t> b802(46, 0x8000);  // offsets 2..47
    auto o = [&](int off) -> std::uint16_t& { return b802[static_cast<std::size_t>(off - 2)]; };
    o(2) = sunspec_u16(pack.capacity_ah());
    o(11) = sunspec_u16(soc * 10);
    o(13) = sunspec_u16(pack.soh_pct());
    o(16) = st;
    o(17) = 0;  // remote
    o(18) = static_cast<std::uint16_t>(heartbeat_ / 10);
    o(21) = 4;
    o(22) = 3;  // connected
    for (int off = 23; off < 34; ++off) o(off) = 0;
    o(34) = sunspec_u16(pack.voltage_v() * 10);
    o(44) = s16(-pack.current_a() * 10);  // discharge-positive
    o(47) = s16(-bat);
    set(kModel802 + 2, b802);
    // The PV split 60/40 over the two inputs; the battery's charge and discharge as modules.
    const double module_w[kMpptModules] = {0.6 * rd.pv_w, 0.4 * rd.pv_w, std::max(bat, 0.0),
                                           std::max(-bat, 0.0)};
    for (std::uint16_t k = 0; k < kMpptModules; ++k)
      set(kModel160 + 10 + 20 * k + 11, {sunspec_u16(module_w[k])});
  }

  void apply(SimWorld& w) override {
    const auto now = now_ms_();
    if (remote_ && rvrt_s_ > 0 &&
        now - last_write_ms_ > static_cast<std::int64_t>(rvrt_s_) * 1000) {
      set(kModel124 + 5, {0});
      set(kModel124 + 12, {s16(10000), s16(10000)});
      mod_ = 0;
      in_pct_ = out_pct_ = 100.0;
      remote_ = false;
      ++reverts_;
      w.inverter().release();
    }
    if (!remote_) return;
    const auto rd = w.readings();
    const double self_use = rd.pv_w - rd.load_w;
    w.command_battery_power(std::clamp(self_use, lo_, std::max(lo_, hi_)));
  }

  void restart(SimWorld& w) override {
    for (auto* s : servers_) s->restart();
    mod_ = 0;
    in_pct_ = out_pct_ = 100.0;
    rvrt_s_ = 0;
    remote_ = false;
    w.inverter().restart();
    ++restarts_;
  }

  nlohmann::json status() const override {
    return {{"profile", "sunspec"},
            {"storctl_mod", mod_},
            {"in_wrte_pct", in_pct_},
            {"out_wrte_pct", out_pct_},
            {"rvrt_s", rvrt_s_},
            {"remote", remote_},
            {"window_w", {lo_, hi_}},
            {"writes", writes_},
            {"reverts", reverts_},
            {"restarts", restarts_},
            {"last_write_ms", last_write_ms_}};
  }

 protected:
  void on_write(std::uint16_t address, std::uint16_t count) override {
    const std::uint16_t first = kModel124 + 5;
    const std::uint16_t last = kModel124 + 17;
    if (address + count <= first || address > last) return;  // not the control block
    const auto c = get(kModel124, 26);
    const double scale = std::pow(10.0, kRateSf);
    mod_ = c[5];
    out_pct_ = as_s16(c[12]) * scale;
    in_pct_ = as_s16(c[13]) * scale;
    rvrt_s_ = c[15];
    const double ref = c[2] > 0 && c[2] != 0xFFFF ? c[2] : rated_w_;
    hi_ = (mod_ & 1U) ? in_pct_ / 100.0 * ref : rated_w_;
    lo_ = (mod_ & 2U) ? -out_pct_ / 100.0 * ref : -rated_w_;
    hi_ = std::clamp(hi_, -rated_w_, rated_w_);
    lo_ = std::clamp(lo_, -rated_w_, rated_w_);
    last_write_ms_ = now_ms_();
    remote_ = true;
    record({last_write_ms_, lo_, std::max(lo_, hi_), address});
  }

 private:
  double rated_w_;
  unsigned mod_{0};
  double in_pct_{100.0};
  double out_pct_{100.0};
  unsigned rvrt_s_{0};
  std::function<std::int64_t()> now_ms_{steady_ms};
  double lo_{0.0};
  double hi_{0.0};
  bool remote_{false};
  std::int64_t last_write_ms_{0};
  std::size_t reverts_{0};
  std::size_t restarts_{0};
  std::uint32_t heartbeat_{0};
};

}  // namespace

std::unique_ptr<InverterDevice> make_sunspec_device(std::uint8_t unit, const SimWorld& world,
                                                    std::function<std::int64_t()> now_ms,
                                                    SunSpecOptions options) {
  if (options.variant == SunSpecOptions::Variant::fronius_gen24)
    return make_fronius_gen24_device(unit, world, std::move(now_ms), options.window_per_register);
  auto device = std::make_unique<SunSpecDevice>(unit, world);
  if (now_ms) device->set_clock(std::move(now_ms));
  return device;
}

// Shared plumbing.

void InverterDevice::add_server(modbus::testing::ModbusTestServer* server) {
  servers_.push_back(server);
}

void InverterDevice::start(boost::asio::io_context& io) {
  initialise();
  for (auto* server : servers_) {
    server->on_write([this, &io](std::uint8_t unit, std::uint16_t address,
                                 const std::vector<std::uint16_t>& values) {
      if (unit != unit_) return;
      // Stamped here, on the server's thread as the request arrives: a reaction time measured
      // against it must not include the wait for this process's own io thread.
      const std::int64_t received_us = steady_us();
      boost::asio::post(io, [this, address, values, received_us] {
        received_us_ = received_us;
        // Store the values in every server's bank first, the receiving one included: the hook
        // may run before that server has stored them itself, and on_write() reads the bank.
        for (auto* each : servers_) each->set_holding(unit_, address, values);
        on_write(address, static_cast<std::uint16_t>(values.size()));
        received_us_ = 0;
      });
    });
    server->on_write_check([this, &io](std::uint8_t unit, std::uint8_t function,
                                       std::uint16_t address,
                                       const std::vector<std::uint16_t>& values) {
      if (unit != unit_) return std::uint8_t{0};
      const std::uint8_t code = refuse_write(function, address, values);
      if (code != 0) {
        const auto count = static_cast<std::uint16_t>(values.size());
        boost::asio::post(io, [this, function, address, count, code] {
          on_refused(function, address, count, code);
        });
      }
      return code;
    });
  }
}

void InverterDevice::set(std::uint16_t address, const std::vector<std::uint16_t>& v) {
  for (auto* s : servers_) s->set_holding(unit_, address, v);
}

std::vector<std::uint16_t> InverterDevice::get(std::uint16_t address, std::uint16_t count) const {
  return servers_.front()->holding(unit_, address, count);
}

void InverterDevice::record(ControlWrite w) {
  ++writes_;
  w.at_us = received_us_ != 0 ? received_us_ : steady_us();
  history_.push_back(w);
  while (history_.size() > 256) history_.pop_front();
}

nlohmann::json InverterDevice::history() const {
  auto out = nlohmann::json::array();
  for (const auto& w : history_)
    out.push_back({{"at_ms", w.at_ms},
                   {"at_us", w.at_us},
                   {"lo_w", w.lo_w},
                   {"hi_w", w.hi_w},
                   {"address", w.address}});
  return out;
}

}  // namespace bessd::sim
