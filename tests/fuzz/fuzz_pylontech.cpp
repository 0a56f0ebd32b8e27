// libFuzzer: the pylontech_lv decoder and the PackState fold on arbitrary frames. Must never
// crash or throw; whatever decodes must re-encode to bytes that decode to the same bytes again
// (encode/decode agree, so the simulator cannot drift from the decoder).
#include <bessd/bms/protocols/pylontech_lv.hpp>

#include <cstdlib>

using namespace bessd;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static bms::pylontech::PylontechLv proto;
  static core::PackState state;
  std::size_t i = 0;
  while (i + 3 <= size) {
    can::CanFrame f;
    // Mostly ids of this protocol (0x350-0x37F), sometimes anything.
    const std::uint16_t raw_id = static_cast<std::uint16_t>(data[i] | (data[i + 1] << 8));
    f.id = (raw_id & 0x8000) ? (raw_id & 0x7FF) : (0x350 + (raw_id % 0x30));
    f.dlc = data[i + 2] % 10;  // includes invalid 9
    i += 3;
    for (std::size_t b = 0; b < 8 && b < f.dlc && i < size; ++b) f.data[b] = data[i++];
    auto decoded = bms::pylontech::decode(f);
    if (decoded && decoded->has_value()) {
      const auto wire = bms::pylontech::encode_frame(**decoded);
      auto again = bms::pylontech::decode(wire);
      if (!again || !again->has_value()) std::abort();
      if (bms::pylontech::encode_frame(**again) != wire) std::abort();
    }
    proto.apply(f, bessd::TimePoint{}, state);
  }
  return 0;
}
