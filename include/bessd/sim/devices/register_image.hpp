#pragma once
// A run of registers a simulated device serves, filled with physical values at their addresses
// (saturating, register_words.hpp), in the device's own word order. Shared by the register
// images of the simulated inverters.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <bessd/sim/devices/register_words.hpp>

namespace bessd::sim {

class RegisterImage {
 public:
  enum class WordOrder : std::uint8_t { high_first, low_first };

  /// `pad` fills an ASCII field past its text (GoodWe and SolaX pad with spaces, Sungrow with
  /// NUL).
  RegisterImage(std::uint16_t first, std::size_t count, WordOrder order = WordOrder::high_first,
                char pad = ' ')
      : base_(first), regs_(count, 0), order_(order), pad_(static_cast<unsigned char>(pad)) {}

  void raw(std::uint16_t a, std::uint16_t v) { at(a) = v; }
  void u16(std::uint16_t a, double v) { at(a) = words::u16(v); }
  void s16(std::uint16_t a, double v) { at(a) = words::s16(v); }
  void u32(std::uint16_t a, double v) { put(a, words::u32_hi_lo(v)); }
  void s32(std::uint16_t a, double v) { put(a, words::s32_hi_lo(v)); }
  /// Two characters a register, the first in the high byte.
  void ascii(std::uint16_t a, const std::string& s, std::size_t n_words) {
    const auto c = [&](std::size_t k) {
      return k < s.size() ? static_cast<unsigned char>(s[k]) : pad_;
    };
    for (std::size_t i = 0; i < n_words; ++i)
      at(static_cast<std::uint16_t>(a + i)) =
          static_cast<std::uint16_t>((c(2 * i) << 8) | c(2 * i + 1));
  }
  std::uint16_t base() const { return base_; }
  const std::vector<std::uint16_t>& regs() const { return regs_; }
  std::vector<std::uint16_t>& regs() { return regs_; }

 private:
  std::uint16_t& at(std::uint16_t a) { return regs_.at(static_cast<std::size_t>(a - base_)); }
  // Given high word first; turned round for a low-first device.
  void put(std::uint16_t a, std::array<std::uint16_t, 2> w) {
    const bool low_first = order_ == WordOrder::low_first;
    at(a) = low_first ? w[1] : w[0];
    at(static_cast<std::uint16_t>(a + 1)) = low_first ? w[0] : w[1];
  }
  std::uint16_t base_;
  std::vector<std::uint16_t> regs_;
  WordOrder order_;
  unsigned char pad_;
};

}  // namespace bessd::sim
