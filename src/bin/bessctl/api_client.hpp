#pragma once
// bessctl's HTTP client for the bessd API: one request per connection over the Unix socket or
// TCP (with a bearer token), with a deadline. Failures to reach the daemon come back as Errors
// whose message says what to do ("is bessd running?"); HTTP error statuses are not Errors.

#include <chrono>
#include <cstdint>
#include <string>

#include <bessd/common/result.hpp>

namespace bessctl {

struct Endpoint {
  bool tcp{false};
  std::string socket_path{"/run/bessd/api.sock"};
  std::string host;
  std::uint16_t port{0};
  std::string token;
  std::chrono::milliseconds timeout{5000};
};

/// Parses "http://HOST:PORT" (optionally with a trailing '/'; "[::1]" for IPv6) into `ep`.
bessd::Status parse_url(const std::string& url, Endpoint& ep);

struct HttpReply {
  unsigned status{0};
  std::string content_type;
  std::string body;
};

/// Sends one request. Errors: disconnected (daemon not running / refused), permission_denied
/// (socket not accessible), timeout, protocol_error.
bessd::Result<HttpReply> send_request(const Endpoint& ep, const std::string& method,
                                      const std::string& target, const std::string& body = "");

}  // namespace bessctl
