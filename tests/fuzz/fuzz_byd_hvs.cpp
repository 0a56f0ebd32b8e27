// libFuzzer: the byd_hvs decoder and the PackState fold on arbitrary 11-bit frames. Must never
// crash or throw; whatever decodes must re-encode to bytes that decode to the same bytes again
// (encode/decode agree, so the simulator's BYD battery cannot drift from the decoder).
#include <bessd/bms/protocols/byd_hvs.hpp>

#include <cstdlib>

using namespace bessd;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static bms::byd_hvs::BydHvs proto;
  static core::PackState state;
  std::size_t i = 0;
  while (i + 3 <= size) {
    can::CanFrame f;
    // Mostly the protocol's ids (0x091-0x3D0), sometimes any 11- or 29-bit id.
    const std::uint16_t raw_id = static_cast<std::uint16_t>(data[i] | (data[i + 1] << 8));
    static constexpr std::uint32_t kIds[] = {0x110, 0x150, 0x190, 0x1D0, 0x210, 0x250, 0x2D0,
                                             0x3D0, 0x151, 0x091, 0x0D1, 0x111, 0x191, 0x290};
    f.extended = (raw_id & 0xC000) == 0xC000;
    f.id = (raw_id & 0x8000) ? raw_id & (f.extended ? 0x1FFFFFFF : 0x7FF)
                             : kIds[raw_id % (sizeof kIds / sizeof kIds[0])];
    f.dlc = data[i + 2] % 10;  // includes invalid 9
    i += 3;
    for (std::size_t b = 0; b < 8 && b < f.dlc && i < size; ++b) f.data[b] = data[i++];
    auto decoded = bms::byd_hvs::decode(f);
    if (decoded && decoded->has_value()) {
      const auto wire = bms::byd_hvs::encode_frame(**decoded);
      auto again = bms::byd_hvs::decode(wire);
      if (!again || !again->has_value()) std::abort();
      if (bms::byd_hvs::encode_frame(**again) != wire) std::abort();
    }
    proto.apply(f, bessd::TimePoint{}, state);
  }
  return 0;
}
