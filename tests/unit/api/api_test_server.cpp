// A bessd API server over the FakeFacade, for bessctl tests and bench/api_load.sh.
// Prints "READY <tcp-port>" on stdout once it accepts connections; stops on SIGINT/SIGTERM.
//
//   bessd_api_test_server --socket /tmp/x/api.sock [--tcp-port 0 --token-file F]
//                         [--refuse-mode MSG] [--latched-fault CODE] [--max-connections N]
//                         [--writes-per-second R] [--prices CURRENCY]

#include <csignal>
#include <iostream>
#include <optional>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <bessd/api/http/http_server.hpp>
#include <bessd/api/router.hpp>
#include <bessd/api/testing/fake_facade.hpp>

int main(int argc, char** argv) {
  CLI::App app{"bessd API test server (fake data)"};
  std::string socket;
  int tcp_port = -1;
  std::string token_file;
  std::string refuse;
  std::string fault;
  std::size_t max_connections = 256;
  std::optional<double> grid_w;
  std::string currency;
  bessd::api::WriteRateSettings write_rate;
  app.add_option("--socket", socket, "Unix socket path (empty: none)");
  app.add_option("--tcp-port", tcp_port, "TCP port on 127.0.0.1 (0: any free port)");
  app.add_option("--token-file", token_file, "bearer token file (needed with --tcp-port)");
  app.add_option("--refuse-mode", refuse, "refuse every mode request with this message");
  app.add_option("--latched-fault", fault, "start with a latched fault whose cause cleared");
  app.add_option("--grid-power-w", grid_w, "the inverter's grid power reading");
  app.add_option("--prices", currency, "flat prices (0.245 import, 0.05 export) in this currency");
  app.add_option("--max-connections", max_connections,
                 "connection cap (each budget: Unix, TCP, TCP not yet authenticated)");
  app.add_option("--writes-per-second", write_rate.per_second,
                 "write tokens earned per second (a slow rate keeps a test off the clock)");
  CLI11_PARSE(app, argc, argv);

  bessd::SystemClock clock;
  bessd::api::testing::FakeFacade facade(clock);
  if (!refuse.empty()) facade.refuse_mode = refuse;
  if (grid_w) facade.status_snapshot.inverter.grid_power_w = *grid_w;
  if (!currency.empty()) {
    facade.prices = bessd::energy::FlatPrices{currency, 0.245, 0.05};
    facade.status_snapshot.energy.prices = facade.prices;
  }
  // A warning that was raised and has ended, for bessctl's wording of the two edges.
  for (const auto edge : {bessd::core::EventEdge::raised, bessd::core::EventEdge::cleared}) {
    bessd::core::Event e;
    e.severity = bessd::core::Severity::warning;
    e.edge = edge;
    e.source = "control";
    e.code = "COM-03";
    e.message = edge == bessd::core::EventEdge::raised
                    ? "the current sign disagrees with the command"
                    : "the current sign agrees with the command again";
    facade.event_log.push_back(
        {static_cast<std::int64_t>(facade.event_log.size() + 1), clock.wall_now(), e});
  }
  if (!fault.empty())
    facade.status_snapshot.controller.active_faults.push_back(
        {fault, bessd::core::Severity::critical, "test fault", std::nullopt, true, true});
  bessd::api::Router router(facade, clock, write_rate);

  bessd::api::http::ServerOptions options;
  options.unix_enabled = !socket.empty();
  options.unix_path = socket;
  options.unix_mode = 0666;
  options.unix_group = "";
  options.max_connections = max_connections;
  options.max_tcp_connections = max_connections;
  options.max_unauthenticated_tcp = max_connections;  // wrk opens all its connections at once
  if (tcp_port >= 0) {
    options.tcp_enabled = true;
    options.tcp_port = static_cast<std::uint16_t>(tcp_port);
    auto token = bessd::api::http::read_token_file(token_file);
    if (!token) {
      std::cerr << token.error().message << "\n";
      return 2;
    }
    options.tokens = std::move(*token);
  }
  boost::asio::io_context io;
  bessd::api::http::HttpServer server(io, router, options);
  if (auto st = server.start(); !st) {
    std::cerr << st.error().message << "\n";
    return 1;
  }
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    server.stop();
    io.stop();
  });
  std::cout << "READY " << server.tcp_port() << std::endl;
  io.run();
  return 0;
}
