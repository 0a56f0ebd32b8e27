#include <bessd/common/errno_text.hpp>

#include <cstring>

namespace bessd {

std::string errno_text(int err) {
  return std::strerror(err);
}

}  // namespace bessd
