#pragma once
// Persists the controller's latched faults in the Store, so they survive a restart (a latched
// fault needs an operator ack, whatever happened to the process in between).

#include <bessd/common/clock.hpp>
#include <bessd/control/fault_latch_store.hpp>
#include <bessd/storage/store.hpp>

namespace bessd::app {

class StoreFaultLatchStore final : public control::FaultLatchStore {
 public:
  explicit StoreFaultLatchStore(storage::Store& store) : store_(store) {}
  Result<std::vector<control::LatchedFault>> load() override;
  Status latch(const control::LatchedFault& fault) override;
  Status clear(std::string_view id) override;

 private:
  storage::Store& store_;
};

}  // namespace bessd::app
