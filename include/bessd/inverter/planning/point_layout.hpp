#pragma once
// PointLayout: where each profile point lives on this device (absolute addresses, or SunSpec
// points resolved in the models discovery found) and the read requests that cover every point
// a poll needs, merged into as few as the Modbus limits allow.
//
// Pure: computed from the profile, the discovered models and the link's unit id.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <bessd/inverter/profile.hpp>
#include <bessd/inverter/registers/sunspec.hpp>

namespace bessd::inverter {

struct PointAddress {
  std::uint8_t unit{1};
  RegisterFunction function{RegisterFunction::holding};
  std::uint16_t address{0};
};

/// One read request of a poll and the points it carries.
struct PollBlock {
  std::uint8_t unit{1};
  RegisterFunction function{RegisterFunction::holding};
  std::uint16_t address{0};
  std::uint16_t count{0};
  std::vector<std::string> points;
};

class PointLayout {
 public:
  PointLayout() = default;
  /// Locates every point of `profile` (`models` empty for profiles without SunSpec) and plans
  /// the poll of those the driver reads.
  PointLayout(const Profile& profile, const registers::sunspec::ModelDirectory& models,
              std::uint8_t link_unit);

  /// Where the point is read (its `read_at`, else its function and address).
  const PointAddress* find(const std::string& point) const;
  /// Where the point is written: the holding registers at its address.
  const PointAddress* find_written(const std::string& point) const;
  bool has(const std::string& point) const { return located_.count(point) != 0; }
  const std::vector<PollBlock>& poll_blocks() const { return poll_blocks_; }
  /// The read requests that cover `points` where they are read (write-only ones left out),
  /// merged as a poll's are: a write's read-back.
  std::vector<PollBlock> reads_for(const Profile& profile,
                                   const std::vector<std::string>& points) const;

 private:
  std::map<std::string, PointAddress> located_;
  std::map<std::string, PointAddress> written_;
  std::vector<PollBlock> poll_blocks_;
};

}  // namespace bessd::inverter
