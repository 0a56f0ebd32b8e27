#include "value_codec.hpp"

#include <cmath>
#include <string>

namespace bessd::storage::codec {
namespace {

constexpr double kMaxQuantised = 4.0e18;  // stays inside int64 after rounding

void put_varint(std::vector<std::uint8_t>& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<std::uint8_t>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<std::uint8_t>(v));
}

std::uint64_t zigzag(std::int64_t v) {
  return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
std::int64_t unzigzag(std::uint64_t v) {
  return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
}

class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}
  bool varint(std::uint64_t& out) {
    out = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
      if (pos_ >= bytes_.size()) return false;
      const std::uint8_t b = bytes_[pos_++];
      out |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return true;
    }
    return false;  // more than 10 bytes: not a varint we wrote
  }
  bool bytes(std::size_t n, std::span<const std::uint8_t>& out) {
    if (bytes_.size() - pos_ < n) return false;
    out = bytes_.subspan(pos_, n);
    pos_ += n;
    return true;
  }
  std::size_t position() const { return pos_; }

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t pos_{0};
};

bool bit(std::span<const std::uint8_t> map, std::size_t i) {
  return (map[i / 8] >> (i % 8)) & 1U;
}

Failure bad_blob(const char* what, std::size_t at) {
  return fail(ErrorCode::parse_error,
              std::string("telemetry blob: ") + what + " at byte " + std::to_string(at));
}

double dequantize(std::int64_t q, double quantum) {
  return static_cast<double>(q) * quantum;
}

}  // namespace

std::optional<std::int64_t> quantize(double value, double quantum) {
  if (!std::isfinite(value)) return std::nullopt;
  const double q = std::round(value / quantum);
  if (std::fabs(q) > kMaxQuantised) return std::nullopt;
  return static_cast<std::int64_t>(q);
}

RawValues values_of(const TelemetrySample& sample) {
  RawValues out{};
  for (std::size_t i = 0; i < kTelemetryFieldCount; ++i)
    out[i] = sample.*kTelemetryFields[i].member;
  return out;
}

void assign_values(TelemetrySample& sample, const RawValues& values) {
  for (std::size_t i = 0; i < kTelemetryFieldCount; ++i)
    sample.*kTelemetryFields[i].member = values[i];
}

std::vector<std::uint8_t> encode_raw(const RawValues& values) {
  std::array<std::optional<std::int64_t>, kTelemetryFieldCount> q{};
  std::vector<std::uint8_t> out;
  out.reserve(4 + kTelemetryFieldCount * 3);
  put_varint(out, kTelemetryFieldCount);
  std::array<std::uint8_t, (kTelemetryFieldCount + 7) / 8> present{};
  for (std::size_t i = 0; i < kTelemetryFieldCount; ++i) {
    if (values[i]) q[i] = quantize(*values[i], kTelemetryFields[i].quantum);
    if (q[i]) present[i / 8] = static_cast<std::uint8_t>(present[i / 8] | (1U << (i % 8)));
  }
  out.insert(out.end(), present.begin(), present.end());
  for (std::size_t i = 0; i < kTelemetryFieldCount; ++i) {
    if (q[i]) put_varint(out, zigzag(*q[i]));
  }
  return out;
}

Result<RawValues> decode_raw(std::span<const std::uint8_t> blob) {
  Reader r(blob);
  std::uint64_t count = 0;
  if (!r.varint(count) || count > 4096) return bad_blob("bad field count", r.position());
  std::span<const std::uint8_t> present;
  if (!r.bytes((count + 7) / 8, present)) return bad_blob("truncated presence map", r.position());
  RawValues out{};
  for (std::size_t i = 0; i < count; ++i) {
    if (!bit(present, i)) continue;
    std::uint64_t v = 0;
    if (!r.varint(v)) return bad_blob("truncated value", r.position());
    if (i < kTelemetryFieldCount) out[i] = dequantize(unzigzag(v), kTelemetryFields[i].quantum);
  }
  return out;
}

std::vector<std::uint8_t> encode_stats(const StatValues& values) {
  struct Q {
    std::int64_t min, mean, max;
  };
  std::array<std::optional<Q>, kTelemetryFieldCount> q{};
  constexpr std::size_t kMapBytes = (kTelemetryFieldCount + 7) / 8;
  std::array<std::uint8_t, kMapBytes> present{};
  std::array<std::uint8_t, kMapBytes> varies{};
  for (std::size_t i = 0; i < kTelemetryFieldCount; ++i) {
    const auto& s = values[i];
    if (!s.mean || !s.min || !s.max) continue;
    const double quantum = kTelemetryFields[i].quantum;
    auto mn = quantize(*s.min, quantum);
    auto me = quantize(*s.mean, quantum);
    auto mx = quantize(*s.max, quantum);
    if (!mn || !me || !mx) continue;
    // Rounding is monotonic, so min <= mean <= max survives quantisation; clamp anyway so that a
    // caller's inconsistent stats cannot produce a negative distance.
    if (*me < *mn) *me = *mn;
    if (*mx < *me) *mx = *me;
    q[i] = Q{*mn, *me, *mx};
    present[i / 8] = static_cast<std::uint8_t>(present[i / 8] | (1U << (i % 8)));
    if (*mn != *me || *mx != *me)
      varies[i / 8] = static_cast<std::uint8_t>(varies[i / 8] | (1U << (i % 8)));
  }
  std::vector<std::uint8_t> out;
  out.reserve(8 + kTelemetryFieldCount * 5);
  put_varint(out, kTelemetryFieldCount);
  out.insert(out.end(), present.begin(), present.end());
  out.insert(out.end(), varies.begin(), varies.end());
  for (std::size_t i = 0; i < kTelemetryFieldCount; ++i) {
    if (!q[i]) continue;
    put_varint(out, zigzag(q[i]->mean));
    if (q[i]->min != q[i]->mean || q[i]->max != q[i]->mean) {
      put_varint(out, static_cast<std::uint64_t>(q[i]->mean - q[i]->min));
      put_varint(out, static_cast<std::uint64_t>(q[i]->max - q[i]->mean));
    }
  }
  return out;
}

Result<StatValues> decode_stats(std::span<const std::uint8_t> blob) {
  Reader r(blob);
  std::uint64_t count = 0;
  if (!r.varint(count) || count > 4096) return bad_blob("bad field count", r.position());
  std::span<const std::uint8_t> present;
  std::span<const std::uint8_t> varies;
  if (!r.bytes((count + 7) / 8, present) || !r.bytes((count + 7) / 8, varies))
    return bad_blob("truncated field maps", r.position());
  StatValues out{};
  for (std::size_t i = 0; i < count; ++i) {
    if (!bit(present, i)) continue;
    std::uint64_t mean = 0;
    std::uint64_t below = 0;
    std::uint64_t above = 0;
    if (!r.varint(mean)) return bad_blob("truncated mean", r.position());
    if (bit(varies, i) && (!r.varint(below) || !r.varint(above)))
      return bad_blob("truncated spread", r.position());
    if (i >= kTelemetryFieldCount) continue;
    const double quantum = kTelemetryFields[i].quantum;
    const std::int64_t m = unzigzag(mean);
    out[i].mean = dequantize(m, quantum);
    out[i].min = dequantize(m - static_cast<std::int64_t>(below), quantum);
    out[i].max = dequantize(m + static_cast<std::int64_t>(above), quantum);
  }
  return out;
}

}  // namespace bessd::storage::codec
