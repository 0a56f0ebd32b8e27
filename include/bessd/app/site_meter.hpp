#pragma once
// The site's grid meter (docs/protocols.md "Meters"): a Modbus meter read through a read-only
// profile, for inverters that do not measure the grid (SunSpec model 124 has no meter). Its grid
// (and PV) power replaces the inverter's readings before the controller sees them.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>

#include <boost/asio/io_context.hpp>

#include <bessd/api/status_dto.hpp>
#include <bessd/common/clock.hpp>
#include <bessd/config/config.hpp>
#include <bessd/core/event.hpp>
#include <bessd/core/inverter_state.hpp>
#include <bessd/inverter/profile.hpp>

namespace bessd::inverter {
class ProfileInverterDriver;
}
namespace bessd::modbus {
class LibmodbusClient;
}

namespace bessd::app {

/// The configured meter's profile: it must exist, have a grid_power reading and no control
/// section. Throws config::ConfigError naming /meter/profile.
inverter::Profile load_meter_profile(const config::Config& config,
                                     const std::filesystem::path& config_path);

/// The inverter's state as the controller sees it with a meter: the meter's grid power (and its
/// PV power, when its profile has that reading) in place of the inverter's. A meter that has
/// not answered lately leaves no such reading at all: self-consumption must not follow a figure
/// that is not the site's. Pure.
core::InverterState with_meter_readings(core::InverterState inv,
                                        const std::optional<core::InverterState>& meter,
                                        bool meter_has_pv, bool meter_fresh);

class SiteMeter {
 public:
  SiteMeter(boost::asio::io_context& io, const Clock& clock, const config::MeterConfig& cfg,
            inverter::Profile profile, std::function<void(const core::Event&)> on_event);
  ~SiteMeter();
  SiteMeter(const SiteMeter&) = delete;
  SiteMeter& operator=(const SiteMeter&) = delete;

  void start();
  void stop();
  /// `inv` with the meter's readings in place (with_meter_readings).
  core::InverterState apply(core::InverterState inv, TimePoint now) const;
  /// The meter's link for /v1/status.
  api::LinkStatus link_status(TimePoint now) const;

 private:
  bool fresh(const core::InverterState& s, TimePoint now) const;
  const Clock& clock_;
  std::string detail_;
  bool has_pv_;
  Duration fresh_for_;
  std::uint64_t problems_{0};
  std::unique_ptr<modbus::LibmodbusClient> client_;
  std::unique_ptr<inverter::ProfileInverterDriver> driver_;
};

}  // namespace bessd::app
