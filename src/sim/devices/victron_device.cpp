// A Victron GX in ESS mode 2 (docs/protocols.md), unit 100: the system regulates the grid meter
// to the AC power setpoint (+ = import), using the battery, within DVCC's max charge current
// (2705, -1 = none) and the max discharge power (2720, -1 = none). With DVCC's charge voltage
// limit (2710, ×10; 0 = off) the chargers stop charging once the pack is at that voltage.
// 2716/2717 is the volatile setpoint (lost on restart), 2700 the persisted one; the most
// recently written wins. 2705, 2710 and 2720 are stored settings: they survive a restart.

#include <algorithm>
#include <cmath>
#include <limits>

#include <bessd/sim/devices/inverter_device.hpp>
#include <bessd/sim/devices/register_words.hpp>
#include <bessd/sim/devices/slcan_bms_port.hpp>

namespace bessd::sim {
namespace {

using words::s16;
using words::u16;
std::int32_t s32(std::uint16_t hi, std::uint16_t lo) {
  return static_cast<std::int32_t>((static_cast<std::uint32_t>(hi) << 16) | lo);
}

class VictronDevice final : public InverterDevice {
 public:
  VictronDevice(std::uint8_t unit, const SimWorld& world)
      : InverterDevice(unit), rated_w_(world.inverter().params().rated_power_w) {}

  void initialise() override {
    set(2700, {0});
    set(2705, {s16(-1)});
    set(2710, {0});  // DVCC charge voltage limit off
    set(2716, {0, 0});
    set(2720, {0xFFFF, 0xFFFF});  // -1: no limit
    set(2902, {1});               // ESS with phase compensation
    for (auto* s : servers_) s->save_power_on_image();
  }

  void refresh(const SimWorld& w) override {
    const auto rd = w.readings();
    const auto& pack = w.pack();
    // The GX's battery service reads the battery (BMS or shunt): a DC load shows in it, while
    // the inverter's own power does not.
    const double bat = rd.battery_power_w - rd.dc_load_w;
    set(820, {s16(rd.grid_power_w), 0, 0});
    // The simulated PV is an MPPT on the DC bus: "PV - DC-coupled power".
    set(808, {0, 0, 0, 0, 0, 0});
    set(850, {u16(rd.pv_w)});
    // "Has DC system": the GX computes the DC loads from the battery monitor and the Multi.
    set(860, {s16(rd.dc_load_w)});
    const std::uint16_t state = bat > 5 ? 1 : (bat < -5 ? 2 : 0);
    set(840, {u16(pack.voltage_v() * 10), s16(pack.current_a() * 10), s16(bat), u16(pack.soc_pct()),
              state});
  }

  void apply(SimWorld& w) override {
    const auto rd = w.readings();
    // ESS regulates grid = load - pv + battery to the setpoint.
    const double target = grid_setpoint_w_ - rd.load_w + rd.pv_w;
    w.command_battery_power(std::clamp(target, lo_w(w), std::max(lo_w(w), hi_w(w))));
  }

  void restart(SimWorld& w) override {
    set(2716, {0, 0});  // volatile
    grid_setpoint_w_ = persisted_setpoint_w_;
    for (auto* s : servers_) s->drop_connections();
    w.inverter().restart();
    ++restarts_;
  }

  nlohmann::json status() const override {
    return {{"profile", "victron_ess"},
            {"grid_setpoint_w", grid_setpoint_w_},
            {"max_charge_current_a", max_charge_a_},
            {"max_discharge_power_w", max_discharge_w_},
            {"max_charge_voltage_v", max_charge_voltage_v_},
            {"writes", writes_},
            {"restarts", restarts_},
            {"last_write_ms", last_write_ms_}};
  }

 protected:
  void on_write(std::uint16_t address, std::uint16_t count) override {
    const auto touches = [&](std::uint16_t a) { return address <= a && a < address + count; };
    if (touches(2700)) {
      persisted_setpoint_w_ = static_cast<std::int16_t>(get(2700, 1)[0]);
      grid_setpoint_w_ = persisted_setpoint_w_;
    }
    if (touches(2705)) max_charge_a_ = static_cast<std::int16_t>(get(2705, 1)[0]);
    if (touches(2710)) max_charge_voltage_v_ = get(2710, 1)[0] / 10.0;
    if (touches(2716) || touches(2717)) {
      const auto r = get(2716, 2);
      grid_setpoint_w_ = s32(r[0], r[1]);
    }
    if (touches(2720) || touches(2721)) {
      const auto r = get(2720, 2);
      max_discharge_w_ = s32(r[0], r[1]);
    }
    if (!(touches(2700) || touches(2705) || touches(2710) || touches(2716) || touches(2717) ||
          touches(2720) || touches(2721)))
      return;
    last_write_ms_ = steady_ms();
    // The window the limits allow; with both limits open, the setpoint decides (record it as
    // the implied battery power at the moment of the write is not known here: use the limits).
    const double v = last_voltage_v_;
    const double lo = max_discharge_w_ < 0 ? -rated_w_ : -static_cast<double>(max_discharge_w_);
    double hi = max_charge_a_ < 0 ? rated_w_ : max_charge_a_ * v;
    if (max_charge_voltage_v_ > 0 && v >= max_charge_voltage_v_) hi = 0.0;
    record({last_write_ms_, std::max(lo, -rated_w_), std::min(hi, rated_w_), address});
  }

 private:
  double lo_w(const SimWorld&) const {
    return max_discharge_w_ < 0 ? -rated_w_ : -static_cast<double>(max_discharge_w_);
  }
  double hi_w(const SimWorld& w) const {
    last_voltage_v_ = w.pack().voltage_v();
    if (max_charge_voltage_v_ > 0 && last_voltage_v_ >= max_charge_voltage_v_) return 0.0;
    return max_charge_a_ < 0 ? rated_w_ : max_charge_a_ * last_voltage_v_;
  }

  double rated_w_;
  double grid_setpoint_w_{0.0};
  double persisted_setpoint_w_{0.0};
  int max_charge_a_{-1};
  std::int32_t max_discharge_w_{-1};
  double max_charge_voltage_v_{0.0};
  std::int64_t last_write_ms_{0};
  std::size_t restarts_{0};
  mutable double last_voltage_v_{50.0};
};

}  // namespace

std::unique_ptr<InverterDevice> make_victron_device(std::uint8_t unit, const SimWorld& world) {
  return std::make_unique<VictronDevice>(unit, world);
}

}  // namespace bessd::sim
