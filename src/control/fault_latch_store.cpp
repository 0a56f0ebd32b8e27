#include <algorithm>

#include <bessd/control/fault_latch_store.hpp>

namespace bessd::control {

Result<std::vector<LatchedFault>> MemoryFaultLatchStore::load() {
  if (failing_) return fail(ErrorCode::storage_error, "memory fault store: load failed (injected)");
  return faults_;
}

Status MemoryFaultLatchStore::latch(const LatchedFault& fault) {
  if (failing_)
    return fail(ErrorCode::storage_error, "memory fault store: latch failed (injected)");
  const auto it = std::find_if(faults_.begin(), faults_.end(),
                               [&](const LatchedFault& f) { return f.id == fault.id; });
  if (it != faults_.end())
    *it = fault;
  else
    faults_.push_back(fault);
  return {};
}

Status MemoryFaultLatchStore::clear(std::string_view id) {
  if (failing_)
    return fail(ErrorCode::storage_error, "memory fault store: clear failed (injected)");
  std::erase_if(faults_, [&](const LatchedFault& f) { return f.id == id; });
  return {};
}

Status MemoryFaultLatchStore::save_trips(const std::vector<TripRecord>& trips) {
  if (failing_)
    return fail(ErrorCode::storage_error, "memory fault store: save_trips failed (injected)");
  trips_ = trips;
  return {};
}

}  // namespace bessd::control
