// libFuzzer target for the API request path: Router + query parsing + JSON body parsing and
// validation over a FakeFacade. Input layout: byte 0 selects the method and write access,
// byte 1 the Content-Type, then the target up to the first '\n', then the body.
// Any crash, sanitizer report, uncaught exception or a reply that is not exactly one valid
// response (JSON for every route but /metrics) is a bug.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include <bessd/api/router.hpp>
#include <bessd/api/testing/fake_facade.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  using bessd::api::Method;
  static constexpr Method kMethods[] = {Method::get,  Method::put,     Method::post,
                                        Method::head, Method::delete_, Method::other};
  static constexpr const char* kTypes[] = {"", "application/json", "text/plain",
                                           "application/json; charset=utf-8"};
  bessd::ManualClock clock;
  bessd::api::testing::FakeFacade facade(clock);
  facade.hold_async = (data[0] & 0x80) != 0;
  bessd::api::Router router(facade, clock);

  bessd::api::Request req;
  req.method = kMethods[(data[0] & 0x0f) % 6];
  if ((data[0] & 0x40) != 0)
    req.requester.scope = bessd::api::Scope::control;
  else if ((data[0] & 0x20) != 0)
    req.requester.scope = bessd::api::Scope::read;
  req.content_type = kTypes[data[1] % 4];
  const std::string rest(reinterpret_cast<const char*>(data + 2), size - 2);
  const auto nl = rest.find('\n');
  req.target = rest.substr(0, nl);
  if (nl != std::string::npos) req.body = rest.substr(nl + 1);
  const bool metrics = req.target.rfind("/metrics", 0) == 0;

  int replies = 0;
  std::optional<bessd::api::Response> response;
  router.handle(std::move(req), [&](bessd::api::Response r) {
    ++replies;
    response = std::move(r);
  });
  facade.release_pending();
  if (replies != 1) std::abort();
  if (response->status < 200 || response->status > 599) std::abort();
  if (!(metrics && response->status == 200) &&
      nlohmann::json::parse(response->body, nullptr, false).is_discarded())
    std::abort();
  return 0;
}
