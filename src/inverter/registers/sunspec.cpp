#include <bessd/inverter/registers/sunspec.hpp>

namespace bessd::inverter::registers::sunspec {

bool is_marker(std::span<const std::uint16_t> words) noexcept {
  return words.size() >= 2 && words[0] == kMarkerHigh && words[1] == kMarkerLow;
}

std::optional<std::uint16_t> ModelDirectory::start_of(std::uint16_t model_id) const {
  auto it = starts_.find(model_id);
  if (it == starts_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::uint16_t> ModelDirectory::length_of(std::uint16_t model_id) const {
  auto it = models_.find(model_id);
  if (it == models_.end()) return std::nullopt;
  return it->second.length;
}

std::map<std::uint16_t, std::uint16_t> ModelDirectory::starts() const {
  return starts_;
}

void ModelDirectory::add(std::uint16_t start, ModelHeader header) {
  if (models_.count(header.id) != 0) return;
  models_[header.id] = header;
  starts_[header.id] = start;
}

Result<std::optional<std::uint32_t>> next_model_address(std::uint32_t address,
                                                        ModelHeader header) noexcept {
  if (header.id == kEndModelId) return std::optional<std::uint32_t>{};
  const std::uint32_t next = address + 2u + header.length;
  if (next + 1u > 0xFFFFu)
    return fail(ErrorCode::parse_error, "sunspec: model " + std::to_string(header.id) + " at " +
                                            std::to_string(address) + " with length " +
                                            std::to_string(header.length) +
                                            " runs past the register space");
  return std::optional<std::uint32_t>{next};
}

}  // namespace bessd::inverter::registers::sunspec
