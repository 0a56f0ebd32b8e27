#include <bessd/api/json_writer.hpp>

#include <array>
#include <cassert>
#include <charconv>
#include <cmath>

#include <nlohmann/json.hpp>

namespace bessd::api {

namespace {

constexpr int kMaxDepth = 64;  // one bit of has_items_ per level

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

void JsonWriter::separate() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (depth_ == 0) return;
  const std::uint64_t bit = std::uint64_t{1} << (depth_ - 1);
  if ((has_items_ & bit) != 0) out_ += ',';
  has_items_ |= bit;
}

void JsonWriter::open(char bracket, bool is_object) {
  separate();
  assert(depth_ < kMaxDepth);
  out_ += bracket;
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
  out_ += bracket;
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
  out_ += ':';
  after_key_ = true;
}

void JsonWriter::null() {
  separate();
  out_ += "null";
}

void JsonWriter::value(bool b) {
  separate();
  out_ += b ? "true" : "false";
}

void JsonWriter::value(double d) {
  separate();
  if (!std::isfinite(d)) {
    out_ += "null";
    return;
  }
  // dump()'s own shortest round-trip formatting (Grisu2, "1200.0", "1e+20"): std::to_chars
  // differs in the last digit for a few values and never writes ".0".
  std::array<char, 64> buf{};
  const char* end = nlohmann::detail::to_chars(buf.data(), buf.data() + buf.size(), d);
  out_.append(buf.data(), static_cast<std::size_t>(end - buf.data()));
}

void JsonWriter::signed_number(std::int64_t n) {
  separate();
  std::array<char, 24> buf{};
  const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), n);
  out_.append(buf.data(), static_cast<std::size_t>(r.ptr - buf.data()));
}

void JsonWriter::unsigned_number(std::uint64_t n) {
  separate();
  std::array<char, 24> buf{};
  const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), n);
  out_.append(buf.data(), static_cast<std::size_t>(r.ptr - buf.data()));
}

void JsonWriter::value(std::string_view s) {
  separate();
  string(s);
}

void JsonWriter::string(std::string_view s) {
  static constexpr std::string_view kHex = "0123456789abcdef";
  const std::size_t start = out_.size();
  out_ += '"';
  std::size_t plain_from = 0;  // bytes [plain_from, i) are copied as they are
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const std::size_t n = utf8_sequence_length(s, i);
      if (n == 0) {
        // Invalid UTF-8 is rare and dump() replaces it with U+FFFD by rules of its own: let it.
        out_.resize(start);
        out_ += nlohmann::json(std::string(s))
                    .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        return;
      }
      i += n;
      continue;
    }
    if (c >= 0x20 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    out_.append(s.data() + plain_from, i - plain_from);
    out_ += '\\';
    switch (c) {
      case '"':
        out_ += '"';
        break;
      case '\\':
        out_ += '\\';
        break;
      case '\b':
        out_ += 'b';
        break;
      case '\t':
        out_ += 't';
        break;
      case '\n':
        out_ += 'n';
        break;
      case '\f':
        out_ += 'f';
        break;
      case '\r':
        out_ += 'r';
        break;
      default:
        out_ += "u00";
        out_ += kHex[c >> 4];
        out_ += kHex[c & 0xF];
        break;
    }
    plain_from = ++i;
  }
  out_.append(s.data() + plain_from, s.size() - plain_from);
  out_ += '"';
}

}  // namespace bessd::api
