#pragma once
// A durable latch store that takes changes in memory at once and writes them together later.
// The latch writer (latch_write_behind.hpp) uses it so that a burst of latches on a slow disk
// (a fire alarm, then the protections it trips) costs one write of the state, not one each,
// and a stop waits for one write, not a queue of them.

#include <vector>

#include <bessd/control/fault_latch_store.hpp>

namespace bessd::app {

class CoalescingLatchStore : public control::FaultLatchStore {
 public:
  /// In memory only (short, never waits for the disk): stored by the next flush().
  virtual void stage_latch(const control::LatchedFault& fault) = 0;
  virtual void stage_trips(const std::vector<control::TripRecord>& trips) = 0;
  /// Writes what was staged since the last write, if anything. A failure is reported like a
  /// failed latch write, and what was staged stays for the next flush.
  virtual Status flush() = 0;
};

}  // namespace bessd::app
