#pragma once
// Pure encode/decode of Modbus register values (16-bit words as they arrive from libmodbus, i.e.
// already in host order per register). No I/O, no clock; never throws on bad input: every
// failure comes back as a Result with a message naming the type and the problem.
//
// Physical value = raw × scale × 10^sf, where `scale` is the profile's fixed factor and `sf` a
// SunSpec scale-factor register (0 when the point has none).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <bessd/common/enum_names.hpp>
#include <bessd/common/result.hpp>

namespace bessd::inverter::registers {

/// Register types a profile can declare. The SunSpec names (acc, enum, bitfield, sunssf) differ
/// from the plain integers only in their "not implemented" sentinel.
enum class RegisterType : std::uint8_t {
  u16,
  s16,
  u32,
  s32,
  f32,
  string,
  acc16,
  acc32,
  enum16,
  enum32,
  bitfield16,
  bitfield32,
  sunssf,
};

/// Order of the 16-bit words of a 32-bit value (bytes inside a register are always big-endian
/// on the wire; libmodbus hands them over as host-order uint16_t).
enum class WordOrder : std::uint8_t { high_first, low_first };
inline constexpr auto kWordOrderNames = std::to_array<EnumName<WordOrder>>(
    {{WordOrder::high_first, "high_first"}, {WordOrder::low_first, "low_first"}});
static_assert(enum_names_complete(kWordOrderNames));

std::string_view to_string(RegisterType t) noexcept;
std::optional<RegisterType> register_type_from_string(std::string_view name) noexcept;

/// Registers a value of this type occupies; strings take `string_registers`.
std::size_t register_count(RegisterType type, std::size_t string_registers = 0) noexcept;
bool is_signed(RegisterType type) noexcept;
bool is_numeric(RegisterType type) noexcept;

/// The raw integer (or float bits reinterpreted) of a numeric register value.
/// Fails when `words` is shorter than the type needs or the type is a string.
Result<double> decode_raw(std::span<const std::uint16_t> words, RegisterType type,
                          WordOrder order) noexcept;

/// SunSpec "not implemented" sentinel check (docs/protocols.md "SunSpec"): 0x8000 for s16/sunssf,
/// 0xFFFF for u16/enum16/bitfield16, 0 for acc, NaN for f32, all-NUL for strings.
bool is_sunspec_unimplemented(std::span<const std::uint16_t> words, RegisterType type,
                              WordOrder order) noexcept;

/// A string: 2 chars per register, high byte first, trailing NULs and spaces removed.
Result<std::string> decode_string(std::span<const std::uint16_t> words) noexcept;

/// Scaled decode of a numeric point: raw × scale × 10^sf. `sf` must be within [-10, 10]
/// (SunSpec limits); outside it is a parse error.
Result<double> decode_scaled(std::span<const std::uint16_t> words, RegisterType type,
                             WordOrder order, double scale, int sf = 0) noexcept;

/// Encodes a physical value into registers: round(value / (scale × 10^sf)) as the type.
/// Fails with out_of_range when the raw value does not fit the type, and invalid_argument for
/// non-finite values, zero scale or non-numeric types.
Result<std::vector<std::uint16_t>> encode_scaled(double value, RegisterType type, WordOrder order,
                                                 double scale, int sf = 0) noexcept;

/// Raw-integer encode (no scaling) for constants and read-back comparisons.
Result<std::vector<std::uint16_t>> encode_raw(double raw, RegisterType type,
                                              WordOrder order) noexcept;

/// One step of the value's resolution: |scale × 10^sf|. Read-back comparisons allow half of it.
double resolution(double scale, int sf) noexcept;

}  // namespace bessd::inverter::registers
