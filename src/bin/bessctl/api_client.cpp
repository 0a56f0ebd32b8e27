#include "api_client.hpp"

#include <chrono>
#include <optional>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace bessctl {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using bessd::ErrorCode;
using bessd::fail;

bessd::Status parse_url(const std::string& url, Endpoint& ep) {
  constexpr std::string_view kScheme = "http://";
  if (url.rfind(kScheme, 0) != 0)
    return fail(ErrorCode::invalid_argument,
                "--url must start with http:// (bessd serves plain HTTP), got \"" + url + "\"");
  std::string rest = url.substr(kScheme.size());
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.find('/') != std::string::npos)
    return fail(ErrorCode::invalid_argument, "--url takes no path: \"" + url + "\"");
  std::string host;
  std::string port;
  if (!rest.empty() && rest.front() == '[') {
    const auto close = rest.find(']');
    if (close == std::string::npos)
      return fail(ErrorCode::invalid_argument, "--url: unclosed '[' in \"" + url + "\"");
    host = rest.substr(1, close - 1);
    if (close + 1 < rest.size() && rest[close + 1] == ':') port = rest.substr(close + 2);
  } else {
    const auto colon = rest.rfind(':');
    host = rest.substr(0, colon);
    if (colon != std::string::npos) port = rest.substr(colon + 1);
  }
  if (host.empty()) return fail(ErrorCode::invalid_argument, "--url: no host in \"" + url + "\"");
  long p = 8470;
  if (!port.empty()) {
    try {
      std::size_t used = 0;
      p = std::stol(port, &used);
      if (used != port.size()) p = -1;
    } catch (const std::exception&) {
      p = -1;
    }
  }
  if (p < 1 || p > 65535)
    return fail(ErrorCode::invalid_argument, "--url: invalid port \"" + port + "\"");
  ep.tcp = true;
  ep.host = host;
  ep.port = static_cast<std::uint16_t>(p);
  return {};
}

namespace {

// Set by exchange(): the server closed the connection before any byte of an answer, so it did
// not act on the request (bessd closes a TCP connection still waiting for its token this way
// when others hold the slots: docs/api.md "Connection budgets").
struct Unanswered {
  bool closed{false};
};

template <typename Stream>
bessd::Result<HttpReply> exchange(asio::io_context& io, Stream& stream, const Endpoint& ep,
                                  bhttp::request<bhttp::string_body>& req, const std::string& where,
                                  Unanswered& unanswered) {
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(std::uint64_t{64} * 1024 * 1024);
  beast::error_code result;
  stream.expires_after(ep.timeout);
  bhttp::async_write(stream, req, [&](beast::error_code ec, std::size_t) {
    if (ec) {
      result = ec;
      return;
    }
    stream.expires_after(ep.timeout);
    bhttp::async_read(stream, buffer, parser,
                      [&](beast::error_code rec, std::size_t) { result = rec; });
  });
  io.run();
  if (result == beast::error::timeout)
    return fail(ErrorCode::timeout,
                where + ": no answer within " + std::to_string(ep.timeout.count()) + " ms");
  unanswered.closed =
      !parser.got_some() && buffer.size() == 0 &&
      (result == bhttp::error::end_of_stream || result == asio::error::connection_reset ||
       result == asio::error::broken_pipe || result == asio::error::eof);
  if (result)
    return fail(ErrorCode::protocol_error,
                where + ": " + result.message() + " (the daemon closed the connection?)");
  auto& res = parser.get();
  return HttpReply{static_cast<unsigned>(res.result_int()),
                   std::string(res[bhttp::field::content_type]), std::move(res.body())};
}

}  // namespace

bessd::Result<HttpReply> send_request(const Endpoint& ep, const std::string& method,
                                      const std::string& target, const std::string& body) {
  asio::io_context io;
  bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
  req.set(bhttp::field::host, ep.tcp ? ep.host : std::string("localhost"));
  req.set(bhttp::field::user_agent, "bessctl");
  req.set(bhttp::field::accept, "application/json");
  if (ep.tcp && !ep.token.empty()) req.set(bhttp::field::authorization, "Bearer " + ep.token);
  if (!body.empty()) req.set(bhttp::field::content_type, "application/json");
  req.body() = body;
  req.keep_alive(false);
  req.prepare_payload();

  beast::error_code ec;
  if (!ep.tcp) {
    const std::string where = "bessd API socket " + ep.socket_path;
    beast::basic_stream<asio::local::stream_protocol> stream(io);
    stream.socket().connect(asio::local::stream_protocol::endpoint(ep.socket_path), ec);
    if (ec == boost::system::errc::no_such_file_or_directory ||
        ec == asio::error::connection_refused)
      return fail(ErrorCode::disconnected,
                  where + ": " + ec.message() + ": is bessd running? (systemctl status bessd)");
    if (ec == asio::error::access_denied || ec == boost::system::errc::permission_denied)
      return fail(ErrorCode::permission_denied,
                  where +
                      ": permission denied: run as root or join the group that owns the "
                      "socket (usually bessd)");
    if (ec) return fail(ErrorCode::disconnected, where + ": " + ec.message());
    Unanswered unanswered;
    return exchange(io, stream, ep, req, where, unanswered);
  }
  const std::string where = "bessd API at " + ep.host + ":" + std::to_string(ep.port);
  asio::ip::tcp::resolver resolver(io);
  // "localhost" means bessd's default listen address, 127.0.0.1, only: any local user may bind
  // [::1] on the same port, and a resolver that tries ::1 first would hand that user the token
  // (systemd holds 127.0.0.1:port for bessd across restarts, not ::1). Write [::1] to mean it.
  const auto endpoints =
      ep.host == "localhost"
          ? resolver.resolve(asio::ip::tcp::v4(), ep.host, std::to_string(ep.port), ec)
          : resolver.resolve(ep.host, std::to_string(ep.port), ec);
  if (ec) return fail(ErrorCode::disconnected, where + ": " + ec.message());
  // Closed before any answer: bessd did not act on the request, so a request that means the same
  // when repeated (GET, PUT /v1/mode) is sent again on a new connection, a few times.
  const bool idempotent = method == "GET" || method == "HEAD" || method == "PUT";
  constexpr int kAttempts = 3;
  for (int attempt = 1;; ++attempt) {
    beast::tcp_stream stream(io);
    stream.expires_after(ep.timeout);
    stream.connect(endpoints, ec);
    if (ec)
      return fail(ErrorCode::disconnected,
                  where + ": " + ec.message() + ": is bessd running with the TCP API enabled?");
    Unanswered unanswered;
    auto reply = exchange(io, stream, ep, req, where, unanswered);
    if (reply || !unanswered.closed || !idempotent) return reply;
    if (attempt == kAttempts)
      return fail(ErrorCode::disconnected,
                  where + ": closed the connection before answering, " + std::to_string(kAttempts) +
                      " times: its TCP connections may be taken by clients without a token "
                      "(the Unix socket is not affected)");
    io.restart();
    std::this_thread::sleep_for(std::chrono::milliseconds{50 * attempt});
  }
}

}  // namespace bessctl
