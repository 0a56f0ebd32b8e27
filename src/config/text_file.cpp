#include <bessd/config/text_file.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>

#include <bessd/common/errno_text.hpp>

namespace bessd::config {

namespace {

class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

Result<std::string> read_text_file(const std::filesystem::path& path, std::size_t max_bytes) {
  // O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer; on a regular
  // file it changes nothing.
  const Descriptor fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0)
    return fail(ErrorCode::io_error, std::string("cannot open the file: ") + errno_text(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0)
    return fail(ErrorCode::io_error,
                std::string("cannot read the file's type: ") + errno_text(errno));
  if (!S_ISREG(st.st_mode))
    return fail(ErrorCode::invalid_argument,
                "not a regular file (a directory, FIFO or device): it must be a file");
  if (static_cast<std::uintmax_t>(st.st_size) > max_bytes)
    return fail(ErrorCode::invalid_argument, "the file has " + std::to_string(st.st_size) +
                                                 " bytes, more than the " +
                                                 std::to_string(max_bytes) + " it may have");
  std::string text;
  std::array<char, 8192> chunk{};
  for (;;) {
    const ssize_t n = ::read(fd.get(), chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      return fail(ErrorCode::io_error, std::string("cannot read the file: ") + errno_text(errno));
    if (n == 0) break;
    text.append(chunk.data(), static_cast<std::size_t>(n));
    if (text.size() > max_bytes)  // a file still growing while it is read
      return fail(ErrorCode::invalid_argument,
                  "the file grew past " + std::to_string(max_bytes) + " bytes while it was read");
  }
  return text;
}

}  // namespace bessd::config
