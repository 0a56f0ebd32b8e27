#include <bessd/app/site_meter.hpp>

#include <algorithm>

#include <bessd/config/config_error.hpp>
#include <bessd/inverter/profile_inverter_driver.hpp>
#include <bessd/modbus/libmodbus_client.hpp>

namespace bessd::app {

inverter::Profile load_meter_profile(const config::Config& config,
                                     const std::filesystem::path& config_path) {
  const auto& meter = *config.meter;
  const auto fail = [&](const std::string& why) {
    throw config::ConfigError(config_path.string(), {{"/meter/profile", why}});
  };
  inverter::Profile profile = inverter::load_configured_profile(
      meter.profile, config.inverter.profile_dir, config_path, "/meter/profile");
  if (!profile.readings.count(inverter::ReadingRole::grid_power))
    fail("the meter profile \"" + meter.profile +
         "\" has no grid_power reading: a meter gives the site's grid power");
  if (profile.control.style != inverter::ControlStyle::none)
    fail("the meter profile \"" + meter.profile +
         "\" has a control section: a meter is only read, never commanded");
  return profile;
}

core::InverterState with_meter_readings(core::InverterState inv,
                                        const std::optional<core::InverterState>& meter,
                                        bool meter_has_pv, bool meter_fresh) {
  const bool use = meter && meter_fresh;
  inv.grid_power_w = use ? meter->grid_power_w : std::nullopt;
  inv.grid_power_from_meter = true;
  if (meter_has_pv) {
    inv.pv_power_w = use ? meter->pv_power_w : std::nullopt;
    inv.pv_power_from_meter = true;
  }
  return inv;
}

namespace {
config::InverterConfig driver_config(const config::MeterConfig& cfg) {
  config::InverterConfig c;
  static_cast<config::ModbusLinkConfig&>(c) = cfg;
  return c;
}
}  // namespace

SiteMeter::SiteMeter(boost::asio::io_context& io, const Clock& clock,
                     const config::MeterConfig& cfg, inverter::Profile profile,
                     std::function<void(const core::Event&)> on_event)
    : clock_(clock),
      detail_(config::modbus_link_text(cfg) + " (" + profile.name + ")"),
      has_pv_(profile.readings.count(inverter::ReadingRole::pv_power) > 0),
      // Three polls missed, and never less than 3 s: a busy RTU line is not a lost meter.
      fresh_for_(std::max<Duration>(std::chrono::seconds{3},
                                    3 * std::chrono::milliseconds{cfg.poll_period_ms})),
      client_(std::make_unique<modbus::LibmodbusClient>(io, modbus::link_options_from(cfg))) {
  auto options = inverter::driver_options_from(driver_config(cfg), profile);
  options.event_source = "meter";
  driver_ = std::make_unique<inverter::ProfileInverterDriver>(io, *client_, std::move(profile),
                                                              options, clock);
  driver_->set_event_handler([this, on_event = std::move(on_event)](const core::Event& e) {
    if (inverter::is_link_problem(e)) ++problems_;
    if (on_event) on_event(e);
  });
}

SiteMeter::~SiteMeter() = default;

void SiteMeter::start() {
  driver_->start();
}
void SiteMeter::stop() {
  driver_->stop();
}

bool SiteMeter::fresh(const core::InverterState& s, TimePoint now) const {
  return s.online && s.read_at && now >= *s.read_at && now - *s.read_at <= fresh_for_;
}

core::InverterState SiteMeter::apply(core::InverterState inv, TimePoint now) const {
  const auto s = driver_->latest_state();
  std::optional<core::InverterState> meter;
  if (s) meter = *s;
  return with_meter_readings(std::move(inv), meter, has_pv_, meter && fresh(*meter, now));
}

api::LinkStatus SiteMeter::link_status(TimePoint now) const {
  api::LinkStatus l;
  l.name = "meter";
  const auto s = driver_->latest_state();
  l.state = !s               ? api::LinkState::unknown
            : fresh(*s, now) ? api::LinkState::up
                             : api::LinkState::down;
  if (s && s->read_at && now >= *s->read_at) l.age_s = to_seconds(now - *s->read_at);
  l.error_count = problems_;
  l.detail = detail_;
  return l;
}

}  // namespace bessd::app
