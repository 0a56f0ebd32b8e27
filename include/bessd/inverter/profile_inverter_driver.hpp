#pragma once
// ProfileInverterDriver: the one generic InverterDriver, driven by a register-map Profile
// (SunSpec discovery when the profile asks for it). Threading: construct, call and destroy on
// the io_context thread; the ModbusClient posts its results there.

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <bessd/common/clock.hpp>
#include <bessd/config/inverter_config.hpp>
#include <bessd/inverter/inverter_driver.hpp>
#include <bessd/inverter/profile.hpp>
#include <bessd/modbus/modbus_client.hpp>

namespace bessd::inverter {

struct DriverOptions {
  std::uint8_t unit_id{1};  // the link's unit id (profile and points may override)
  std::chrono::milliseconds poll_period{1000};
  /// Re-assert period of the target; clamped to a quarter of a SunSpec revert timeout.
  std::chrono::milliseconds lease{30'000};
  double obey_tolerance_w{200.0};
  std::chrono::milliseconds obey_window{10'000};
  bool invert_battery_power{false};
  std::optional<double> rated_power_w;
  /// Names the device in events: their source, and the first part of their codes
  /// ("inverter.link_lost"; a site meter read through this driver says "meter.link_lost").
  std::string event_source{"inverter"};
};

/// Options from the [inverter] config section and the profile (config lease_s wins).
DriverOptions driver_options_from(const config::InverterConfig& cfg, const Profile& profile);

class ProfileInverterDriver final : public InverterDriver {
 public:
  ProfileInverterDriver(boost::asio::io_context& io, modbus::ModbusClient& client, Profile profile,
                        DriverOptions options, const Clock& clock);
  ~ProfileInverterDriver() override;
  ProfileInverterDriver(const ProfileInverterDriver&) = delete;
  ProfileInverterDriver& operator=(const ProfileInverterDriver&) = delete;

  void start() override;
  void stop() override;
  void read_state(StateHandler handler) override;
  Result<core::InverterState> latest_state() const override;
  void apply(const core::InverterCommand& command) override;
  void note_safety_input(TimePoint at) override;
  const LatencyHistogram* safety_reactions() const override;
  void set_event_handler(EventHandler handler) override;

  /// True once the device was read and the safe state written after the last (re)connect.
  bool ready() const;
  /// True when the last command passed to apply() was written and read back, on this
  /// connection. False while it is queued or being written: a read-back value equal to it may
  /// still come from an earlier command (a safe state before the setpoint now in flight).
  bool command_confirmed() const;
  /// Model id -> start address found by SunSpec discovery (empty for other profiles).
  std::map<std::uint16_t, std::uint16_t> sunspec_models() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace bessd::inverter
