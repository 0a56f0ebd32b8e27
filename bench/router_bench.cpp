// Router throughput without sockets: requests per second through Router::handle over the
// FakeFacade (JSON rendering, query and body validation included). The StatusText benchmarks
// compare the status document's two writers in the same run: the Json tree's dump() (the
// reference, json.hpp) and the direct text the router sends (json_text.hpp).

#include <string>

#include <benchmark/benchmark.h>

#include <bessd/api/json.hpp>
#include <bessd/api/json_text.hpp>
#include <bessd/api/router.hpp>
#include <bessd/api/testing/fake_facade.hpp>

namespace {

struct Env {
  bessd::ManualClock clock;
  bessd::api::testing::FakeFacade facade{clock};
  // The clock never moves here: a burst no benchmark exhausts, so every write is handled.
  bessd::api::Router router{facade, clock, {.per_second = 1.0, .burst = 1U << 30}};
};

void run(benchmark::State& state, bessd::api::Method method, const std::string& target,
         const std::string& body = "") {
  Env env;
  bessd::api::Request req;
  req.method = method;
  req.target = target;
  req.body = body;
  req.content_type = body.empty() ? "" : "application/json";
  req.requester.scope = bessd::api::Scope::control;
  std::size_t bytes = 0;
  for (auto _ : state) {
    if (env.facade.audit_log.size() > 1000) env.facade.audit_log.clear();
    env.router.handle(req, [&](bessd::api::Response r) {
      bytes += r.body.size();
      benchmark::DoNotOptimize(r);
    });
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

void BM_GetStatus(benchmark::State& s) {
  run(s, bessd::api::Method::get, "/v1/status");
}
void BM_GetLimits(benchmark::State& s) {
  run(s, bessd::api::Method::get, "/v1/limits");
}
void BM_GetMetrics(benchmark::State& s) {
  run(s, bessd::api::Method::get, "/metrics");
}
void BM_GetEvents(benchmark::State& s) {
  run(s, bessd::api::Method::get, "/v1/events?since=-1d&level=warning&limit=50");
}
void BM_PutMode(benchmark::State& s) {
  run(s, bessd::api::Method::put, "/v1/mode", R"({"mode":"manual","setpoint_w":-1500})");
}
void BM_NotFound(benchmark::State& s) {
  run(s, bessd::api::Method::get, "/v1/nothing");
}

void BM_StatusTextViaJsonTree(benchmark::State& state) {
  Env env;
  const auto status = env.facade.status();
  for (auto _ : state) {
    auto text = bessd::api::to_json(status).dump(-1, ' ', false,
                                                 bessd::api::Json::error_handler_t::replace);
    benchmark::DoNotOptimize(text);
  }
}
void BM_StatusTextDirect(benchmark::State& state) {
  Env env;
  const auto status = env.facade.status();
  for (auto _ : state) {
    auto text = bessd::api::to_json_text(status);
    benchmark::DoNotOptimize(text);
  }
}

BENCHMARK(BM_GetStatus);
BENCHMARK(BM_GetLimits);
BENCHMARK(BM_GetMetrics);
BENCHMARK(BM_GetEvents);
BENCHMARK(BM_PutMode);
BENCHMARK(BM_NotFound);
BENCHMARK(BM_StatusTextViaJsonTree);
BENCHMARK(BM_StatusTextDirect);

}  // namespace
BENCHMARK_MAIN();
