#pragma once
// Register images of the test devices, written through a RegisterBankOf<Image> (either the
// libmodbus test server or the in-memory client): the dummy profile's device, a SunSpec chain
// (models 1, 103, 124 and optionally 802) and a Victron GX in ESS mode.
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

namespace bessd::inverter::test {

template <typename Bank>
void fill_dummy(Bank& b) {
  b.set("battery_power", 500);  // device: + = discharging
  b.set("battery_voltage", 51.2);
  b.set("battery_current", 9.8);
  b.set("grid_power", -1200);  // s32, low word first
  b.set("ac_power", 480);
  b.set("state", 2);
  b.set("rated_power", 5000);
  b.set_string("model", "DUMMY-5K");
  b.set_string("serial", "SN0042");
  b.set("setpoint", 777);  // whatever the inverter held before bessd
  b.set("enable", 1);
}

struct SunSpecImage {
  std::uint16_t base;
  std::map<std::uint16_t, std::uint16_t> starts;
};

template <typename Image>
SunSpecImage build_sunspec(Image& srv, std::uint16_t base, bool with_802) {
  SunSpecImage img{base, {}};
  std::uint32_t a = base;
  srv.set_holding(1, static_cast<std::uint16_t>(a), {0x5375, 0x6E53});
  a += 2;
  std::vector<std::pair<std::uint16_t, std::uint16_t>> chain{{1, 66}, {103, 50}, {124, 24}};
  if (with_802) chain.push_back({802, 62});
  for (auto [id, len] : chain) {
    srv.set_holding(1, static_cast<std::uint16_t>(a), {id, len});
    img.starts[id] = static_cast<std::uint16_t>(a);
    a += 2u + len;
  }
  srv.set_holding(1, static_cast<std::uint16_t>(a), {0xFFFF, 0});
  return img;
}

template <typename Bank>
void fill_sunspec(Bank& b) {
  b.set_string("Md", "HybridX 6.0");
  b.set_string("SN", "HX123");
  b.set("W", 1234);  // raw, W_SF = -1 -> 123.4 W
  b.set("W_SF", -1);
  b.set("St", 4);
  b.set("WChaMax", 5000);
  b.set("WChaMax_SF", 0);
  b.set("InBatV", 5120);
  b.set("InBatV_SF", -2);
  b.set("InOutWRte_SF", -2);
  b.set("StorCtl_Mod", 0);
}

template <typename Bank>
void fill_victron(Bank& b) {
  b.set("grid_l1", 100);
  b.set("grid_l2", 50);
  b.set("grid_l3", 0);
  b.set("battery_voltage", 52.3);
  b.set("battery_current", -5.7);
  b.set("battery_power", -300);
  b.set("hub4_mode", 1);
  b.set("max_discharge_power", -1);
  b.set("max_charge_current", -1);
}

}  // namespace bessd::inverter::test
