// The API's listening sockets apart from the server: access set without following links, and
// the addresses used to match sockets passed by systemd against the configuration.

#include <bessd/api/http/listener_socket.hpp>

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace bessd::api::http {
namespace {

namespace fs = std::filesystem;

struct ScratchDir {
  ScratchDir() {
    std::string tmpl = (fs::temp_directory_path() / "bessd-listener-XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  fs::path path;
};

TEST(ListenerSocket, UnixListenerGetsTheModeAndIsFoundByItsPath) {
  ScratchDir dir;
  const auto path = (dir.path / "api.sock").string();
  auto fd = open_unix_listener({path, 0640, std::nullopt, ""});
  ASSERT_TRUE(fd) << fd.error().message;
  struct stat st {};
  ASSERT_EQ(::lstat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0640U);
  const auto bound = bound_address(fd->get());
  EXPECT_EQ(bound.kind, BoundAddress::Kind::unix_stream);
  EXPECT_EQ(bound.path, path);
  EXPECT_EQ(bound.describe(), "unix:" + path);
}

// chmod()/chown() on the path would change whatever file a link planted there names.
TEST(ListenerSocket, AccessIsNeverSetThroughASymbolicLink) {
  ScratchDir dir;
  const auto victim = dir.path / "victim";
  std::ofstream(victim) << "x";
  fs::permissions(victim, fs::perms::owner_read | fs::perms::owner_write);
  const auto link = (dir.path / "api.sock").string();
  fs::create_symlink(victim, link);
  const auto st = set_socket_file_access(link, 0666, std::nullopt, "");
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("symbolic link"), std::string::npos) << st.error().message;
  EXPECT_EQ(fs::status(victim).permissions(), fs::perms::owner_read | fs::perms::owner_write);
}

TEST(ListenerSocket, AccessIsRefusedOnAFileThatIsNotASocket) {
  ScratchDir dir;
  const auto file = (dir.path / "plain").string();
  std::ofstream(file) << "x";
  const auto st = set_socket_file_access(file, 0660, std::nullopt, "");
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("not a socket"), std::string::npos);
}

TEST(ListenerSocket, TcpListenerMatchesItsAddressInAnySpelling) {
  auto fd = open_tcp_listener("127.0.0.1", 0);
  ASSERT_TRUE(fd) << fd.error().message;
  const auto bound = bound_address(fd->get());
  ASSERT_EQ(bound.kind, BoundAddress::Kind::tcp);
  EXPECT_EQ(bound.address, "127.0.0.1");
  EXPECT_TRUE(same_tcp_address(bound, "127.0.0.1", bound.port));
  EXPECT_TRUE(same_tcp_address(bound, "::ffff:127.0.0.1", bound.port) == false);  // v6 != v4
  EXPECT_FALSE(same_tcp_address(bound, "127.0.0.2", bound.port));
  EXPECT_FALSE(same_tcp_address(bound, "127.0.0.1", static_cast<std::uint16_t>(bound.port + 1)));
  EXPECT_FALSE(same_tcp_address(bound, "localhost", bound.port));  // names are not addresses
}

TEST(ListenerSocket, ASocketThatDoesNotListenIsNotAListener) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ListenerFd owned{fd};
  EXPECT_EQ(bound_address(fd).kind, BoundAddress::Kind::other);
  EXPECT_EQ(bound_address(-1).kind, BoundAddress::Kind::other);
}

TEST(ListenerSocket, TcpAddressInUseNamesAddressAndPort) {
  auto first = open_tcp_listener("127.0.0.1", 0);
  ASSERT_TRUE(first);
  const auto port = bound_address(first->get()).port;
  auto second = open_tcp_listener("127.0.0.1", port);
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().message.find("127.0.0.1:" + std::to_string(port)), std::string::npos);
  EXPECT_NE(second.error().message.find("in use"), std::string::npos) << second.error().message;
}

}  // namespace
}  // namespace bessd::api::http
