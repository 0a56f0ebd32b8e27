#include <bessd/api/json_writer.hpp>

#include <array>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstring>

#include <nlohmann/json.hpp>

namespace bessd::api {

namespace {

constexpr int kMaxDepth = 64;  // one bit of has_items_ per level

// Bytes that dump() copies as they are: printable ASCII but '"' and '\\' (it leaves 0x7F alone).
constexpr std::array<bool, 256> kPlainAscii = [] {
  std::array<bool, 256> t{};
  for (int c = 0x20; c < 0x80; ++c) t[static_cast<std::size_t>(c)] = c != '"' && c != '\\';
  return t;
}();

/// True when one of the 8 bytes in `w` is not plain ASCII (see kPlainAscii). Exact for the word
/// as a whole, which is all the caller asks: it then finds the byte with the table.
constexpr bool has_special_byte(std::uint64_t w) {
  constexpr std::uint64_t kOnes = 0x0101010101010101;
  constexpr std::uint64_t kHighs = 0x8080808080808080;
  const auto has_zero = [](std::uint64_t x) { return (x - kOnes) & ~x; };
  const std::uint64_t below_space = (w - kOnes * 0x20) & ~w;
  const std::uint64_t quote = has_zero(w ^ (kOnes * '"'));
  const std::uint64_t backslash = has_zero(w ^ (kOnes * '\\'));
  return ((below_space | quote | backslash | w) & kHighs) != 0;
}

/// The first byte in [p, end) that is not plain ASCII, or end. Most strings are all plain:
/// they are checked a word at a time, the last (partial) word overlapping the one before.
const char* skip_plain(const char* p, const char* end) {
  const auto load = [](const char* at) {
    std::uint64_t w = 0;
    std::memcpy(&w, at, sizeof w);
    return w;
  };
  if (end - p >= 8) {
    while (end - p >= 8 && !has_special_byte(load(p))) p += 8;
    if (p == end || (end - p < 8 && !has_special_byte(load(end - 8)))) return end;
  }
  while (p != end && kPlainAscii[static_cast<unsigned char>(*p)]) ++p;
  return p;
}

/// Length of the well-formed UTF-8 sequence (Unicode Table 3-7) that starts at s[i], 0 when
/// there is none: the same bytes dump()'s decoder accepts.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) {
    return k < s.size() ? static_cast<unsigned char>(s[k]) : 0U;
  };
  const auto in = [](unsigned b, unsigned lo, unsigned hi) { return b >= lo && b <= hi; };
  const unsigned b0 = byte(i);
  const unsigned b1 = byte(i + 1);
  if (in(b0, 0xC2, 0xDF)) return in(b1, 0x80, 0xBF) ? 2 : 0;
  if (in(b0, 0xE0, 0xEF)) {
    const bool second_ok = b0 == 0xE0   ? in(b1, 0xA0, 0xBF)
                           : b0 == 0xED ? in(b1, 0x80, 0x9F)
                                        : in(b1, 0x80, 0xBF);
    return second_ok && in(byte(i + 2), 0x80, 0xBF) ? 3 : 0;
  }
  if (in(b0, 0xF0, 0xF4)) {
    const bool second_ok = b0 == 0xF0   ? in(b1, 0x90, 0xBF)
                           : b0 == 0xF4 ? in(b1, 0x80, 0x8F)
                                        : in(b1, 0x80, 0xBF);
    return second_ok && in(byte(i + 2), 0x80, 0xBF) && in(byte(i + 3), 0x80, 0xBF) ? 4 : 0;
  }
  return 0;
}

}  // namespace

JsonWriter::JsonWriter(std::size_t expected_size) {
  buf_.resize(expected_size);
}

std::string JsonWriter::take() {
  assert(depth_ == 0);
  buf_.resize(size_);
  size_ = 0;
  return std::move(buf_);
}

inline void JsonWriter::reserve(std::size_t n) {
  if (buf_.size() - size_ < n) buf_.resize(std::max(2 * buf_.size(), size_ + n));
}

inline void JsonWriter::put(char c) {
  reserve(1);
  buf_[size_++] = c;
}

inline void JsonWriter::put(std::string_view s) {
  reserve(s.size());
  std::memcpy(buf_.data() + size_, s.data(), s.size());
  size_ += s.size();
}

inline void JsonWriter::separate() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (depth_ == 0) return;
  const std::uint64_t bit = std::uint64_t{1} << (depth_ - 1);
  if ((has_items_ & bit) != 0) put(',');
  has_items_ |= bit;
}

void JsonWriter::open(char bracket, bool is_object) {
  separate();
  assert(depth_ < kMaxDepth);
  put(bracket);
  ++depth_;
  has_items_ &= ~(std::uint64_t{1} << (depth_ - 1));
#ifndef NDEBUG
  last_keys_.emplace_back(is_object ? "" : "[array]");
#else
  static_cast<void>(is_object);
#endif
}

void JsonWriter::close(char bracket) {
  assert(depth_ > 0 && !after_key_);
  --depth_;
  put(bracket);
#ifndef NDEBUG
  last_keys_.pop_back();
#endif
}

void JsonWriter::begin_object() {
  open('{', true);
}
void JsonWriter::end_object() {
  close('}');
}
void JsonWriter::begin_array() {
  open('[', false);
}
void JsonWriter::end_array() {
  close(']');
}

void JsonWriter::key(std::string_view name) {
  assert(depth_ > 0 && !after_key_);
#ifndef NDEBUG
  // dump() would sort the members: a key out of order here gives different bytes.
  const bool first = (has_items_ & (std::uint64_t{1} << (depth_ - 1))) == 0;
  assert(last_keys_.back() != "[array]");
  assert(first || last_keys_.back() < name);
  last_keys_.back() = name;
#endif
  separate();
  string(name);
  put(':');
  after_key_ = true;
}

void JsonWriter::null() {
  separate();
  put("null");
}

void JsonWriter::value(bool b) {
  separate();
  put(b ? "true" : "false");
}

void JsonWriter::value(double d) {
  separate();
  if (!std::isfinite(d)) {
    put("null");
    return;
  }
  // dump()'s own shortest round-trip formatting (Grisu2, "1200.0", "1e+20"): std::to_chars
  // differs in the last digit for a few values and never writes ".0".
  constexpr std::size_t kRoom = 64;  // dump()'s number buffer
  reserve(kRoom);
  char* first = buf_.data() + size_;
  size_ += static_cast<std::size_t>(nlohmann::detail::to_chars(first, first + kRoom, d) - first);
}

template <std::integral Int>
void JsonWriter::integer(Int n) {
  separate();
  constexpr std::size_t kRoom = 24;  // 20 digits and a sign
  reserve(kRoom);
  char* first = buf_.data() + size_;
  size_ += static_cast<std::size_t>(std::to_chars(first, first + kRoom, n).ptr - first);
}

void JsonWriter::signed_number(std::int64_t n) {
  integer(n);
}

void JsonWriter::unsigned_number(std::uint64_t n) {
  integer(n);
}

void JsonWriter::value(std::string_view s) {
  separate();
  string(s);
}

void JsonWriter::string(std::string_view s) {
  static constexpr std::string_view kHex = "0123456789abcdef";
  const std::size_t start = size_;
  put('"');
  const char* p = s.data();
  const char* const end = p + s.size();
  const char* plain = p;  // [plain, p) is copied as it is
  while (true) {
    p = skip_plain(p, end);
    if (p == end) break;
    const auto c = static_cast<unsigned char>(*p);
    if (c >= 0x80) {
      const std::size_t n = utf8_sequence_length(s, static_cast<std::size_t>(p - s.data()));
      if (n == 0) {
        // Invalid UTF-8 is rare and dump() replaces it with U+FFFD by rules of its own: let it.
        size_ = start;
        put(nlohmann::json(std::string(s))
                .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        return;
      }
      p += n;
      continue;
    }
    put(std::string_view(plain, static_cast<std::size_t>(p - plain)));
    switch (c) {
      case '"':
        put("\\\"");
        break;
      case '\\':
        put("\\\\");
        break;
      case '\b':
        put("\\b");
        break;
      case '\t':
        put("\\t");
        break;
      case '\n':
        put("\\n");
        break;
      case '\f':
        put("\\f");
        break;
      case '\r':
        put("\\r");
        break;
      default: {
        const char escape[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
        put(std::string_view(escape, sizeof escape));
        break;
      }
    }
    plain = ++p;
  }
  put(std::string_view(plain, static_cast<std::size_t>(end - plain)));
  put('"');
}

}  // namespace bessd::api
