#include <bessd/inverter/registers/register_codec.hpp>

#include <array>
#include <bit>
#include <cmath>
#include <limits>

namespace bessd::inverter::registers {

namespace {

struct TypeInfo {
  RegisterType type;
  std::string_view name;
  std::size_t words;
  bool is_signed;
};

constexpr std::array<TypeInfo, 13> kTypes{{
    {RegisterType::u16, "u16", 1, false},
    {RegisterType::s16, "s16", 1, true},
    {RegisterType::u32, "u32", 2, false},
    {RegisterType::s32, "s32", 2, true},
    {RegisterType::f32, "f32", 2, true},
    {RegisterType::string, "string", 0, false},
    {RegisterType::acc16, "acc16", 1, false},
    {RegisterType::acc32, "acc32", 2, false},
    {RegisterType::enum16, "enum16", 1, false},
    {RegisterType::enum32, "enum32", 2, false},
    {RegisterType::bitfield16, "bitfield16", 1, false},
    {RegisterType::bitfield32, "bitfield32", 2, false},
    {RegisterType::sunssf, "sunssf", 1, true},
}};

const TypeInfo& info(RegisterType t) noexcept {
  for (const auto& i : kTypes)
    if (i.type == t) return i;
  return kTypes[0];
}

std::uint32_t join32(std::span<const std::uint16_t> w, WordOrder order) noexcept {
  const std::uint32_t a = w[0];
  const std::uint32_t b = w[1];
  return order == WordOrder::high_first ? (a << 16) | b : (b << 16) | a;
}

std::vector<std::uint16_t> split32(std::uint32_t v, WordOrder order) {
  const auto hi = static_cast<std::uint16_t>(v >> 16);
  const auto lo = static_cast<std::uint16_t>(v & 0xFFFFu);
  if (order == WordOrder::high_first) return {hi, lo};
  return {lo, hi};
}

std::string short_msg(RegisterType t, std::string_view what) {
  return std::string("register type ") + std::string(to_string(t)) + ": " + std::string(what);
}

}  // namespace

std::string_view to_string(RegisterType t) noexcept {
  return info(t).name;
}

std::optional<RegisterType> register_type_from_string(std::string_view name) noexcept {
  for (const auto& i : kTypes)
    if (i.name == name) return i.type;
  return std::nullopt;
}

std::size_t register_count(RegisterType type, std::size_t string_registers) noexcept {
  return type == RegisterType::string ? string_registers : info(type).words;
}

bool is_signed(RegisterType type) noexcept {
  return info(type).is_signed;
}
bool is_numeric(RegisterType type) noexcept {
  return type != RegisterType::string;
}

Result<double> decode_raw(std::span<const std::uint16_t> words, RegisterType type,
                          WordOrder order) noexcept {
  if (!is_numeric(type))
    return fail(ErrorCode::invalid_argument, short_msg(type, "not a numeric type"));
  const std::size_t need = register_count(type);
  if (words.size() < need)
    return fail(ErrorCode::parse_error,
                short_msg(type, "needs " + std::to_string(need) + " registers, got " +
                                    std::to_string(words.size())));
  switch (type) {
    case RegisterType::u16:
    case RegisterType::acc16:
    case RegisterType::enum16:
    case RegisterType::bitfield16:
      return static_cast<double>(words[0]);
    case RegisterType::s16:
    case RegisterType::sunssf:
      return static_cast<double>(static_cast<std::int16_t>(words[0]));
    case RegisterType::u32:
    case RegisterType::acc32:
    case RegisterType::enum32:
    case RegisterType::bitfield32:
      return static_cast<double>(join32(words, order));
    case RegisterType::s32:
      return static_cast<double>(static_cast<std::int32_t>(join32(words, order)));
    case RegisterType::f32:
      return static_cast<double>(std::bit_cast<float>(join32(words, order)));
    case RegisterType::string:
      break;
  }
  return fail(ErrorCode::internal, short_msg(type, "unhandled type"));
}

bool is_sunspec_unimplemented(std::span<const std::uint16_t> words, RegisterType type,
                              WordOrder order) noexcept {
  if (type == RegisterType::string) {
    for (auto w : words)
      if (w != 0) return false;
    return true;
  }
  if (words.size() < register_count(type)) return true;
  switch (type) {
    case RegisterType::s16:
    case RegisterType::sunssf:
      return words[0] == 0x8000;
    case RegisterType::u16:
    case RegisterType::enum16:
    case RegisterType::bitfield16:
      return words[0] == 0xFFFF;
    case RegisterType::acc16:
      return words[0] == 0;
    case RegisterType::s32:
      return join32(words, order) == 0x80000000u;
    case RegisterType::u32:
    case RegisterType::enum32:
    case RegisterType::bitfield32:
      return join32(words, order) == 0xFFFFFFFFu;
    case RegisterType::acc32:
      return join32(words, order) == 0;
    case RegisterType::f32:
      return std::isnan(std::bit_cast<float>(join32(words, order)));
    case RegisterType::string:
      break;
  }
  return false;
}

Result<std::string> decode_string(std::span<const std::uint16_t> words) noexcept {
  std::string out;
  out.reserve(words.size() * 2);
  for (auto w : words) {
    out.push_back(static_cast<char>(w >> 8));
    out.push_back(static_cast<char>(w & 0xFF));
  }
  // NUL-terminated inside the field: cut at the first NUL, then trim trailing spaces.
  if (auto nul = out.find('\0'); nul != std::string::npos) out.resize(nul);
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

double resolution(double scale, int sf) noexcept {
  return std::fabs(scale * std::pow(10.0, sf));
}

Result<double> decode_scaled(std::span<const std::uint16_t> words, RegisterType type,
                             WordOrder order, double scale, int sf) noexcept {
  if (sf < -10 || sf > 10)
    return fail(ErrorCode::parse_error,
                short_msg(type, "scale factor " + std::to_string(sf) + " outside [-10, 10]"));
  auto raw = decode_raw(words, type, order);
  if (!raw) return raw;
  if (!std::isfinite(*raw))
    return fail(ErrorCode::parse_error, short_msg(type, "value is not a finite number"));
  return *raw * scale * std::pow(10.0, sf);
}

Result<std::vector<std::uint16_t>> encode_raw(double raw, RegisterType type,
                                              WordOrder order) noexcept {
  if (!is_numeric(type))
    return fail(ErrorCode::invalid_argument, short_msg(type, "cannot encode a number"));
  if (!std::isfinite(raw))
    return fail(ErrorCode::invalid_argument, short_msg(type, "value is not finite"));
  if (type == RegisterType::f32) {
    if (std::fabs(raw) > static_cast<double>(std::numeric_limits<float>::max()))
      return fail(ErrorCode::out_of_range, short_msg(type, "value exceeds float range"));
    return split32(std::bit_cast<std::uint32_t>(static_cast<float>(raw)), order);
  }
  const double r = std::nearbyint(raw);
  double lo = 0;
  double hi = 0;
  const bool wide = register_count(type) == 2;
  if (is_signed(type)) {
    lo = wide ? -2147483648.0 : -32768.0;
    hi = wide ? 2147483647.0 : 32767.0;
  } else {
    hi = wide ? 4294967295.0 : 65535.0;
  }
  if (r < lo || r > hi)
    return fail(ErrorCode::out_of_range,
                short_msg(type, "raw value " + std::to_string(r) + " outside [" +
                                    std::to_string(lo) + ", " + std::to_string(hi) + "]"));
  if (!wide) {
    const auto v = is_signed(type) ? static_cast<std::uint16_t>(static_cast<std::int16_t>(r))
                                   : static_cast<std::uint16_t>(r);
    return std::vector<std::uint16_t>{v};
  }
  const auto v = is_signed(type) ? static_cast<std::uint32_t>(static_cast<std::int32_t>(r))
                                 : static_cast<std::uint32_t>(r);
  return split32(v, order);
}

Result<std::vector<std::uint16_t>> encode_scaled(double value, RegisterType type, WordOrder order,
                                                 double scale, int sf) noexcept {
  if (sf < -10 || sf > 10)
    return fail(ErrorCode::invalid_argument,
                short_msg(type, "scale factor " + std::to_string(sf) + " outside [-10, 10]"));
  const double step = scale * std::pow(10.0, sf);
  if (step == 0.0 || !std::isfinite(step))
    return fail(ErrorCode::invalid_argument, short_msg(type, "scale is zero"));
  if (!std::isfinite(value))
    return fail(ErrorCode::invalid_argument, short_msg(type, "value is not finite"));
  return encode_raw(value / step, type, order);
}

}  // namespace bessd::inverter::registers
