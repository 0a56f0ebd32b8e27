// libFuzzer: the pylontech_hv decoder and the PackState fold on arbitrary 29-bit frames. Must
// never crash or throw; whatever decodes must re-encode to bytes that decode to the same bytes
// again (encode/decode agree, so the simulator's HV pack cannot drift from the decoder).
#include <bessd/bms/protocols/pylontech_hv.hpp>

#include <cstdlib>

using namespace bessd;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static bms::pylontech_hv::PylontechHv proto;
  static core::PackState state;
  std::size_t i = 0;
  while (i + 3 <= size) {
    can::CanFrame f;
    f.extended = true;
    // Mostly ids of this protocol (0x4200-0x42FF, 0x7300-0x73FF, 0x8200-0x82FF), sometimes any.
    const std::uint16_t raw_id = static_cast<std::uint16_t>(data[i] | (data[i + 1] << 8));
    static constexpr std::uint32_t kBases[] = {0x4200, 0x7300, 0x8200};
    f.id = (raw_id & 0x8000) ? (static_cast<std::uint32_t>(raw_id) * 0x2F1F) & 0x1FFFFFFF
                             : kBases[(raw_id >> 8) % 3] + (raw_id & 0xFF);
    f.extended = (raw_id & 0x4000) == 0 || (raw_id & 0x8000) != 0;
    if (!f.extended) f.id &= 0x7FF;
    f.dlc = data[i + 2] % 10;  // includes invalid 9
    i += 3;
    for (std::size_t b = 0; b < 8 && b < f.dlc && i < size; ++b) f.data[b] = data[i++];
    auto decoded = bms::pylontech_hv::decode(f);
    if (decoded && decoded->has_value()) {
      const auto wire = bms::pylontech_hv::encode_frame(**decoded);
      auto again = bms::pylontech_hv::decode(wire);
      if (!again || !again->has_value()) std::abort();
      if (bms::pylontech_hv::encode_frame(**again) != wire) std::abort();
    }
    proto.apply(f, bessd::TimePoint{}, state);
  }
  return 0;
}
