#pragma once
// An operator's write that can release power (a mode, an acknowledgement) is durable before it
// takes effect (docs/operations.md, "Safety state"), yet the control thread never waits for a
// disk: a stalled SD card must not delay a fire alarm's 0 W command. So such a write runs in
// three stages:
//   1. on the control thread, `stage_...` checks it against the controller's state and says
//      what must be stored (an idle without an expiry, the safe direction, already takes effect
//      here);
//   2. on the caller's thread (the API thread), `store` writes it durably, after every latch
//      queued before it, and waits for the disk;
//   3. on the control thread again, `apply` makes it take effect (or refuses it, if it could not
//      be stored) and gives the answer.
// A write refused at once (no audit log, nothing to store) carries its `answer` and no stages.

#include <chrono>
#include <functional>
#include <optional>
#include <utility>

#include <bessd/api/facade.hpp>
#include <bessd/common/result.hpp>

namespace bessd::app {

template <typename T>
struct StagedWrite {
  std::optional<Result<T>> answer;
  std::function<void()> store;
  std::function<Result<T>()> apply;

  static StagedWrite answered(Result<T> result) {
    StagedWrite w;
    w.answer.emplace(std::move(result));
    return w;
  }
  /// All three stages on this thread (a caller without a thread of its own).
  Result<T> run_here() {
    if (answer) return std::move(*answer);
    store();
    return apply();
  }
};

/// Implemented by the facade whose writes are staged (AppFacade); ControlThreadFacade runs the
/// stages on their threads.
class StagedWrites {
 public:
  virtual ~StagedWrites() = default;
  /// `superseded` (any thread), when given and true by the time the mode's file would replace
  /// the old one, withholds it: an idle asked for later has overtaken it (ControlThreadFacade).
  /// A mode whose file is not ready by `answer_by` (a slow disk, writes queued ahead) is withheld
  /// too: its client has given up waiting, so it must not take effect later. Withheld writes
  /// never reach the disk (SafetyStateFile::save_if), so nothing needs undoing.
  virtual StagedWrite<api::ModeVerdict> stage_mode(
      const api::ModeRequest& request, const api::Requester& who,
      std::function<bool()> superseded = {},
      std::optional<std::chrono::steady_clock::time_point> answer_by = std::nullopt) = 0;
  /// The same deadline for an acknowledgement: one stored after its client gave up would clear
  /// latches nobody is told about.
  /// The owner's reserve and charge target, with the same deadline as a mode.
  virtual StagedWrite<api::SettingsDto> stage_settings(
      const api::SettingsRequest& request, const api::Requester& who,
      std::optional<std::chrono::steady_clock::time_point> answer_by = std::nullopt) = 0;
  virtual StagedWrite<api::AckResult> stage_ack(
      const api::Requester& who,
      std::optional<std::chrono::steady_clock::time_point> answer_by = std::nullopt) = 0;
};

}  // namespace bessd::app
