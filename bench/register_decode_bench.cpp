// Register decode cost and Modbus round-trip times through LibmodbusClient (worker thread +
// io_context post, the production path) against the libmodbus test server:
//   TCP loopback, and RTU on a pty with libmodbus RTS emulation on both ends so that every
//   frame takes its real transmit time at the configured baud rate (a bare pty ignores baud).
// Run: build/release/bench/register_decode_bench
#include <benchmark/benchmark.h>

#include <optional>
#include <vector>

#include <boost/asio/io_context.hpp>

#include <bessd/inverter/registers/register_codec.hpp>
#include <bessd/modbus/libmodbus_client.hpp>
#include <bessd/modbus/testing/modbus_test_server.hpp>

namespace {

using namespace bessd;
using namespace std::chrono_literals;

void BM_DecodeScaledS32(benchmark::State& state) {
  const std::vector<std::uint16_t> words{0xFFFF, 0xF830};
  for (auto _ : state) {
    auto v =
        inverter::registers::decode_scaled(words, inverter::registers::RegisterType::s32,
                                           inverter::registers::WordOrder::high_first, 0.1, -1);
    benchmark::DoNotOptimize(v);
  }
}
BENCHMARK(BM_DecodeScaledS32);

void round_trips(benchmark::State& state, modbus::testing::ModbusTestServer& server,
                 modbus::LinkOptions lo) {
  const auto count = static_cast<std::uint16_t>(state.range(0));
  server.set_holding(1, 0, std::vector<std::uint16_t>(count, 0x1234));
  server.start();
  boost::asio::io_context io;
  modbus::LibmodbusClient client(io, lo);
  bool up = false;
  client.set_link_handler([&](bool u, const std::string&) { up = u; });
  client.start();
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!up && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(5ms);
  }
  if (!up) {
    state.SkipWithError("link did not come up");
    return;
  }
  for (auto _ : state) {
    std::optional<Result<modbus::Registers>> out;
    client.read_holding(1, 0, count, [&](Result<modbus::Registers> r) { out.emplace(r); });
    while (!out) {
      io.restart();
      io.run_one_for(1s);
    }
    if (!*out) {
      state.SkipWithError(out->error().message.c_str());
      break;
    }
  }
  client.stop();
  server.stop();
}

void BM_TcpRead(benchmark::State& state) {
  auto server = modbus::testing::ModbusTestServer::tcp();
  modbus::LinkOptions lo;
  lo.tcp_link.port = server->port();
  round_trips(state, *server, lo);
}
BENCHMARK(BM_TcpRead)->Arg(10)->Arg(100)->UseRealTime()->Unit(benchmark::kMicrosecond);

void BM_RtuRead(benchmark::State& state) {
  const int baud = static_cast<int>(state.range(1));
  auto server = modbus::testing::ModbusTestServer::rtu({baud, 1, true});
  modbus::LinkOptions lo;
  lo.tcp = false;
  lo.rtu_link.device = server->device_path();
  lo.rtu_link.baud = baud;
  lo.rtu_link.rts_emulation = true;
  lo.response_timeout = 1000ms;
  round_trips(state, *server, lo);
}
BENCHMARK(BM_RtuRead)
    ->Args({10, 9600})
    ->Args({100, 9600})
    ->Args({10, 115200})
    ->Args({100, 115200})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
