#pragma once
// A small tmpfs for one test (root only), to fill a filesystem or remount it read-only;
// why_not() says why there is none (the test then skips with that message).

#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

namespace bessd::systest {

class SmallTmpfs {
 public:
  SmallTmpfs(std::string at, const std::string& size) : at_(std::move(at)) {
    std::filesystem::create_directory(at_);
    if (::geteuid() != 0)
      why_not_ = "needs root to mount a small tmpfs";
    else if (::mount("tmpfs", at_.c_str(), "tmpfs", 0, ("size=" + size).c_str()) != 0)
      why_not_ = std::string("cannot mount a tmpfs here: ") + std::strerror(errno);
    else
      mounted_ = true;
  }
  ~SmallTmpfs() {
    if (mounted_) ::umount2(at_.c_str(), MNT_DETACH);
  }
  SmallTmpfs(const SmallTmpfs&) = delete;
  SmallTmpfs& operator=(const SmallTmpfs&) = delete;
  const std::string& path() const { return at_; }
  const std::string& why_not() const { return why_not_; }

 private:
  std::string at_;
  std::string why_not_;
  bool mounted_{false};
};

}  // namespace bessd::systest
