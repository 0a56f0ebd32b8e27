#pragma once
// Compact JSON text written straight into a string, byte for byte what
// Json::dump(-1, ' ', false, Json::error_handler_t::replace) gives for the same document. The
// documents clients poll (GET /v1/status) spent most of their time building a Json tree (an
// allocation and a map insert per member) and walking it again to dump it; this skips the tree.
//
// Json objects are std::maps, so dump() sorts members by key: write each object's keys in
// ascending byte order (debug builds assert it; json_text_test.cpp compares with dump()).

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bessd::api {

class JsonWriter {
 public:
  /// `expected_size`: the text's likely length, so that the buffer is allocated once.
  explicit JsonWriter(std::size_t expected_size = 256);

  /// The text written so far; leaves the writer empty.
  std::string take();

  void begin_object();
  void end_object();
  void begin_array();
  void end_array();
  /// Starts an object member; its value comes next.
  void key(std::string_view name);

  void null();
  void value(bool b);
  void value(double d);  // non-finite: null, as dump() writes it
  void value(std::string_view s);
  void value(const char* s) { value(std::string_view{s}); }
  void value(const std::string& s) { value(std::string_view{s}); }
  template <std::integral T>
  requires(!std::same_as<T, bool>) void value(T n) {
    if constexpr (std::signed_integral<T>)
      signed_number(static_cast<std::int64_t>(n));
    else
      unsigned_number(static_cast<std::uint64_t>(n));
  }
  template <typename T>
  void value(const std::optional<T>& v) {
    if (v)
      value(*v);
    else
      null();
  }

  template <typename T>
  void member(std::string_view name, const T& v) {
    key(name);
    value(v);
  }

 private:
  void separate();
  void open(char bracket, bool is_object);
  void close(char bracket);
  void signed_number(std::int64_t n);
  void unsigned_number(std::uint64_t n);
  template <std::integral Int>
  void integer(Int n);  // defined and used in json_writer.cpp only
  void string(std::string_view s);
  void reserve(std::size_t n);
  void put(char c);
  void put(std::string_view s);

  // Written through an index rather than push_back/append, which check the capacity (and store a
  // terminator) on every character: buf_ is kept larger than the text, size_ is the text's end.
  std::string buf_;
  std::size_t size_{0};
  // Bit d set: the container at depth d+1 already has an element, so the next one needs a comma.
  std::uint64_t has_items_{0};
  int depth_{0};
  bool after_key_{false};
  // The last key of each open object, for the order check in debug builds (empty otherwise).
  std::vector<std::string> last_keys_;
};

}  // namespace bessd::api
