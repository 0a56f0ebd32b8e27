#pragma once
// OP-I-01/02: does the inverter follow the battery power bessd commands? (docs/protection.md
// "Inverter not obeying".) Pure, one owner, time as an argument.
//
// Judged per direction. Charging always: against the command when bessd commands a charge, else
// against the envelope (a charge beyond it, e.g. at 0 W with a fault latched, is an inverter out
// of control; one within it is the device's own, such as a GX's BatteryLife recharge).
// Discharging only against power bessd commands that way: a DC load on the battery bus draws
// without a command. Below the standby tolerance (standby draw, a sensor offset at a zero limit)
// nothing counts. The allowance follows the inverter's ramp: after bessd
// lowers its command, the inverter may take ramp time to come down. Measured power above the
// allowance by the margin plus the standby tolerance for longer than the window is a confirmed
// non-obey: that direction is blocked (the controller commands zero in it). If the inverter still
// pushes power that way after the block, the fault latches.

#include <optional>
#include <string>

#include <bessd/common/clock.hpp>
#include <bessd/control/load_room.hpp>

namespace bessd::control {

struct ObeySettings {
  double standby_tolerance_w{200.0};  // power below this is standby draw / sensor offset
  double margin_pct{10.0};            // above the command by more than this share
  Duration window{std::chrono::seconds{10}};
  double inverter_ramp_w_per_s{200.0};  // how fast the allowance follows a lower command
  /// The largest DC load on the battery bus the installer declared (battery.dc_load_max_w):
  /// measured at the battery, a draw up to this besides the command is a load, not the inverter.
  double dc_load_max_w{0.0};
};

struct ObeyDirection {
  bool blocked{false};   // confirmed non-obey: hold this direction at zero
  bool latch{false};     // still not obeying after the block: latch the fault
  bool pushing{false};   // measured power is beyond the allowance right now
  bool restored{false};  // the block is the last run's (kept across a restart), not judged again
  std::string detail;    // for people
  /// Set on the step a discharge measured at the battery has persisted a whole window after
  /// the block (see update()): the power, for the warning. The block then holds, unlatched.
  std::optional<double> persists_unattributed_w;
};

/// A charge bessd commands that the pack does not get: less than half of it (less the standby
/// tolerance) arrives for a whole window after the inverter has had time to get there. The
/// inverter does not follow, or a load on the battery bus takes the charge.
struct ChargeShortfall {
  bool active{false};
  double commanded_w{0.0};  // the net charge bessd commands: a learned DC load's share apart
  double measured_w{0.0};   // + = charge; negative: the pack discharges
};

struct ObeyVerdict {
  ObeyDirection charge;
  ObeyDirection discharge;
  ChargeShortfall shortfall;
};

class ObeyMonitor {
 public:
  /// Until a load has been measured, the declared one is assumed to draw (a start after an
  /// unclean stop may find it running): the envelope leaves it room from the first command.
  explicit ObeyMonitor(ObeySettings s) : s_(s), room_(s.standby_tolerance_w) {
    discharge_.load_w = s_.dc_load_max_w;
  }

  /// `commanded_w`: the command in force (+ = charge; the safe state is 0). `measured_w`: the
  /// battery power (+ = charge) from the inverter, or the BMS's V × I when the inverter does not
  /// report it; absent = no judgement (and no change). `judge`: the inverter link is up and a
  /// command has been written. `charge_envelope_w`: the charge power the envelope allows (the
  /// last step's); absent = 0.
  /// `measured_at_battery`: the power is the BMS's V × I (the inverter reports none), so a
  /// DC load on the battery bus is in it and cannot be told from the inverter's own discharge.
  ObeyVerdict update(std::optional<double> measured_w, double commanded_w, bool judge,
                     TimePoint now, std::optional<double> charge_envelope_w = std::nullopt,
                     bool measured_at_battery = false);
  /// The operator acknowledged the latched fault of one direction: start afresh.
  void reset(bool charge);
  /// A block that held when bessd last stopped (kept across restarts, docs/protection.md
  /// "Inverter not obeying"): it holds again until the inverter has obeyed for a window.
  void restore_block(bool charge);
  void set_settings(const ObeySettings& s) {
    s_ = s;
    room_.set_resolution(s.standby_tolerance_w);
  }
  /// A recovery charge runs: the pack must gain charge, whatever a DC load takes.
  void set_recovering(bool recovering) { recovering_ = recovering; }
  /// The command is the battery's own power, DC loads included (a Victron GX): a charge bessd
  /// commands is the pack's whole, no share of it goes to a load.
  void set_target_at_battery(bool at_battery) { target_at_battery_ = at_battery; }
  /// The uncommanded discharge (a DC load) the battery supplies besides bessd's command, above
  /// the standby tolerance; 0 when none. The pack's limits must leave room for it.
  double discharge_load_w() const {
    return discharge_.load_w > s_.standby_tolerance_w ? discharge_.load_w : 0.0;
  }
  /// The room the discharge limit keeps for a DC load (LoadRoom): the largest measured within
  /// the last 30 minutes.
  double load_room_w(TimePoint now) const {
    const double w = room_.room_w(now);
    return w > s_.standby_tolerance_w ? w : 0.0;
  }
  /// When that room comes down unless the load draws it again.
  std::optional<TimePoint> load_room_lowers_at(TimePoint now) const { return room_.lowers_at(now); }
  /// The room to keep across a restart, and the last run's restored (a load measured then).
  std::optional<LoadRoom::Peak> load_room_peak(TimePoint now) const {
    return room_.peak_drawn(now);
  }
  void restore_load_room(double load_w, TimePoint drawn_at) { room_.record(load_w, drawn_at); }
  /// The load is still the declared one assumed at start, not a measurement.
  bool load_assumed() const { return !load_measured_ && discharge_.load_w > 0.0; }

 private:
  struct Side {
    double allowance_w{0.0};  // the command in this direction, decaying at the ramp rate
    std::optional<TimePoint> over_since;
    std::optional<TimePoint> obeying_since;  // while blocked: within tolerance since
    // Discharge only, measured at the battery: the draw besides the command taken as a DC load,
    // at most the declared ObeySettings::dc_load_max_w; a command is judged on top of it.
    double load_w{0.0};
    bool unattributed{false};  // blocked, and the draw persists at 0 W (measured at the BMS)
    bool hold_block{false};    // the block may not end now (a commanded charge goes missing)
    bool restored{false};      // the block is the last run's, not yet judged again
    std::string detail;        // what the last excess was, said while the block holds after it
    bool blocked{false};
    bool latched{false};
  };
  struct SideRules {
    const char* verb;        // "charges" / "discharges"
    double tolerated_w;      // a power bessd tolerates without commanding it
    bool latch_after_block;  // a persisting excess after the block is the inverter's
    bool at_battery{false};  // measured at the BMS: a load there is in the measurement
  };
  ObeyDirection judge_side(Side& side, double measured_w, double commanded_w, double dt_s,
                           TimePoint now, const SideRules& rules);
  static std::string restored_detail(bool charge);
  std::string describe(const Side& side, double measured_w, double bound_w, double limit_w,
                       const SideRules& rules) const;
  void track_settling(double commanded_w, TimePoint now);
  bool settled(TimePoint now) const { return settle_from_ && now - *settle_from_ >= settle_for_; }
  void learn_dc_load(double measured_w, double commanded_w, TimePoint now,
                     bool measured_at_battery);
  ChargeShortfall judge_shortfall(double measured_w, double commanded_w, TimePoint now);

  ObeySettings s_;
  Side charge_;
  Side discharge_;
  std::optional<TimePoint> last_;
  // The command the DC load is learned against, and since when it has held (within the
  // standby tolerance) and for how long it must before the measurement has caught up.
  double settle_ref_w_{0.0};
  std::optional<TimePoint> settle_from_;
  Duration settle_for_{};
  std::optional<TimePoint> short_since_;  // a commanded charge missing since
  bool short_{false};
  bool recovering_{false};
  bool target_at_battery_{false};
  double commanded_w_{0.0};    // the signed command of the last update, for the texts
  LoadRoom room_;              // of loads measured, not the one assumed at start
  bool load_measured_{false};  // load_w is a measurement, not the declared assumption
};

}  // namespace bessd::control
