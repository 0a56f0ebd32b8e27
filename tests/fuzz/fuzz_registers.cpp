// libFuzzer target: register decoding must never crash or throw on any register contents,
// whatever the type, word order and scale factor. Encode -> decode must round-trip when the
// encode succeeds.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include <bessd/inverter/registers/register_codec.hpp>
#include <bessd/inverter/registers/sunspec.hpp>

using namespace bessd::inverter::registers;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const auto type = static_cast<RegisterType>(data[0] % 13);
  const auto order = (data[1] & 1) ? WordOrder::low_first : WordOrder::high_first;
  const int sf = static_cast<int>(static_cast<std::int8_t>(data[2])) % 12;
  std::vector<std::uint16_t> words;
  for (std::size_t i = 3; i + 1 < size; i += 2)
    words.push_back(static_cast<std::uint16_t>((data[i] << 8) | data[i + 1]));

  (void)is_sunspec_unimplemented(words, type, order);
  (void)decode_string(words);
  (void)sunspec::is_marker(words);
  auto raw = decode_raw(words, type, order);
  auto scaled = decode_scaled(words, type, order, 0.1, sf);
  if (scaled && std::isfinite(*scaled)) {
    auto enc = encode_scaled(*scaled, type, order, 0.1, sf);
    if (enc && type != RegisterType::f32) {
      auto back = decode_scaled(*enc, type, order, 0.1, sf);
      if (!back || std::fabs(*back - *scaled) > resolution(0.1, sf)) __builtin_trap();
    }
  }
  if (words.size() >= 2) {
    auto next = sunspec::next_model_address(words[0], {words[1], words[0]});
    (void)next;
  }
  (void)raw;
  return 0;
}
