#pragma once
// One HTTP/1.1 exchange without a socket: how the server sets up Beast's request parser, which
// read errors it answers and how, the bearer check, the conversion of a parsed request into the
// router's Request and of the router's Response into the message it writes. Sessions
// (http_server.cpp) only do the I/O around these, so that the tests and the fuzzer
// (tests/fuzz/fuzz_http.cpp) run the server's own request handling byte for byte.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/system/error_code.hpp>

#include <bessd/api/http/token_file.hpp>
#include <bessd/api/http_message.hpp>
#include <bessd/api/requester.hpp>

namespace bessd::api::http {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;
using RequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

struct ParseLimits {
  std::size_t max_header_bytes{8192};
  std::size_t max_body_bytes{65536};
};

/// Applies the limits to a fresh parser (one parser per request).
void apply_limits(RequestParser& parser, const ParseLimits& limits);
/// The most a connection's read buffer holds: a longer header, chunk or trailer line is refused
/// (431) rather than buffered.
std::size_t read_buffer_limit(const ParseLimits& limits);

/// The header asks for "100 Continue" before the client sends its body.
bool wants_continue(const RequestParser& parser);

/// The peer closed or reset the connection: close quietly, nothing to answer.
bool is_disconnect(boost::system::error_code ec);

/// The answer to a request that could not be read: 413 (body over the limit), 431 (headers over
/// the limit), else 400 with the parser's reason. The connection closes after it.
Response read_error_response(boost::system::error_code ec, const ParseLimits& limits);

/// Strict message framing (RFC 9112 6.1, 6.3): a Transfer-Encoding header is accepted only once,
/// exactly "chunked", and never together with Content-Length; anything else ("xchunked",
/// "chunked, identity", TE + CL) could be framed differently by a proxy in front and smuggle a
/// second request. nothing when acceptable, else the 400 to send (the connection closes).
std::optional<Response> check_framing(const HttpRequest& request);

/// The outcome of the bearer check: the matching credential, or the 401 to send.
struct BearerCheck {
  const Credential* credential{nullptr};
  std::optional<Response> denied;
  bool presented{false};  // an Authorization header was sent
};

/// Over TCP: which of `tokens` "Authorization: Bearer <secret>" presents (token_file.hpp,
/// match_token); a 401 when none.
BearerCheck check_bearer(const HttpRequest& request, const std::vector<Credential>& tokens);

/// The router's view of a parsed request; moves the body out of `request`.
Request to_request(HttpRequest& request, Requester who);

/// The bytes written for a response: its head appended to `head` (response_head.hpp; the
/// session reuses the string) and its body moved into `body`. `answered` is the method of the
/// request it answers (Method::other when the request could not be read): a response to HEAD
/// carries the length of its body but never the body, which a keep-alive client would read as
/// the next response.
void to_wire(Response response, unsigned version, bool keep_alive, Method answered,
             std::string& head, std::string& body);

}  // namespace bessd::api::http
