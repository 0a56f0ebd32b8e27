#include <bessd/common/error.hpp>

namespace bessd {

std::string_view to_string(ErrorCode code) noexcept {
  return enum_name(kErrorCodeNames, code, "unknown");
}

}  // namespace bessd
