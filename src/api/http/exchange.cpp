#include <bessd/api/http/exchange.hpp>
#include <bessd/api/http/header_text.hpp>
#include <bessd/api/http/response_head.hpp>

#include <string>

#include <boost/asio/error.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>

#include <bessd/api/error_response.hpp>
#include <bessd/api/http/http_server.hpp>

namespace bessd::api::http {

namespace beast = boost::beast;
namespace bhttp = beast::http;

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return beast::iequals(beast::string_view(a.data(), a.size()),
                        beast::string_view(b.data(), b.size()));
}

std::string_view to_sv(beast::string_view s) {
  return {s.data(), s.size()};
}

}  // namespace

void apply_limits(RequestParser& parser, const ParseLimits& limits) {
  parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
  parser.body_limit(limits.max_body_bytes);
}

bool wants_continue(const RequestParser& parser) {
  return iequals(to_sv(parser.get()[bhttp::field::expect]), "100-continue") && !parser.is_done();
}

bool is_disconnect(boost::system::error_code ec) {
  return ec == bhttp::error::end_of_stream || ec == boost::asio::error::eof ||
         ec == boost::asio::error::connection_reset;
}

std::size_t read_buffer_limit(const ParseLimits& limits) {
  // The whole header at once, plus room for the next bytes of a body in flight.
  return limits.max_header_bytes + 8192;
}

Response read_error_response(boost::system::error_code ec, const ParseLimits& limits) {
  if (ec == bhttp::error::body_limit)
    return error_response(
        413, error_code::kBodyTooLarge,
        "request body exceeds " + std::to_string(limits.max_body_bytes) + " bytes");
  if (ec == bhttp::error::buffer_overflow)
    return error_response(431, error_code::kHeadersTooLarge,
                          "a header, chunk or trailer line exceeds " +
                              std::to_string(read_buffer_limit(limits)) + " bytes");
  if (ec == bhttp::error::header_limit)
    return error_response(
        431, error_code::kHeadersTooLarge,
        "request headers exceed " + std::to_string(limits.max_header_bytes) + " bytes");
  return error_response(400, error_code::kBadRequest, "malformed HTTP request: " + ec.message());
}

std::optional<Response> check_framing(const HttpRequest& request) {
  // RFC 9112, 3.2: a request with more than one Host field is answered 400.
  if (const auto hosts = request.count(bhttp::field::host); hosts > 1)
    return error_response(
        400, error_code::kBadRequest,
        "malformed HTTP request: Host is given " + std::to_string(hosts) + " times; send it once");
  // Two credentials are ambiguous: which one a proxy or a log would keep is anyone's guess.
  if (const auto auths = request.count(bhttp::field::authorization); auths > 1)
    return error_response(400, error_code::kBadRequest,
                          "malformed HTTP request: Authorization is given " +
                              std::to_string(auths) + " times; send one token");
  // bessd is no proxy: only origin-form targets ("/v1/status"), RFC 9112, 3.2.
  if (const auto target = to_sv(request.target()); !target.starts_with('/') && target != "*")
    return error_response(
        request.method() == bhttp::verb::connect ? 405 : 400,
        request.method() == bhttp::verb::connect ? error_code::kMethodNotAllowed
                                                 : error_code::kBadRequest,
        request.method() == bhttp::verb::connect
            ? std::string("CONNECT is not allowed: bessd is not a proxy")
            : "malformed HTTP request: the target must be a path such as /v1/status, got \"" +
                  std::string(target.substr(0, 64)) + "\"");
  const auto [first, last] = request.equal_range(bhttp::field::transfer_encoding);
  const auto count = std::distance(first, last);
  if (count == 0) return std::nullopt;
  // RFC 9112, 6.1: Transfer-Encoding in an HTTP/1.0 request is faulty framing (a 1.0 proxy
  // in front would frame the same bytes differently).
  if (request.version() < 11)
    return error_response(400, error_code::kBadRequest,
                          "malformed HTTP request: Transfer-Encoding in an HTTP/1.0 request; "
                          "send the body with Content-Length");
  const std::string_view value = trim_ows(to_sv(first->value()));
  const bool has_length = request.count(bhttp::field::content_length) != 0;
  if (count == 1 && iequals(value, "chunked") && !has_length) return std::nullopt;
  std::string why = count > 1 ? "Transfer-Encoding is given " + std::to_string(count) + " times"
                    : has_length
                        ? "Transfer-Encoding and Content-Length are both given"
                        : "Transfer-Encoding \"" + std::string(value) + "\" is not supported";
  return error_response(
      400, error_code::kBadRequest,
      "malformed HTTP request: " + why +
          "; send a body with Content-Length, or Transfer-Encoding: chunked alone");
}

BearerCheck check_bearer(const HttpRequest& request, const std::vector<Credential>& tokens) {
  constexpr std::string_view kBearer = "Bearer ";
  const std::string_view auth = to_sv(request[bhttp::field::authorization]);
  BearerCheck out;
  out.presented = !auth.empty();
  if (auth.size() > kBearer.size() && iequals(auth.substr(0, kBearer.size()), kBearer))
    out.credential = match_token(tokens, auth.substr(kBearer.size()));
  if (out.credential != nullptr) return out;
  Response r =
      error_response(401, error_code::kUnauthorized,
                     auth.empty() ? "this API needs \"Authorization: Bearer <token>\" over TCP"
                                  : "invalid bearer token");
  r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"bessd\"");
  out.denied = std::move(r);
  return out;
}

Request to_request(HttpRequest& request, Requester who) {
  Request out;
  out.method_name = std::string(to_sv(request.method_string()));
  out.method = parse_method(out.method_name);
  out.target = std::string(to_sv(request.target()));
  out.content_type = std::string(to_sv(request[bhttp::field::content_type]));
  out.body = std::move(request.body());
  out.requester = std::move(who);
  return out;
}

void to_wire(Response response, unsigned version, bool keep_alive, Method answered,
             std::string& head, std::string& body) {
  append_response_head(head, response, version, keep_alive);
  if (answered == Method::head || response.status == 204 || response.status == 304)
    body.clear();
  else
    body = std::move(response.body);
}

}  // namespace bessd::api::http
