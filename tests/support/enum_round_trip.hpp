#pragma once
// The names test every enum with a name table has (CONTRIBUTING.md "Test names"; the tables:
// include/bessd/common/enum_names.hpp): each row's value is written as its name by the enum's own
// to_string and reads back as the same value. Returns the names in row order, for the test to pin
// against the words already in files, databases and logs.

#include <array>
#include <cstddef>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include <bessd/common/enum_names.hpp>

namespace bessd::test_support {

template <typename E, std::size_t N>
std::vector<std::string_view> round_tripped_names(const std::array<EnumName<E>, N>& table) {
  std::vector<std::string_view> names;
  for (const auto& row : table) {
    EXPECT_EQ(to_string(row.value), row.name);  // the enum's own to_string, found by ADL
    EXPECT_EQ(enum_from_name(table, row.name), row.value) << row.name;
    names.push_back(row.name);
  }
  return names;
}

}  // namespace bessd::test_support
