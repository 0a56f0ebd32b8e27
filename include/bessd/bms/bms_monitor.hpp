#pragma once
// BmsMonitor: owns the link to the BMS (a CanBus + a BmsProtocol + the Clock) and keeps
// - the latest PackState and the age of each part,
// - the health edges: stale (limits or measurements older than stale_ms, default 3 s: power
//   limits must be forced to 0), lost (older than timeout_ms, default 5 s, COM-01:
//   full safe state), restored (both fresh again),
// - BMS protection/warning edges, rejected-frame edges and CAN bus errors as core::Event,
// - the inverter's keep-alive (0x305 every keepalive_period_ms).
// Every change is pushed through on_change() at once, flagged `safety_relevant` when the
// controller must run now (stale, lost, restored, a protection raised, a limit lowered, charge
// or discharge no longer allowed, bus-off, link lost) rather than at its next period.
//
// Time: only from the Clock& (ManualClock in tests). Time-based edges and the keep-alive are
// evaluated by tick(), which the app calls at next_deadline() (BmsMonitorTimer does that on an
// io_context); frames are handled as they arrive. Threading: the io_context thread only.
// Errors: never thrown; bus problems become events.

#include <array>
#include <functional>
#include <optional>
#include <set>
#include <vector>

#include <bessd/bms/protocols/bms_protocol.hpp>
#include <bessd/can/can_bus.hpp>
#include <bessd/common/clock.hpp>
#include <bessd/config/bms_config.hpp>
#include <bessd/core/event.hpp>
#include <bessd/core/pack_state.hpp>

namespace bessd::bms {

struct BmsMonitorOptions {
  Duration stale_after{std::chrono::milliseconds{3000}};
  Duration lost_after{std::chrono::milliseconds{5000}};
  Duration keepalive_period{std::chrono::milliseconds{1000}};  // zero: send no keep-alive
  static BmsMonitorOptions from_config(const config::BmsConfig& cfg);
};

enum class BmsHealth : std::uint8_t {
  waiting,  // started, no limits/measurements yet, not yet stale
  fresh,    // limits and measurements younger than stale_after
  stale,    // limits or measurements older than stale_after (or never seen since start)
  lost,     // older than lost_after
};
inline constexpr auto kBmsHealthNames =
    std::to_array<EnumName<BmsHealth>>({{BmsHealth::waiting, "waiting"},
                                        {BmsHealth::fresh, "fresh"},
                                        {BmsHealth::stale, "stale"},
                                        {BmsHealth::lost, "lost"}});
static_assert(enum_names_complete(kBmsHealthNames));
std::string_view to_string(BmsHealth h) noexcept;

struct BmsChange {
  bool safety_relevant{false};
  std::optional<PackPart> part;     // the part a frame updated; empty for time/bus edges
  std::vector<core::Event> events;  // edges raised or cleared by this change
};

struct BmsMonitorStats {
  std::uint64_t frames_applied{0};
  std::uint64_t frames_ignored{0};
  std::uint64_t frames_rejected{0};
  std::uint64_t keepalives_sent{0};
  std::uint64_t keepalive_failures{0};
  std::uint64_t bus_errors{0};  // bus and link problems; not the recovery notices (link up, ...)
};

class BmsMonitor {
 public:
  using ChangeHandler = std::function<void(const core::PackState&, const BmsChange&)>;

  BmsMonitor(can::CanBus& bus, BmsProtocol& protocol, const Clock& clock,
             BmsMonitorOptions options = {});
  ~BmsMonitor();
  BmsMonitor(const BmsMonitor&) = delete;
  BmsMonitor& operator=(const BmsMonitor&) = delete;

  void on_change(ChangeHandler handler) { handler_ = std::move(handler); }

  /// Hook the bus callbacks, open the bus, start the stale/lost clocks, send a first keep-alive.
  void start();
  /// Detach from the bus and close it.
  void stop();
  /// Evaluate time-based edges and send the keep-alive when due. Call at next_deadline().
  void tick();
  /// When tick() must run next (keep-alive, stale or lost deadline, whichever is first).
  TimePoint next_deadline() const;

  const core::PackState& state() const { return state_; }
  BmsHealth health() const { return health_; }
  /// Age of a part, or nullopt when it never arrived.
  std::optional<Duration> age(PackPart part) const;
  const BmsMonitorStats& stats() const { return stats_; }
  const BmsMonitorOptions& options() const { return options_; }
  /// The controller's latest permit, for a protocol that commands the pack's relays (the
  /// keep-alive frames follow it from the next period). Its directions lapse while the BMS data
  /// is stale or lost, and when no new permit came for stale_after (a controller that stopped).
  void permit(const PowerFlowPermit& permit);

 private:
  void handle_frame(const can::CanFrame& frame);
  void handle_bus_error(const can::CanBusError& error);
  void sync_ages();
  void evaluate_health(TimePoint now, BmsChange& change);
  void send_keepalive(TimePoint now, BmsChange& change);
  void flag_edges(const core::PackState& before, TimePoint now, BmsChange& change);
  core::Event event(TimePoint now, core::Severity sev, core::EventEdge edge, std::string code,
                    std::string message) const;
  TimePoint critical_since() const;
  void emit(const BmsChange& change);

  can::CanBus& bus_;
  BmsProtocol& protocol_;
  const Clock& clock_;
  BmsMonitorOptions options_;
  ChangeHandler handler_;
  core::PackState state_;
  std::array<std::optional<TimePoint>, kPackPartCount> part_at_{};
  BmsHealth health_{BmsHealth::waiting};
  bool started_{false};
  TimePoint started_at_{};
  TimePoint next_keepalive_{};
  bool keepalive_failing_{false};
  std::set<std::uint32_t> rejecting_ids_;  // ids whose last frame was rejected
  PowerFlowPermit permit_;
  std::optional<TimePoint> permit_at_;
  BmsMonitorStats stats_;
};

}  // namespace bessd::bms
