#include <bessd/common/enum_names.hpp>

#include <cstdint>

#include <gtest/gtest.h>

namespace bessd {
namespace {

enum class Colour : std::uint8_t { red, green, blue };
enum class Signed : int { minus, zero };
enum class Gap : std::uint8_t { a, b, c = 5 };

constexpr auto kColourNames = std::to_array<EnumName<Colour>>(
    {{Colour::green, "green"}, {Colour::red, "red"}, {Colour::blue, "blue"}});
static_assert(enum_names_complete(kColourNames));

// Each way a table can go wrong is caught at compile time.
constexpr auto kMissingLast =
    std::to_array<EnumName<Colour>>({{Colour::red, "red"}, {Colour::green, "green"}});
static_assert(!enum_names_complete(kMissingLast));
constexpr auto kMissingMiddle = std::to_array<EnumName<Colour>>(
    {{Colour::red, "red"}, {Colour::blue, "blue"}, {Colour::blue, "azure"}});
static_assert(!enum_names_complete(kMissingMiddle));
constexpr auto kNameTwice = std::to_array<EnumName<Colour>>(
    {{Colour::red, "red"}, {Colour::green, "red"}, {Colour::blue, "blue"}});
static_assert(!enum_names_complete(kNameTwice));
constexpr auto kEmptyName = std::to_array<EnumName<Colour>>(
    {{Colour::red, "red"}, {Colour::green, ""}, {Colour::blue, "blue"}});
static_assert(!enum_names_complete(kEmptyName));
constexpr auto kNegative =
    std::to_array<EnumName<Signed>>({{Signed::minus, "minus"}, {static_cast<Signed>(-1), "x"}});
static_assert(!enum_names_complete(kNegative));
constexpr auto kSigned =
    std::to_array<EnumName<Signed>>({{Signed::zero, "zero"}, {Signed::minus, "minus"}});
static_assert(enum_names_complete(kSigned));
// Explicit values are outside what the check can prove complete.
constexpr auto kGap = std::to_array<EnumName<Gap>>({{Gap::a, "a"}, {Gap::b, "b"}, {Gap::c, "c"}});
static_assert(!enum_names_complete(kGap));

static_assert(detail::is_enumerator<Colour::blue>());
static_assert(!detail::is_enumerator<static_cast<Colour>(3)>());

TEST(EnumNames, NamesEachValue) {
  EXPECT_EQ(enum_name(kColourNames, Colour::red), "red");
  EXPECT_EQ(enum_name(kColourNames, Colour::green), "green");
  EXPECT_EQ(enum_name(kColourNames, Colour::blue), "blue");
}

TEST(EnumNames, AValueWithoutARowHasTheUnknownName) {
  EXPECT_EQ(enum_name(kColourNames, static_cast<Colour>(7)), "invalid");
  EXPECT_EQ(enum_name(kColourNames, static_cast<Colour>(7), "OTHER"), "OTHER");
}

TEST(EnumNames, ParsesOnlyTheExactName) {
  EXPECT_EQ(enum_from_name(kColourNames, "green"), Colour::green);
  EXPECT_EQ(enum_from_name(kColourNames, "Green"), std::nullopt);
  EXPECT_EQ(enum_from_name(kColourNames, " green"), std::nullopt);
  EXPECT_EQ(enum_from_name(kColourNames, ""), std::nullopt);
  EXPECT_EQ(enum_from_name(kColourNames, "invalid"), std::nullopt);
}

TEST(EnumNames, EveryRowRoundTrips) {
  for (const auto& row : kColourNames) {
    EXPECT_EQ(enum_from_name(kColourNames, enum_name(kColourNames, row.value)), row.value);
    EXPECT_EQ(enum_name(kColourNames, *enum_from_name(kColourNames, row.name)), row.name);
  }
}

TEST(EnumNames, WorksAtCompileTime) {
  static_assert(enum_name(kColourNames, Colour::blue) == "blue");
  static_assert(enum_from_name(kColourNames, "red") == Colour::red);
  SUCCEED();
}

}  // namespace
}  // namespace bessd
