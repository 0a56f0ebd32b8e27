#pragma once
// One table per enum of the words it is written as (configuration, API, MQTT, the database), so
// that the name a value is written with and the names read back come from the same rows and
// cannot drift apart. Declare a table next to its enum, check it, and derive both directions:
//
//   inline constexpr auto kModeNames = std::to_array<EnumName<Mode>>({{Mode::idle, "idle"}, ...});
//   static_assert(enum_names_complete(kModeNames));
//   to_string(m)      -> enum_name(kModeNames, m)
//   parse_mode(text)  -> enum_from_name(kModeNames, text)
//
// The row order is the order in which error messages list the allowed words.

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <type_traits>

namespace bessd {

template <typename E>
struct EnumName {
  E value;
  std::string_view name;
};

/// The name of `value`; `unknown` for a value with no row (only a cast from a bad number).
template <typename E, std::size_t N>
constexpr std::string_view enum_name(const std::array<EnumName<E>, N>& table, E value,
                                     std::string_view unknown = "invalid") noexcept {
  for (const auto& row : table)
    if (row.value == value) return row.name;
  return unknown;
}

/// The value named exactly `name` (case-sensitive, no trimming); nullopt for any other text.
template <typename E, std::size_t N>
constexpr std::optional<E> enum_from_name(const std::array<EnumName<E>, N>& table,
                                          std::string_view name) noexcept {
  for (const auto& row : table)
    if (row.name == name) return row.value;
  return std::nullopt;
}

namespace detail {
/// Whether V is a named enumerator: GCC and Clang spell a named one `E::name` in the function's
/// signature and an unnamed value as a cast, `(E)4`.
template <auto V>
constexpr bool is_enumerator() noexcept {
  constexpr std::string_view signature = __PRETTY_FUNCTION__;
  constexpr auto eq = signature.rfind("= ");
  return eq != std::string_view::npos && eq + 2 < signature.size() && signature[eq + 2] != '(';
}
}  // namespace detail

/// True when the table has one row for every enumerator of E and distinct, non-empty names. The
/// enumerators must be 0..N-1 (no explicit values): then N rows with distinct values in that
/// range cover each exactly once, and E having no enumerator N means none was added without a
/// row.
template <typename E, std::size_t N>
constexpr bool enum_names_complete(const std::array<EnumName<E>, N>& table) noexcept {
  static_assert(std::is_enum_v<E>);
  using U = std::underlying_type_t<E>;
  for (std::size_t i = 0; i < N; ++i) {
    const auto raw = static_cast<U>(table[i].value);
    if constexpr (std::is_signed_v<U>) {
      if (raw < 0) return false;
    }
    if (static_cast<std::size_t>(raw) >= N) return false;
    if (table[i].name.empty()) return false;
    for (std::size_t j = 0; j < i; ++j)
      if (table[j].value == table[i].value || table[j].name == table[i].name) return false;
  }
  return !detail::is_enumerator<static_cast<E>(N)>();
}

}  // namespace bessd
