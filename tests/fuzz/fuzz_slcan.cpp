// libFuzzer: the streaming SLCAN parser on arbitrary bytes in arbitrary splits. Must never
// crash, keep partial lines bounded, and every frame it accepts must encode back to a line
// that parses to the same frame.
#include <bessd/can/codec/slcan.hpp>

#include <cstdlib>

using namespace bessd::can;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t chunk = 1 + data[0] % 17;  // first byte picks the split size
  slcan::Parser parser;
  slcan::Parser::Output out;
  for (std::size_t i = 1; i < size; i += chunk) {
    parser.feed(std::span<const std::uint8_t>(data + i, std::min(chunk, size - i)), out);
    if (parser.pending() > slcan::kMaxLineLength) std::abort();
  }
  for (const auto& msg : out.messages) {
    const auto* rx = std::get_if<slcan::ReceivedFrame>(&msg);
    if (rx == nullptr) continue;
    auto line = slcan::encode_frame(rx->frame);
    if (!line) std::abort();  // a parsed frame is always encodable
    auto back = slcan::parse_line(std::string_view(*line).substr(0, line->size() - 1));
    if (!back || std::get<slcan::ReceivedFrame>(*back).frame != rx->frame) std::abort();
  }
  return 0;
}
