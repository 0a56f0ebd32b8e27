#include <bessd/can/can_bus_error.hpp>
#include <bessd/can/can_frame.hpp>

#include <algorithm>
#include <cstdio>

namespace bessd::can {

CanFrame make_frame(std::uint32_t id, std::initializer_list<std::uint8_t> bytes) {
  return make_frame(id, std::span<const std::uint8_t>(bytes.begin(), bytes.size()));
}

CanFrame make_frame(std::uint32_t id, std::span<const std::uint8_t> bytes) {
  CanFrame frame;
  frame.id = id;
  frame.dlc = static_cast<std::uint8_t>(std::min<std::size_t>(bytes.size(), kMaxDlc));
  std::copy_n(bytes.begin(), frame.dlc, frame.data.begin());
  return frame;
}

CanFrame make_extended_frame(std::uint32_t id, std::span<const std::uint8_t> bytes) {
  CanFrame frame = make_frame(id, bytes);
  frame.extended = true;
  return frame;
}

bool is_valid(const CanFrame& frame) noexcept {
  if (frame.dlc > kMaxDlc) return false;
  if (frame.error) return frame.id <= kMaxExtendedId;
  return frame.id <= (frame.extended ? kMaxExtendedId : kMaxStandardId);
}

std::string to_string(const CanFrame& frame) {
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, (frame.extended || frame.error) ? "%08X#" : "%03X#",
                        static_cast<unsigned>(frame.id | (frame.error ? 0x20000000U : 0U)));
  std::string out(buf, static_cast<std::size_t>(n));
  if (frame.remote) {
    out += 'R';
    if (frame.dlc != 0) out += static_cast<char>('0' + std::min<int>(frame.dlc, 8));
    return out;
  }
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (std::uint8_t b : frame.payload()) {
    out += kHex[b >> 4];
    out += kHex[b & 0xF];
  }
  return out;
}

bool matches(const CanFilter& filter, const CanFrame& frame) noexcept {
  return frame.extended == filter.extended && (frame.id & filter.mask) == (filter.id & filter.mask);
}

std::string_view to_string(CanErrorKind kind) noexcept {
  return enum_name(kCanErrorKindNames, kind);
}

}  // namespace bessd::can
