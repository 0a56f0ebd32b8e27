// libFuzzer: the API server's request handling at the byte level. The bytes are what a client
// sends on one connection (one or more pipelined requests); they go through the steps of a
// server session (http_server.cpp) without a socket: Beast's request parser with the server's
// limits, "100 Continue", the read-error answers, the bearer check (TCP), the conversion to the
// router's Request, the Router over a FakeFacade, and the response message the session writes.
// Byte 0 picks the transport and facade behaviour, the parser limits and how the bytes arrive
// (the size of each read), so that requests split at any point are covered.
//
// Besides crashes, sanitizer reports and exceptions, it fails when what the server wrote is not
// what a client can read back: exactly one well-formed response per answered request, in order,
// with nothing left over (a client parses a response to HEAD without a body), and a JSON body
// wherever the content type says JSON.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/none.hpp>
#include <boost/system/system_error.hpp>
#include <nlohmann/json.hpp>

#include <bessd/api/http/exchange.hpp>
#include <bessd/api/http/http_server.hpp>
#include <bessd/api/router.hpp>
#include <bessd/api/testing/fake_facade.hpp>

namespace {

namespace bhttp = boost::beast::http;
using boost::system::error_code;
using namespace bessd::api;
using namespace bessd::api::http;

constexpr std::string_view kToken = "fuzz-token-0123456789";
// A connection is served request after request; a cap keeps each run short.
constexpr int kMaxRequests = 16;

[[noreturn]] void fail(const char* why, const std::string& detail = {}) {
  std::fprintf(stderr, "fuzz_http: %s %s\n", why, detail.c_str());
  std::abort();
}

// The client's side of the connection as Beast's synchronous reads see it: the fuzz bytes,
// `chunk` bytes per read, then end of stream.
class ClientBytes {
 public:
  ClientBytes(std::string_view bytes, std::size_t chunk) : bytes_(bytes), chunk_(chunk) {}

  template <typename Buffers>
  std::size_t read_some(const Buffers& buffers, error_code& ec) {
    if (pos_ == bytes_.size()) {
      ec = boost::asio::error::eof;
      return 0;
    }
    ec = {};
    const std::size_t n = boost::asio::buffer_copy(
        buffers, boost::asio::buffer(bytes_.data() + pos_, std::min(chunk_, bytes_.size() - pos_)));
    pos_ += n;
    return n;
  }
  template <typename Buffers>
  std::size_t read_some(const Buffers& buffers) {
    error_code ec;
    const std::size_t n = read_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }

 private:
  std::string_view bytes_;
  std::size_t chunk_;
  std::size_t pos_{0};
};

// What the server writes, collected.
class ServerBytes {
 public:
  template <typename Buffers>
  std::size_t write_some(const Buffers& buffers, error_code& ec) {
    ec = {};
    std::size_t n = 0;
    for (const auto b : boost::beast::buffers_range_ref(buffers)) {
      wire.append(static_cast<const char*>(b.data()), b.size());
      n += b.size();
    }
    return n;
  }
  template <typename Buffers>
  std::size_t write_some(const Buffers& buffers) {
    error_code ec;
    return write_some(buffers, ec);
  }
  std::string wire;
};

struct Sent {
  unsigned status;
  bool head;  // answers a HEAD request: the client expects no body
};

template <typename Message>
void write(ServerBytes& out, Message& message) {
  error_code ec;
  bhttp::write(out, message, ec);
  if (ec) fail("writing a response failed:", ec.message());
}

// The session's own bytes for a response (to_wire), as it writes them.
void send(ServerBytes& out, Response r, unsigned version, bool keep_alive, Method answered) {
  std::string head;
  std::string body;
  to_wire(std::move(r), version, keep_alive, answered, head, body);
  out.wire += head;
  out.wire += body;
}

// Reads `wire` back as a client would and checks it against what was sent.
void check_wire(std::string_view wire, const std::vector<Sent>& sent) {
  std::size_t pos = 0;
  for (const auto& s : sent) {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.eager(true);
    parser.skip(s.head);
    parser.body_limit(boost::none);
    error_code ec;
    const std::size_t used =
        parser.put(boost::asio::buffer(wire.data() + pos, wire.size() - pos), ec);
    if (ec || !parser.is_done())
      fail("a response does not parse back:", std::string(wire.substr(pos, 200)));
    pos += used;
    const auto& res = parser.get();
    if (res.result_int() != s.status)
      fail("a response parses back with another status:", std::to_string(res.result_int()));
    const auto type = res[bhttp::field::content_type];
    if (!s.head && type.starts_with("application/json") &&
        nlohmann::json::parse(res.body(), nullptr, false).is_discarded())
      fail("a JSON response is not JSON:", res.body());
  }
  if (pos != wire.size())
    fail("bytes after the last response:", std::string(wire.substr(pos, 200)));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint8_t mode = data[0];
  const bool over_tcp = (mode & 0x01) != 0;
  const ServerOptions defaults;
  // The server's defaults, or the smallest body limit the configuration allows (api.
  // max_body_bytes ≥ 1024) with a small header limit, so that short inputs reach both limits.
  const ParseLimits limits = (mode & 0x02) != 0
                                 ? ParseLimits{512, 1024}
                                 : ParseLimits{defaults.max_header_bytes, defaults.max_body_bytes};
  const std::size_t chunk = (mode & 0x04) != 0 ? 1 + (mode >> 4) : 4096;

  bessd::ManualClock clock;
  testing::FakeFacade facade(clock);
  facade.hold_async = (mode & 0x08) != 0;
  Router router(facade, clock);

  Requester who;
  who.transport = over_tcp ? Transport::tcp : Transport::unix_socket;
  if (!over_tcp) who.scope = (mode & 0x80) != 0 ? Scope::control : Scope::read;
  const std::vector<Credential> tokens{{"default", Scope::control, std::string(kToken)}};

  ClientBytes in(std::string_view(reinterpret_cast<const char*>(data + 1), size - 1), chunk);
  ServerBytes out;
  std::vector<Sent> sent;
  boost::beast::flat_buffer buffer;
  unsigned version = 11;
  for (int n = 0; n < kMaxRequests; ++n) {
    RequestParser parser;
    apply_limits(parser, limits);
    error_code ec;
    bhttp::read_header(in, buffer, parser, ec);
    if (!ec) {
      version = parser.get().version();
      // As the server does: the token is checked on the header, a 401 closes the connection.
      if (over_tcp) {
        auto bearer = check_bearer(parser.get(), tokens);
        if (bearer.denied) {
          router.count_transport_error(401);
          send(out, std::move(*bearer.denied), version, false,
               parser.get().method() == bhttp::verb::head ? Method::head : Method::other);
          sent.push_back({401, parser.get().method() == bhttp::verb::head});
          break;
        }
        who.scope = bearer.credential->scope;
      }
      if (wants_continue(parser)) {
        bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, version};
        write(out, cont);
        sent.push_back({100, false});
      }
      if (!parser.is_done()) bhttp::read(in, buffer, parser, ec);
    }
    if (ec) {
      if (is_disconnect(ec)) break;
      Response r = read_error_response(ec, limits);
      router.count_transport_error(r.status);
      const unsigned status = r.status;
      send(out, std::move(r), version, false, Method::other);
      sent.push_back({status, false});
      break;
    }
    auto& req = parser.get();
    const bool keep_alive = req.keep_alive();
    const bool head = req.method() == bhttp::verb::head;
    Response answer;
    int replies = 0;
    Request request = to_request(req, who);
    const Method request_method = request.method;
    {
      router.handle(std::move(request), [&](Response r) {
        ++replies;
        answer = std::move(r);
      });
      facade.release_pending();
    }
    if (replies != 1) fail("the router did not answer exactly once");
    const unsigned status = answer.status;
    send(out, std::move(answer), version, keep_alive, request_method);
    sent.push_back({status, head});
    if (!keep_alive) break;
  }
  // Reproducing an artifact: FUZZ_HTTP_PRINT=1 shows what the server wrote.
  static const bool print = std::getenv("FUZZ_HTTP_PRINT") != nullptr;
  if (print) std::fwrite(out.wire.data(), 1, out.wire.size(), stderr);
  check_wire(out.wire, sent);
  return 0;
}
