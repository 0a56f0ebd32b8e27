#pragma once
// printf-style formatting into a std::string, for the sentences people read (limit causes,
// fault reasons). The format is checked by the compiler; the result is cut at 511 bytes.

#include <string>

namespace bessd {

__attribute__((format(printf, 1, 2))) std::string printf_string(const char* format, ...);

}  // namespace bessd
