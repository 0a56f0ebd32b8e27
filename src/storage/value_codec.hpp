#pragma once
// Compact encoding of telemetry values into a BLOB (private to the storage component).
//
// Why a blob and not one column per field: a year at 1 Hz must fit in well under 100 MB with
// min/mean/max for every field in the rollups. Plain REAL columns cost 9 bytes per value plus a
// header byte; quantised zig-zag varints cost 1-3 bytes, and a rollup stores min and max as
// small distances from the mean (often 0, flagged by one bit). Format, all versions:
//   varint field_count | presence bitmap | [rollup only: "varies" bitmap] | per present field:
//   zigzag varint round(value / quantum) [rollup: then varint mean-min, varint max-mean if varies]
// Decoders accept a smaller field_count (older rows) and ignore fields they do not know.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include <bessd/common/result.hpp>
#include <bessd/storage/history.hpp>
#include <bessd/storage/telemetry_sample.hpp>

namespace bessd::storage::codec {

using RawValues = std::array<std::optional<double>, kTelemetryFieldCount>;
using StatValues = std::array<FieldStats, kTelemetryFieldCount>;

RawValues values_of(const TelemetrySample& sample);
void assign_values(TelemetrySample& sample, const RawValues& values);

std::vector<std::uint8_t> encode_raw(const RawValues& values);
Result<RawValues> decode_raw(std::span<const std::uint8_t> blob);

std::vector<std::uint8_t> encode_stats(const StatValues& values);
Result<StatValues> decode_stats(std::span<const std::uint8_t> blob);

/// The value as stored (rounded to the field's quantum); nullopt for non-finite or absurd values.
std::optional<std::int64_t> quantize(double value, double quantum);

}  // namespace bessd::storage::codec
