#pragma once
// Pure SunSpec layout helpers (docs/protocols.md "SunSpec"): the "SunS" marker, model headers, the
// directory of models found by walking the chain. The I/O that feeds them lives in the driver.

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <span>

#include <bessd/common/result.hpp>

namespace bessd::inverter::registers::sunspec {

/// Base addresses probed, in order (0-based PDU addresses).
inline constexpr std::array<std::uint16_t, 3> kBaseAddresses{40000, 0, 50000};
inline constexpr std::uint16_t kMarkerHigh = 0x5375;  // "Su"
inline constexpr std::uint16_t kMarkerLow = 0x6E53;   // "nS"
inline constexpr std::uint16_t kEndModelId = 0xFFFF;
/// Upper bound on models in a chain; a longer chain is treated as a corrupt device map.
inline constexpr std::size_t kMaxModels = 64;

bool is_marker(std::span<const std::uint16_t> words) noexcept;

struct ModelHeader {
  std::uint16_t id{0};
  std::uint16_t length{0};  // registers after the 2-register header
};

/// Where each model starts (address of its ID register). A model that appears twice keeps its
/// first instance (bessd drives one inverter per link).
class ModelDirectory {
 public:
  std::optional<std::uint16_t> start_of(std::uint16_t model_id) const;
  std::optional<std::uint16_t> length_of(std::uint16_t model_id) const;
  bool has(std::uint16_t model_id) const { return models_.count(model_id) != 0; }
  const std::map<std::uint16_t, ModelHeader>& models() const { return models_; }
  std::map<std::uint16_t, std::uint16_t> starts() const;
  void add(std::uint16_t start, ModelHeader header);
  std::size_t size() const { return models_.size(); }

 private:
  std::map<std::uint16_t, ModelHeader> models_;  // by model id
  std::map<std::uint16_t, std::uint16_t> starts_;
};

/// One step of the chain walk: given the header read at `address`, returns the address of the
/// next header, or nullopt at the end marker. Fails when the chain runs past 0xFFFF.
Result<std::optional<std::uint32_t>> next_model_address(std::uint32_t address,
                                                        ModelHeader header) noexcept;

}  // namespace bessd::inverter::registers::sunspec
