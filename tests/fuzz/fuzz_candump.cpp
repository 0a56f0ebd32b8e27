// libFuzzer: the candump log reader on arbitrary text. Must never crash; every record it
// accepts must format back to a line that parses to the same record.
#include <bessd/can/codec/candump.hpp>

#include <cstdlib>

using namespace bessd::can;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const auto& line : candump::parse_log(text)) {
    if (!line.record) continue;
    const auto formatted = candump::format_line(*line.record);
    auto back = candump::parse_line(formatted);
    if (!back || !(*back == *line.record)) std::abort();
  }
  return 0;
}
