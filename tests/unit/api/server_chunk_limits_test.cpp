// Chunked bodies against the request limits (red team 17). docs/api.md "Limits": body <=
// max_body_bytes (413), headers <= 8 KiB (431). Beast's limits count the chunk data and the
// header fields only: a chunk extension ("1;x=aaaa...") is buffered without any bound but
// read_timeout (one connection sent 257 MB in 5 s over the Unix socket and bessd's resident memory
// peaked at 543 MB), and a trailer field over 64 KiB ends the daemon. Over the Unix socket this
// needs no scope at all: the peer's scope is checked by the router after the body was read.

#include <thread>

#include <gmock/gmock.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server_test_support.hpp"

namespace bessd::api::test {
namespace {

using namespace std::chrono_literals;

using ChunkLimits = ServerFixture;

// Sends `head`, then `filler_bytes` of 'a', then `tail` on `fd` from a thread of its own; stops
// at the first error (the server closed the connection).
std::thread send_in_background(int fd, std::string head, std::size_t filler_bytes,
                               std::string tail) {
  return std::thread([fd, head = std::move(head), filler_bytes, tail = std::move(tail)] {
    if (!send_all(fd, head)) return;
    const std::string piece(64 * 1024, 'a');
    for (std::size_t sent = 0; sent < filler_bytes; sent += piece.size())
      if (!send_all(fd, piece)) return;
    (void)send_all(fd, tail);
  });
}

unsigned status_of_padded_request(const std::string& socket_path, const std::string& head,
                                  std::size_t filler_bytes, const std::string& tail) {
  const int fd = connect_unix(socket_path);
  if (fd < 0) return 0;
  auto sender = send_in_background(fd, head, filler_bytes, tail);
  const auto r = read_response(fd);
  ::shutdown(fd, SHUT_RDWR);  // unblocks the sender if the server stopped reading
  sender.join();
  ::close(fd);
  return r ? r->status : 0;
}

constexpr std::size_t kPadding = 8 * 1024 * 1024;  // 2000 x the body limit of the fixture

const char* const kChunkedHead =
    "PUT /v1/mode HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
    "Transfer-Encoding: chunked\r\n\r\n";

TEST_F(ChunkLimits, AHugeChunkExtensionIsRefusedNotBuffered) {
  options_.read_timeout = 10s;  // the limit, not the timeout, must stop it
  start_server();
  const auto status =
      status_of_padded_request(socket_path_, std::string(kChunkedHead) + "f;x=", kPadding,
                               "\r\n{\"mode\":\"idle\"}\r\n0\r\n\r\n");
  EXPECT_NE(status, 200u) << "an 8 MiB chunk extension was read into memory and the request "
                             "served (max_body_bytes "
                          << options_.max_body_bytes << ")";
  EXPECT_TRUE(on_io([this] { return facade_.mode_requests.empty(); }));
}

// A trailer field is stored in Beast's basic_fields, whose name and value must fit in 16 bits:
// a longer one makes the parser throw std::length_error ("field value too large"). The header
// limit (8 KiB) keeps that from happening in the header, but nothing bounds the trailer, and the
// exception leaves the read handler: io_context::run() throws on the API thread and the whole
// daemon ends in std::terminate. Reproduced on bessd with one 70 kB request from a read-only
// token (or from any Unix-socket peer): "terminate called after throwing an instance of
// 'boost::wrapexcept<std::length_error>' what(): field value too large", SIGABRT.
TEST_F(ChunkLimits, ATrailerFieldOver64KiBIsRefusedAndTheServerLivesOn) {
  start_server();
  const int fd = connect_unix(socket_path_);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(send_all(fd,
                       "GET /v1/status HTTP/1.1\r\nHost: localhost\r\n"
                       "Transfer-Encoding: chunked\r\n\r\n0\r\nX-Pad: " +
                           std::string(70'000, 'a') + "\r\n\r\n"));
  const auto refused = read_response(fd);
  ::close(fd);
  ASSERT_TRUE(refused.has_value()) << "no answer to the oversized trailer";
  EXPECT_EQ(refused->status, 431u) << refused->body;
  // The server still serves.
  const auto r = request_unix(socket_path_, make_request("GET", "/v1/status"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200u);
}

}  // namespace
}  // namespace bessd::api::test
