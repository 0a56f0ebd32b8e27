#pragma once
// Fills a device's register image (the libmodbus test server, or the in-memory client) from a
// profile, through the same codec the driver uses, so that tests speak exactly the profile's
// layout.
#include <map>
#include <stdexcept>
#include <string>
#include <utility>

#include <bessd/inverter/profile.hpp>
#include <bessd/inverter/registers/register_codec.hpp>
#include <bessd/modbus/testing/modbus_test_server.hpp>

namespace bessd::inverter::test {

/// `Image`: set_holding/set_input/holding/input per unit (ModbusTestServer,
/// InMemoryModbusClient).
template <typename Image>
class RegisterBankOf {
 public:
  RegisterBankOf(Image& server, const Profile& profile, std::uint8_t unit,
                 std::map<std::uint16_t, std::uint16_t> model_starts = {})
      : server_(server), profile_(profile), unit_(unit), starts_(std::move(model_starts)) {}

  std::uint16_t address_of(const std::string& name) const {
    const PointSpec& p = spec(name);
    if (p.address) return *p.address;
    for (auto m : p.models)
      if (auto it = starts_.find(m); it != starts_.end())
        return static_cast<std::uint16_t>(it->second + p.offset);
    throw std::runtime_error("point " + name + " has no model in the image");
  }

  /// Physical value, device sign, with an explicit SunSpec scale factor when the point has one.
  void set(const std::string& name, double value, int sf = 0) {
    const PointSpec& p = spec(name);
    auto regs = registers::encode_scaled(value, p.type, p.word_order, p.scale, sf);
    if (!regs) throw std::runtime_error(regs.error().message);
    put(p, *regs);
  }
  void set_raw(const std::string& name, const std::vector<std::uint16_t>& regs) {
    put(spec(name), regs);
  }
  void set_string(const std::string& name, const std::string& text) {
    const PointSpec& p = spec(name);
    std::vector<std::uint16_t> regs(p.string_registers, 0);
    for (std::size_t i = 0; i < text.size() && i / 2 < regs.size(); ++i)
      regs[i / 2] |=
          static_cast<std::uint16_t>(static_cast<unsigned char>(text[i]) << (i % 2 == 0 ? 8 : 0));
    put(p, regs);
  }
  /// The value where the profile reads the point (its `read_at`, if any).
  double get(const std::string& name, int sf = 0) const {
    const PointSpec& p = spec(name);
    const auto n = static_cast<std::uint16_t>(p.register_count());
    const auto [fn, a] = read_location(p);
    auto regs = fn == RegisterFunction::input ? server_.input(unit_of(p), a, n)
                                              : server_.holding(unit_of(p), a, n);
    return registers::decode_scaled(regs, p.type, p.word_order, p.scale, sf).value();
  }
  /// The value where the driver writes the point: the holding registers at its address.
  double written(const std::string& name) const {
    const PointSpec& p = spec(name);
    const auto regs = server_.holding(unit_of(p), address_of(name),
                                      static_cast<std::uint16_t>(p.register_count()));
    return registers::decode_scaled(regs, p.type, p.word_order, p.scale, 0).value();
  }

 private:
  const PointSpec& spec(const std::string& name) const {
    const PointSpec* p = profile_.point(name);
    if (p == nullptr) throw std::runtime_error("no point " + name);
    return *p;
  }
  std::uint8_t unit_of(const PointSpec& p) const {
    return p.unit_id ? *p.unit_id : (profile_.unit_id ? *profile_.unit_id : unit_);
  }
  std::pair<RegisterFunction, std::uint16_t> read_location(const PointSpec& p) const {
    if (p.read_at) return {p.read_at->function, p.read_at->address};
    return {p.function, address_of(p.name)};
  }
  void put(const PointSpec& p, const std::vector<std::uint16_t>& regs) {
    const auto [fn, a] = read_location(p);
    if (fn == RegisterFunction::input)
      server_.set_input(unit_of(p), a, regs);
    else
      server_.set_holding(unit_of(p), a, regs);
  }

  Image& server_;
  const Profile& profile_;
  std::uint8_t unit_;
  std::map<std::uint16_t, std::uint16_t> starts_;
};

using RegisterBank = RegisterBankOf<modbus::testing::ModbusTestServer>;

}  // namespace bessd::inverter::test
