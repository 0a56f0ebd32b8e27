#pragma once
// The text of an errno value ("No such file or directory"), for error messages people read.

#include <string>

namespace bessd {

std::string errno_text(int err);

}  // namespace bessd
