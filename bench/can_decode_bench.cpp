// Decode throughput of the BMS CAN path (items = CAN frames):
//   BM_PylontechDecode         wire frame -> typed frame (pure decode)
//   BM_PylontechApply          wire frame -> PackState fold (what BmsMonitor does per frame)
//   BM_SlcanBytesToPackState   SLCAN bytes from an adapter -> parser -> PackState (full path)
//   BM_SlcanEncode             frame -> SLCAN line (the keep-alive/sending side)
// Run: build/release/bench/can_decode_bench
// BESSD_BENCH_CANDUMP=FILE replaces the built-in cycle with the frames of a candump log, so that
// bench/decode_vs_python.py can time a Python decoder on exactly the same frames.
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include <bessd/bms/protocols/pylontech_lv.hpp>
#include <bessd/can/codec/candump.hpp>
#include <bessd/can/codec/slcan.hpp>

#include <benchmark/benchmark.h>

namespace {

using namespace bessd;
using can::make_frame;

// One 1 s cycle of a Pylontech pack: V1.2 and V1.3 frames, cells, and the keep-alive echo.
std::vector<can::CanFrame> builtin_cycle() {
  return {make_frame(0x351, {0x14, 0x02, 0xC0, 0x12, 0xC0, 0x12, 0xC2, 0x01}),
          make_frame(0x355, {0x58, 0x00, 0x5E, 0x00}),
          make_frame(0x356, {0x7A, 0x13, 0xF2, 0xFE, 0x6B, 0x01}),
          make_frame(0x359, {0x00, 0x00, 0x00, 0x00, 0x06, 0x50, 0x4E}),
          make_frame(0x35C, {0xC0, 0x00}),
          make_frame(0x35E, {0x50, 0x59, 0x4C, 0x4F, 0x4E, 0x20, 0x20, 0x20}),
          make_frame(0x35A, {0, 0, 0, 0, 0, 0, 0, 0}),
          make_frame(0x35F, {0x4C, 0x49, 0x01, 0x03, 0x3C, 0x02, 0xAA, 0x00}),
          make_frame(0x372, {6, 0, 0, 0, 0, 0, 0, 0}),
          make_frame(0x373, {0x81, 0x0C, 0x11, 0x0D, 0x20, 0x01, 0x2D, 0x01}),
          make_frame(0x378, {0x10, 0x27, 0, 0, 0xE8, 0x03, 0, 0}),
          make_frame(0x379, {0x3C, 0x02}),
          make_frame(0x305, {0, 0, 0, 0, 0, 0, 0, 0})};
}

std::vector<can::CanFrame> load_candump(const char* path) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "can_decode_bench: cannot read " << path << "\n";
    std::exit(2);
  }
  std::stringstream text;
  text << in.rdbuf();
  std::vector<can::CanFrame> frames;
  for (const auto& line : can::candump::parse_log(text.str())) {
    if (!line.record) {
      std::cerr << path << ":" << line.line_number << ": " << line.record.error().message << "\n";
      std::exit(2);
    }
    frames.push_back(line.record->frame);
  }
  if (frames.empty()) {
    std::cerr << "can_decode_bench: no frames in " << path << "\n";
    std::exit(2);
  }
  return frames;
}

const std::vector<can::CanFrame>& cycle() {
  static const std::vector<can::CanFrame> frames = [] {
    const char* path = std::getenv("BESSD_BENCH_CANDUMP");
    return path != nullptr && *path != '\0' ? load_candump(path) : builtin_cycle();
  }();
  return frames;
}

void BM_PylontechDecode(benchmark::State& state) {
  const auto& frames = cycle();
  for (auto _ : state) {
    for (const auto& f : frames) {
      auto r = bms::pylontech::decode(f);
      benchmark::DoNotOptimize(r);
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(frames.size()));
}
BENCHMARK(BM_PylontechDecode);

void BM_PylontechApply(benchmark::State& state) {
  const auto& frames = cycle();
  bms::pylontech::PylontechLv proto;
  core::PackState pack;
  const TimePoint at{};
  for (auto _ : state) {
    for (const auto& f : frames) {
      auto out = proto.apply(f, at, pack);
      benchmark::DoNotOptimize(out);
    }
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(frames.size()));
}
BENCHMARK(BM_PylontechApply);

void BM_SlcanBytesToPackState(benchmark::State& state) {
  std::string bytes;
  const auto& frames = cycle();
  for (const auto& f : frames) bytes += *can::slcan::encode_frame(f);
  can::slcan::Parser parser;
  can::slcan::Parser::Output out;
  bms::pylontech::PylontechLv proto;
  core::PackState pack;
  const TimePoint at{};
  // Feed 64-byte reads, as a USB CDC adapter delivers them.
  for (auto _ : state) {
    for (std::size_t i = 0; i < bytes.size(); i += 64) {
      out.messages.clear();
      out.errors.clear();
      parser.feed(std::string_view(bytes).substr(i, 64), out);
      for (const auto& m : out.messages) {
        if (const auto* rx = std::get_if<can::slcan::ReceivedFrame>(&m)) {
          auto r = proto.apply(rx->frame, at, pack);
          benchmark::DoNotOptimize(r);
        }
      }
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(frames.size()));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes.size()));
}
BENCHMARK(BM_SlcanBytesToPackState);

void BM_SlcanEncode(benchmark::State& state) {
  const auto& frames = cycle();
  for (auto _ : state) {
    for (const auto& f : frames) {
      auto line = can::slcan::encode_frame(f);
      benchmark::DoNotOptimize(line);
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(frames.size()));
}
BENCHMARK(BM_SlcanEncode);

}  // namespace

BENCHMARK_MAIN();
