#pragma once
// Shared helpers for the router tests: a router over a FakeFacade and a ManualClock, and a
// synchronous call helper.

#include <optional>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <bessd/api/router.hpp>
#include <bessd/api/testing/fake_facade.hpp>

namespace bessd::api::test {

struct RouterFixture : ::testing::Test {
  ManualClock clock{WallTime{std::chrono::seconds{1'795'000'000}}};
  testing::FakeFacade facade{clock};
  Router router{facade, clock};

  static Requester writer() {
    Requester r;
    r.transport = Transport::unix_socket;
    r.uid = 1000;
    r.gid = 1000;
    r.pid = 4242;
    r.user = "alice";
    r.peer = "unix";
    r.scope = Scope::control;
    return r;
  }

  /// Calls the router; fails the test unless it replies synchronously.
  Response call(Method method, const std::string& target, const std::string& body = "",
                bool may_write = true, const std::string& content_type = "application/json") {
    Request req;
    req.method = method;
    req.target = target;
    req.body = body;
    req.content_type = body.empty() ? "" : content_type;
    req.requester = writer();
    req.requester.scope = may_write ? Scope::control : Scope::read;
    std::optional<Response> out;
    router.handle(std::move(req), [&](Response r) { out = std::move(r); });
    EXPECT_TRUE(out.has_value()) << "no synchronous reply for " << target;
    return out.value_or(Response{599, "", "", {}});
  }

  static nlohmann::json json(const Response& r) { return nlohmann::json::parse(r.body); }

  /// Asserts a JSON error with `status` and `code`; returns its message.
  static std::string expect_error(const Response& r, unsigned status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.body;
    const auto j = nlohmann::json::parse(r.body, nullptr, false);
    EXPECT_TRUE(j.is_object() && j.contains("error")) << r.body;
    if (!j.is_object() || !j.contains("error")) return {};
    EXPECT_EQ(j["error"]["code"], code) << r.body;
    return j["error"]["message"].get<std::string>();
  }
};

}  // namespace bessd::api::test
